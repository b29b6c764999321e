package dev.coreloop.core;

/**
 * Why a connection closed. Codes are stable: they appear in transition events and counters.
 */
public enum CloseReason
{
    /** Not closed. Used as the reason of transitions that are not closes. */
    NONE(0),
    /** The handler or the server asked for a graceful close and it completed. */
    LOCAL_CLOSE(1),
    /** The peer closed (FIN) and the connection finished its output. */
    PEER_CLOSED(2),
    /** The peer reset the connection (ECONNRESET, EPIPE). */
    PEER_RESET(3),
    /** No bytes in either direction for the idle timeout. */
    IDLE_TIMEOUT(4),
    /** The outbound backlog made no progress for the write-stall timeout. */
    WRITE_STALL_TIMEOUT(5),
    /** The handler reported a protocol error; an error reply was sent and the close lingered. */
    PROTOCOL_ERROR(6),
    /**
     * Reserved: no longer recorded (a close that cannot flush is ended by the write-stall timer,
     * {@link #WRITE_STALL_TIMEOUT}). Kept so that codes stay stable.
     */
    DRAIN_TIMEOUT(7),
    /** The handler called {@link Connection#abort()}. */
    ABORTED(8),
    /** The server shut down (after its graceful deadline, if the connection was still open). */
    SERVER_SHUTDOWN(9),
    /** The handler threw; the exception was counted and reported. */
    HANDLER_ERROR(10),
    /** An I/O error other than a reset. */
    IO_ERROR(11),
    /** The inbound ring reached its cap and the handler consumed nothing: a frame too large for the limits. */
    INBOUND_OVERFLOW(12),
    /** An outbound connect failed. */
    CONNECT_FAILED(13),
    /** An outbound connect did not complete before its timeout. */
    CONNECT_TIMEOUT(14),
    /** The reactor refused the connection (its connection limit, or it is stopping). */
    REJECTED(15),
    /** A (state, event) pair that the transition table forbids: a bug, counted and closed. */
    ILLEGAL_TRANSITION(16),
    /** The reactor that owned the connection died of an error outside user code; the server closed what it had. */
    REACTOR_FAILED(17);

    private static final CloseReason[] VALUES = values();

    private final int code;

    CloseReason(final int code)
    {
        this.code = code;
    }

    /** {@return the stable code} */
    public int code()
    {
        return code;
    }

    /**
     * {@return the reason with this code}
     *
     * @param code a stable code, as {@link #code()} returns it.
     * @throws IllegalArgumentException if no reason has this code.
     */
    public static CloseReason fromCode(final int code)
    {
        if (code < 0 || code >= VALUES.length)
        {
            throw new IllegalArgumentException("unknown close reason code: " + code);
        }
        return VALUES[code];
    }
}
