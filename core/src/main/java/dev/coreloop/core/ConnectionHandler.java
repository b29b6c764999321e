package dev.coreloop.core;

import org.agrona.DirectBuffer;

/**
 * The protocol logic of one connection. The kit calls it; it never calls another connection's handler.
 *
 * <p><b>Threading:</b> every method runs on the thread of the reactor that owns the connection, one call at
 * a time. A handler may keep plain fields. Work that must happen "later, in a safe context" (for instance
 * after the current event, or on another reactor) goes through {@link ReactorContext#execute(Runnable)} or
 * {@link ReactorContext#sendMessage}; a handler never calls another handler synchronously.
 *
 * <p><b>Never nested.</b> Only {@link #onData} and {@link #onTimer} are called straight from the connection's own
 * I/O and timers; every other callback, and every callback that one connection's action causes on another (A's
 * handler aborts B: B's {@code onClosed}), runs after the current callback has returned. Any {@link Throwable} a
 * callback throws ({@code StackOverflowError} included) closes only its own connection with
 * {@link CloseReason#HANDLER_ERROR}, and is counted; it never stops the reactor.
 *
 * <p>The events, in the order a connection can see them:
 * {@link #onOpened} once (unless it closed before it could open); then any number of {@link #onData},
 * {@link #onWritabilityChanged} and {@link #onTimer}; at most one {@link #onInputClosed}, after which only input
 * received before the FIN and held by the handler is presented again; and {@link #onClosed} exactly once, last.
 */
public interface ConnectionHandler
{
    /**
     * The connection is registered with its reactor and may read and write.
     *
     * @param connection the connection, valid until {@link #onClosed} returns.
     */
    default void onOpened(final Connection connection)
    {
    }

    /**
     * Inbound bytes are available. The view {@code buffer[offset, offset + length)} is valid only during
     * this call and holds every byte received and not yet consumed, oldest first; a frame that wrapped
     * around the end of the inbound ring is presented contiguously.
     *
     * @param connection the connection the bytes came from.
     * @param buffer     a view of the inbound ring.
     * @param offset     where the unconsumed bytes start in {@code buffer}.
     * @param length     how many unconsumed bytes there are.
     * @return how many bytes, from {@code offset}, the handler consumed ({@code 0..length}). Bytes not
     * consumed are presented again, followed by newer ones, on the next call. Returning 0 while the
     * inbound ring is full ends the connection with {@link CloseReason#INBOUND_OVERFLOW}, as a frame larger
     * than the inbound cap can never complete.
     */
    int onData(Connection connection, DirectBuffer buffer, int offset, int length);

    /**
     * The connection became unwritable ({@code writable == false}: the backlog crossed the high watermark, or a
     * write was refused) or writable again ({@code writable == true}: the backlog fell below the low watermark).
     * Only real changes are reported, after the callback that caused them. Under the default
     * {@link ReadPausePolicy#OWN_BACKLOG} this connection's reads pause while it is unwritable and input it held is
     * presented again when it is writable; a relay ({@link ReadPausePolicy#MANUAL}) pauses and resumes the other side
     * here instead.
     *
     * @param connection the connection whose writability changed.
     * @param writable   the new state.
     */
    default void onWritabilityChanged(final Connection connection, final boolean writable)
    {
    }

    /**
     * The peer shut down its output (FIN). No more data will arrive; the connection has stopped read
     * interest and may still write (unless it had shut its own output, in which case it closes once its backlog is
     * written). The default finishes writing what is pending and then closes gracefully, which is right for
     * request/response protocols; a relay calls {@code shutdownOutput()} on the other side instead.
     *
     * @param connection the connection whose peer sent FIN.
     */
    default void onInputClosed(final Connection connection)
    {
        connection.close();
    }

    /**
     * A timer armed with {@link Connection#scheduleTimer(long)} expired.
     *
     * @param connection the connection that armed it.
     * @param timerId    the id returned when it was armed.
     * @param nowNs      the reactor's clock for this cycle.
     */
    default void onTimer(final Connection connection, final long timerId, final long nowNs)
    {
    }

    /**
     * The connection is closed and its resources released; no further call follows. Writes are refused.
     *
     * @param connection the connection, for its id and state; it accepts no more writes.
     * @param reason     why it closed.
     */
    default void onClosed(final Connection connection, final CloseReason reason)
    {
    }
}
