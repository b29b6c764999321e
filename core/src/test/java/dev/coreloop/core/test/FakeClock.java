package dev.coreloop.core.test;

import org.agrona.concurrent.NanoClock;

/**
 * A {@link NanoClock} that moves only when a test moves it.
 *
 * <p><b>Threading:</b> the time is volatile, so a test thread may advance it while a reactor thread reads it;
 * deterministic tests use one thread for both.
 */
public final class FakeClock implements NanoClock
{
    /** Where a new clock starts: far from zero so that {@code now - timeout} never goes negative. */
    public static final long START_NS = 1_000_000_000_000L;

    private volatile long nowNs;

    public FakeClock()
    {
        this(START_NS);
    }

    public FakeClock(final long startNs)
    {
        this.nowNs = startNs;
    }

    @Override
    public long nanoTime()
    {
        return nowNs;
    }

    /** Moves the clock forward by {@code deltaNs} (never back). @return the new time. */
    public long advance(final long deltaNs)
    {
        if (deltaNs < 0)
        {
            throw new IllegalArgumentException("deltaNs=" + deltaNs + ": a monotonic clock never goes back");
        }
        nowNs += deltaNs;
        return nowNs;
    }

    /** Moves the clock forward by {@code deltaMs} milliseconds. @return the new time. */
    public long advanceMs(final long deltaMs)
    {
        return advance(deltaMs * 1_000_000L);
    }
}
