package dev.coreloop.core.conn;

import static dev.coreloop.core.conn.ConnEvent.*;
import static dev.coreloop.core.conn.ConnState.*;

import dev.coreloop.core.CloseReason;

/**
 * The connection state machine as data: which state changes are allowed ({@link #isAllowed}) and the outcome of
 * every (state, event) pair ({@link #kind}, {@link #target}, {@link #reason}). {@code docs/connection-states.md}
 * holds the same two tables and the timers of each state; {@code ConnTransitionsDocTest} fails if they differ.
 *
 * <p>An outcome is one of:
 * <ul>
 *     <li>{@link Kind#STAY}: handled in place, the state does not change (for example a read in ACTIVE);</li>
 *     <li>{@link Kind#GO}: change to {@link #target} with {@link #reason} (null reason: the reason the close was
 *     requested with, carried by the connection);</li>
 *     <li>{@link Kind#ILLEGAL}: cannot happen in this state; if it does, it is a bug: counted, and the connection is
 *     forced CLOSED with {@link CloseReason#ILLEGAL_TRANSITION}.</li>
 * </ul>
 *
 * <p><b>Threading:</b> immutable after class initialisation; any thread.
 */
public final class ConnTransitions
{
    /** The kind of an outcome. */
    public enum Kind
    {
        /** Handled in place; no state change. */
        STAY,
        /** Change state. */
        GO,
        /** Cannot happen in this state: a bug. */
        ILLEGAL
    }

    private static final ConnState[] STATES = ConnState.values();
    private static final ConnEvent[] EVENTS = ConnEvent.values();
    private static final int REQUESTED = 0xFF;

    private static final boolean[][] ALLOWED = new boolean[STATES.length][STATES.length];
    private static final Kind[][] KIND = new Kind[STATES.length][EVENTS.length];
    private static final ConnState[][] TARGET = new ConnState[STATES.length][EVENTS.length];
    private static final int[][] REASON = new int[STATES.length][EVENTS.length];

    static
    {
        allow(HANDED_OFF, ACTIVE, CLOSED);
        allow(CONNECTING, ACTIVE, CLOSED);
        allow(ACTIVE, BACKPRESSURED, INPUT_CLOSED, OUTPUT_SHUTDOWN, DRAINING, CLOSED);
        allow(BACKPRESSURED, ACTIVE, INPUT_CLOSED, OUTPUT_SHUTDOWN, DRAINING, CLOSED);
        allow(INPUT_CLOSED, DRAINING, CLOSED);
        allow(OUTPUT_SHUTDOWN, DRAINING, CLOSED);
        allow(DRAINING, CLOSED);

        for (final ConnState state : STATES)
        {
            for (final ConnEvent event : EVENTS)
            {
                KIND[state.code()][event.code()] = state == CLOSED ? Kind.STAY : Kind.ILLEGAL;
            }
        }

        go(HANDED_OFF, REGISTERED, ACTIVE, CloseReason.NONE);
        go(HANDED_OFF, REJECTED, CLOSED, CloseReason.REJECTED);
        go(HANDED_OFF, SERVER_SHUTDOWN, CLOSED, CloseReason.SERVER_SHUTDOWN);
        go(HANDED_OFF, SHUTDOWN_DEADLINE, CLOSED, CloseReason.SERVER_SHUTDOWN);
        go(HANDED_OFF, IO_RESET, CLOSED, CloseReason.PEER_RESET);
        go(HANDED_OFF, IO_ERROR, CLOSED, CloseReason.IO_ERROR);
        go(HANDED_OFF, HANDLER_ERROR, CLOSED, CloseReason.HANDLER_ERROR);

        go(CONNECTING, CONNECT_OK, ACTIVE, CloseReason.NONE);
        go(CONNECTING, CONNECT_FAILED, CLOSED, CloseReason.CONNECT_FAILED);
        go(CONNECTING, CONNECT_TIMEOUT, CLOSED, CloseReason.CONNECT_TIMEOUT);
        stay(CONNECTING, HANDLER_SHUTDOWN_OUTPUT);
        stay(CONNECTING, BACKLOG_ABOVE_HIGH);
        go(CONNECTING, HANDLER_CLOSE, CLOSED, null);
        go(CONNECTING, HANDLER_ABORT, CLOSED, CloseReason.ABORTED);
        go(CONNECTING, HANDLER_ERROR, CLOSED, CloseReason.HANDLER_ERROR);
        go(CONNECTING, SERVER_SHUTDOWN, CLOSED, CloseReason.SERVER_SHUTDOWN);
        go(CONNECTING, SHUTDOWN_DEADLINE, CLOSED, CloseReason.SERVER_SHUTDOWN);

        go(ACTIVE, READ_EOF, INPUT_CLOSED, CloseReason.NONE);
        go(ACTIVE, BACKLOG_ABOVE_HIGH, BACKPRESSURED, CloseReason.NONE);
        go(ACTIVE, HANDLER_SHUTDOWN_OUTPUT, OUTPUT_SHUTDOWN, CloseReason.NONE);
        go(ACTIVE, IDLE_TIMEOUT, CLOSED, CloseReason.IDLE_TIMEOUT);
        commonOpen(ACTIVE);

        go(BACKPRESSURED, READ_EOF, INPUT_CLOSED, CloseReason.NONE);
        stay(BACKPRESSURED, BACKLOG_ABOVE_HIGH);
        go(BACKPRESSURED, BACKLOG_BELOW_LOW, ACTIVE, CloseReason.NONE);
        go(BACKPRESSURED, HANDLER_SHUTDOWN_OUTPUT, OUTPUT_SHUTDOWN, CloseReason.NONE);
        go(BACKPRESSURED, WRITE_STALL_TIMEOUT, CLOSED, CloseReason.WRITE_STALL_TIMEOUT);
        commonOpen(BACKPRESSURED);
        KIND[BACKPRESSURED.code()][WRITE_COMPLETE.code()] = Kind.ILLEGAL;

        stay(INPUT_CLOSED, BACKLOG_ABOVE_HIGH);
        go(INPUT_CLOSED, HANDLER_SHUTDOWN_OUTPUT, DRAINING, CloseReason.PEER_CLOSED);
        go(INPUT_CLOSED, IDLE_TIMEOUT, CLOSED, CloseReason.IDLE_TIMEOUT);
        go(INPUT_CLOSED, WRITE_STALL_TIMEOUT, CLOSED, CloseReason.WRITE_STALL_TIMEOUT);
        commonOpen(INPUT_CLOSED);
        KIND[INPUT_CLOSED.code()][READ_DATA.code()] = Kind.ILLEGAL;
        KIND[INPUT_CLOSED.code()][INBOUND_OVERFLOW.code()] = Kind.ILLEGAL;

        go(OUTPUT_SHUTDOWN, READ_EOF, DRAINING, CloseReason.PEER_CLOSED);
        stay(OUTPUT_SHUTDOWN, HANDLER_SHUTDOWN_OUTPUT);
        go(OUTPUT_SHUTDOWN, IDLE_TIMEOUT, CLOSED, CloseReason.IDLE_TIMEOUT);
        go(OUTPUT_SHUTDOWN, WRITE_STALL_TIMEOUT, CLOSED, CloseReason.WRITE_STALL_TIMEOUT);
        commonOpen(OUTPUT_SHUTDOWN);

        stay(DRAINING, READ_DATA);
        stay(DRAINING, READ_EOF);
        go(DRAINING, IO_RESET, CLOSED, CloseReason.PEER_RESET);
        go(DRAINING, IO_ERROR, CLOSED, CloseReason.IO_ERROR);
        stay(DRAINING, WRITE_PROGRESS);
        stay(DRAINING, WRITE_COMPLETE);
        stay(DRAINING, BACKLOG_BELOW_LOW);
        stay(DRAINING, HANDLER_CLOSE);
        stay(DRAINING, HANDLER_SHUTDOWN_OUTPUT);
        go(DRAINING, HANDLER_ABORT, CLOSED, CloseReason.ABORTED);
        go(DRAINING, HANDLER_ERROR, CLOSED, CloseReason.HANDLER_ERROR);
        go(DRAINING, DRAIN_COMPLETE, CLOSED, null);
        go(DRAINING, DRAIN_DEADLINE, CLOSED, CloseReason.DRAIN_TIMEOUT);
        go(DRAINING, LINGER_DEADLINE, CLOSED, null);
        stay(DRAINING, SERVER_SHUTDOWN);
        go(DRAINING, SHUTDOWN_DEADLINE, CLOSED, CloseReason.SERVER_SHUTDOWN);

        for (final ConnState from : STATES)
        {
            for (final ConnEvent event : EVENTS)
            {
                if (KIND[from.code()][event.code()] == Kind.GO && !isAllowed(from, TARGET[from.code()][event.code()]))
                {
                    throw new IllegalStateException("outcome " + from + " x " + event + " is not an allowed transition");
                }
            }
        }
    }

    private ConnTransitions()
    {
    }

    /** The events every open state (ACTIVE, BACKPRESSURED, INPUT_CLOSED, OUTPUT_SHUTDOWN) treats alike, unless set already. */
    private static void commonOpen(final ConnState state)
    {
        stayIfUnset(state, READ_DATA);
        stayIfUnset(state, WRITE_PROGRESS);
        stayIfUnset(state, WRITE_COMPLETE);
        stayIfUnset(state, BACKLOG_BELOW_LOW);
        goIfUnset(state, IO_RESET, CLOSED, CloseReason.PEER_RESET);
        goIfUnset(state, IO_ERROR, CLOSED, CloseReason.IO_ERROR);
        goIfUnset(state, HANDLER_CLOSE, DRAINING, null);
        goIfUnset(state, HANDLER_ABORT, CLOSED, CloseReason.ABORTED);
        goIfUnset(state, HANDLER_ERROR, CLOSED, CloseReason.HANDLER_ERROR);
        goIfUnset(state, INBOUND_OVERFLOW, CLOSED, CloseReason.INBOUND_OVERFLOW);
        goIfUnset(state, SERVER_SHUTDOWN, DRAINING, CloseReason.SERVER_SHUTDOWN);
        goIfUnset(state, SHUTDOWN_DEADLINE, CLOSED, CloseReason.SERVER_SHUTDOWN);
    }

    private static void allow(final ConnState from, final ConnState... to)
    {
        for (final ConnState target : to)
        {
            ALLOWED[from.code()][target.code()] = true;
        }
    }

    private static void stay(final ConnState state, final ConnEvent event)
    {
        KIND[state.code()][event.code()] = Kind.STAY;
    }

    private static void go(final ConnState state, final ConnEvent event, final ConnState to, final CloseReason reason)
    {
        KIND[state.code()][event.code()] = Kind.GO;
        TARGET[state.code()][event.code()] = to;
        REASON[state.code()][event.code()] = reason == null ? REQUESTED : reason.code();
    }

    private static boolean isUnset(final ConnState state, final ConnEvent event)
    {
        return KIND[state.code()][event.code()] == Kind.ILLEGAL && TARGET[state.code()][event.code()] == null;
    }

    private static void stayIfUnset(final ConnState state, final ConnEvent event)
    {
        if (isUnset(state, event))
        {
            stay(state, event);
        }
    }

    private static void goIfUnset(final ConnState state, final ConnEvent event, final ConnState to, final CloseReason reason)
    {
        if (isUnset(state, event))
        {
            go(state, event, to, reason);
        }
    }

    /** @return true if the table allows a change from {@code from} to {@code to}. */
    public static boolean isAllowed(final ConnState from, final ConnState to)
    {
        return ALLOWED[from.code()][to.code()];
    }

    /** @return the kind of outcome of {@code event} in {@code state}. */
    public static Kind kind(final ConnState state, final ConnEvent event)
    {
        return KIND[state.code()][event.code()];
    }

    /** @return the target state of a {@link Kind#GO} outcome, else null. */
    public static ConnState target(final ConnState state, final ConnEvent event)
    {
        return KIND[state.code()][event.code()] == Kind.GO ? TARGET[state.code()][event.code()] : null;
    }

    /**
     * @return the reason recorded by a {@link Kind#GO} outcome, or null when it is the reason the close was
     * requested with (carried by the connection), or for other kinds.
     */
    public static CloseReason reason(final ConnState state, final ConnEvent event)
    {
        if (KIND[state.code()][event.code()] != Kind.GO || REASON[state.code()][event.code()] == REQUESTED)
        {
            return null;
        }
        return CloseReason.fromCode(REASON[state.code()][event.code()]);
    }

    /** @return the outcome as the document writes it: {@code stay}, {@code n/a}, {@code ACTIVE}, {@code CLOSED (PEER_RESET)}, {@code DRAINING (requested)}. */
    public static String describe(final ConnState state, final ConnEvent event)
    {
        switch (KIND[state.code()][event.code()])
        {
            case STAY:
                return "stay";
            case ILLEGAL:
                return "n/a";
            default:
                final ConnState to = TARGET[state.code()][event.code()];
                final CloseReason reason = reason(state, event);
                if (reason == null)
                {
                    return to + " (requested)";
                }
                return reason == CloseReason.NONE ? to.name() : to + " (" + reason + ")";
        }
    }

    /** @return the timers that run in {@code state}, as the document lists them. */
    public static String timers(final ConnState state)
    {
        switch (state)
        {
            case CONNECTING:
                return "connect timeout";
            case ACTIVE:
                return "idle";
            case BACKPRESSURED:
                return "write stall";
            case INPUT_CLOSED:
            case OUTPUT_SHUTDOWN:
                return "idle, write stall (while a backlog remains)";
            case DRAINING:
                return "drain deadline";
            default:
                return "none";
        }
    }
}
