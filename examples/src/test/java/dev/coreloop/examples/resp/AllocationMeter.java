package dev.coreloop.examples.resp;

import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Measures heap bytes allocated by the current thread with {@code com.sun.management.ThreadMXBean}, minus what the
 * measurement itself costs (calibrated with an empty run). Skips the test by assumption when unsupported.
 */
final class AllocationMeter
{
    private final com.sun.management.ThreadMXBean threads;
    private final long threadId = Thread.currentThread().getId();

    AllocationMeter()
    {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
            "no com.sun.management.ThreadMXBean");
        threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "thread allocation counter unsupported");
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    /**
     * Runs {@code body} {@code warmUpRuns} times, then once more measured.
     *
     * @return bytes the measured run allocated (the least of three attempts, so that a one-off JIT or class-loading
     * allocation on this thread does not count).
     */
    long allocatedBytes(final int warmUpRuns, final LongSupplier body)
    {
        long sink = 0;
        for (int i = 0; i < warmUpRuns; i++)
        {
            sink += body.getAsLong();
        }
        long least = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            final long overhead = measure(() -> 0L);
            final long bytes = measure(body) - overhead;
            least = Math.min(least, bytes);
        }
        if (sink == Long.MIN_VALUE)
        {
            throw new AssertionError("unreachable: keeps the warm-up from being optimised away");
        }
        return Math.max(0, least);
    }

    private long measure(final LongSupplier body)
    {
        final long before = threads.getThreadAllocatedBytes(threadId);
        final long sink = body.getAsLong();
        final long after = threads.getThreadAllocatedBytes(threadId);
        return sink == Long.MIN_VALUE ? -1 : after - before;
    }
}
