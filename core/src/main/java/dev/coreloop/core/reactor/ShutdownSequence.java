package dev.coreloop.core.reactor;

import dev.coreloop.core.status.ReactorCounter;

import java.util.concurrent.CountDownLatch;

import dev.coreloop.core.conn.ConnEvent;

/**
 * A reactor's graceful shutdown, the last phase of its duty cycle: once the server asks (through the proxy), stop
 * accepting, make every connection drain (SERVER_SHUTDOWN), abort what remains at the deadline (SHUTDOWN_DEADLINE),
 * and release {@link #drainedLatch()} once no connection is left, so {@code Server.shutdown} can stop the thread.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread, except {@link #drainedLatch()} which the server awaits.
 */
final class ShutdownSequence
{
    private final ReactorParts parts;
    private final ReactorProxy proxy;
    private final CountDownLatch drainedLatch = new CountDownLatch(1);
    private boolean drained;

    ShutdownSequence(final ReactorParts parts, final ReactorProxy proxy)
    {
        this.parts = parts;
        this.proxy = proxy;
    }

    CountDownLatch drainedLatch()
    {
        return drainedLatch;
    }

    /** {@return true once every connection has closed after a shutdown request} */
    boolean isDrained()
    {
        return drained;
    }

    /** The phase. @return work done. */
    int poll(final long nowNs, final IoPoller poller)
    {
        if (!parts.stopping)
        {
            final long requestMs = proxy.shutdownRequestMs();
            if (requestMs < 0)
            {
                return 0;
            }
            parts.stopping = true;
            parts.shutdownDeadlineNs = nowNs + requestMs * 1_000_000L;
            poller.closeAcceptLoop();
            closeEvery(ConnEvent.SERVER_SHUTDOWN);
            return 1;
        }
        if (drained)
        {
            return 0;
        }
        if (parts.registry.count() == 0)
        {
            drained = true;
            drainedLatch.countDown();
            return 1;
        }
        if (nowNs - parts.shutdownDeadlineNs >= 0)
        {
            parts.stats.add(ReactorCounter.SHUTDOWN_ABORTED, parts.registry.count());
            closeEvery(ConnEvent.SHUTDOWN_DEADLINE);
            return 1;
        }
        return 0;
    }

    /** Raises {@code event} on every connection (each may close and leave the registry meanwhile), then a safe point. */
    void closeEvery(final ConnEvent event)
    {
        for (int i = parts.registry.count() - 1; i >= 0; i--)
        {
            if (i < parts.registry.count())
            {
                parts.registry.at(i).fire(event);
            }
        }
        parts.deferred.runAll();
    }

    /** The reactor has closed (or never started): whoever waits for the drain stops waiting. */
    void released()
    {
        drainedLatch.countDown();
    }
}
