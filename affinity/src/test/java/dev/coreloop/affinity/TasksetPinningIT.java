package dev.coreloop.affinity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.coreloop.affinity.openhft.OpenHftAffinityBackend;

/** Forks a JVM under {@code taskset -c 1} and checks that its plan stays inside the restricted set. */
@Tag("pinning")
class TasksetPinningIT
{
    @TempDir
    Path work;

    private static boolean onPath(final String command)
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return false;
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            if (Files.isExecutable(Path.of(dir, command)))
            {
                return true;
            }
        }
        return false;
    }

    @Test
    @Timeout(120)
    void shouldPlanInsideTheSetGivenByTaskset() throws IOException, InterruptedException
    {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "taskset is Linux only");
        assumeTrue(onPath("taskset"), "taskset is not installed (util-linux)");
        assumeTrue(OpenHftAffinityBackend.instance().supported(), "OpenHFT affinity cannot pin here");
        assumeTrue(CpuTopology.detect().allowed().contains(1), "CPU 1 is not allowed for this process");

        final Path output = work.resolve("probe.out");
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process process = new ProcessBuilder(
            "taskset", "-c", "1", java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
            TasksetProbe.class.getName(), work.resolve("claims").toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        try
        {
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("probe finished").isTrue();
        }
        finally
        {
            process.destroyForcibly();
        }
        final List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        System.out.println(String.join("\n", lines));
        assertThat(process.exitValue()).as("probe exit code").isZero();
        final Map<String, String> values = new LinkedHashMap<>();
        for (final String line : lines)
        {
            final int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("["))
            {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }

        assertThat(values).containsEntry("allowed", "1").containsEntry("threadAffinity", "1");
        assertThat(values).containsEntry("error", "reactors=0-1: CPU 0 is not in the allowed set 1");
        assertThat(values).containsEntry("reactorCount", "1");
        assertThat(values).containsEntry("pin.reactor-0", "1/1/PINNED");
        assertThat(values).containsEntry("pin.acceptor", "1/1/PINNED");
        assertThat(values.get("report.json")).contains("\"allowed\":\"1\"")
            .contains("acceptor shares CPU 1 with reactor-0");
        JsonSyntax.check(values.get("report.json"));
    }
}
