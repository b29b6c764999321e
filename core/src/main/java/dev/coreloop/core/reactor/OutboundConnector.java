package dev.coreloop.core.reactor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ConnectionSettings;
import dev.coreloop.core.acceptor.AcceptLoop;
import dev.coreloop.core.conn.ConnState;

/**
 * Outbound connections ({@link dev.coreloop.core.ReactorContext#connect}): a non-blocking connect owned by this
 * reactor, in state CONNECTING under its connect timer. The outcome always arrives later, never inside the call:
 * OP_CONNECT, or for a connect that completed or failed at once, a deferred CONNECT_OK / CONNECT_FAILED.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class OutboundConnector
{
    private final ReactorParts parts;
    private java.nio.channels.Selector selector;
    /** The last settings a connect brought and their limits: a relay that passes one value each time allocates none. */
    private ConnectionSettings lastSettings;
    private ConnectionLimits lastLimits;

    OutboundConnector(final ReactorParts parts)
    {
        this.parts = parts;
    }

    void selector(final java.nio.channels.Selector selector)
    {
        this.selector = selector;
    }

    Connection connect(final InetSocketAddress remote, final ConnectionHandler handler, final long connectTimeoutMs,
        final ConnectionSettings settings)
    {
        if (remote == null || handler == null || settings == null)
        {
            throw new IllegalArgumentException("remote=" + remote + " handler=" + handler + " settings=" + settings +
                ": must not be null");
        }
        if (connectTimeoutMs < 1)
        {
            throw new IllegalArgumentException("connectTimeoutMs=" + connectTimeoutMs + ": must be >= 1");
        }
        final ConnectionLimits limits = limitsOf(settings);
        final long nowNs = parts.clock.nowNs();
        SocketChannel channel = null;
        int outcome = 0;
        if (parts.registry.count() >= parts.settings.maxConnections)
        {
            outcome = DeferredCallbacks.CONNECT_FAILED; // the reactor's connection limit counts outbound ones too
        }
        else
        {
            try
            {
                channel = SocketChannel.open();
            }
            catch (final IOException ex)
            {
                outcome = DeferredCallbacks.CONNECT_FAILED;
            }
        }
        final ReactorConnection conn = new ReactorConnection(parts, parts.registry.nextId(),
            channel, -1, limits, ConnState.CONNECTING);
        conn.attach(handler);
        conn.timers().connectDeadlineNs = nowNs + connectTimeoutMs * 1_000_000L;
        parts.registry.add(conn);
        if (outcome == 0)
        {
            try
            {
                AcceptLoop.configure(conn.channel(), parts.ctx);
                final boolean connected = conn.channel().connect(remote);
                conn.key = conn.channel().register(selector, SelectionKey.OP_CONNECT, conn);
                conn.updateInterest();
                if (connected)
                {
                    outcome = DeferredCallbacks.CONNECT_OK;
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                outcome = DeferredCallbacks.CONNECT_FAILED;
            }
        }
        if (outcome != 0)
        {
            parts.deferred.add(conn, outcome);
        }
        conn.timers().armGuard();
        return conn;
    }

    private ConnectionLimits limitsOf(final ConnectionSettings settings)
    {
        if (settings == ConnectionSettings.INHERIT)
        {
            return parts.settings.defaultLimits;
        }
        if (settings != lastSettings)
        {
            lastLimits = new ConnectionLimits(settings.resolve(parts.ctx)); // throws naming the field and the value
            lastSettings = settings;
        }
        return lastLimits;
    }
}
