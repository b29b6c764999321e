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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
    void shouldPrintTheSameFindingsAsJsonWithTheSameExitStatus() throws Exception
    {
        final Result table = run("check");
        final Result json = run("check", "--json");

        assertThat(json.status).as(json.stderr).isEqualTo(table.status);
        assertThat(json.stdout.lines().count()).as("one object on one line").isEqualTo(1);
        final String object = json.stdout.strip();
        assertThat(object).startsWith("{\"plan\":").endsWith(",\"exitStatus\":" + table.status + "}");
        for (final String name : HostCheck.NAMES)
        {
            final Matcher row = Pattern.compile("(?m)^(pass|skip|warn|fail)  " + Pattern.quote(name) + " ")
                .matcher(table.stdout);
            assertThat(row.find()).as("table row for %s", name).isTrue();
            assertThat(object).contains("{\"name\":\"" + name + "\",\"status\":\"" + row.group(1) + "\",\"message\":\"");
        }
        final String verdict = lastLine(table.stdout).substring("result: ".length());
        assertThat(object).contains("],\"result\":\"" + verdict + "\",");
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

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldWaitForHealthWithCurlAndWithout(@TempDir final Path noCurl) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString(), "serve",
            "--echo-port", "ephemeral", "--http-port", "0", "--resp-port", "0", "--metrics-port", "ephemeral",
            "--run-dir", noCurl.toString()));
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith(Setting.ENV_PREFIX) || name.equals("JAVA_OPTS"));
        final Process server = builder.start();
        try
        {
            final java.io.BufferedReader lines = new java.io.BufferedReader(
                new java.io.InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            final Pattern metrics = Pattern.compile("coreloop: metrics listening on 127\\.0\\.0\\.1:(\\d+)");
            String port = null;
            for (String line = lines.readLine(); line != null && port == null; line = lines.readLine())
            {
                final Matcher matcher = metrics.matcher(line);
                port = matcher.find() ? matcher.group(1) : null;
            }
            assertThat(port).as("the metrics listener's port").isNotNull();
            final Thread drain = new Thread(() -> drainQuietly(lines), "drain-server-output");
            drain.setDaemon(true);
            drain.start();

            assertThat(waitHealthy(null, port, "30")).isZero();
            // The same without curl on PATH: bash's /dev/tcp.
            final Path bin = Files.createDirectories(noCurl.resolve("bin"));
            for (final String tool : new String[] {"bash", "date", "sleep", "timeout", "cat"})
            {
                final Path real = findOnPath(tool);
                Files.createSymbolicLink(bin.resolve(tool), real);
            }
            assertThat(waitHealthy(bin.toString(), port, "30")).isZero();
        }
        finally
        {
            server.destroy();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        // Nothing listens any more: it gives up after the timeout with status 1.
        assertThat(waitHealthy(null, "1", "1")).isEqualTo(1);
    }

    private static void drainQuietly(final java.io.BufferedReader lines)
    {
        try
        {
            while (lines.readLine() != null)
            {
                // discard
            }
        }
        catch (final IOException ignore)
        {
            // the server stopped
        }
    }

    private static Path findOnPath(final String tool)
    {
        for (final String dir : System.getenv("PATH").split(":"))
        {
            final Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        throw new AssertionError(tool + " is not on PATH");
    }

    private static int waitHealthy(final String path, final String port, final String timeoutS)
        throws IOException, InterruptedException
    {
        final Path script = Path.of("scripts/wait-healthy.sh").toAbsolutePath();
        final ProcessBuilder builder = new ProcessBuilder(findOnPath("bash").toString(), script.toString(),
            "127.0.0.1:" + port, timeoutS).redirectErrorStream(true);
        if (path != null)
        {
            builder.environment().put("PATH", path);
        }
        final Process process = builder.start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        System.out.println("wait-healthy.sh (PATH " + (path == null ? "inherited" : path) + ") exit " +
            process.exitValue() + ": " + output);
        return process.exitValue();
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
