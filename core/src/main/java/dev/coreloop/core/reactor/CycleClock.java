package dev.coreloop.core.reactor;

import dev.coreloop.core.status.ReactorCounter;
import org.agrona.concurrent.NanoClock;

/**
 * The reactor's time: the monotonic clock read once per duty cycle (or once when a parked select returns with ready
 * keys), the wall clock read with it, and the cycle statistics: loop cycles, the longest busy cycle, and stalls (a
 * cycle that starts far later than planned: a suspended VM, a long GC).
 *
 * <p>Time flows down: below the duty cycle nothing reads a clock; everything takes {@code nowNs} from here.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class CycleClock
{
    /** A cycle that starts this much later than planned counts as a stall. */
    static final long STALL_THRESHOLD_NS = 250_000_000L;

    private final NanoClock clock;
    private final ReactorStats stats;
    private long nowNs;
    private long epochMs;
    private long cycleStartNs;
    private long plannedNextCycleNs;
    private boolean lastCycleBusy;

    CycleClock(final NanoClock clock, final ReactorStats stats)
    {
        this.clock = clock;
        this.stats = stats;
    }

    /** The reactor starts: reads both clocks; the first cycle is planned now. */
    long start()
    {
        final long startNs = read();
        cycleStartNs = startNs;
        plannedNextCycleNs = startNs;
        return startNs;
    }

    /** Reads both clocks (when a parked select returns with ready keys, and at close). */
    long read()
    {
        nowNs = clock.nanoTime();
        epochMs = System.currentTimeMillis();
        return nowNs;
    }

    /** Starts a duty cycle: reads the clock, counts the cycle, detects a stall, records the previous busy cycle. */
    long beginCycle()
    {
        final long startNs = read();
        final long lateNs = startNs - plannedNextCycleNs;
        if (lateNs > STALL_THRESHOLD_NS)
        {
            stats.increment(ReactorCounter.STALLS);
        }
        else if (lastCycleBusy && startNs - cycleStartNs > 0)
        {
            // A busy cycle is followed at once by the next (the idle strategy does not idle), so the gap is its length.
            stats.proposeMax(ReactorCounter.MAX_CYCLE_NS, startNs - cycleStartNs);
        }
        cycleStartNs = startNs;
        stats.increment(ReactorCounter.LOOP_CYCLES);
        return startNs;
    }

    /** Ends a duty cycle: the next is planned at once. */
    void endCycle(final int work)
    {
        plannedNextCycleNs = nowNs;
        lastCycleBusy = work > 0;
    }

    /** The reactor is about to block for up to {@code timeoutMs}: the next cycle is planned after it. */
    void parking(final long parkNs, final long timeoutMs)
    {
        plannedNextCycleNs = parkNs + timeoutMs * 1_000_000L;
    }

    /** A parked select returned with ready keys, read at {@link #read()}: the wake-up was planned, not a stall. */
    void wokeWithWork()
    {
        plannedNextCycleNs = nowNs;
    }

    /** {@return a fresh reading of the monotonic clock (for the idle strategy only)} */
    long nanoTime()
    {
        return clock.nanoTime();
    }

    long nowNs()
    {
        return nowNs;
    }

    long epochMs()
    {
        return epochMs;
    }
}
