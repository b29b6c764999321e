package dev.coreloop.examples.echo;

import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ConnectionHandlerFactory;
import org.agrona.DirectBuffer;

/**
 * Writes back every byte it receives.
 *
 * <p>Backpressure: {@link Connection#write} is all or nothing and refuses bytes that would take the outbound
 * backlog past its hard cap. The handler then writes what still fits, in chunks whose size halves after
 * every refusal (so about 2·log2(length) attempts at most), and consumes only what it wrote; the rest stays in the
 * inbound ring and is offered again with the next bytes. While the connection is unwritable the kit has paused reading,
 * so a peer that never reads ends up blocked by TCP flow control, and the server's memory for it stays under the cap.
 *
 * <p>Allocation: none. The bytes are copied from the inbound view straight into the outbound ring.
 *
 * <p><b>Threading:</b> stateless; every call runs on the owning reactor's thread, and one instance may
 * serve every connection of every reactor ({@link #FACTORY}).
 */
public final class EchoHandler implements ConnectionHandler
{
    /** The shared, stateless instance. */
    public static final EchoHandler INSTANCE = new EchoHandler();

    /** A factory returning {@link #INSTANCE} for every connection (allocates nothing per connection). */
    public static final ConnectionHandlerFactory FACTORY = reactor -> INSTANCE;

    private EchoHandler()
    {
    }

    @Override
    public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
    {
        return echo(connection, buffer, offset, length);
    }

    /**
     * Writes as much of {@code buffer[offset, offset + length)} as the outbound ring accepts.
     *
     * @return bytes written (and so consumed), {@code 0..length}.
     */
    public static int echo(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
    {
        if (connection.write(buffer, offset, length))
        {
            return length;
        }

        int written = 0;
        int chunk = length >>> 1;
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
        return written;
    }
}
