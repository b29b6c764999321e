package dev.coreloop.examples.http;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The steady-state path (parse a pipelined batch of {@code GET /plaintext}, write each prebuilt response,
 * refresh the date once a second) allocates nothing, measured with the thread's allocation counter.
 */
class HttpHandlerAllocationTest
{
    private static final int REQUESTS = 100_000;
    private static final int BATCH = 16;
    private static final int WINDOWS = 5;

    @Test
    void shouldNotAllocateOnTheSteadyStatePath()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no com.sun.management.ThreadMXBean");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "thread allocation counter unsupported");
        threads.setThreadAllocatedMemoryEnabled(true);
        assumeTrue(threads.isThreadAllocatedMemoryEnabled(), "thread allocation counter disabled");

        final HttpConfig config = new HttpConfig();
        final FakeReactorContext reactor = new FakeReactorContext(new HttpDateService(config));
        final FakeConnection connection = new FakeConnection(reactor);
        final HttpHandler handler = new HttpHandler(reactor, config);
        final byte[] one = ("GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\n" +
            "Accept: text/plain\r\nConnection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer inbound = new UnsafeBuffer(new byte[one.length * BATCH]);
        for (int i = 0; i < BATCH; i++)
        {
            inbound.putBytes(i * one.length, one);
        }

        final long threadId = Thread.currentThread().getId();
        run(handler, connection, reactor, inbound, REQUESTS);
        // The JIT (an OSR compile or a deoptimisation landing in a window, more likely on a loaded machine) can
        // allocate a few bytes on this thread that the handler did not: measure up to WINDOWS windows and require
        // one of them to be exactly 0. A handler that allocates per request allocates in every window.
        final List<Long> windows = new ArrayList<>();
        for (int window = 0; window < WINDOWS && (windows.isEmpty() || windows.get(windows.size() - 1) != 0); window++)
        {
            final long before = threads.getThreadAllocatedBytes(threadId);
            final long consumed = run(handler, connection, reactor, inbound, REQUESTS);
            windows.add(threads.getThreadAllocatedBytes(threadId) - before);
            assertThat(consumed).isEqualTo((long)REQUESTS / BATCH * inbound.capacity());
        }

        assertThat(handler.responseCount()).isEqualTo((1L + windows.size()) * REQUESTS / BATCH * BATCH);
        assertThat(Collections.min(windows)).as("fewest bytes allocated for %d requests in windows %s", REQUESTS,
            windows).isZero();
    }

    private static long run(
        final HttpHandler handler,
        final FakeConnection connection,
        final FakeReactorContext reactor,
        final UnsafeBuffer inbound,
        final int requests)
    {
        long consumed = 0;
        for (int i = 0; i < requests / BATCH; i++)
        {
            reactor.epochMs += 7; // the date changes every ~143 batches
            connection.clearOutput();
            consumed += handler.onData(connection, inbound, 0, inbound.capacity());
        }
        return consumed;
    }
}
