package dev.coreloop.core.conn;

import static dev.coreloop.core.conn.ConnEvent.*;
import static dev.coreloop.core.conn.ConnState.*;

import dev.coreloop.core.CloseReason;

/**
 * The connection state machine as data, written literally: one row per state, every event spelled out in
 * {@link ConnEvent} order, each cell an {@link Outcome} with its next state, the close reason it records, whether it
 * closes with a reset ("abortive") and any in-place action. Nothing is filled in by default: class initialisation
 * fails if a row misses an event, repeats one or lists them out of order. {@code docs/connection-states.md} holds the
 * same table; {@code ConnTransitionsDocTest} fails if they differ.
 *
 * <p>Cell notation: {@code go(event, STATE, CloseReason.REASON)}; {@code reset(...)} is an abortive go; {@code requested(...)}
 * records the reason the close was requested with; {@code stay(event)}; {@code na(event)} is a bug if it happens.
 *
 * <p><b>Threading:</b> immutable after class initialisation; any thread.
 */
public final class ConnTransitions
{
    private static final ConnState[] STATES = ConnState.values();
    private static final ConnEvent[] EVENTS = ConnEvent.values();

    private static final Outcome[][] TABLE = {
        row(HANDED_OFF,
            go(REGISTERED, ACTIVE, CloseReason.NONE),
            go(REJECTED, CLOSED, CloseReason.REJECTED),
            na(CONNECT_OK),
            na(CONNECT_FAILED),
            na(CONNECT_TIMEOUT),
            na(READ_DATA),
            na(READ_EOF),
            na(WRITE_COMPLETE),
            reset(IO_RESET, CLOSED, CloseReason.PEER_RESET),
            go(IO_ERROR, CLOSED, CloseReason.IO_ERROR),
            na(HANDLER_CLOSE),
            na(HANDLER_SHUTDOWN_OUTPUT),
            na(HANDLER_ABORT),
            reset(HANDLER_ERROR, CLOSED, CloseReason.HANDLER_ERROR),
            na(INBOUND_OVERFLOW),
            na(IDLE_TIMEOUT),
            na(WRITE_STALL_TIMEOUT),
            na(LINGER_DEADLINE),
            go(SERVER_SHUTDOWN, CLOSED, CloseReason.SERVER_SHUTDOWN),
            reset(SHUTDOWN_DEADLINE, CLOSED, CloseReason.SERVER_SHUTDOWN),
            reset(REACTOR_FAILURE, CLOSED, CloseReason.REACTOR_FAILED)),
        row(CONNECTING,
            na(REGISTERED),
            na(REJECTED),
            go(CONNECT_OK, ACTIVE, CloseReason.NONE),
            go(CONNECT_FAILED, CLOSED, CloseReason.CONNECT_FAILED),
            go(CONNECT_TIMEOUT, CLOSED, CloseReason.CONNECT_TIMEOUT),
            na(READ_DATA),
            na(READ_EOF),
            na(WRITE_COMPLETE),
            na(IO_RESET),
            na(IO_ERROR),
            requested(HANDLER_CLOSE, CLOSED),
            stay(HANDLER_SHUTDOWN_OUTPUT, ConnAction.DEFER_UNTIL_CONNECTED),
            reset(HANDLER_ABORT, CLOSED, CloseReason.ABORTED),
            reset(HANDLER_ERROR, CLOSED, CloseReason.HANDLER_ERROR),
            na(INBOUND_OVERFLOW),
            na(IDLE_TIMEOUT),
            na(WRITE_STALL_TIMEOUT),
            na(LINGER_DEADLINE),
            go(SERVER_SHUTDOWN, CLOSED, CloseReason.SERVER_SHUTDOWN),
            reset(SHUTDOWN_DEADLINE, CLOSED, CloseReason.SERVER_SHUTDOWN),
            reset(REACTOR_FAILURE, CLOSED, CloseReason.REACTOR_FAILED)),
        row(ACTIVE,
            na(REGISTERED),
            na(REJECTED),
            na(CONNECT_OK),
            na(CONNECT_FAILED),
            na(CONNECT_TIMEOUT),
            stay(READ_DATA),
            go(READ_EOF, INPUT_CLOSED, CloseReason.NONE),
            stay(WRITE_COMPLETE),
            reset(IO_RESET, CLOSED, CloseReason.PEER_RESET),
            go(IO_ERROR, CLOSED, CloseReason.IO_ERROR),
            requested(HANDLER_CLOSE, DRAINING),
            go(HANDLER_SHUTDOWN_OUTPUT, OUTPUT_SHUTDOWN, CloseReason.NONE),
            reset(HANDLER_ABORT, CLOSED, CloseReason.ABORTED),
            reset(HANDLER_ERROR, CLOSED, CloseReason.HANDLER_ERROR),
            go(INBOUND_OVERFLOW, CLOSED, CloseReason.INBOUND_OVERFLOW),
            go(IDLE_TIMEOUT, CLOSED, CloseReason.IDLE_TIMEOUT),
            reset(WRITE_STALL_TIMEOUT, CLOSED, CloseReason.WRITE_STALL_TIMEOUT),
            na(LINGER_DEADLINE),
            go(SERVER_SHUTDOWN, DRAINING, CloseReason.SERVER_SHUTDOWN),
            reset(SHUTDOWN_DEADLINE, CLOSED, CloseReason.SERVER_SHUTDOWN),
            reset(REACTOR_FAILURE, CLOSED, CloseReason.REACTOR_FAILED)),
        row(INPUT_CLOSED,
            na(REGISTERED),
            na(REJECTED),
            na(CONNECT_OK),
            na(CONNECT_FAILED),
            na(CONNECT_TIMEOUT),
            na(READ_DATA),
            na(READ_EOF),
            stay(WRITE_COMPLETE),
            reset(IO_RESET, CLOSED, CloseReason.PEER_RESET),
            go(IO_ERROR, CLOSED, CloseReason.IO_ERROR),
            requested(HANDLER_CLOSE, FLUSHING),
            go(HANDLER_SHUTDOWN_OUTPUT, FLUSHING, CloseReason.PEER_CLOSED),
            reset(HANDLER_ABORT, CLOSED, CloseReason.ABORTED),
            reset(HANDLER_ERROR, CLOSED, CloseReason.HANDLER_ERROR),
            na(INBOUND_OVERFLOW),
            go(IDLE_TIMEOUT, CLOSED, CloseReason.IDLE_TIMEOUT),
            reset(WRITE_STALL_TIMEOUT, CLOSED, CloseReason.WRITE_STALL_TIMEOUT),
            na(LINGER_DEADLINE),
            go(SERVER_SHUTDOWN, FLUSHING, CloseReason.SERVER_SHUTDOWN),
            reset(SHUTDOWN_DEADLINE, CLOSED, CloseReason.SERVER_SHUTDOWN),
            reset(REACTOR_FAILURE, CLOSED, CloseReason.REACTOR_FAILED)),
        row(OUTPUT_SHUTDOWN,
            na(REGISTERED),
            na(REJECTED),
            na(CONNECT_OK),
            na(CONNECT_FAILED),
            na(CONNECT_TIMEOUT),
            stay(READ_DATA),
            go(READ_EOF, FLUSHING, CloseReason.PEER_CLOSED),
            stay(WRITE_COMPLETE, ConnAction.SEND_FIN),
            reset(IO_RESET, CLOSED, CloseReason.PEER_RESET),
            go(IO_ERROR, CLOSED, CloseReason.IO_ERROR),
            requested(HANDLER_CLOSE, DRAINING),
            stay(HANDLER_SHUTDOWN_OUTPUT),
            reset(HANDLER_ABORT, CLOSED, CloseReason.ABORTED),
            reset(HANDLER_ERROR, CLOSED, CloseReason.HANDLER_ERROR),
            go(INBOUND_OVERFLOW, CLOSED, CloseReason.INBOUND_OVERFLOW),
            go(IDLE_TIMEOUT, CLOSED, CloseReason.IDLE_TIMEOUT),
            reset(WRITE_STALL_TIMEOUT, CLOSED, CloseReason.WRITE_STALL_TIMEOUT),
            na(LINGER_DEADLINE),
            go(SERVER_SHUTDOWN, DRAINING, CloseReason.SERVER_SHUTDOWN),
            reset(SHUTDOWN_DEADLINE, CLOSED, CloseReason.SERVER_SHUTDOWN),
            reset(REACTOR_FAILURE, CLOSED, CloseReason.REACTOR_FAILED)),
        row(DRAINING,
            na(REGISTERED),
            na(REJECTED),
            na(CONNECT_OK),
            na(CONNECT_FAILED),
            na(CONNECT_TIMEOUT),
            stay(READ_DATA),
            requested(READ_EOF, FLUSHING),
            requested(WRITE_COMPLETE, LINGERING),
            reset(IO_RESET, CLOSED, CloseReason.PEER_RESET),
            go(IO_ERROR, CLOSED, CloseReason.IO_ERROR),
            stay(HANDLER_CLOSE),
            stay(HANDLER_SHUTDOWN_OUTPUT),
            reset(HANDLER_ABORT, CLOSED, CloseReason.ABORTED),
            reset(HANDLER_ERROR, CLOSED, CloseReason.HANDLER_ERROR),
            na(INBOUND_OVERFLOW),
            na(IDLE_TIMEOUT),
            reset(WRITE_STALL_TIMEOUT, CLOSED, CloseReason.WRITE_STALL_TIMEOUT),
            na(LINGER_DEADLINE),
            stay(SERVER_SHUTDOWN),
            reset(SHUTDOWN_DEADLINE, CLOSED, CloseReason.SERVER_SHUTDOWN),
            reset(REACTOR_FAILURE, CLOSED, CloseReason.REACTOR_FAILED)),
        row(FLUSHING,
            na(REGISTERED),
            na(REJECTED),
            na(CONNECT_OK),
            na(CONNECT_FAILED),
            na(CONNECT_TIMEOUT),
            na(READ_DATA),
            na(READ_EOF),
            requested(WRITE_COMPLETE, CLOSED),
            reset(IO_RESET, CLOSED, CloseReason.PEER_RESET),
            go(IO_ERROR, CLOSED, CloseReason.IO_ERROR),
            stay(HANDLER_CLOSE),
            stay(HANDLER_SHUTDOWN_OUTPUT),
            reset(HANDLER_ABORT, CLOSED, CloseReason.ABORTED),
            reset(HANDLER_ERROR, CLOSED, CloseReason.HANDLER_ERROR),
            na(INBOUND_OVERFLOW),
            na(IDLE_TIMEOUT),
            reset(WRITE_STALL_TIMEOUT, CLOSED, CloseReason.WRITE_STALL_TIMEOUT),
            na(LINGER_DEADLINE),
            stay(SERVER_SHUTDOWN),
            reset(SHUTDOWN_DEADLINE, CLOSED, CloseReason.SERVER_SHUTDOWN),
            reset(REACTOR_FAILURE, CLOSED, CloseReason.REACTOR_FAILED)),
        row(LINGERING,
            na(REGISTERED),
            na(REJECTED),
            na(CONNECT_OK),
            na(CONNECT_FAILED),
            na(CONNECT_TIMEOUT),
            stay(READ_DATA),
            requested(READ_EOF, CLOSED),
            na(WRITE_COMPLETE),
            reset(IO_RESET, CLOSED, CloseReason.PEER_RESET),
            go(IO_ERROR, CLOSED, CloseReason.IO_ERROR),
            stay(HANDLER_CLOSE),
            stay(HANDLER_SHUTDOWN_OUTPUT),
            reset(HANDLER_ABORT, CLOSED, CloseReason.ABORTED),
            reset(HANDLER_ERROR, CLOSED, CloseReason.HANDLER_ERROR),
            na(INBOUND_OVERFLOW),
            na(IDLE_TIMEOUT),
            na(WRITE_STALL_TIMEOUT),
            requested(LINGER_DEADLINE, CLOSED),
            stay(SERVER_SHUTDOWN),
            reset(SHUTDOWN_DEADLINE, CLOSED, CloseReason.SERVER_SHUTDOWN),
            reset(REACTOR_FAILURE, CLOSED, CloseReason.REACTOR_FAILED)),
        row(CLOSED,
            stay(REGISTERED),
            stay(REJECTED),
            stay(CONNECT_OK),
            stay(CONNECT_FAILED),
            stay(CONNECT_TIMEOUT),
            stay(READ_DATA),
            stay(READ_EOF),
            stay(WRITE_COMPLETE),
            stay(IO_RESET),
            stay(IO_ERROR),
            stay(HANDLER_CLOSE),
            stay(HANDLER_SHUTDOWN_OUTPUT),
            stay(HANDLER_ABORT),
            stay(HANDLER_ERROR),
            stay(INBOUND_OVERFLOW),
            stay(IDLE_TIMEOUT),
            stay(WRITE_STALL_TIMEOUT),
            stay(LINGER_DEADLINE),
            stay(SERVER_SHUTDOWN),
            stay(SHUTDOWN_DEADLINE),
            stay(REACTOR_FAILURE)),
    };

    static
    {
        if (TABLE.length != STATES.length)
        {
            throw new IllegalStateException("transition table has " + TABLE.length + " rows for " + STATES.length +
                " states");
        }
    }

    private ConnTransitions()
    {
    }

    private static Outcome[] row(final ConnState state, final Outcome... cells)
    {
        if (state.ordinal() >= STATES.length || cells.length != EVENTS.length)
        {
            throw new IllegalStateException("row " + state + " has " + cells.length + " cells for " + EVENTS.length +
                " events");
        }
        for (int i = 0; i < cells.length; i++)
        {
            if (cells[i].event() != EVENTS[i])
            {
                throw new IllegalStateException("row " + state + ", cell " + i + ": " + cells[i].event() +
                    " where " + EVENTS[i] + " belongs (one cell per event, in ConnEvent order)");
            }
            if (cells[i].kind() == Outcome.Kind.GO && cells[i].target() == state)
            {
                throw new IllegalStateException("row " + state + ": " + cells[i] + " goes to its own state");
            }
        }
        return cells;
    }

    private static Outcome go(final ConnEvent event, final ConnState target, final CloseReason reason)
    {
        return Outcome.go(event, target, reason, false);
    }

    private static Outcome reset(final ConnEvent event, final ConnState target, final CloseReason reason)
    {
        return Outcome.go(event, target, reason, true);
    }

    private static Outcome requested(final ConnEvent event, final ConnState target)
    {
        return Outcome.go(event, target, null, false);
    }

    private static Outcome stay(final ConnEvent event)
    {
        return Outcome.stay(event, ConnAction.NONE);
    }

    private static Outcome stay(final ConnEvent event, final ConnAction action)
    {
        return Outcome.stay(event, action);
    }

    private static Outcome na(final ConnEvent event)
    {
        return Outcome.illegal(event);
    }

    /**
     * {@return the outcome of {@code event} in {@code state}. Allocates nothing}
     *
     * @param state the current state.
     * @param event what happened.
     */
    public static Outcome outcome(final ConnState state, final ConnEvent event)
    {
        return TABLE[state.ordinal()][event.ordinal()];
    }

    /**
     * {@return true if some event takes {@code from} to {@code to}: the allowed transitions, derived from the table}
     *
     * @param from a state.
     * @param to   another state (or the same).
     */
    public static boolean isAllowed(final ConnState from, final ConnState to)
    {
        for (final Outcome outcome : TABLE[from.ordinal()])
        {
            if (outcome.kind() == Outcome.Kind.GO && outcome.target() == to)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * {@return the cell as the document writes it (see {@link Outcome#describe()})}
     *
     * @param state a state (a row of the table).
     * @param event an event (a column).
     */
    public static String describe(final ConnState state, final ConnEvent event)
    {
        return outcome(state, event).describe();
    }

    /**
     * {@return the timers that run in {@code state}, as the document lists them}
     *
     * @param state a state.
     */
    public static String timers(final ConnState state)
    {
        switch (state)
        {
            case CONNECTING:
                return "connect timeout";
            case ACTIVE:
            case INPUT_CLOSED:
            case OUTPUT_SHUTDOWN:
                return "idle, write stall (while a backlog remains)";
            case DRAINING:
            case FLUSHING:
                return "write stall";
            case LINGERING:
                return "linger deadline";
            default:
                return "none";
        }
    }
}
