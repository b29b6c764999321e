package dev.coreloop.bench.scaling;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.bench.TasksetPinner;
import dev.coreloop.core.Server;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.infra.ThreadParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * One point of the scaling sweep: a server ({@link ServerKind}) with {@code reactors} reactors serving a workload
 * ({@link Protocol}) to JMH's worker threads, each a {@link LoadClient} driving {@code connectionsPerReactor x
 * reactors / threads} connections. One benchmark operation is one response, so the JMH score is responses per second.
 *
 * <p>Placement ({@link Placement}): the reactors on their own physical cores, the load threads (JMH's {@code -t})
 * on the CPUs left, both pinned with {@link TasksetPinner} and printed at the end of the trial; a point whose load
 * cannot get CPUs of its own is run anyway and marked oversubscribed.
 *
 * <p>Besides the score, each trial writes a point file ({@code <server>_<protocol>_<reactors>.properties} in the
 * directory named by {@value #POINTS_DIR_PROP_NAME}, if set) with the server's CPU time per operation (the CPU time of
 * its threads, {@link ServerCpuClock}, over the measurement iterations), latency percentiles (HdrHistogram, recorded
 * by the load threads over the measurement iterations) and the placement. The sweep runner
 * ({@link ScalingSweep}) merges them with JMH's results; run alone:
 * <pre>
 * java -jar bench/target/benchmarks.jar ScalingBenchmark -p server=coreloop -p protocol=http -p reactors=1 -t 1 -prof gc
 * </pre>
 *
 * <p><b>Threading:</b> JMH creates the states; each worker thread owns its {@link Load}; the benchmark-scoped
 * fields written by several threads are atomics or synchronized.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsPrepend = Server.REQUIRED_JVM_OPTION, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class ScalingBenchmark
{
    /** System property: the directory where each trial writes its point file. */
    public static final String POINTS_DIR_PROP_NAME = "bench.scaling.points";

    /** The server under test: coreloop, netty-nio, netty-epoll, vthreads, blocking. */
    @Param({"coreloop"})
    public String server;

    /** The workload: echo, http, http-p16, resp, resp-p16. */
    @Param({"echo"})
    public String protocol;

    /** Reactors (event loops, carrier threads) of the server. */
    @Param({"1"})
    public int reactors;

    /** Connections per reactor; split evenly over the load threads. */
    @Param({"32"})
    public int connectionsPerReactor;

    Placement placement;
    TasksetPinner pinner;
    ServerKind.Running running;
    Protocol workload;
    int loadThreads;

    private final Histogram measuredLatencyNs = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final AtomicLong measuredOps = new AtomicLong();
    private long measuredServerCpuNs;
    private long iterationStartCpuNs;
    private long iterationStartMessages;
    private long measuredMessages;
    private int serverThreadCount;
    private int[] threadsOffServerCpus = {0, 0};

    /** Plans the placement and starts the server. */
    @Setup(Level.Trial)
    public void startServer(final BenchmarkParams params) throws IOException, InterruptedException
    {
        final ServerKind kind = ServerKind.of(server);
        workload = Protocol.of(protocol);
        if (kind == ServerKind.VTHREADS && System.getProperty("jdk.virtualThreadScheduler.parallelism") == null)
        {
            // N carrier threads for N "reactors"; read when the scheduler is created, by the first virtual thread.
            System.setProperty("jdk.virtualThreadScheduler.parallelism", Integer.toString(reactors));
        }
        final String skip = kind.skipReason();
        if (skip != null)
        {
            throw new IllegalStateException(server + ": " + skip);
        }
        loadThreads = params.getThreads();
        placement = Placement.plan(CpuTopology.detect(), reactors, loadThreads);
        System.out.println();
        System.out.println("placement: " + placement.describe());
        System.out.println("affinity plan: " + placement.planText());
        placement.warnings().forEach(w -> System.out.println("plan warning: " + w));
        pinner = TasksetPinner.ofCpuSets(placement.roles());
        running = kind.start(workload, reactors, pinner);
    }

    /** Reads the server threads' CPU clock at the start of an iteration. */
    @Setup(Level.Iteration)
    public void startIteration()
    {
        iterationStartCpuNs = ServerCpuClock.cpuNs(running.serverThreads());
        iterationStartMessages = running.messagesReceived();
    }

    /** Adds the iteration's server CPU time when it was a measurement iteration. */
    @TearDown(Level.Iteration)
    public void endIteration(final IterationParams params)
    {
        final long cpuNs = ServerCpuClock.cpuNs(running.serverThreads()) - iterationStartCpuNs;
        final long messages = running.messagesReceived() - iterationStartMessages;
        if (params.getType() == IterationType.MEASUREMENT)
        {
            measuredServerCpuNs += cpuNs;
            measuredMessages += messages;
            serverThreadCount = ServerCpuClock.threadCount(running.serverThreads());
            if (placement.reactorCpus()[0] >= 0)
            {
                threadsOffServerCpus = ThreadMasks.countOutside(running.serverThreads(), placement.serverCpus());
            }
        }
    }

    /** Writes the point file, prints the pins and stops the server. */
    @TearDown(Level.Trial)
    public void stopServer() throws IOException
    {
        try
        {
            System.out.println();
            System.out.println(pinner.report());
            writePoint();
        }
        finally
        {
            running.close();
        }
    }

    synchronized void addMeasured(final Histogram latencyNs, final long ops)
    {
        measuredLatencyNs.add(latencyNs);
        measuredOps.addAndGet(ops);
    }

    private synchronized void writePoint() throws IOException
    {
        final long ops = measuredOps.get();
        final Properties p = new Properties();
        p.setProperty("server", server);
        p.setProperty("protocol", protocol);
        p.setProperty("reactors", Integer.toString(reactors));
        p.setProperty("loadThreads", Integer.toString(loadThreads));
        p.setProperty("connections", Integer.toString(connectionsPerReactor * reactors));
        p.setProperty("oversubscribed", Boolean.toString(placement.oversubscribed()));
        p.setProperty("reason", placement.reason());
        p.setProperty("placement", placement.describe());
        p.setProperty("plan", placement.planText());
        p.setProperty("pins", pinner.report().replace(System.lineSeparator(), "; "));
        p.setProperty("pinned", Boolean.toString(pinner.allPinned()));
        p.setProperty("measuredOps", Long.toString(ops));
        p.setProperty("serverThreads", Integer.toString(serverThreadCount));
        p.setProperty("serverThreadsChecked", Integer.toString(threadsOffServerCpus[0]));
        p.setProperty("serverThreadsOffServerCpus", Integer.toString(threadsOffServerCpus[1]));
        if (threadsOffServerCpus[1] > 0)
        {
            System.out.println("WARNING: " + threadsOffServerCpus[1] + " of " + threadsOffServerCpus[0] +
                " server threads may run outside the server CPUs " + placement.serverCpus());
        }
        p.setProperty("serverCpuNsPerOp", ops == 0 || measuredServerCpuNs < 0 ? "" :
            String.format(Locale.ROOT, "%.1f", (double)measuredServerCpuNs / ops));
        // Two ring messages per forwarded command (there and back); only coreloop has rings.
        p.setProperty("crossShardFraction", running.messagesReceived() < 0 || ops == 0 ? "" :
            String.format(Locale.ROOT, "%.4f", measuredMessages / 2.0 / ops));
        p.setProperty("p50Us", micros(measuredLatencyNs.getValueAtPercentile(50)));
        p.setProperty("p99Us", micros(measuredLatencyNs.getValueAtPercentile(99)));
        p.setProperty("p999Us", micros(measuredLatencyNs.getValueAtPercentile(99.9)));
        p.setProperty("maxUs", micros(measuredLatencyNs.getMaxValue()));
        p.setProperty("jdk", Runtime.version().toString());
        System.out.printf(Locale.ROOT, "%n%s %s reactors=%d: server CPU %s ns/op, p50 %s us, p99 %s us, p99.9 %s us" +
            " (%d ops measured)%n", server, protocol, reactors, p.getProperty("serverCpuNsPerOp"), p.getProperty("p50Us"),
            p.getProperty("p99Us"), p.getProperty("p999Us"), ops);
        final String dir = System.getProperty(POINTS_DIR_PROP_NAME);
        if (dir != null)
        {
            final Path file = Path.of(dir, pointFileName(server, protocol, reactors));
            Files.createDirectories(file.getParent());
            try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
            {
                p.store(out, "scaling point");
            }
        }
    }

    /**
     * @param server   server id.
     * @param protocol protocol id.
     * @param reactors reactor count.
     * @return the point file's name.
     */
    public static String pointFileName(final String server, final String protocol, final int reactors)
    {
        return server + "_" + protocol + "_" + reactors + ".properties";
    }

    private static String micros(final long ns)
    {
        return String.format(Locale.ROOT, "%.1f", ns / 1000.0);
    }

    /**
     * One load thread: pins itself, opens its share of the connections and drives them.
     *
     * <p><b>Threading:</b> one per JMH worker thread.
     */
    @State(Scope.Thread)
    public static class Load
    {
        LoadClient client;
        private long iterationStartOps;
        private boolean measuring;

        /** Pins this thread to its load CPUs and opens its connections. */
        @Setup(Level.Trial)
        public void open(final ScalingBenchmark bench, final ThreadParams thread) throws IOException
        {
            bench.pinner.pinCurrentThread("load-" + thread.getThreadIndex());
            final int total = bench.connectionsPerReactor * bench.reactors;
            final int threads = thread.getThreadCount();
            final int mine = Math.max(1, total / threads + (thread.getThreadIndex() < total % threads ? 1 : 0));
            client = new LoadClient(bench.workload, bench.running.address(), mine, thread.getThreadIndex() + 1);
            client.open();
        }

        /** Starts the iteration's latency record. */
        @Setup(Level.Iteration)
        public void startIteration(final IterationParams params)
        {
            measuring = params.getType() == IterationType.MEASUREMENT;
            client.latencyNs().reset();
            iterationStartOps = client.completed();
        }

        /** Hands a measured iteration's latencies and operations to the benchmark. */
        @TearDown(Level.Iteration)
        public void endIteration(final ScalingBenchmark bench)
        {
            if (measuring)
            {
                bench.addMeasured(client.latencyNs(), client.completed() - iterationStartOps);
            }
        }

        /** Closes the connections. */
        @TearDown(Level.Trial)
        public void close()
        {
            client.close();
        }
    }

    /** One operation: the next response. */
    @Benchmark
    public void response(final Load load) throws IOException
    {
        load.client.awaitResponse();
    }
}
