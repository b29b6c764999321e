package dev.coreloop.core;

/**
 * Callback for a reactor-level timer armed with {@link ReactorContext#scheduleTimer(long, TimerHandler)}.
 *
 * <p><b>Threading:</b> runs on the reactor thread that armed it. Keep the handler in a field: arming a timer
 * with a handler object that already exists allocates nothing.
 */
@FunctionalInterface
public interface TimerHandler
{
    /**
     * The timer expired; runs on the reactor that armed it.
     *
     * @param timerId the id returned when the timer was armed.
     * @param nowNs   the reactor's clock for this cycle.
     */
    void onTimer(long timerId, long nowNs);
}
