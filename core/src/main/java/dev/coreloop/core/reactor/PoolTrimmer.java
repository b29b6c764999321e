package dev.coreloop.core.reactor;

import dev.coreloop.core.TimerHandler;
import dev.coreloop.core.timer.ReactorTimers;

/**
 * Gives the memory of the reactor's unused buffer-pool segments back ({@link dev.coreloop.buffers.BufferPool#trim()})
 * every {@code bufferTrimIntervalMs}, so that memory a load burst committed returns to the operating system after one
 * to two intervals of quiet. Its timer runs only while the pool holds a segment: an idle reactor with an empty pool
 * is not woken.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class PoolTrimmer implements TimerHandler
{
    private final ReactorParts parts;
    private final long intervalNs;
    private long timerId = ReactorTimers.NULL_TIMER;

    PoolTrimmer(final ReactorParts parts, final long intervalMs)
    {
        this.parts = parts;
        this.intervalNs = intervalMs * 1_000_000L;
    }

    /** Arms the timer if the pool holds memory and it is not armed; a field compare otherwise. */
    void armIfNeeded(final long nowNs)
    {
        if (timerId == ReactorTimers.NULL_TIMER && parts.pool.segmentsAllocated() > 0)
        {
            timerId = parts.timers.schedule(nowNs + intervalNs, this);
        }
    }

    @Override
    public void onTimer(final long firedTimerId, final long nowNs)
    {
        timerId = ReactorTimers.NULL_TIMER;
        if (!parts.pool.isClosed())
        {
            parts.pool.trim();
            armIfNeeded(nowNs);
        }
    }
}
