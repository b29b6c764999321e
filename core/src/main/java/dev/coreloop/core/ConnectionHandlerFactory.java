package dev.coreloop.core;

/**
 * Creates the handler for each connection of a listener (or for an outbound connection).
 *
 * <p><b>Threading:</b> called on the thread of the reactor that will own the connection, before
 * {@link ConnectionHandler#onOpened}. A factory shared by several reactors is called from several threads
 * and must be thread-safe (a stateless lambda is).
 */
@FunctionalInterface
public interface ConnectionHandlerFactory
{
    /**
     * {@return a handler for one connection, never null}
     *
     * @param reactor the reactor that will own the connection; handlers may keep it.
     */
    ConnectionHandler newHandler(ReactorContext reactor);
}
