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
 * <p>The events, in the order a connection can see them:
 * {@link #onOpened} once; then any number of {@link #onData}, {@link #onWritabilityChanged} and
 * {@link #onTimer}; at most one {@link #onInputClosed}; and {@link #onClosed} exactly once, last.
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
     * @return how many bytes, from {@code offset}, the handler consumed ({@code 0..length}). Bytes not
     * consumed are presented again, followed by newer ones, on the next call. Returning 0 while the
     * inbound ring is full ends the connection with {@link CloseReason#INBOUND_OVERFLOW}, as a frame larger
     * than the inbound cap can never complete.
     */
    int onData(Connection connection, DirectBuffer buffer, int offset, int length);

    /**
     * The outbound backlog crossed the high watermark ({@code writable == false}; reading is paused) or
     * fell back below the low watermark ({@code writable == true}; reading resumes). Only real changes
     * are reported.
     */
    default void onWritabilityChanged(final Connection connection, final boolean writable)
    {
    }

    /**
     * The peer shut down its output (FIN). No more data will arrive; the connection has stopped read
     * interest and may still write. The default finishes writing what is pending and then closes
     * gracefully, which is right for request/response protocols.
     */
    default void onInputClosed(final Connection connection)
    {
        connection.close();
    }

    /**
     * A timer armed with {@link Connection#scheduleTimer(long)} expired.
     *
     * @param timerId the id returned when it was armed.
     * @param nowNs   the reactor's clock for this cycle.
     */
    default void onTimer(final Connection connection, final long timerId, final long nowNs)
    {
    }

    /**
     * The connection is closed and its resources released; no further call follows. Writes are refused.
     *
     * @param reason why it closed.
     */
    default void onClosed(final Connection connection, final CloseReason reason)
    {
    }
}
