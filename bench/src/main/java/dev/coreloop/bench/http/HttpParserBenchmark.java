package dev.coreloop.bench.http;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.Server;
import dev.coreloop.examples.http.HttpConfig;
import dev.coreloop.examples.http.HttpRequestParser;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parses a pipelined batch of 16 wrk-style {@code GET /plaintext} requests per invocation; the score is per
 * request. Run with {@code -prof gc}: {@code gc.alloc.rate.norm} should be about 0 B/op.
 *
 * <pre>java -jar bench/target/benchmarks.jar HttpParserBenchmark -prof gc</pre>
 *
 * <p><b>Threading:</b> JMH thread-confined state.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = Server.REQUIRED_JVM_OPTION)
public class HttpParserBenchmark
{
    private static final int BATCH = 16;
    private static final String REQUEST = "GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\n" +
        "Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\n" +
        "Connection: keep-alive\r\n\r\n";

    private final HttpRequestParser parser = new HttpRequestParser(new HttpConfig());
    private UnsafeBuffer batch;

    /** Builds the batch off-heap, as the inbound ring would hold it. */
    @Setup
    public void setUp()
    {
        final byte[] one = REQUEST.getBytes(StandardCharsets.US_ASCII);
        batch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(org.agrona.BitUtil.align(one.length * BATCH, 64), 64));
        for (int i = 0; i < BATCH; i++)
        {
            batch.putBytes(i * one.length, one);
        }
    }

    /** @return a checksum of what was parsed, so the work cannot be eliminated. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long parsePipelinedBatch()
    {
        final int length = REQUEST.length() * BATCH;
        long checksum = 0;
        int position = 0;
        while (true)
        {
            final int result = parser.parse(batch, position, length - position);
            position += parser.consumed();
            if (result == HttpRequestParser.HEADERS)
            {
                checksum += parser.pathLength() + parser.headerCount();
            }
            else if (result == HttpRequestParser.NEED_MORE || result == HttpRequestParser.ERROR)
            {
                return checksum + position;
            }
        }
    }
}
