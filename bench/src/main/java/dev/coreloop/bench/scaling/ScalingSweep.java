package dev.coreloop.bench.scaling;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import dev.coreloop.affinity.CpuSet;
import dev.coreloop.affinity.CpuTopology;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The scaling sweep: runs {@link ScalingBenchmark} over reactor counts, servers and protocols, and writes
 * {@code results/<timestamp>/} with the raw JMH JSON ({@code jmh-raw.json}), a tidy CSV ({@code scaling.csv}, see
 * {@link SweepReport}), PNG plots ({@link SweepPlots}), {@code summary.md}, {@code placement.txt} (the plan of every
 * reactor count) and {@code topology.txt}.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.coreloop.bench.scaling.ScalingSweep [options]
 *   --reactors 1-4          reactor counts (list or range; default 1..physical cores / 2)
 *   --servers a,b           default coreloop,netty-nio,netty-epoll,vthreads,blocking
 *   --protocols a,b         default echo,http,http-p16,resp
 *   --connections-per-reactor 32   --load-threads-per-reactor 1
 *   --warmup-iterations 3 --warmup-ms 3000 --iterations 5 --iteration-ms 3000 --forks 1 --heap 1g
 *   --out DIR               default results/&lt;UTC timestamp&gt;
 *   --smoke                 1 and 2 reactors, coreloop,netty-nio,vthreads x echo,http,resp, 0.2 s + 0.4 s
 * </pre>
 * For each reactor count, every server and protocol runs in one JMH run (one fork per point, servers interleaved), so
 * peers are measured in the same conditions. A server this JVM cannot run (virtual threads before JDK 21, epoll off
 * Linux) is not forked: its rows say {@code skipped: ...}; a point that fails says {@code failed}.
 *
 * <p><b>Threading:</b> a command-line tool; single-threaded.
 */
public final class ScalingSweep
{
    private ScalingSweep()
    {
    }

    /** The sweep's settings, parsed from the command line. */
    static final class Settings
    {
        List<Integer> reactors = new ArrayList<>();
        List<String> servers = List.of("coreloop", "netty-nio", "netty-epoll", "vthreads", "blocking");
        List<String> protocols = List.of("echo", "http", "http-p16", "resp");
        int connectionsPerReactor = 32;
        int loadThreadsPerReactor = 1;
        int warmupIterations = 3;
        long warmupMs = 3_000;
        int iterations = 5;
        long iterationMs = 3_000;
        int forks = 1;
        String heap = "1g";
        Path out;

        static Settings parse(final String[] args, final int physicalCores)
        {
            final Settings s = new Settings();
            if (java.util.Arrays.asList(args).contains("--smoke"))
            {
                // the smoke settings first, so that options given beside --smoke override them in any order
                s.reactors = List.of(1, 2);
                s.servers = List.of("coreloop", "netty-nio", "vthreads");
                s.protocols = List.of("echo", "http", "resp");
                s.connectionsPerReactor = 8;
                s.warmupIterations = 1;
                s.warmupMs = 200;
                s.iterations = 1;
                s.iterationMs = 400;
                s.heap = "256m";
            }
            for (int i = 0; i < args.length; i++)
            {
                final String arg = args[i];
                if (arg.equals("--smoke"))
                {
                    continue;
                }
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException("missing value after " + arg);
                }
                final String value = args[++i];
                switch (arg)
                {
                    case "--reactors" -> s.reactors = reactorList(value);
                    case "--servers" -> s.servers = checkedList(value, true);
                    case "--protocols" -> s.protocols = checkedList(value, false);
                    case "--connections-per-reactor" -> s.connectionsPerReactor = positive(arg, value);
                    case "--load-threads-per-reactor" -> s.loadThreadsPerReactor = positive(arg, value);
                    case "--warmup-iterations" -> s.warmupIterations = positive(arg, value);
                    case "--warmup-ms" -> s.warmupMs = positive(arg, value);
                    case "--iterations" -> s.iterations = positive(arg, value);
                    case "--iteration-ms" -> s.iterationMs = positive(arg, value);
                    case "--forks" -> s.forks = positive(arg, value);
                    case "--heap" -> s.heap = value;
                    case "--out" -> s.out = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + arg + " (see the class javadoc" +
                        " or docs/benchmarks.md)");
                }
            }
            if (s.reactors.isEmpty())
            {
                for (int n = 1; n <= Placement.defaultMaxReactors(physicalCores); n++)
                {
                    s.reactors.add(n);
                }
            }
            if (s.out == null)
            {
                s.out = Path.of("results", LocalDateTime.now(ZoneOffset.UTC)
                    .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)));
            }
            return s;
        }

        private static List<Integer> reactorList(final String value)
        {
            final List<Integer> list = new ArrayList<>();
            try
            {
                for (final int n : CpuSet.parseSequence(value))
                {
                    if (n < 1)
                    {
                        throw new IllegalArgumentException("--reactors: counts must be at least 1 but got " + n);
                    }
                    list.add(n);
                }
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("--reactors '" + value + "': " + ex.getMessage(), ex);
            }
            return list;
        }

        private static List<String> checkedList(final String value, final boolean servers)
        {
            final List<String> list = new ArrayList<>();
            for (final String item : value.split(","))
            {
                list.add(servers ? ServerKind.of(item).id() : Protocol.of(item).id());
            }
            return list;
        }

        private static int positive(final String name, final String value)
        {
            try
            {
                final int n = Integer.parseInt(value.trim());
                if (n < 1)
                {
                    throw new NumberFormatException();
                }
                return n;
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(name + " must be a positive integer but was '" + value + "'");
            }
        }
    }

    /**
     * Runs the sweep.
     *
     * @param args see the class javadoc.
     * @throws Exception if the sweep cannot run or its files cannot be written; exit status 1 if a point failed.
     */
    public static void main(final String[] args) throws Exception
    {
        System.setProperty("java.awt.headless", "true");
        final CpuTopology topology = CpuTopology.detect();
        if (args.length == 2 && args[0].equals("--replot"))
        {
            // Redraw the plots of an earlier sweep from its CSV (after a change to the charts, or to look again).
            final Path dir = Path.of(args[1]);
            SweepPlots.drawAll(SweepReport.readCsv(dir.resolve("scaling.csv")), dir)
                .forEach(file -> System.out.println("plot: " + file));
            return;
        }
        final int physicalCores = topology.physicalCores(topology.allowed()).size();
        final Settings settings;
        try
        {
            settings = Settings.parse(args, physicalCores);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        final int failed = run(settings, topology);
        System.exit(failed == 0 ? 0 : 1);
    }

    /** @return how many points failed. */
    static int run(final Settings s, final CpuTopology topology) throws IOException, RunnerException
    {
        final Path out = s.out;
        final Path pointsDir = out.resolve("points");
        Files.createDirectories(pointsDir);
        final List<String> header = new ArrayList<>();
        header.add("- date (UTC): " + LocalDateTime.now(ZoneOffset.UTC).withNano(0));
        header.add("- JDK: " + System.getProperty("java.vm.name") + " " + Runtime.version());
        header.add("- machine: " + topology.cpuCount() + " CPUs, " +
            topology.physicalCores(topology.allowed()).size() + " physical cores in the allowed set " +
            topology.allowed());
        header.add("- per point: " + s.warmupIterations + " x " + s.warmupMs + " ms warm-up, " + s.iterations + " x " +
            s.iterationMs + " ms measurement, " + s.forks + " fork(s), " + s.connectionsPerReactor +
            " connections per reactor, " + s.loadThreadsPerReactor + " load thread(s) per reactor");
        Files.writeString(out.resolve("topology.txt"), topology.describe() + "\n", StandardCharsets.UTF_8);

        final StringBuilder placements = new StringBuilder();
        final List<RunResult> allResults = new ArrayList<>();
        final List<Point> points = new ArrayList<>();
        int failed = 0;
        for (final int reactors : s.reactors)
        {
            final int loadThreads = reactors * s.loadThreadsPerReactor;
            final Placement placement = Placement.plan(topology, reactors, loadThreads);
            final String line = "reactors=" + reactors + ": " + placement.describe();
            System.out.println(line);
            placements.append(line).append('\n').append("  affinity plan: ").append(placement.planText()).append('\n');
            placement.warnings().forEach(w -> placements.append("  plan warning: ").append(w).append('\n'));
            header.add("- placement " + line);

            final List<String> runnable = new ArrayList<>();
            for (final String server : s.servers)
            {
                final String skip = ServerKind.of(server).skipReason();
                if (skip == null)
                {
                    runnable.add(server);
                    continue;
                }
                for (final String protocol : s.protocols)
                {
                    points.add(Point.notMeasured(server, protocol, reactors, loadThreads,
                        s.connectionsPerReactor * reactors, placement.oversubscribed(), skip));
                }
            }
            if (runnable.isEmpty())
            {
                continue;
            }
            final ChainedOptionsBuilder options = new OptionsBuilder()
                .include(ScalingBenchmark.class.getName() + ".response")
                .param("server", runnable.toArray(new String[0]))
                .param("protocol", s.protocols.toArray(new String[0]))
                .param("reactors", Integer.toString(reactors))
                .param("connectionsPerReactor", Integer.toString(s.connectionsPerReactor))
                .threads(loadThreads)
                .forks(s.forks)
                .warmupIterations(s.warmupIterations)
                .warmupTime(TimeValue.milliseconds(s.warmupMs))
                .measurementIterations(s.iterations)
                .measurementTime(TimeValue.milliseconds(s.iterationMs))
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(false)
                .jvmArgsAppend("-Xms" + s.heap, "-Xmx" + s.heap, "-Djava.awt.headless=true",
                    // OpenHFT affinity (topology, through JNA) loads a native library: no warning on JDK 22+.
                    "--enable-native-access=ALL-UNNAMED",
                    "-D" + ScalingBenchmark.POINTS_DIR_PROP_NAME + "=" + pointsDir.toAbsolutePath(),
                    "-Djdk.virtualThreadScheduler.parallelism=" + reactors);
            final Collection<RunResult> results = new Runner(options.build()).run();
            allResults.addAll(results);
            for (final String server : runnable)
            {
                for (final String protocol : s.protocols)
                {
                    final Point p = point(results, pointsDir, server, protocol, reactors, loadThreads,
                        s.connectionsPerReactor * reactors, placement);
                    if (p.note().startsWith("failed"))
                    {
                        failed++;
                    }
                    points.add(p);
                }
            }
        }
        points.sort(java.util.Comparator.<Point>comparingInt(p -> s.servers.indexOf(p.server()))
            .thenComparingInt(p -> s.protocols.indexOf(p.protocol())).thenComparingInt(Point::reactors));
        Files.writeString(out.resolve("placement.txt"), placements.toString(), StandardCharsets.UTF_8);
        try (PrintStream json = new PrintStream(Files.newOutputStream(out.resolve("jmh-raw.json")), true,
            StandardCharsets.UTF_8))
        {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, json).writeOut(allResults);
        }
        SweepReport.writeCsv(points, out.resolve("scaling.csv"));
        SweepReport.writeSummary(points, header, out.resolve("summary.md"));
        final List<Path> plots = SweepPlots.drawAll(points, out);
        System.out.println();
        System.out.println("results: " + out.toAbsolutePath());
        System.out.println("  " + out.resolve("scaling.csv") + ", " + out.resolve("summary.md") + ", " +
            out.resolve("jmh-raw.json"));
        plots.forEach(p -> System.out.println("  " + p));
        if (failed > 0)
        {
            System.out.println(failed + " point(s) failed; see the JMH output above");
        }
        return failed;
    }

    private static Point point(final Collection<RunResult> results, final Path pointsDir, final String server,
        final String protocol, final int reactors, final int loadThreads, final int connections,
        final Placement placement) throws IOException
    {
        final String note = placement.oversubscribed() ? "oversubscribed: " + placement.reason() : "";
        RunResult match = null;
        for (final RunResult r : results)
        {
            if (server.equals(r.getParams().getParam("server")) && protocol.equals(r.getParams().getParam("protocol")))
            {
                match = r;
            }
        }
        final Path file = pointsDir.resolve(ScalingBenchmark.pointFileName(server, protocol, reactors));
        if (match == null || !Files.exists(file))
        {
            return Point.notMeasured(server, protocol, reactors, loadThreads, connections, placement.oversubscribed(),
                "failed: no result (see the JMH output)" + (note.isEmpty() ? "" : "; " + note));
        }
        final Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            p.load(in);
        }
        final Result<?> primary = match.getPrimaryResult();
        final Result<?> alloc = match.getSecondaryResults().get("gc.alloc.rate.norm");
        final double cpuNs = number(p.getProperty("serverCpuNsPerOp"));
        final String off = p.getProperty("serverThreadsOffServerCpus", "0");
        final String escaped = off.equals("0") ? "" : off + " of " + p.getProperty("serverThreadsChecked") +
            " server threads could run outside the server CPUs";
        return new Point(server, protocol, reactors, loadThreads, connections,
            Boolean.parseBoolean(p.getProperty("oversubscribed")),
            note.isEmpty() ? escaped : escaped.isEmpty() ? note : note + "; " + escaped, primary.getScore(),
            Double.isNaN(primary.getScoreError()) ? 0 : primary.getScoreError(), cpuNs / 1000.0,
            number(p.getProperty("p50Us")), number(p.getProperty("p99Us")), number(p.getProperty("p999Us")),
            alloc == null ? Double.NaN : alloc.getScore(), number(p.getProperty("crossShardFraction")));
    }

    private static double number(final String text)
    {
        if (text == null || text.isBlank())
        {
            return Double.NaN;
        }
        return Double.parseDouble(text);
    }
}
