package dev.coreloop.core.timer;

import java.util.concurrent.TimeUnit;

import dev.coreloop.core.ReactorThread;
import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * A reactor's timers: an Agrona {@link DeadlineTimerWheel} on the monotonic clock plus the owner of each timer
 * (a connection, or a reactor-level handler), so that one wheel serves both. Allocates nothing per timer once
 * the maps and the wheel's spokes have grown to their working size.
 *
 * <p><b>Timer ids.</b> The wheel's own ids name a slot (spoke, index in spoke), and the wheel hands a slot out
 * again as soon as its timer fires or is cancelled, so a wheel id held after that names somebody else's timer.
 * The ids {@link #schedule} returns are therefore not wheel ids: they come from a 64-bit sequence that starts at 1
 * and only goes up, so no id is ever handed out twice (the sequence would need centuries at one timer per
 * nanosecond to reach {@link #NULL_TIMER}). Three maps tie the two together while a timer is armed: timer id to
 * wheel id, wheel id to timer id, and timer id to owner. An entry is removed from all three when its timer is
 * cancelled or, before the handler runs, when it fires. An id whose timer is gone is in none of them, whatever the
 * wheel has since put in its old slot: {@link #cancel} returns false and touches nothing, and {@link #owner}
 * returns null. The {@link ExpiryHandler} is handed the id {@link #schedule} returned, never a wheel id.
 *
 * <p><b>Stalls.</b> The wheel expires at most one tick per {@code poll}; {@link #poll} loops over the ticks the clock
 * has passed (after a stall, at most one full revolution, which visits every spoke and so every timer, then jumps to
 * now), so each timer fires at most once, in the first cycle whose {@code nowNs} reaches its deadline. A timer that
 * re-arms itself from the {@code nowNs} it is given therefore fires once after a stall, not once per missed period.
 *
 * <p><b>Closing an owner.</b> {@link #cancel} is O(1) (three hash-map operations and a wheel slot write), so an owner
 * that goes away drops its timers by cancelling the ids it holds. Because ids are never reused, such a list need not
 * be pruned exactly when a timer fires: cancelling an id that already fired is a harmless {@code false}.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread. The {@link ExpiryHandler} runs on it, inside
 * {@link #poll}, and may call {@link #schedule}, {@link #cancel} and {@link #owner}; the expiring timer is already
 * gone by then, so cancelling its id returns false.
 */
public final class ReactorTimers
{
    /** Wheel tick: 2^20 ns, about 1.05 ms. */
    public static final long TICK_RESOLUTION_NS = 1L << 20;
    /** Spokes: one revolution spans about 1.07 s. */
    public static final int TICKS_PER_WHEEL = 1024;
    /** No timer: never returned by {@link #schedule}, and also the maps' missing value. */
    public static final long NULL_TIMER = DeadlineTimerWheel.NULL_DEADLINE;

    private static final long FIRST_TIMER_ID = 1;

    /**
     * Called for each expired timer.
     */
    @FunctionalInterface
    public interface ExpiryHandler
    {
        /**
         * A timer expired.
         *
         * @param owner   what {@link #schedule} was given.
         * @param timerId the expired timer: the id {@link #schedule} returned.
         * @param nowNs   the cycle's clock.
         */
        void onExpiry(Object owner, long timerId, long nowNs);
    }

    // Written only by the reactor thread.
    private final DeadlineTimerWheel wheel;
    private final Long2LongHashMap wheelIdByTimerId = new Long2LongHashMap(NULL_TIMER);
    private final Long2LongHashMap timerIdByWheelId = new Long2LongHashMap(NULL_TIMER);
    private final Long2ObjectHashMap<Object> ownerByTimerId = new Long2ObjectHashMap<>();
    private final ExpiryHandler expiryHandler;
    private final DeadlineTimerWheel.TimerHandler wheelHandler = this::onWheelExpiry;
    private final DeadlineTimerWheel.TimerConsumer earliestScanner = this::onScan;
    private long nextTimerId = FIRST_TIMER_ID;
    private long earliestDeadlineNs = Long.MAX_VALUE;
    private long scanEarliestNs;
    private long lagMaxNs;
    private long lagTotalNs;

    /**
     * Creates an empty wheel whose time starts at {@code startNs}.
     *
     * @param startNs       the clock now.
     * @param expiryHandler receives every expiry.
     */
    public ReactorTimers(final long startNs, final ExpiryHandler expiryHandler)
    {
        this.wheel = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, startNs, TICK_RESOLUTION_NS, TICKS_PER_WHEEL);
        this.expiryHandler = expiryHandler;
    }

    /**
     * Arms a timer.
     *
     * @param deadlineNs absolute deadline on the clock {@link #poll} is given.
     * @param owner      handed back on expiry; must not be null.
     * @return a timer id, never {@link #NULL_TIMER} and never one returned before.
     */
    @ReactorThread
    public long schedule(final long deadlineNs, final Object owner)
    {
        if (owner == null)
        {
            throw new IllegalArgumentException("owner=null: must not be null");
        }
        final long timerId = nextTimerId;
        if (timerId == NULL_TIMER)
        {
            throw new IllegalStateException("timerId=" + timerId + ": timer id sequence exhausted");
        }
        final long wheelId = wheel.scheduleTimer(deadlineNs);
        nextTimerId = timerId + 1;
        wheelIdByTimerId.put(timerId, wheelId);
        timerIdByWheelId.put(wheelId, timerId);
        ownerByTimerId.put(timerId, owner);
        if (deadlineNs < earliestDeadlineNs)
        {
            earliestDeadlineNs = deadlineNs;
        }
        return timerId;
    }

    /**
     * Disarms a timer in O(1).
     *
     * @param timerId what {@link #schedule} returned; a stale id (fired, cancelled) or {@link #NULL_TIMER} is fine.
     * @param owner   what {@link #schedule} was given.
     * @return true if the timer was armed by {@code owner} and had not fired; it is then cancelled. Otherwise false,
     * and nothing changed.
     */
    @ReactorThread
    public boolean cancel(final long timerId, final Object owner)
    {
        final Object armedOwner = ownerByTimerId.get(timerId);
        if (armedOwner == null || armedOwner != owner)
        {
            return false;
        }
        ownerByTimerId.remove(timerId);
        final long wheelId = wheelIdByTimerId.remove(timerId);
        timerIdByWheelId.remove(wheelId);
        final boolean wasInWheel = wheel.cancelTimer(wheelId);
        assert wasInWheel : "timer in the maps but not in the wheel";
        return true;
    }

    /**
     * {@return the owner of an armed timer, or null if {@code timerId} is not armed (stale, or never issued)}
     *
     * @param timerId a timer id.
     */
    @ReactorThread
    public Object owner(final long timerId)
    {
        return ownerByTimerId.get(timerId);
    }

    /** {@return armed timers} */
    @ReactorThread
    public long timerCount()
    {
        return wheel.timerCount();
    }

    /**
     * Expires every timer whose deadline is at or before {@code nowNs}, up to {@code limit}.
     *
     * @param nowNs the reactor's clock for this cycle.
     * @param limit the most timers to expire in this call.
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
     * {@return the earliest armed deadline, or {@link Long#MAX_VALUE} if none; exact only after a rescan, so it may
     * be earlier than the true one (a cancelled timer), never later}
     *
     * @param nowNs the reactor's clock for this cycle; a remembered deadline at or before it is rescanned.
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

    /**
     * {@return the longest lag seen from the end of a timer's tick to its expiry, ns (a lower bound of the lag from its
     * deadline, within one tick)}
     */
    @ReactorThread
    public long lagMaxNs()
    {
        return lagMaxNs;
    }

    /** {@return the sum of the lags of every expired timer, ns (see {@link #lagMaxNs()})} */
    @ReactorThread
    public long lagTotalNs()
    {
        return lagTotalNs;
    }

    /** For tests: entries in the timer-id to wheel-id map. */
    int wheelIdMapSize()
    {
        return wheelIdByTimerId.size();
    }

    /** For tests: entries in the wheel-id to timer-id map. */
    int timerIdMapSize()
    {
        return timerIdByWheelId.size();
    }

    /** For tests: entries in the timer-id to owner map. */
    int ownerMapSize()
    {
        return ownerByTimerId.size();
    }

    /** For tests: the wheel slot an armed timer occupies, or {@link #NULL_TIMER}. */
    long wheelId(final long timerId)
    {
        return wheelIdByTimerId.get(timerId);
    }

    private void onScan(final long deadlineNs, final long wheelId)
    {
        if (deadlineNs < scanEarliestNs)
        {
            scanEarliestNs = deadlineNs;
        }
    }

    private boolean onWheelExpiry(final TimeUnit timeUnit, final long nowNs, final long wheelId)
    {
        // The wheel has already freed the slot; forget the timer before the handler can schedule into that slot.
        final long timerId = timerIdByWheelId.remove(wheelId);
        if (timerId != NULL_TIMER)
        {
            wheelIdByTimerId.remove(timerId);
            // The wheel frees the slot before it calls back, so the deadline is gone: measure the lag from the end of
            // the tick being expired, a lower bound within one tick (TICK_RESOLUTION_NS) of the true lag.
            final long lagNs = nowNs - wheel.currentTickTime();
            if (lagNs > 0)
            {
                lagTotalNs += lagNs;
                lagMaxNs = Math.max(lagMaxNs, lagNs);
            }
            final Object owner = ownerByTimerId.remove(timerId);
            expiryHandler.onExpiry(owner, timerId, nowNs);
        }
        return true;
    }
}
