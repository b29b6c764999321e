/**
 * A reactor's timers: one Agrona {@code DeadlineTimerWheel} on the monotonic clock that serves both connection
 * timers and reactor-level timers, with {@code long} ids that are never reused and no allocation per timer.
 *
 * <p>Internal to the server: public for the reactor package, not for applications, and may change without notice.
 * Applications arm timers through {@link dev.coreloop.core.Connection#scheduleTimer(long)} and
 * {@link dev.coreloop.core.ReactorContext#scheduleTimer(long, dev.coreloop.core.TimerHandler)}.
 */
package dev.coreloop.core.timer;
