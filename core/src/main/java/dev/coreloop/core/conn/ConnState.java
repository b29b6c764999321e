package dev.coreloop.core.conn;

/**
 * The lifecycle states of a connection. The full (state × event) table, the entry actions and the timers that run
 * in each state are in {@link ConnTransitions} and {@code docs/connection-states.md}; a test checks that the
 * document and the code agree.
 *
 * <p>Flow control is not a state: whether the outbound backlog is above the watermarks (writability) and whether
 * reading is paused are flags of the connection, orthogonal to its lifecycle.
 *
 * <p>Codes are stable (they appear in transition records and counters) and equal to the ordinal.
 */
public enum ConnState
{
    /** Accepted by the acceptor, waiting in a reactor's inbox. No timer: the inbox is drained every cycle. */
    HANDED_OFF(0),
    /** Outbound connect in progress. Timer: connect timeout. */
    CONNECTING(1),
    /** Registered; reading and writing. Timers: idle, write stall (while a backlog remains). */
    ACTIVE(2),
    /** The peer sent FIN; no read interest; still writing. Timers: idle, write stall (while a backlog remains). */
    INPUT_CLOSED(3),
    /** We shut our output down: FIN once the backlog is written; still reading. Timers: idle, write stall. */
    OUTPUT_SHUTDOWN(4),
    /** A close was requested with input still open: flushing the backlog, discarding input. Timer: drain deadline. */
    DRAINING(5),
    /** A close was requested after the peer's FIN: flushing the backlog, no reading. Timer: drain deadline. */
    FLUSHING(6),
    /** Backlog written and FIN sent: a short read that discards input until the peer's EOF. Timer: drain deadline. */
    LINGERING(7),
    /** Closed; channel closed, timers cancelled, buffers returned. No timer. */
    CLOSED(8);

    private static final ConnState[] VALUES = values();

    private final int code;

    ConnState(final int code)
    {
        this.code = code;
    }

    /** {@return the stable code, equal to the ordinal} */
    public int code()
    {
        return code;
    }

    /** {@return true for the states in which a close has begun (DRAINING, FLUSHING, LINGERING) or ended} */
    public boolean isClosing()
    {
        return this == DRAINING || this == FLUSHING || this == LINGERING || this == CLOSED;
    }

    /**
     * {@return the state with this code}
     *
     * @param code a stable code, as {@link #code()} returns it.
     * @throws IllegalArgumentException if no state has this code.
     */
    public static ConnState fromCode(final int code)
    {
        if (code < 0 || code >= VALUES.length)
        {
            throw new IllegalArgumentException("unknown connection state code: " + code);
        }
        return VALUES[code];
    }
}
