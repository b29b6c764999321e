package dev.coreloop.core.shard;

import org.agrona.DirectBuffer;

/**
 * Turns a reply computed by another shard into a {@link ReplyStream} where it arrives, for replies too large to carry
 * through a message ring: the owning shard's {@link ShardExecutor} writes a small reference (a handle to a value it
 * parked where both reactors can reach it), and this resolver, on the connection's reactor, takes the value back and
 * streams it. Install it on each reactor's router with {@link ShardRouter#replyStreams} before connections open.
 *
 * <p>A reply whose connection has closed (or whose slot is gone) is never delivered: the router then calls
 * {@link #discard} so that whatever the reference holds is freed.
 *
 * <p><b>Threading:</b> called on the connection's reactor thread. A {@code Throwable} thrown by {@link #resolve} is
 * counted and logged and closes the connection with {@link dev.coreloop.core.CloseReason#HANDLER_ERROR}; one thrown
 * by {@link #discard} is counted and logged.
 */
public interface ReplyStreamResolver
{
    /**
     * Looks at every reply from another shard that answers a {@link ShardCalls#call} (not the parts of a gather).
     *
     * @param reply  holds the reply bytes as the executor wrote them; valid only during the call.
     * @param offset where they start.
     * @param length their length.
     * @return the stream those bytes stand for (it takes the reply's turn), or null for an ordinary reply (its bytes
     * are written as they are).
     */
    ReplyStream resolve(DirectBuffer reply, int offset, int length);

    /**
     * A reply from another shard will never be delivered (its connection closed): free what it references, if
     * anything.
     *
     * @param reply  holds the reply bytes; valid only during the call.
     * @param offset where they start.
     * @param length their length.
     */
    void discard(DirectBuffer reply, int offset, int length);
}
