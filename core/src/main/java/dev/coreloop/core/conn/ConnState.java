package dev.coreloop.core.conn;

/**
 * The states of a connection. The full (state × event) table, and the timers that run in each state, are in
 * {@code docs/connection-states.md}; a test checks that the document and the code agree.
 *
 * <p>Codes are stable (they appear in transition events and counters) and equal to the ordinal.
 */
public enum ConnState
{
    /** Accepted by the acceptor, waiting in a reactor's inbox. No timer: the inbox is drained every cycle. */
    HANDED_OFF(0),
    /** Outbound connect in progress. Timer: connect timeout. */
    CONNECTING(1),
    /** Registered; reading and writing. Timer: idle. */
    ACTIVE(2),
    /** Outbound backlog above the high watermark; reads paused. Timer: write stall. */
    BACKPRESSURED(3),
    /** Peer sent FIN; no read interest; still writing. Timer: write stall (while a backlog remains) and idle. */
    INPUT_CLOSED(4),
    /** We shut our output down after the backlog; still reading. Timer: idle. */
    OUTPUT_SHUTDOWN(5),
    /** Graceful close: flushing, then FIN, then a short lingering read. Timer: drain deadline. */
    DRAINING(6),
    /** Closed; resources released. No timer. */
    CLOSED(7);

    private static final ConnState[] VALUES = values();

    private final int code;

    ConnState(final int code)
    {
        this.code = code;
    }

    /** @return the stable code, equal to the ordinal. */
    public int code()
    {
        return code;
    }

    /** @return the state with this code. */
    public static ConnState fromCode(final int code)
    {
        if (code < 0 || code >= VALUES.length)
        {
            throw new IllegalArgumentException("unknown connection state code: " + code);
        }
        return VALUES[code];
    }
}
