package dev.coreloop.core.conn;

/**
 * Everything that can happen to a connection's lifecycle. Each (state, event) pair has one outcome in
 * {@link ConnTransitions}; {@code docs/connection-states.md} holds the same matrix.
 *
 * <p>Codes are stable and equal to the ordinal.
 */
public enum ConnEvent
{
    /** The reactor took the accepted channel from its inbox, registered it and created its handler. */
    REGISTERED("reactor registered the accepted channel"),
    /** The reactor refused a handed-off channel (connection limit reached). */
    REJECTED("reactor refused the handed-off channel"),
    /** An outbound connect completed. */
    CONNECT_OK("outbound connect completed"),
    /** An outbound connect failed. */
    CONNECT_FAILED("outbound connect failed"),
    /** The connect timeout passed before the connect completed. */
    CONNECT_TIMEOUT("connect timer expired"),
    /** A read returned bytes (delivered to the handler; discarded while closing). */
    READ_DATA("a read returned bytes"),
    /** A read returned end of stream: the peer sent FIN. */
    READ_EOF("a read returned -1 (peer FIN)"),
    /** The outbound backlog became empty (or was empty when a state that waits for it was entered). */
    WRITE_COMPLETE("the outbound backlog is empty"),
    /** A read or write failed with a reset (ECONNRESET, EPIPE). */
    IO_RESET("read or write failed with a reset"),
    /** A read or write failed with another I/O error. */
    IO_ERROR("read or write failed otherwise"),
    /** The handler called close() or close(reason). */
    HANDLER_CLOSE("handler called close()"),
    /** The handler called shutdownOutput(). */
    HANDLER_SHUTDOWN_OUTPUT("handler called shutdownOutput()"),
    /** The handler called abort(). */
    HANDLER_ABORT("handler called abort()"),
    /** A handler callback (or the handler factory) threw. */
    HANDLER_ERROR("a handler callback threw"),
    /** The inbound ring is full at its cap and the handler, free to produce, consumed nothing. */
    INBOUND_OVERFLOW("inbound ring full at cap with nothing consumed, or no pool memory"),
    /** No bytes in either direction for the idle timeout. */
    IDLE_TIMEOUT("idle timer expired"),
    /** A non-empty backlog made no progress for the write-stall timeout (also while a close flushes it). */
    WRITE_STALL_TIMEOUT("write-stall timer expired"),
    /** The lingering read after FIN lasted drainTimeoutMs without the peer's EOF. */
    LINGER_DEADLINE("linger deadline passed after FIN"),
    /** The server began a graceful shutdown. */
    SERVER_SHUTDOWN("server began a graceful shutdown"),
    /** The server's shutdown deadline passed. */
    SHUTDOWN_DEADLINE("server shutdown deadline passed"),
    /** The owning reactor died of an error outside user code: everything it owned is closed. */
    REACTOR_FAILURE("the owning reactor died of an error outside user code");

    private static final ConnEvent[] VALUES = values();

    private final String description;

    ConnEvent(final String description)
    {
        this.description = description;
    }

    /** {@return the stable code, equal to the ordinal} */
    public int code()
    {
        return ordinal();
    }

    /** {@return one line for the documentation} */
    public String description()
    {
        return description;
    }

    /**
     * {@return the event with this code}
     *
     * @param code a stable code, as {@link #code()} returns it.
     * @throws IllegalArgumentException if no event has this code.
     */
    public static ConnEvent fromCode(final int code)
    {
        if (code < 0 || code >= VALUES.length)
        {
            throw new IllegalArgumentException("unknown connection event code: " + code);
        }
        return VALUES[code];
    }
}
