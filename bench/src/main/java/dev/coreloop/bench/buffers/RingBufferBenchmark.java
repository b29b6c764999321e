package dev.coreloop.bench.buffers;

import java.nio.ByteBuffer;
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
 * Append then consume on a {@link ByteRing}: the path of every request and response. The ring is kept
 * half full so that appends and consumes cross the end of the storage (wrap) regularly.
 *
 * <pre>java -jar bench/target/benchmarks.jar RingBufferBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xmx512m", Server.REQUIRED_JVM_OPTION })
public class RingBufferBenchmark
{
    @Param({ "64", "1024" })
    public int messageBytes;

    private BufferPool pool;
    private ByteRing ring;
    private UnsafeBuffer message;

    @Setup(Level.Trial)
    public void setUp()
    {
        pool = new BufferPool(16 * 1024, 16);
        ring = new ByteRing(pool, 64 * 1024);
        message = new UnsafeBuffer(ByteBuffer.allocateDirect(messageBytes));
        final int keep = 64 * 1024 / 2 + 7;
        final byte[] filler = new byte[keep];
        ring.append(filler, 0, keep);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        ring.close();
        pool.close();
    }

    @Benchmark
    public int appendConsume()
    {
        ring.append(message, 0, messageBytes);
        ring.consume(messageBytes);
        return ring.readableBytes();
    }

    @Benchmark
    public int appendLineariseConsume()
    {
        ring.append(message, 0, messageBytes);
        final int b = ring.linearise().getByte(ring.readOffset());
        ring.consume(messageBytes);
        return b;
    }
}
