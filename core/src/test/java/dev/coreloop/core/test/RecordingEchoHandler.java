package dev.coreloop.core.test;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ConnectionHandlerFactory;
import org.agrona.DirectBuffer;

/**
 * An echo handler for core integration tests (core cannot use the examples module's echo). It writes back
 * what the outbound ring accepts, consumes only that, and records every event in a {@link ServerEvents}.
 * Its data path allocates nothing.
 *
 * <p>On the peer's FIN it either closes gracefully (the {@link ConnectionHandler} default: finish writing,
 * then close) or, with {@code holdOnInputClosed}, keeps the half-closed connection open, which is what the
 * no-spin test needs.
 *
 * <p><b>Threading:</b> immutable apart from the thread-safe {@link ServerEvents}; one instance serves every
 * connection of every reactor.
 */
public final class RecordingEchoHandler implements ConnectionHandler
{
    private final ServerEvents events;
    private final boolean holdOnInputClosed;

    /**
     * @param events            where to record.
     * @param holdOnInputClosed true to keep a connection open after the peer's FIN.
     */
    public RecordingEchoHandler(final ServerEvents events, final boolean holdOnInputClosed)
    {
        this.events = events;
        this.holdOnInputClosed = holdOnInputClosed;
    }

    /** @return a factory handing this one instance to every connection. */
    public ConnectionHandlerFactory factory()
    {
        return reactor -> this;
    }

    @Override
    public void onOpened(final Connection connection)
    {
        events.onOpened(connection.reactor().index());
    }

    @Override
    public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
    {
        int written = 0;
        int chunk = length;
        while (chunk > 0 && written < length)
        {
            final int size = Math.min(chunk, length - written);
            if (connection.write(buffer, offset + written, size))
            {
                written += size;
            }
            else
            {
                chunk >>>= 1;
            }
        }
        events.onEchoed(written, connection.outboundBytes());
        return written;
    }

    @Override
    public void onWritabilityChanged(final Connection connection, final boolean writable)
    {
        events.onWritabilityChanged(writable);
    }

    @Override
    public void onInputClosed(final Connection connection)
    {
        events.onInputClosed();
        if (!holdOnInputClosed)
        {
            connection.close();
        }
    }

    @Override
    public void onClosed(final Connection connection, final CloseReason reason)
    {
        events.onClosed(reason);
    }
}
