package dev.coreloop.bench.buffers;

import java.util.concurrent.TimeUnit;

import dev.coreloop.buffers.BufferPool;
import dev.coreloop.core.Server;
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
 * Acquire and release on a pool that is three quarters full, for a single chunk (every ring's first use) and
 * for a run (a ring growing).
 *
 * <pre>java -jar bench/target/benchmarks.jar BufferPoolBenchmark -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = { "-Xmx512m", Server.REQUIRED_JVM_OPTION })
public class BufferPoolBenchmark
{
    @Param({ "1", "4" })
    public int chunks;

    private BufferPool pool;

    @Setup(Level.Trial)
    public void setUp()
    {
        pool = new BufferPool(4096, 1024);
        for (int i = 0; i < 768; i++)
        {
            pool.acquire(1);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        pool.close();
    }

    @Benchmark
    public int acquireRelease()
    {
        final int offset = pool.acquire(chunks);
        pool.release(offset, chunks);
        return offset;
    }
}
