package dev.coreloop.core.conn;

/**
 * Everything that can happen to a connection. Each (state, event) pair has one outcome in
 * {@link ConnTransitions}; {@code docs/connection-states.md} holds the same matrix.
 *
 * <p>Codes are stable and equal to the ordinal.
 */
public enum ConnEvent
{
    /** The reactor took the accepted channel from its inbox and registered it with its selector. */
    REGISTERED("reactor registered the accepted channel"),
    /** An outbound connect completed. */
    CONNECT_OK("outbound connect completed"),
    /** An outbound connect failed. */
    CONNECT_FAILED("outbound connect failed"),
    /** The connect timeout passed before the connect completed. */
    CONNECT_TIMEOUT("connect timer expired"),
    /** Readable, and a read returned bytes (delivered to the handler; discarded while draining). */
    READ_DATA("readable; a read returned bytes"),
    /** A read returned end of stream: the peer sent FIN. */
    READ_EOF("a read returned -1 (peer FIN)"),
    /** A read or write failed with a reset (ECONNRESET, EPIPE). */
    IO_RESET("read or write failed with a reset"),
    /** A read or write failed with another I/O error. */
    IO_ERROR("read or write failed otherwise"),
    /** Writable (or flush phase) and some backlog was written, some remains. */
    WRITE_PROGRESS("some backlog written, some remains"),
    /** The outbound backlog is now empty. */
    WRITE_COMPLETE("the outbound backlog became empty"),
    /** The backlog rose above the high watermark. */
    BACKLOG_ABOVE_HIGH("backlog rose above the high watermark"),
    /** The backlog fell below the low watermark after having been above the high one. */
    BACKLOG_BELOW_LOW("backlog fell below the low watermark"),
    /** The handler called close() or close(reason). */
    HANDLER_CLOSE("handler called close()"),
    /** The handler called shutdownOutput(). */
    HANDLER_SHUTDOWN_OUTPUT("handler called shutdownOutput()"),
    /** The handler called abort(). */
    HANDLER_ABORT("handler called abort()"),
    /** A handler callback threw. */
    HANDLER_ERROR("a handler callback threw"),
    /**
     * The inbound ring is full at its cap and the handler, though writable, consumed nothing; or the buffer pool
     * had no chunk left to grow the inbound ring.
     */
    INBOUND_OVERFLOW("inbound ring full at cap with nothing consumed, or no pool memory"),
    /** No bytes in either direction for the idle timeout. */
    IDLE_TIMEOUT("idle timer expired"),
    /** The backlog made no progress for the write-stall timeout. */
    WRITE_STALL_TIMEOUT("write-stall timer expired"),
    /** Draining: the backlog is written, FIN sent and the peer's EOF seen. */
    DRAIN_COMPLETE("backlog written, FIN sent, peer EOF seen"),
    /** Draining: the deadline passed with output still pending. */
    DRAIN_DEADLINE("drain deadline passed, output still pending"),
    /** Draining: the deadline passed after FIN was sent (only the lingering read remained). */
    LINGER_DEADLINE("drain deadline passed while lingering after FIN"),
    /** The server began a graceful shutdown. */
    SERVER_SHUTDOWN("server began a graceful shutdown"),
    /** The server's shutdown deadline passed. */
    SHUTDOWN_DEADLINE("server shutdown deadline passed"),
    /** The reactor refused a handed-off channel (connection limit reached, or stopping). */
    REJECTED("reactor refused the handed-off channel");

    private static final ConnEvent[] VALUES = values();

    private final String description;

    ConnEvent(final String description)
    {
        this.description = description;
    }

    /** @return the stable code, equal to the ordinal. */
    public int code()
    {
        return ordinal();
    }

    /** @return one line for the documentation. */
    public String description()
    {
        return description;
    }

    /** @return the event with this code. */
    public static ConnEvent fromCode(final int code)
    {
        if (code < 0 || code >= VALUES.length)
        {
            throw new IllegalArgumentException("unknown connection event code: " + code);
        }
        return VALUES[code];
    }
}
