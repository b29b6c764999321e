package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs {@code coreloop check} from the runnable jar on this real machine: whatever this host looks like, the command
 * must print every check and exit with the status its worst finding documents (0 pass, 1 warn, 2 fail), and 0 with
 * {@code --warn-only}.
 */
class CheckIT
{
    private static Path jar;

    @BeforeAll
    static void findTheJar()
    {
        jar = Path.of(System.getProperty("coreloop.launcher.jar", "target/missing.jar")).toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(jar), "the runnable jar is not built: " + jar);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldCheckThisHostAndExitWithTheDocumentedStatus() throws Exception
    {
        final Result result = run("check");

        System.out.println("coreloop check on this host (exit " + result.status + "):\n" + result.stdout);
        assertThat(result.stdout).startsWith("plan: ");
        for (final String name : HostCheck.NAMES)
        {
            assertThat(result.stdout).containsPattern("(?m)^(pass|skip|warn|fail)  " + name + " ");
        }
        final String verdict = lastLine(result.stdout);
        assertThat(verdict).matches("result: (pass|warn|fail)");
        final int expected = switch (verdict)
        {
            case "result: pass" -> CheckCommand.EXIT_PASS;
            case "result: warn" -> CheckCommand.EXIT_WARN;
            default -> CheckCommand.EXIT_FAIL;
        };
        assertThat(result.status).as(result.stderr).isEqualTo(expected);
        // The verdict is the worst finding.
        final boolean anyFail = result.stdout.lines().anyMatch(line -> line.startsWith("fail  "));
        final boolean anyWarn = result.stdout.lines().anyMatch(line -> line.startsWith("warn  "));
        assertThat(verdict).isEqualTo(anyFail ? "result: fail" : anyWarn ? "result: warn" : "result: pass");
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldExitZeroInWarnOnlyModeAndTwoForBadInput() throws Exception
    {
        final Result warnOnly = run("check", "--warn-only", "--idle-mode", "spin");
        final Result bad = run("check", "--warn-only", "--backlog", "0");

        assertThat(warnOnly.status).as(warnOnly.stderr).isEqualTo(CheckCommand.EXIT_PASS);
        assertThat(warnOnly.stdout).containsPattern("(?m)^(pass|skip|warn|fail)  cfs-quota ");
        assertThat(bad.status).isEqualTo(Main.EXIT_USAGE);
        assertThat(bad.stderr).startsWith("coreloop check: --backlog: '0' is not a number of connections");
    }

    private static String lastLine(final String text)
    {
        final List<String> lines = text.lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static Result run(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith(Setting.ENV_PREFIX) || name.equals("JAVA_OPTS"));
        final Path stdout = Files.createTempFile("coreloop-check", ".out");
        final Path stderr = Files.createTempFile("coreloop-check", ".err");
        try
        {
            builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            final Process process = builder.start();
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new AssertionError("coreloop check did not finish in 60 s");
            }
            return new Result(process.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(stdout);
            Files.deleteIfExists(stderr);
        }
    }

    private record Result(int status, String stdout, String stderr)
    {
    }
}
