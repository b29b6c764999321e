package dev.coreloop.core.reactor;

import java.util.Arrays;

/**
 * Connections with work for the flush phase: a backlog to write, or a writability flag to re-evaluate. Each is queued
 * at most once (its {@code flushQueued} mark); the phase swaps the queue with a spare array, so connections queued
 * while it runs wait for the next cycle (the write budget's fairness).
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class FlushQueue
{
    private ReactorConnection[] queue = new ReactorConnection[16];
    private ReactorConnection[] spare = new ReactorConnection[16];
    private int count;

    /** {@return true if no connection waits for the flush phase} */
    boolean isEmpty()
    {
        return count == 0;
    }

    void add(final ReactorConnection conn)
    {
        if (conn.flushQueued)
        {
            return;
        }
        conn.flushQueued = true;
        if (count == queue.length)
        {
            queue = Arrays.copyOf(queue, queue.length * 2);
        }
        queue[count++] = conn;
    }

    /** One connection's turn: write its backlog (unless waiting for OP_WRITE), re-evaluate writability. */
    private static int flush(final ReactorConnection conn, final long nowNs)
    {
        if (!conn.interest().isFlushable())
        {
            return 0;
        }
        final OutboundPath outbound = conn.outbound();
        int work = 0;
        if (!outbound.awaitingSocket && outbound.backlogBytes() > 0)
        {
            work += outbound.drain(conn.channel(), nowNs);
        }
        if (!conn.isClosed() && outbound.reevaluate())
        {
            work++;
        }
        return work;
    }

    /** Runs the flush of every connection queued before this call. @return work done. */
    int flush(final long nowNs, final DeferredCallbacks deferred)
    {
        final int queued = count;
        if (queued == 0)
        {
            return 0;
        }
        final ReactorConnection[] work = queue;
        queue = spare;
        spare = work;
        count = 0;
        int done = 0;
        for (int i = 0; i < queued; i++)
        {
            final ReactorConnection conn = work[i];
            work[i] = null;
            conn.flushQueued = false;
            done += flush(conn, nowNs);
            deferred.runAll();
        }
        return done;
    }
}
