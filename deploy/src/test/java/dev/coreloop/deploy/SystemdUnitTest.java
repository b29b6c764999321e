package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** deploy/systemd/coreloop.service, parsed into sections and keys, and {@code systemd-analyze verify} where present. */
class SystemdUnitTest
{
    private static final Path UNIT = Path.of("systemd/coreloop.service");

    /** {@return section -> key -> every value of that key, continuation lines joined, comments dropped} */
    static Map<String, Map<String, List<String>>> parse(final String text)
    {
        final Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> section = null;
        final String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";"))
            {
                continue;
            }
            while (line.endsWith("\\") && i + 1 < lines.length)
            {
                line = line.substring(0, line.length() - 1).strip() + " " + lines[++i].strip();
            }
            if (line.startsWith("[") && line.endsWith("]"))
            {
                section = sections.computeIfAbsent(line.substring(1, line.length() - 1), k -> new LinkedHashMap<>());
                continue;
            }
            final int equals = line.indexOf('=');
            assertThat(section).as("key outside a section: %s", line).isNotNull();
            assertThat(equals).as("not a key=value line: %s", line).isPositive();
            section.computeIfAbsent(line.substring(0, equals), k -> new ArrayList<>()).add(line.substring(equals + 1));
        }
        return sections;
    }

    private static Map<String, List<String>> service() throws IOException
    {
        final Map<String, Map<String, List<String>>> unit = parse(Files.readString(UNIT));
        assertThat(unit).containsKeys("Unit", "Service", "Install");
        return unit.get("Service");
    }

    private static String one(final Map<String, List<String>> section, final String key)
    {
        assertThat(section.get(key)).as(key).hasSize(1);
        return section.get(key).get(0);
    }

    @Test
    void shouldClaimARuntimeDirectoryThatSurvivesTheSandbox() throws IOException
    {
        final Map<String, List<String>> service = service();

        assertThat(one(service, "RuntimeDirectory")).isEqualTo("coreloop");
        assertThat(one(service, "RuntimeDirectoryPreserve")).isEqualTo("yes");
        assertThat(one(service, "ProtectSystem")).isEqualTo("strict");
        assertThat(one(service, "PrivateTmp")).isEqualTo("yes");
        // The claims go below the runtime directory, not to /tmp (private) or /run/lock (read-only here).
        assertThat(one(service, "Environment")).contains("-Dcoreloop.cpu.lock.dir=/run/coreloop/claims");
        assertThat(one(service, "ExecStart")).doesNotContain("--run-dir"); // $RUNTIME_DIRECTORY is used
    }

    @Test
    void shouldReportReadinessThroughHealthAndTreatSigtermAsSuccess() throws IOException
    {
        final Map<String, List<String>> service = service();

        assertThat(one(service, "Type")).isEqualTo("exec");
        final String start = one(service, "ExecStart");
        final String port = start.replaceAll(".*--metrics-port (\\d+).*", "$1");
        assertThat(port).matches("[1-9][0-9]*");
        assertThat(one(service, "ExecStartPost")).isEqualTo("/opt/coreloop/wait-healthy.sh 127.0.0.1:" + port + " 60");
        assertThat(Long.parseLong(one(service, "TimeoutStartSec"))).isGreaterThan(60);
        assertThat(one(service, "SuccessExitStatus").split("\\s+")).contains("143");
        assertThat(one(service, "RestartPreventExitStatus")).isEqualTo(String.valueOf(Main.EXIT_USAGE));
    }

    @Test
    void shouldRunTheHostCheckInWarnModeWithTheServersSettings() throws IOException
    {
        final Map<String, List<String>> service = service();
        final String pre = one(service, "ExecStartPre");
        final String start = one(service, "ExecStart");

        assertThat(pre).doesNotStartWith("-").contains(" check --warn-only ");
        // Same JVM options (direct memory), config, pin spec and mode as the server.
        assertThat(pre.substring(0, pre.indexOf(" check "))).isEqualTo(start.substring(0, start.indexOf(" serve ")));
        for (final String option : new String[] {"--config /etc/coreloop/coreloop.conf",
            "--pin \"acceptor=1 reactors=2-7\"", "--pin-mode strict"})
        {
            assertThat(pre).contains(option);
            assertThat(start).contains(option);
        }
        // The check's own options parse: the same command line runs (on this host's files) in warn mode.
        final List<String> args = List.of("check", "--warn-only", "--pin", "acceptor=1 reactors=2-3", "--root",
            HostCheckTest.fixture("tuned").toString());
        final int status = Main.execute(args.toArray(String[]::new), new java.io.PrintWriter(new java.io.StringWriter()),
            new java.io.PrintWriter(new java.io.StringWriter()), Map.of(), (settings, out, err) -> Main.EXIT_FAILURE);
        assertThat(status).isEqualTo(CheckCommand.EXIT_PASS);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldPassSystemdAnalyzeVerify(@TempDir final Path dir) throws Exception
    {
        final Path analyze = Path.of("/usr/bin/systemd-analyze");
        assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed here: verify skipped");
        // The unit names installed paths; point them at this checkout's script and this JDK so verify can see them.
        final String unit = Files.readString(UNIT)
            .replace("/opt/coreloop/wait-healthy.sh", Path.of("scripts/wait-healthy.sh").toAbsolutePath().toString())
            .replace("/usr/bin/java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        final Path copy = dir.resolve("coreloop.service");
        Files.writeString(copy, unit);

        final Process process = new ProcessBuilder(analyze.toString(), "verify", copy.toString())
            .redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(50, TimeUnit.SECONDS)).isTrue();

        assertThat(output).as("systemd-analyze verify output").isEmpty();
        assertThat(process.exitValue()).isZero();
    }
}
