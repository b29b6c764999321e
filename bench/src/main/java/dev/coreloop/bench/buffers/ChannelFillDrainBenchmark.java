package dev.coreloop.bench.buffers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.concurrent.TimeUnit;

import dev.coreloop.buffers.BufferPool;
import dev.coreloop.buffers.ByteRing;
import dev.coreloop.core.Server;
import org.agrona.concurrent.UnsafeBuffer;
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
 * A ring drained into a channel and another filled from it: one gathering write and one scattering read per
 * operation, on a non-blocking {@link Pipe} (a kernel pipe: the same readv/writev path as a socket, without
 * TCP's variance). The source ring never empties (5 bytes stay behind) so its read position walks round the
 * storage and a drain gathers two segments each time the message crosses the end; the destination ring
 * empties every operation, so it also pays the pool acquire/release of a ring going idle and busy again.
 *
 * <pre>java -jar bench/target/benchmarks.jar ChannelFillDrainBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xmx512m", Server.REQUIRED_JVM_OPTION })
public class ChannelFillDrainBenchmark
{
    @Param({ "512", "8192" })
    public int messageBytes;

    private Pipe pipe;
    private BufferPool pool;
    private ByteRing out;
    private ByteRing in;
    private UnsafeBuffer message;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        pipe = Pipe.open();
        pipe.sink().configureBlocking(false);
        pipe.source().configureBlocking(false);
        pool = new BufferPool(16 * 1024, 32);
        out = new ByteRing(pool, 32 * 1024);
        in = new ByteRing(pool, 32 * 1024);
        message = new UnsafeBuffer(ByteBuffer.allocateDirect(messageBytes));
        final byte[] filler = new byte[32 * 1024 - messageBytes - 13];
        out.append(filler, 0, filler.length);
        out.consume(filler.length - 5);             // head near the end: the next message wraps
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        out.close();
        in.close();
        pool.close();
        pipe.sink().close();
        pipe.source().close();
    }

    @Benchmark
    public int drainThenFill() throws IOException
    {
        out.append(message, 0, messageBytes);
        int moved = 0;
        while (out.readableBytes() > 5)
        {
            out.drainTo(pipe.sink(), out.readableBytes() - 5);
            moved += in.fillFrom(pipe.source(), 64 * 1024);
        }
        in.consume(in.readableBytes());
        return moved;
    }
}
