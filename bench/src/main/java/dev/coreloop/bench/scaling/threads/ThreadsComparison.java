package dev.coreloop.bench.scaling.threads;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.bench.TasksetPinner;
import dev.coreloop.bench.scaling.LoadClient;
import dev.coreloop.bench.scaling.Placement;
import dev.coreloop.bench.scaling.Protocol;
import dev.coreloop.bench.scaling.ServerKind;
import dev.coreloop.core.Server;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * "Why not just threads and blocking I/O?": coreloop against a platform thread per connection and a virtual thread
 * per connection, on the same server CPUs, at 100, 1,000 and 10,000 connections.
 *
 * <p>Each server runs in a process of its own ({@link ServerProcessMain}) started under {@code taskset -c <server
 * CPUs>} (the {@link Placement} of the sweep: the reactors' cores), so its memory and CPU are its own: the CPU per
 * operation is the whole server process's (user + system time from {@code /proc/<pid>/stat}, GC and JIT included),
 * the memory its resident set ({@code VmRSS}, and the peak {@code VmHWM}) and thread count at the end of the measured
 * period. The load runs in this process, pinned to the load CPUs, with {@link LoadClient}s (one per load CPU) sharing
 * the connections; the latency percentiles are theirs.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.coreloop.bench.scaling.threads.ThreadsComparison \
 *     [--servers coreloop,blocking,vthreads] [--connections 100,1000,10000] [--protocol http] [--reactors 1]
 *     [--warmup-ms 5000] [--duration-ms 10000] [--heap 1g] [--out DIR]
 * </pre>
 * Writes {@code threads.csv} (one row per server x connections x metric), {@code threads.md} and
 * {@code threads-cpu.png}, {@code threads-p99.png}, {@code threads-rss.png}.
 *
 * <p>After each row the server process reports how its connections ended (coreloop: accepted, registered, inbox
 * rejections and the close reasons; {@link ServerKind.Running#connectionReport()}) and the kernel's
 * {@code ListenOverflows}/{@code ListenDrops} are compared with their values before the row; both are printed, and
 * a failed row's note carries them, so that it says whether the server closed connections and why.
 *
 * <p><b>Threading:</b> a command-line tool; it starts one load thread per load CPU and joins them.
 */
public final class ThreadsComparison
{
    /** USER_HZ: the unit of utime and stime in /proc/PID/stat (100 on every Linux architecture coreloop runs on). */
    private static final long CLK_TCK = 100;
    /** How long every connection may take to get its first response before the measurement starts. */
    private static final long SETTLE_MS = 120_000;

    private ThreadsComparison()
    {
    }

    /** One measured (or skipped) row. */
    private record Row(String server, int connections, double opsPerS, double cpuUsPerOp, double p50Us, double p99Us,
        double p999Us, double rssMiB, double hwmMiB, int threads, String note)
    {
        Row withNote(final String newNote)
        {
            return new Row(server, connections, opsPerS, cpuUsPerOp, p50Us, p99Us, p999Us, rssMiB, hwmMiB, threads,
                newNote);
        }
    }

    /**
     * Runs the comparison.
     *
     * @param args see the class javadoc.
     * @throws Exception if a server cannot start or a file cannot be written.
     */
    public static void main(final String[] args) throws Exception
    {
        System.setProperty("java.awt.headless", "true");
        List<String> servers = List.of("coreloop", "blocking", "vthreads");
        List<Integer> connectionCounts = List.of(100, 1_000, 10_000);
        Protocol protocol = Protocol.HTTP;
        int reactors = 1;
        long warmupMs = 5_000;
        long durationMs = 10_000;
        String heap = "1g";
        Path out = null;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            final String value = args[i + 1];
            switch (args[i])
            {
                case "--servers" -> servers = List.of(value.split(","));
                case "--connections" ->
                {
                    final List<Integer> list = new ArrayList<>();
                    for (final String c : value.split(","))
                    {
                        list.add(Integer.parseInt(c.trim()));
                    }
                    connectionCounts = list;
                }
                case "--protocol" -> protocol = Protocol.of(value);
                case "--reactors" -> reactors = Integer.parseInt(value);
                case "--warmup-ms" -> warmupMs = Long.parseLong(value);
                case "--duration-ms" -> durationMs = Long.parseLong(value);
                case "--heap" -> heap = value;
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (args.length % 2 != 0)
        {
            throw new IllegalArgumentException("missing value after " + args[args.length - 1]);
        }
        if (out == null)
        {
            out = Path.of("results", LocalDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)) + "-threads");
        }
        Files.createDirectories(out);
        final CpuTopology topology = CpuTopology.detect();
        final int loadThreads = Math.max(1, Math.min(reactors,
            Placement.plan(topology, reactors, 1).loadCpus().size()));
        final Placement placement = Placement.plan(topology, reactors, loadThreads);
        System.out.println("placement: " + placement.describe());
        final List<Row> rows = new ArrayList<>();
        for (final int connections : connectionCounts)
        {
            for (final String server : servers)
            {
                final Row row = measure(ServerKind.of(server), protocol, reactors, connections, placement, warmupMs,
                    durationMs, heap);
                System.out.println("  " + row);
                rows.add(row);
            }
        }
        write(rows, out, protocol, reactors, placement, warmupMs, durationMs, heap);
        System.out.println("results: " + out.toAbsolutePath());
    }

    private static Row measure(final ServerKind kind, final Protocol protocol, final int reactors,
        final int connections, final Placement placement, final long warmupMs, final long durationMs,
        final String heap) throws Exception
    {
        final String over = placement.oversubscribed() ? "oversubscribed: " + placement.reason() : "";
        final String skip = kind.skipReason();
        if (skip != null)
        {
            return new Row(kind.id(), connections, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, 0, skip);
        }
        final List<String> command = new ArrayList<>();
        if (placement.reactorCpus()[0] >= 0)
        {
            command.addAll(List.of("taskset", "-c", placement.serverCpus().toString()));
        }
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            Server.REQUIRED_JVM_OPTION, "--enable-native-access=ALL-UNNAMED", "-Xmx" + heap, "-Djdk.virtualThreadScheduler.parallelism=" + reactors,
            "-Dio.netty.leakDetection.level=disabled", "-cp", System.getProperty("java.class.path"),
            ServerProcessMain.class.getName(), kind.id(), protocol.id(), Integer.toString(reactors)));
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        final BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        final long[] listenQueueBefore = listenQueueDrops();
        Row row;
        try
        {
            row = run(kind, protocol, connections, placement, warmupMs, durationMs, process.pid(), stdout.readLine(),
                over);
        }
        finally
        {
            process.getOutputStream().close();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS))
                {
                    process.destroyForcibly();
                }
            }
        }
        // What the server and the kernel saw, so that a failed row says why: the server's own count of how its
        // connections ended (printed as it stops) and the listen queue overflows during the row.
        String report = null;
        for (String line = stdout.readLine(); line != null; line = stdout.readLine())
        {
            if (line.startsWith(ServerProcessMain.CONNECTIONS_PREFIX))
            {
                report = line.substring(ServerProcessMain.CONNECTIONS_PREFIX.length());
            }
        }
        final long[] listenQueueAfter = listenQueueDrops();
        final String seen = "server: " + (report == null || report.isEmpty() ? "no report" : report) +
            "; kernel: ListenOverflows +" + (listenQueueAfter[0] - listenQueueBefore[0]) + ", ListenDrops +" +
            (listenQueueAfter[1] - listenQueueBefore[1]);
        System.out.println("    " + kind.id() + " x " + connections + ": " + seen);
        if (row.note().startsWith("failed"))
        {
            row = row.withNote(row.note() + "; " + seen);
        }
        return row;
    }

    private static Row run(final ServerKind kind, final Protocol protocol, final int connections,
        final Placement placement, final long warmupMs, final long durationMs, final long pid, final String first,
        final String over) throws Exception
    {
        if (first == null || !first.startsWith("PORT "))
        {
            return new Row(kind.id(), connections, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, 0, "failed: the server process said " + first);
        }
        final int port = Integer.parseInt(first.substring(5).trim());
        final int threads = placement.loadThreads();
        final LoadRun run = LoadRun.start(protocol, new java.net.InetSocketAddress("127.0.0.1", port), connections,
            threads, placement);
        if (!run.settle(SETTLE_MS))
        {
            run.close();
            return new Row(kind.id(), connections, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                statusKiB(pid, "VmRSS:") / 1024.0, statusKiB(pid, "VmHWM:") / 1024.0,
                (int)statusKiB(pid, "Threads:"), "failed: not every connection got its first response within " +
                SETTLE_MS / 1000 + " s" + (run.failure() == null ? "" : " (" + run.failure() + ")"));
        }
        run.drive(warmupMs);
        final long cpuBefore = cpuTicks(pid);
        run.resetMeasurement();
        final long startNs = System.nanoTime();
        run.drive(durationMs);
        final long wallNs = System.nanoTime() - startNs;
        final long cpuTicks = cpuTicks(pid) - cpuBefore;
        final long ops = run.measuredOps();
        final Histogram latency = run.measuredLatency();
        final double rss = statusKiB(pid, "VmRSS:") / 1024.0;
        final double hwm = statusKiB(pid, "VmHWM:") / 1024.0;
        final int serverThreads = (int)statusKiB(pid, "Threads:");
        run.close();
        final String failure = run.failure();
        return new Row(kind.id(), connections, ops * 1e9 / wallNs,
            ops == 0 ? Double.NaN : cpuTicks * (1e6 / CLK_TCK) / ops, latency.getValueAtPercentile(50) / 1000.0,
            latency.getValueAtPercentile(99) / 1000.0, latency.getValueAtPercentile(99.9) / 1000.0, rss, hwm,
            serverThreads, failure != null ? "failed: " + failure : over);
    }

    /** The load threads of one measurement. */
    private static final class LoadRun
    {
        private final List<LoadClient> clients = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final TasksetPinner pinner;
        private volatile String failure;
        private long opsAtReset;

        private LoadRun(final TasksetPinner pinner)
        {
            this.pinner = pinner;
        }

        static LoadRun start(final Protocol protocol, final java.net.InetSocketAddress address, final int connections,
            final int threads, final Placement placement) throws IOException
        {
            final LoadRun run = new LoadRun(TasksetPinner.ofCpuSets(placement.roles()));
            for (int t = 0; t < threads; t++)
            {
                final int share = connections / threads + (t < connections % threads ? 1 : 0);
                final LoadClient client = new LoadClient(protocol, address, Math.max(1, share), t + 1);
                client.open();
                run.clients.add(client);
            }
            return run;
        }

        /** Drives every client for {@code ms} on its own pinned thread. */
        void drive(final long ms) throws InterruptedException
        {
            threads.clear();
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            for (int t = 0; t < clients.size(); t++)
            {
                final LoadClient client = clients.get(t);
                final String role = "load-" + t;
                final Thread thread = new Thread(() ->
                {
                    pinner.pinCurrentThread(role);
                    try
                    {
                        while (client.awaitResponseUntil(deadlineNs))
                        {
                            // one response per call, until the deadline
                        }
                    }
                    catch (final IOException ex)
                    {
                        failure = ex.toString();
                    }
                }, role);
                threads.add(thread);
                thread.start();
            }
            for (final Thread thread : threads)
            {
                thread.join(ms + 60_000);
            }
        }

        /** Drives until every connection has had a response (each client completed as many as it has connections). */
        boolean settle(final long ms) throws InterruptedException
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            while (System.nanoTime() - deadlineNs < 0 && failure == null)
            {
                boolean all = true;
                for (final LoadClient client : clients)
                {
                    all &= client.completed() >= client.connectionCount();
                }
                if (all)
                {
                    return true;
                }
                drive(200);
            }
            return false;
        }

        void resetMeasurement()
        {
            opsAtReset = 0;
            for (final LoadClient client : clients)
            {
                client.latencyNs().reset();
                opsAtReset += client.completed();
            }
        }

        long measuredOps()
        {
            long total = 0;
            for (final LoadClient client : clients)
            {
                total += client.completed();
            }
            return total - opsAtReset;
        }

        Histogram measuredLatency()
        {
            final Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            clients.forEach(c -> all.add(c.latencyNs()));
            return all;
        }

        String failure()
        {
            return failure;
        }

        void close()
        {
            clients.forEach(LoadClient::close);
        }
    }

    /**
     * {@return {@code ListenOverflows} and {@code ListenDrops} from {@code /proc/net/netstat} (the whole network
     * namespace, not only this run), or zeros where the file cannot be read}
     */
    static long[] listenQueueDrops()
    {
        final long[] values = new long[2];
        try
        {
            final List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"), StandardCharsets.US_ASCII);
            for (int i = 0; i + 1 < lines.size(); i++)
            {
                if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:"))
                {
                    final String[] names = lines.get(i).split("\\s+");
                    final String[] numbers = lines.get(i + 1).split("\\s+");
                    for (int k = 1; k < names.length && k < numbers.length; k++)
                    {
                        if (names[k].equals("ListenOverflows"))
                        {
                            values[0] = Long.parseLong(numbers[k]);
                        }
                        else if (names[k].equals("ListenDrops"))
                        {
                            values[1] = Long.parseLong(numbers[k]);
                        }
                    }
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // not Linux, or a format this does not know: the note then says +0
        }
        return values;
    }

    private static long cpuTicks(final long pid) throws IOException
    {
        final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields[0] is field 3 (state); utime is field 14, stime field 15
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static long statusKiB(final long pid, final String key) throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"),
            StandardCharsets.US_ASCII))
        {
            if (line.startsWith(key))
            {
                return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }

    private static void write(final List<Row> rows, final Path out, final Protocol protocol, final int reactors,
        final Placement placement, final long warmupMs, final long durationMs, final String heap) throws IOException
    {
        final StringBuilder csv = new StringBuilder("server,connections,metric,value,unit,note\n");
        final StringBuilder md = new StringBuilder("# Why not threads: coreloop vs thread per connection\n\n");
        md.append("- date (UTC): ").append(LocalDateTime.now(ZoneOffset.UTC).withNano(0)).append(", JDK ")
            .append(Runtime.version()).append('\n');
        md.append("- workload: ").append(protocol.id()).append(", ").append(reactors).append(" reactor(s) / carrier(s);")
            .append(" server process under taskset -c ").append(placement.serverCpus()).append(", -Xmx").append(heap)
            .append("; load: ").append(placement.loadThreads()).append(" thread(s) on ").append(placement.loadCpus())
            .append(placement.oversubscribed() ? " (OVERSUBSCRIBED: " + placement.reason() + ")" : "").append('\n');
        md.append("- ").append(warmupMs).append(" ms warm-up, ").append(durationMs).append(" ms measured per row\n\n");
        md.append("| connections | server | ops/s | server CPU us/op | p50 us | p99 us | p99.9 us | RSS MiB | peak RSS MiB |" +
            " threads | note |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (final Row r : rows)
        {
            final double[] values = {r.opsPerS(), r.cpuUsPerOp(), r.p50Us(), r.p99Us(), r.p999Us(), r.rssMiB(),
                r.hwmMiB(), r.threads()};
            final String[][] metrics = {{"ops_per_s", "ops/s"}, {"server_cpu_us_per_op", "us/op"}, {"p50_us", "us"},
                {"p99_us", "us"}, {"p999_us", "us"}, {"rss_mib", "MiB"}, {"peak_rss_mib", "MiB"},
                {"threads", "count"}};
            for (int m = 0; m < metrics.length; m++)
            {
                csv.append(String.format(Locale.ROOT, "%s,%d,%s,%s,%s,\"%s\"%n", r.server(), r.connections(),
                    metrics[m][0], Double.isNaN(values[m]) ? "" : String.format(Locale.ROOT, "%.2f", values[m]),
                    metrics[m][1], r.note()));
            }
            md.append(String.format(Locale.ROOT, "| %,d | %s | %,.0f | %.2f | %.0f | %.0f | %.0f | %.0f | %.0f | %d | %s |%n",
                r.connections(), r.server(), r.opsPerS(), r.cpuUsPerOp(), r.p50Us(), r.p99Us(), r.p999Us(), r.rssMiB(),
                r.hwmMiB(), r.threads(), r.note()));
        }
        md.append("\nServer CPU per op is the whole server process (GC and JIT threads included); RSS is the server " +
            "process's resident set at the end of the measured period; latencies are closed-loop, measured by the load.\n");
        Files.writeString(out.resolve("threads.csv"), csv, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("threads.md"), md, StandardCharsets.UTF_8);
        plot(rows, out.resolve("threads-cpu.png"), "server CPU us per op", Row::cpuUsPerOp);
        plot(rows, out.resolve("threads-p99.png"), "p99 latency (us)", Row::p99Us);
        plot(rows, out.resolve("threads-rss.png"), "server RSS (MiB)", Row::rssMiB);
    }

    private static void plot(final List<Row> rows, final Path file, final String title,
        final java.util.function.ToDoubleFunction<Row> value) throws IOException
    {
        final XYChart chart = new XYChartBuilder().width(900).height(560)
            .title("why not threads: " + title + " vs connections").xAxisTitle("connections (log scale)")
            .yAxisTitle(title).build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setMarkerSize(9);
        boolean any = false;
        for (final String server : rows.stream().map(Row::server).distinct().toList())
        {
            final List<Double> xs = new ArrayList<>();
            final List<Double> ys = new ArrayList<>();
            for (final Row r : rows)
            {
                if (r.server().equals(server) && !Double.isNaN(value.applyAsDouble(r)))
                {
                    xs.add((double)r.connections());
                    ys.add(value.applyAsDouble(r));
                }
            }
            if (!xs.isEmpty())
            {
                final org.knowm.xchart.XYSeries series = chart.addSeries(server, xs, ys);
                series.setMarker(SeriesMarkers.CIRCLE);
                series.setLineColor(dev.coreloop.bench.scaling.SweepPlots.colour(server));
                series.setMarkerColor(dev.coreloop.bench.scaling.SweepPlots.colour(server));
                any = true;
            }
        }
        if (any)
        {
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        }
    }

}
