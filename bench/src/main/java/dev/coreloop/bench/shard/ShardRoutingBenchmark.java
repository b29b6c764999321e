package dev.coreloop.bench.shard;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.shard.ShardedCounter;
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

/**
 * Pipelined batches through the core's shard routing ({@code dev.coreloop.core.shard}), with the sharded counter of
 * docs/sharding.md ({@link ShardedCounter}) on a 2-reactor server inside the benchmark JVM: each batch is
 * {@code batch} lines whose counter ids alternate between the two shards, so half of them are executed on the
 * connection's reactor and half travel to the other one and back, and replies that come back out of order are held
 * until their turn. One batch is one operation.
 *
 * <p>Run (from the repository root, after {@code mvn -B -q -o package -pl bench -am -DskipTests}):
 * <pre>
 * java -jar bench/target/benchmarks.jar ShardRouting -prof gc
 * </pre>
 * {@code ·gc.alloc.rate.norm} is the bytes allocated per batch in the whole JVM: the client (a blocking channel and
 * preallocated direct buffers, which allocate nothing) and both reactors. Unpinned; numbers on a shared machine are
 * for allocation, not speed.
 *
 * <p><b>Threading:</b> JMH creates the states; the benchmark runs on one thread (the client).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = Server.REQUIRED_JVM_OPTION, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
public class ShardRoutingBenchmark
{
    /** Lines per pipelined batch. */
    @Param({"16"})
    public int batch;

    private Server server;
    private SocketChannel channel;
    private ByteBuffer request;
    private ByteBuffer response;

    /** Starts the 2-reactor counter service and connects one client. */
    @Setup(Level.Trial)
    public void start() throws IOException
    {
        final ServerContext ctx = new ServerContext().reactorCount(2);
        ShardedCounter.install(ctx, new InetSocketAddress("127.0.0.1", 0));
        server = Server.start(ctx);
        channel = SocketChannel.open();
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.connect(server.localAddress(0));
        final StringBuilder lines = new StringBuilder();
        for (int i = 0; i < batch; i++)
        {
            lines.append(i % 2).append('\n'); // counters 0 and 1: one on each shard
        }
        final byte[] bytes = lines.toString().getBytes(StandardCharsets.US_ASCII);
        request = ByteBuffer.allocateDirect(bytes.length).put(bytes);
        response = ByteBuffer.allocateDirect(64 * batch);
        roundTrip();
    }

    /** Stops the server. */
    @TearDown(Level.Trial)
    public void stop() throws IOException
    {
        channel.close();
        server.close();
    }

    /**
     * Sends one batch and reads its replies.
     *
     * @return bytes received (so that nothing is optimised away).
     * @throws IOException if the connection fails.
     */
    @Benchmark
    public int roundTrip() throws IOException
    {
        request.clear();
        while (request.hasRemaining())
        {
            channel.write(request);
        }
        response.clear();
        int lines = 0;
        int scanned = 0;
        while (lines < batch)
        {
            if (channel.read(response) < 0)
            {
                throw new EOFException("server closed");
            }
            for (; scanned < response.position(); scanned++)
            {
                if (response.get(scanned) == '\n')
                {
                    lines++;
                }
            }
        }
        return response.position();
    }
}
