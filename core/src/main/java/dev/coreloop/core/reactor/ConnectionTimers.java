package dev.coreloop.core.reactor;

import dev.coreloop.core.conn.ConnEvent;
import dev.coreloop.core.timer.ReactorTimers;
import org.agrona.collections.LongArrayList;

/**
 * A connection's timers: the one <em>guard</em> timer that ends every waiting state, and the user timers its handler
 * armed. The guard's deadline is the earliest of the timers the state runs (docs/connection-states.md, "Timers per
 * state"). Reads and writes only move {@link #lastActivityNs} and the outbound path's {@code lastWriteProgressNs};
 * when the guard fires it raises whichever deadline really passed, or re-arms, so traffic never touches the wheel.
 * Closing cancels the guard and every user timer, so a closed connection is never referenced by the wheel.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class ConnectionTimers
{
    private final ReactorConnection conn;
    private final ReactorParts parts;
    /** The idle timeout of this connection: its listener's, its connect's, or the context's. */
    private final long idleTimeoutNs;
    private final long writeStallTimeoutNs;
    private final LongArrayList userTimerIds = new LongArrayList(2, ReactorTimers.NULL_TIMER);
    private long guardTimerId = ReactorTimers.NULL_TIMER;
    private long guardDeadlineNs = Long.MAX_VALUE;
    /** The last time bytes moved in either direction. */
    long lastActivityNs;
    /** When the lingering read after FIN ends (LINGERING). */
    long lingerDeadlineNs;
    /** When a connect must have completed (CONNECTING). */
    long connectDeadlineNs;

    ConnectionTimers(final ReactorConnection conn, final ReactorParts parts)
    {
        this.conn = conn;
        this.parts = parts;
        this.idleTimeoutNs = conn.limits.idleTimeoutNs;
        this.writeStallTimeoutNs = conn.limits.writeStallTimeoutNs;
    }

    long scheduleUser(final long deadlineNs)
    {
        final long timerId = parts.timers.schedule(deadlineNs, conn);
        userTimerIds.addLong(timerId);
        return timerId;
    }

    boolean cancelUser(final long timerId)
    {
        return timerId != guardTimerId && userTimerIds.removeLong(timerId) && parts.timers.cancel(timerId, conn);
    }

    /** A timer of this connection expired. */
    void onExpiry(final long timerId, final long nowNs)
    {
        if (timerId == guardTimerId)
        {
            onGuard(nowNs);
        }
        else if (userTimerIds.removeLong(timerId) && !conn.isClosed())
        {
            parts.invoker.onTimer(conn, timerId, nowNs);
        }
    }

    boolean isGuardArmed()
    {
        return guardTimerId != ReactorTimers.NULL_TIMER;
    }

    private long guardDeadline()
    {
        switch (conn.lifecycleState())
        {
            case CONNECTING:
                return connectDeadlineNs;
            case ACTIVE:
            case INPUT_CLOSED:
            case OUTPUT_SHUTDOWN:
                final long idleDeadlineNs = lastActivityNs + idleTimeoutNs;
                if (conn.backlogBytes() == 0)
                {
                    return idleDeadlineNs;
                }
                return Math.min(idleDeadlineNs, conn.lastWriteProgressNs() + writeStallTimeoutNs);
            case DRAINING:
            case FLUSHING:
                return conn.lastWriteProgressNs() + writeStallTimeoutNs;
            case LINGERING:
                return lingerDeadlineNs;
            default:
                return Long.MAX_VALUE;
        }
    }

    /** Arms the guard at the deadline the state needs, unless it is armed there already. */
    void armGuard()
    {
        final long deadlineNs = guardDeadline();
        if (deadlineNs == guardDeadlineNs && guardTimerId != ReactorTimers.NULL_TIMER)
        {
            return;
        }
        cancelGuard();
        if (deadlineNs != Long.MAX_VALUE)
        {
            guardDeadlineNs = deadlineNs;
            guardTimerId = parts.timers.schedule(deadlineNs, conn);
        }
    }

    private void cancelGuard()
    {
        if (guardTimerId != ReactorTimers.NULL_TIMER)
        {
            parts.timers.cancel(guardTimerId, conn);
            guardTimerId = ReactorTimers.NULL_TIMER;
            guardDeadlineNs = Long.MAX_VALUE;
        }
    }

    /** The connection closed: no timer of it stays in the wheel. */
    void cancelAll()
    {
        cancelGuard();
        for (int i = 0, size = userTimerIds.size(); i < size; i++)
        {
            parts.timers.cancel(userTimerIds.getLong(i), conn);
        }
        userTimerIds.clear();
    }

    /** The guard fired: raise whichever deadline really passed, else re-arm at the new one. */
    private void onGuard(final long nowNs)
    {
        guardTimerId = ReactorTimers.NULL_TIMER;
        guardDeadlineNs = Long.MAX_VALUE;
        switch (conn.lifecycleState())
        {
            case CONNECTING:
                if (nowNs - connectDeadlineNs >= 0)
                {
                    conn.fire(ConnEvent.CONNECT_TIMEOUT);
                }
                break;
            case ACTIVE:
            case INPUT_CLOSED:
            case OUTPUT_SHUTDOWN:
                if (conn.backlogBytes() > 0 && nowNs - conn.lastWriteProgressNs() >= writeStallTimeoutNs)
                {
                    conn.fire(ConnEvent.WRITE_STALL_TIMEOUT);
                }
                else if (nowNs - lastActivityNs >= idleTimeoutNs)
                {
                    conn.fire(ConnEvent.IDLE_TIMEOUT);
                }
                break;
            case DRAINING:
            case FLUSHING:
                if (nowNs - conn.lastWriteProgressNs() >= writeStallTimeoutNs)
                {
                    conn.fire(ConnEvent.WRITE_STALL_TIMEOUT);
                }
                break;
            case LINGERING:
                if (nowNs - lingerDeadlineNs >= 0)
                {
                    conn.fire(ConnEvent.LINGER_DEADLINE);
                }
                break;
            default:
                break;
        }
        if (!conn.isClosed() && guardTimerId == ReactorTimers.NULL_TIMER)
        {
            armGuard();
        }
    }
}
