package dev.coreloop.core.reactor;

import java.nio.channels.SocketChannel;

/**
 * An accepted channel on its way from the acceptor to a reactor's inbox, with the listener it came from.
 *
 * <p><b>Threading:</b> immutable; created on the acceptor thread, read on the reactor thread after the inbox's
 * release/acquire hand-off.
 *
 * @param channel       the accepted, non-blocking channel.
 * @param listenerIndex the index of the listener in {@link dev.coreloop.core.ServerContext#listeners()}.
 */
public record HandOff(SocketChannel channel, int listenerIndex)
{
}
