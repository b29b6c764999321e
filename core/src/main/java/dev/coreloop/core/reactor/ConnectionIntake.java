package dev.coreloop.core.reactor;

import java.io.IOException;
import java.nio.channels.SocketChannel;

import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.conn.ConnEvent;
import dev.coreloop.core.conn.ConnState;

/**
 * How accepted channels become connections on this reactor (contract item 2: each is registered by the reactor that
 * owns it): from the inbox the acceptor fills, or in REUSE_PORT mode from this reactor's own listeners. A channel is
 * refused while the reactor stops (SERVER_SHUTDOWN) or at its connection limit (REJECTED); otherwise its handler is
 * created (a factory that throws closes it with HANDLER_ERROR), it is registered with the selector and opened.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class ConnectionIntake
{
    private final ReactorParts parts;
    private IoPoller poller;

    ConnectionIntake(final ReactorParts parts)
    {
        this.parts = parts;
    }

    void poller(final IoPoller poller)
    {
        this.poller = poller;
    }

    /** From this reactor's own listener (REUSE_PORT mode). */
    void onAccepted(final SocketChannel channel, final int listenerIndex, final long nowNs)
    {
        onHandOff(new HandOff(channel, listenerIndex));
    }

    /** From the inbox. */
    void onHandOff(final HandOff handOff)
    {
        final ReactorConnection conn = new ReactorConnection(parts, parts.registry.nextId(), handOff.channel(),
            handOff.listenerIndex(), parts.settings.listenerLimits(handOff.listenerIndex()), ConnState.HANDED_OFF);
        if (parts.stopping)
        {
            conn.fire(ConnEvent.SERVER_SHUTDOWN);
        }
        else if (parts.registry.count() >= parts.settings.maxConnections)
        {
            conn.fire(ConnEvent.REJECTED);
        }
        else
        {
            register(conn);
        }
        parts.deferred.runAll();
    }

    private void register(final ReactorConnection conn)
    {
        final ConnectionHandler handler = parts.invoker.newHandler(
            parts.ctx.listeners().get(conn.listenerIndex()).factory(), parts.handle, conn);
        if (handler == null)
        {
            return; // the factory threw: HANDLER_ERROR closed it
        }
        conn.attach(handler);
        parts.registry.add(conn);
        try
        {
            conn.key = conn.channel().register(poller.selector(), 0, conn);
        }
        catch (final IOException ex)
        {
            conn.onIoError(ex);
            return;
        }
        parts.stats.increment(ReactorCounter.ACCEPTED);
        conn.fire(ConnEvent.REGISTERED);
    }
}
