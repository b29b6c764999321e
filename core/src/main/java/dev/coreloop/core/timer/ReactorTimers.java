package dev.coreloop.core.timer;

import java.util.concurrent.TimeUnit;

import dev.coreloop.core.internal.ReactorThread;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * A reactor's timers: an Agrona {@link DeadlineTimerWheel} on the monotonic clock plus the owner of each timer
 * (a connection, or a reactor-level handler), so that one wheel serves both. Allocates nothing per timer once
 * the owner map has grown to its working size.
 *
 * <p>The wheel expires at most one tick per {@code poll}; {@link #poll} loops over the ticks the clock has passed
 * (after a stall, at most one full revolution, which visits every spoke and so every timer, then jumps to now),
 * so each timer fires at most once, in the first cycle whose {@code nowNs} reaches its deadline. A timer that
 * re-arms itself from the {@code nowNs} it is given therefore fires once after a stall, not once per missed period.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
public final class ReactorTimers
{
    /** Wheel tick: 2^20 ns, about 1.05 ms. */
    public static final long TICK_RESOLUTION_NS = 1L << 20;
    /** Spokes: one revolution spans about 1.07 s. */
    public static final int TICKS_PER_WHEEL = 1024;
    /** No timer. */
    public static final long NULL_TIMER = DeadlineTimerWheel.NULL_DEADLINE;

    /**
     * Called for each expired timer.
     */
    @FunctionalInterface
    public interface ExpiryHandler
    {
        /**
         * @param owner   what {@link #schedule} was given.
         * @param timerId the expired timer.
         * @param nowNs   the cycle's clock.
         */
        void onExpiry(Object owner, long timerId, long nowNs);
    }

    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<Object> owners = new Long2ObjectHashMap<>();
    private final ExpiryHandler expiryHandler;
    private final DeadlineTimerWheel.TimerHandler wheelHandler = this::onWheelExpiry;
    private final DeadlineTimerWheel.TimerConsumer earliestScanner = this::onScan;
    private long earliestDeadlineNs = Long.MAX_VALUE;
    private long scanEarliestNs;

    /**
     * @param startNs       the clock now.
     * @param expiryHandler receives every expiry.
     */
    public ReactorTimers(final long startNs, final ExpiryHandler expiryHandler)
    {
        this.wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, startNs, TICK_RESOLUTION_NS, TICKS_PER_WHEEL);
        this.expiryHandler = expiryHandler;
    }

    /** @return a timer id; {@code owner} is handed back on expiry. */
    @ReactorThread
    public long schedule(final long deadlineNs, final Object owner)
    {
        final long timerId = wheel.scheduleTimer(deadlineNs);
        owners.put(timerId, owner);
        if (deadlineNs < earliestDeadlineNs)
        {
            earliestDeadlineNs = deadlineNs;
        }
        return timerId;
    }

    /** @return true if the timer was armed (by {@code owner}) and had not fired. */
    @ReactorThread
    public boolean cancel(final long timerId, final Object owner)
    {
        if (timerId == NULL_TIMER || owners.get(timerId) != owner)
        {
            return false;
        }
        owners.remove(timerId);
        return wheel.cancelTimer(timerId);
    }

    /** @return the owner of an armed timer, or null. */
    @ReactorThread
    public Object owner(final long timerId)
    {
        return owners.get(timerId);
    }

    /** @return armed timers. */
    @ReactorThread
    public long timerCount()
    {
        return wheel.timerCount();
    }

    /**
     * Expires every timer whose deadline is at or before {@code nowNs}, up to {@code limit}.
     *
     * @return how many expired.
     */
    @ReactorThread
    public int poll(final long nowNs, final int limit)
    {
        int expired = 0;
        for (int i = 0; i <= TICKS_PER_WHEEL && expired < limit; i++)
        {
            if (wheel.timerCount() == 0)
            {
                wheel.currentTickTime(nowNs);
                return expired;
            }
            final long tickTimeBefore = wheel.currentTickTime();
            expired += wheel.poll(nowNs, wheelHandler, limit - expired);
            if (wheel.currentTickTime() == tickTimeBefore)
            {
                return expired;
            }
        }
        if (expired < limit)
        {
            // A full revolution visited every spoke, so every due timer has fired: skip the remaining ticks.
            wheel.currentTickTime(nowNs);
        }
        return expired;
    }

    /**
     * @return the earliest armed deadline, or {@link Long#MAX_VALUE} if none; exact only after a rescan, so it may
     * be earlier than the true one (a cancelled timer), never later.
     */
    @ReactorThread
    public long earliestDeadlineNs(final long nowNs)
    {
        if (wheel.timerCount() == 0)
        {
            earliestDeadlineNs = Long.MAX_VALUE;
        }
        else if (earliestDeadlineNs <= nowNs)
        {
            scanEarliestNs = Long.MAX_VALUE;
            wheel.forEach(earliestScanner);
            earliestDeadlineNs = scanEarliestNs;
        }
        return earliestDeadlineNs;
    }

    private void onScan(final long deadlineNs, final long timerId)
    {
        if (deadlineNs < scanEarliestNs)
        {
            scanEarliestNs = deadlineNs;
        }
    }

    private boolean onWheelExpiry(final TimeUnit timeUnit, final long nowNs, final long timerId)
    {
        final Object owner = owners.remove(timerId);
        if (owner != null)
        {
            expiryHandler.onExpiry(owner, timerId, nowNs);
        }
        return true;
    }
}
