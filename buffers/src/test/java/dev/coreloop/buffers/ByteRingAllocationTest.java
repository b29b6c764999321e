package dev.coreloop.buffers;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The steady-state ring path (append, fill from a channel, drain to a channel, consume, linearise) allocates
 * nothing, measured with the JVM's per-thread allocation counter.
 */
class ByteRingAllocationTest
{
    @Test
    void shouldAllocateNothingInSteadyState() throws IOException
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "per-thread allocation counter unsupported");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "per-thread allocation counter unsupported");
        threads.setThreadAllocatedMemoryEnabled(true);

        final Pipe pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        pipe.sink().configureBlocking(false);
        try (BufferPool pool = new BufferPool(1024, 64))
        {
            final ByteRing out = new ByteRing(pool, 16 * 1024);
            final ByteRing in = new ByteRing(pool, 16 * 1024);
            final UnsafeBuffer message = new UnsafeBuffer(ByteBuffer.allocateDirect(300));
            final byte[] array = new byte[100];

            final long threadId = Thread.currentThread().getId();
            long allocated = Long.MAX_VALUE;
            // A few rounds, keeping the smallest: the first ones include JIT compilation and NIO's per-thread
            // iovec cache; a steady state that allocates would allocate in every round.
            for (int round = 0; round < 5 && allocated > 0; round++)
            {
                final long before = threads.getThreadAllocatedBytes(threadId);
                runCycles(out, in, message, array, pipe, 50_000);
                allocated = Math.min(allocated, threads.getThreadAllocatedBytes(threadId) - before);
            }

            assertThat(allocated).as("bytes allocated over 50k ring cycles").isZero();
        }
        finally
        {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    private static void runCycles(
        final ByteRing out, final ByteRing in, final UnsafeBuffer message, final byte[] array, final Pipe pipe,
        final int cycles) throws IOException
    {
        for (int i = 0; i < cycles; i++)
        {
            out.append(message, 0, 300);
            out.append(array, 0, 100);
            while (!out.isEmpty())
            {
                out.drainTo(pipe.sink(), 4096);
                in.fillFrom(pipe.source(), 4096);
            }
            while (in.fillFrom(pipe.source(), 4096) > 0)
            {
                // drain the pipe
            }
            in.linearise();
            in.consume(in.readableBytes() / 2);
            in.getByte(0);
            in.consume(in.readableBytes());
        }
    }
}
