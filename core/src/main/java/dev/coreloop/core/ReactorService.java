package dev.coreloop.core;

import org.agrona.DirectBuffer;

/**
 * Per-reactor application state (a cache, a shard of a key space, a date header) created once per reactor
 * by {@link ServerContext#reactorService(Class, java.util.function.Function)} and reachable from handlers
 * through {@link ReactorContext#service(Class)}. Several services (one per type) can share a server, as when
 * the HTTP and RESP examples run on the same reactors. It is also where binary messages sent by other reactors with
 * {@link ReactorContext#sendMessage} arrive.
 *
 * <p><b>Threading:</b> every method runs on its own reactor's thread. Nothing in it is shared; another
 * reactor talks to it only by message.
 */
public interface ReactorService
{
    /** The reactor thread has started, before any connection is registered. */
    default void onStart()
    {
    }

    /**
     * A message from another reactor (or from this one) arrived through this reactor's message ring.
     * The view is valid only during the call.
     *
     * @param sourceReactor index of the sending reactor.
     * @param msgTypeId     the sender's message type, positive.
     * @param buffer        a view of the ring that holds the message.
     * @param offset        where the message starts in {@code buffer}.
     * @param length        the message length in bytes.
     */
    default void onMessage(final int sourceReactor, final int msgTypeId, final DirectBuffer buffer, final int offset,
        final int length)
    {
    }

    /** The reactor is stopping, after every connection has closed. */
    default void onClose()
    {
    }
}
