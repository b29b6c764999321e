package dev.coreloop.bench.scaling;

import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.bench.peer.ThreadPerConnectionServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the smoke sweep the way a user runs the real one (the shaded jar, {@code ScalingSweep --smoke}: 1 and 2
 * reactors, very short iterations) and checks the structure of what it writes: the CSV's columns, exactly one row per
 * server x protocol x reactors x metric, every point measured or marked skipped, the oversubscribed mark as the
 * placement rules give it for this machine, and non-empty PNGs. It never looks at a timing.
 */
class ScalingSmokeIT
{
    private static final List<String> SERVERS = List.of("coreloop", "netty-nio", "vthreads");
    private static final List<String> PROTOCOLS = List.of("echo", "http", "resp");
    private static final List<Integer> REACTORS = List.of(1, 2);

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldWriteCsvPlotsAndSummaryForEveryPoint(@TempDir final Path tmp) throws Exception
    {
        final Path jar = Path.of("target", "benchmarks.jar");
        assertThat(jar).as("the shaded jar is built in the package phase").exists();
        final Path out = tmp.resolve("results");
        final Path log = tmp.resolve("sweep.log");
        final Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            // Its own temporary directory, so JMH's lock (java.io.tmpdir/jmh.lock) is not shared with another JMH run
            // on the machine: the smoke run never reads a timing, so it need not wait for one.
            "-Djava.io.tmpdir=" + tmp, "-cp", jar.toString(), ScalingSweep.class.getName(), "--smoke",
            "--out", out.toString())
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(200, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
        }
        final String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();

        final List<String> lines = Files.readAllLines(out.resolve("scaling.csv"), StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo(SweepReport.CSV_HEADER);
        final List<String[]> rows = new ArrayList<>();
        for (final String line : lines.subList(1, lines.size()))
        {
            rows.add(line.split(",", 10));
        }
        assertThat(rows).hasSize(SERVERS.size() * PROTOCOLS.size() * REACTORS.size() * SweepReport.METRICS.size());
        final boolean virtualThreads = ThreadPerConnectionServer.virtualThreadsAvailable();
        final CpuTopology topology = CpuTopology.detect();
        for (final String server : SERVERS)
        {
            for (final String protocol : PROTOCOLS)
            {
                for (final int reactors : REACTORS)
                {
                    final boolean oversubscribed = Placement.plan(topology, reactors, reactors).oversubscribed();
                    for (final String[] metric : SweepReport.METRICS)
                    {
                        final List<String[]> matching = rows.stream().filter(r -> r[0].equals(server) &&
                            r[1].equals(protocol) && r[2].equals(Integer.toString(reactors)) && r[3].equals(metric[0]))
                            .toList();
                        assertThat(matching).as("%s %s %d %s", server, protocol, reactors, metric[0]).hasSize(1);
                        final String[] row = matching.get(0);
                        assertThat(row[5]).isEqualTo(metric[1]);
                        assertThat(row[6]).as("oversubscribed mark").isEqualTo(Boolean.toString(oversubscribed));
                        assertThat(row[7]).isEqualTo(Integer.toString(reactors));
                        final boolean skipped = server.equals("vthreads") && !virtualThreads;
                        if (skipped)
                        {
                            assertThat(row[4]).isEmpty();
                            assertThat(row[9]).isEqualTo("\"" + ServerKind.NEEDS_JDK_21 + "\"");
                        }
                        else if (metric[0].equals("ops_per_s") || metric[0].equals("p99_us"))
                        {
                            assertThat(Double.parseDouble(row[4])).as("%s %s %d %s", server, protocol, reactors,
                                metric[0]).isPositive();
                            if (oversubscribed)
                            {
                                assertThat(row[9]).startsWith("\"oversubscribed: ");
                            }
                            else
                            {
                                // empty, unless this machine could not pin (then the note says threads escaped)
                                assertThat(row[9]).matches("|\"\\d+ of \\d+ server threads could run outside the server CPUs\"");
                            }
                        }
                    }
                }
            }
        }
        for (final String protocol : PROTOCOLS)
        {
            for (final String plot : List.of("throughput", "efficiency", "cpu", "p99"))
            {
                final File png = out.resolve(plot + "-" + protocol + ".png").toFile();
                assertThat(png).as(png.getName()).exists();
                assertThat(png.length()).as(png.getName()).isPositive();
                final BufferedImage image = ImageIO.read(png);
                assertThat(image.getWidth()).isEqualTo(SweepPlots.WIDTH);
                assertThat(image.getHeight()).isEqualTo(SweepPlots.HEIGHT);
            }
        }
        final String summary = Files.readString(out.resolve("summary.md"), StandardCharsets.UTF_8);
        for (final String protocol : PROTOCOLS)
        {
            assertThat(summary).contains("## " + protocol);
        }
        assertThat(Files.readString(out.resolve("jmh-raw.json"), StandardCharsets.UTF_8).trim()).startsWith("[");
        assertThat(Files.readString(out.resolve("placement.txt"), StandardCharsets.UTF_8))
            .contains("reactors=1: ").contains("reactors=2: ");
        assertThat(out.resolve("topology.txt")).isNotEmptyFile();
    }
}
