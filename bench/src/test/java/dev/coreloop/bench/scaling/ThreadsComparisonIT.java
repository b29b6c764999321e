package dev.coreloop.bench.scaling;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.coreloop.bench.scaling.threads.ThreadsComparison;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A tiny "why not threads" run (two connection counts, well under a second each) through the shaded jar: every server
 * process starts, answers, and gets its rows; the CSV and the plots are written. No timing is looked at.
 */
class ThreadsComparisonIT
{
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldWriteOneRowPerServerConnectionsAndMetric(@TempDir final Path tmp) throws Exception
    {
        final Path out = tmp.resolve("threads");
        final Path log = tmp.resolve("threads.log");
        final Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", Path.of("target", "benchmarks.jar").toString(),
            ThreadsComparison.class.getName(), "--servers", "coreloop,blocking,vthreads", "--connections", "10,50",
            "--warmup-ms", "200", "--duration-ms", "300", "--heap", "128m", "--out", out.toString())
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(150, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
        }
        final String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        final List<String> lines = Files.readAllLines(out.resolve("threads.csv"), StandardCharsets.UTF_8);
        assertThat(lines.get(0)).isEqualTo("server,connections,metric,value,unit,note");
        assertThat(lines).hasSize(1 + 3 * 2 * 8);
        for (final String server : List.of("coreloop", "blocking"))
        {
            for (final String connections : List.of("10", "50"))
            {
                final List<String> rows = lines.stream()
                    .filter(l -> l.startsWith(server + "," + connections + ",ops_per_s,")).toList();
                assertThat(rows).as(output).hasSize(1);
                assertThat(Double.parseDouble(rows.get(0).split(",")[3])).as(rows.get(0)).isPositive();
                assertThat(lines.stream().filter(l -> l.startsWith(server + "," + connections + ",rss_mib,"))
                    .findFirst().orElseThrow().split(",")[3]).isNotEmpty();
            }
        }
        assertThat(Files.readString(out.resolve("threads.md"), StandardCharsets.UTF_8)).contains("| 50 | blocking |");
        // After each row the server process says how its connections ended (coreloop counts them).
        assertThat(output).contains("coreloop x 50: server: accepted 50, registered 50, inbox rejections 0");
        for (final String plot : List.of("threads-cpu.png", "threads-p99.png", "threads-rss.png"))
        {
            assertThat(out.resolve(plot)).isNotEmptyFile();
        }
    }
}
