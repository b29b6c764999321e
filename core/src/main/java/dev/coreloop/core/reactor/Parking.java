package dev.coreloop.core.reactor;

/**
 * How an idle reactor sleeps: in its selector, until I/O, a producer's wake-up or the next deadline (timer, accept
 * back-off, shutdown deadline), at most {@link #MAX_PARK_MS}. Before blocking it sets the proxy's {@code sleeping} flag
 * and checks its queues once more (the lost-wake-up race is documented at the flag in {@link ReactorProxy}); ready
 * keys are dispatched inside the select, with the clock read once, at the first of them.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class Parking
{
    /** The longest a parked reactor blocks without a timer or wake-up. */
    static final long MAX_PARK_MS = 1_000;

    private final ReactorParts parts;
    private final ReactorProxy proxy;
    private final ShutdownSequence shutdown;

    Parking(final ReactorParts parts, final ReactorProxy proxy, final ShutdownSequence shutdown)
    {
        this.parts = parts;
        this.proxy = proxy;
        this.shutdown = shutdown;
    }

    void park(final IoPoller poller)
    {
        if (!proxy.prepareToPark(parts.stopping)) // sets the sleeping flag, then re-checks the queues
        {
            return;
        }
        final long parkNs = parts.clock.nanoTime();
        long deadlineNs = Math.min(parts.timers.earliestDeadlineNs(parkNs), poller.acceptResumeDeadlineNs());
        if (parts.stopping && !shutdown.isDrained())
        {
            deadlineNs = Math.min(deadlineNs, parts.shutdownDeadlineNs);
        }
        final long waitNs = deadlineNs - parkNs;
        if (waitNs <= 0)
        {
            proxy.unpark();
            return;
        }
        // Once drained the reactor only waits for its runner to stop it: wake up often enough to notice.
        final long maxParkMs = shutdown.isDrained() ? 1 : MAX_PARK_MS;
        final long timeoutMs = Math.min(maxParkMs, Math.max(1, (waitNs + 999_999) / 1_000_000));
        parts.clock.parking(parkNs, timeoutMs);
        final boolean woke;
        try
        {
            woke = poller.park(timeoutMs);
        }
        finally
        {
            proxy.unpark();
        }
        if (woke)
        {
            parts.clock.wokeWithWork();
        }
    }
}
