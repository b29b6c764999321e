package dev.coreloop.core;

/**
 * What a reactor does when a duty cycle found no work.
 */
public enum IdleMode
{
    /** Block in {@code Selector.select(consumer, timeoutMs)} until I/O, a wake-up or the next timer deadline. */
    SELECT,
    /** Spin, then yield, then park briefly (Agrona {@code BackoffIdleStrategy}), polling the selector without blocking. */
    BACKOFF,
    /** Busy spin (Agrona {@code BusySpinIdleStrategy}): lowest latency, one full CPU per reactor. */
    SPIN
}
