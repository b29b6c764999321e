package dev.coreloop.bench.echo;

import java.io.EOFException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.coreloop.bench.TasksetPinner;
import dev.coreloop.bench.peer.NettyEchoServer;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.examples.echo.EchoHandler;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Loopback echo round trips, one message in flight on one connection, against a one-reactor coreloop echo
 * server or the one-event-loop Netty 4.2 NIO peer, both running inside the benchmark JVM.
 *
 * <p>Run (from the repository root, after {@code mvn -B -q -o package -pl bench -am -DskipTests}):
 * <pre>
 * java -jar bench/target/benchmarks.jar EchoRoundTrip -prof gc
 * </pre>
 * The client thread pins itself to CPU {@code bench.clientCpu} (default 0) and the server thread to
 * {@code bench.serverCpu} (default 1), each with {@link TasksetPinner} (a per-thread pin; pinning the whole
 * JVM with {@code taskset} would let the two threads share a CPU). Change them with
 * {@code -jvmArgsAppend "-Xms512m -Xmx512m -Dbench.clientCpu=2 -Dbench.serverCpu=3"} (a command-line
 * {@code -jvmArgsAppend} replaces the annotation's; the module export Agrona needs is in
 * {@code jvmArgsPrepend}, so it stays); -1 leaves both threads unpinned.
 * The pinning result is printed at the end of each trial; numbers from a run where it does not say PINNED
 * for both roles are unpinned numbers. JMH's own threads and the JIT and GC threads are not pinned; on a quiet machine,
 * also keep other work off those two CPUs.
 *
 * <p>What it reports:
 * <ul>
 *   <li>{@code roundTrip}: round trips per second (primary score).</li>
 *   <li>{@code ·gc.alloc.rate.norm} (with {@code -prof gc}): bytes allocated per round trip, client and
 *   server together; the client uses preallocated direct buffers and a blocking channel, so it adds
 *   nothing.</li>
 *   <li>{@code serverCpuNs}: CPU time of the server thread (reactor-0 or the Netty event loop) per second
 *   of measurement, from {@link ThreadMXBean#getThreadCpuTime(long)}; divided by the {@code roundTrip}
 *   score it is server CPU nanoseconds per round trip.</li>
 *   <li>{@code serverAllocBytes}: bytes allocated by the server thread per second of measurement
 *   ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}); divided by the score it is the
 *   server's share of {@code gc.alloc.rate.norm}.</li>
 * </ul>
 * Both per-round-trip figures are also printed at the end of each trial.
 *
 * <p>Both servers run with their defaults (Netty 4.2's adaptive allocator, coreloop's default limits), except
 * that Netty's leak detector is off.
 *
 * <p><b>Threading:</b> JMH creates the states; the benchmark runs on one thread (the client).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = Server.REQUIRED_JVM_OPTION,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
public class EchoRoundTripBenchmark
{
    private static final String NETTY_LEAK_DETECTION = "io.netty.leakDetection.level";

    /** Which server answers. */
    @Param({"coreloop", "netty"})
    public String server;

    /** Bytes per message (each direction). */
    @Param({"64"})
    public int messageBytes;

    private final int clientCpu = Integer.getInteger("bench.clientCpu", 0);
    private final int serverCpu = Integer.getInteger("bench.serverCpu", 1);

    private TasksetPinner pinner;
    private Server coreloopServer;
    private NettyEchoServer nettyServer;
    private InetSocketAddress address;
    private long serverThreadId;

    /** Starts the chosen server with one reactor (event loop) on the server CPU. */
    @Setup(Level.Trial)
    public void startServer() throws IOException, InterruptedException
    {
        pinner = new TasksetPinner(serverCpu < 0 || clientCpu < 0 ?
            Map.of() : Map.of("reactor-0", serverCpu, "client", clientCpu));
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        switch (server)
        {
            case "coreloop":
                coreloopServer = Server.start(new ServerContext()
                    .reactorCount(1)
                    .pinner(pinner)
                    .listen(any, EchoHandler.FACTORY));
                address = coreloopServer.localAddress(0);
                serverThreadId = threadIdByName("reactor-0");
                break;
            case "netty":
                // Netty's leak detector samples buffers and records stack traces (allocation that production
                // benchmarks turn off). Set here, before Netty's classes load, so that a -jvmArgsAppend on the
                // command line (which replaces the annotation's) cannot silently turn it back on.
                if (System.getProperty(NETTY_LEAK_DETECTION) == null)
                {
                    System.setProperty(NETTY_LEAK_DETECTION, "disabled");
                }
                nettyServer = NettyEchoServer.start(any, pinner);
                address = nettyServer.localAddress();
                serverThreadId = nettyServer.eventLoopThread().getId();
                break;
            default:
                throw new IllegalArgumentException("server must be coreloop or netty: " + server);
        }
    }

    /** Stops the server. */
    @TearDown(Level.Trial)
    public void stopServer()
    {
        System.out.println();
        System.out.println(pinner.report());
        if (coreloopServer != null)
        {
            coreloopServer.shutdown(2_000);
            coreloopServer = null;
        }
        if (nettyServer != null)
        {
            nettyServer.close();
            nettyServer = null;
        }
    }

    /**
     * One client connection: a blocking channel and two preallocated direct buffers, so a round trip
     * allocates nothing on the client side.
     *
     * <p><b>Threading:</b> one per benchmark thread; set up on that thread, which pins itself first.
     */
    @State(Scope.Thread)
    public static class Client
    {
        SocketChannel channel;
        ByteBuffer request;
        ByteBuffer response;

        /** Pins this (benchmark) thread, connects, and checks one echo. */
        @Setup(Level.Trial)
        public void connect(final EchoRoundTripBenchmark bench) throws IOException
        {
            bench.pinner.pinCurrentThread("client");
            channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(bench.address);
            request = ByteBuffer.allocateDirect(bench.messageBytes);
            response = ByteBuffer.allocateDirect(bench.messageBytes);
            for (int i = 0; i < bench.messageBytes; i++)
            {
                request.put(i, (byte)('a' + i % 26));
            }
            roundTrip(this);
            for (int i = 0; i < bench.messageBytes; i++)
            {
                if (response.get(i) != request.get(i))
                {
                    throw new IllegalStateException("echo mismatch at byte " + i);
                }
            }
        }

        /** Closes the connection. */
        @TearDown(Level.Trial)
        public void close() throws IOException
        {
            channel.close();
        }
    }

    /**
     * Server thread CPU time and allocation as JMH auxiliary counters (rates per second of measurement), plus
     * per-round-trip figures over the measurement iterations, printed at the end of the trial.
     *
     * <p><b>Threading:</b> one per benchmark thread; JMH calls setup and teardown on that thread.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class ServerThread
    {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        /** Server thread CPU nanoseconds in this iteration (JMH reports it per second). */
        public long serverCpuNs;

        /** Bytes the server thread allocated in this iteration (JMH reports it per second); -1 if unsupported. */
        public long serverAllocBytes;

        long roundTrips;
        private long startCpuNs;
        private long startAllocBytes;
        private long measuredCpuNs;
        private long measuredAllocBytes;
        private long measuredRoundTrips;
        private boolean measuring;

        /** Reads the server thread's clocks at the start of an iteration. */
        @Setup(Level.Iteration)
        public void start(final EchoRoundTripBenchmark bench, final IterationParams params)
        {
            measuring = params.getType() == IterationType.MEASUREMENT;
            serverCpuNs = 0;
            serverAllocBytes = 0;
            roundTrips = 0;
            startCpuNs = THREADS.getThreadCpuTime(bench.serverThreadId);
            startAllocBytes = allocatedBytes(bench.serverThreadId);
        }

        /** Records the server thread's CPU time and allocation for the iteration. */
        @TearDown(Level.Iteration)
        public void stop(final EchoRoundTripBenchmark bench)
        {
            serverCpuNs = THREADS.getThreadCpuTime(bench.serverThreadId) - startCpuNs;
            final long allocBytes = allocatedBytes(bench.serverThreadId);
            serverAllocBytes = allocBytes < 0 || startAllocBytes < 0 ? -1 : allocBytes - startAllocBytes;
            if (measuring)
            {
                measuredCpuNs += serverCpuNs;
                measuredAllocBytes += serverAllocBytes;
                measuredRoundTrips += roundTrips;
            }
        }

        /** Prints server CPU and allocation per round trip over the measurement iterations. */
        @TearDown(Level.Trial)
        public void report(final EchoRoundTripBenchmark bench)
        {
            if (measuredRoundTrips > 0)
            {
                System.out.printf("%nserver %s: %.0f ns CPU and %.3f B allocated per round trip on the server thread" +
                    " (%d round trips measured)%n", bench.server, (double)measuredCpuNs / measuredRoundTrips,
                    (double)measuredAllocBytes / measuredRoundTrips, measuredRoundTrips);
            }
        }

        private static long allocatedBytes(final long threadId)
        {
            if (THREADS instanceof com.sun.management.ThreadMXBean)
            {
                final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)THREADS;
                if (threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled())
                {
                    return threads.getThreadAllocatedBytes(threadId);
                }
            }
            return -1;
        }
    }

    /** One request/response round trip. */
    @Benchmark
    public int roundTrip(final Client client, final ServerThread serverThread) throws IOException
    {
        serverThread.roundTrips++;
        return roundTrip(client);
    }

    static int roundTrip(final Client client) throws IOException
    {
        final ByteBuffer request = client.request;
        final ByteBuffer response = client.response;
        final SocketChannel channel = client.channel;
        request.clear();
        while (request.hasRemaining())
        {
            channel.write(request);
        }
        response.clear();
        while (response.hasRemaining())
        {
            if (channel.read(response) < 0)
            {
                throw new EOFException("server closed the connection");
            }
        }
        return response.get(0);
    }

    private static long threadIdByName(final String name) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - deadlineNs < 0)
        {
            for (final Thread thread : Thread.getAllStackTraces().keySet())
            {
                if (name.equals(thread.getName()))
                {
                    return thread.getId();
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no thread named " + name + " within 5 s");
    }
}
