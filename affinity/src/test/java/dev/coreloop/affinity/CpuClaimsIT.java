package dev.coreloop.affinity;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs claim the same CPUs at the same moment, half of them held by stale claims of a dead process: each CPU
 * ends up claimed by exactly one of them, whether it was free (the hard link decides) or stale (the take-over lock
 * decides).
 */
class CpuClaimsIT
{
    private static final String CPUS = "0-7";
    private static final int ROUNDS = 3;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void twoProcessesNeverBothWinACpuFreeOrStale() throws Exception
    {
        for (int round = 0; round < ROUNDS; round++)
        {
            final Path dir = tmp.resolve("round-" + round);
            Files.createDirectories(dir);
            for (int cpu = 0; cpu < 4; cpu++)
            {
                // PID above the kernel's pid_max ceiling (4194304): never alive, so these claims are stale.
                Files.writeString(dir.resolve("cpu-" + cpu + ".lock"),
                    "pid=99999999\nstarttime=1\nrole=reactor-" + cpu + "\nsince=x\n");
            }
            final List<Process> children = new ArrayList<>();
            try
            {
                final List<BufferedReader> outputs = new ArrayList<>();
                for (int i = 0; i < 2; i++)
                {
                    final Process child = start(dir);
                    children.add(child);
                    outputs.add(new BufferedReader(new InputStreamReader(child.getInputStream(),
                        StandardCharsets.UTF_8)));
                }
                for (final BufferedReader output : outputs)
                {
                    assertThat(output.readLine()).isEqualTo("ready");
                }
                for (final Process child : children)
                {
                    send(child, "go\n");
                }
                final List<CpuSet> claimed = new ArrayList<>();
                for (final BufferedReader output : outputs)
                {
                    final String line = output.readLine();
                    assertThat(line).startsWith("claimed=");
                    final String set = line.substring("claimed=".length());
                    claimed.add(set.isEmpty() ? CpuSet.empty() : CpuSet.parse(set));
                }
                assertThat(claimed.get(0).intersects(claimed.get(1)))
                    .as("round %d: %s and %s overlap", round, claimed.get(0), claimed.get(1)).isFalse();
                assertThat(claimed.get(0).union(claimed.get(1))).isEqualTo(CpuSet.parse(CPUS));
                for (final Process child : children)
                {
                    send(child, "done\n");
                    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
                    assertThat(child.exitValue()).isZero();
                }
                try (var files = Files.list(dir))
                {
                    assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".lock") &&
                        !n.equals(CpuClaims.TAKEOVER_LOCK_NAME))).as("released on close").isEmpty();
                }
            }
            finally
            {
                for (final Process child : children)
                {
                    child.destroyForcibly();
                }
            }
        }
    }

    private static Process start(final Path dir) throws IOException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final ProcessBuilder builder = new ProcessBuilder(java, "-Xmx32m", "-XX:TieredStopAtLevel=1",
            "-Xshare:auto", "-cp", System.getProperty("java.class.path"), CpuClaimsChild.class.getName(),
            dir.toString(), CPUS);
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        return builder.start();
    }

    private static void send(final Process child, final String line) throws IOException
    {
        final OutputStream stdin = child.getOutputStream();
        stdin.write(line.getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }
}
