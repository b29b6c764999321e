package dev.coreloop.core.shard;

import dev.coreloop.core.Connection;

/**
 * A reply too large to copy: written to the connection piece by piece, in its turn, straight from where it is stored
 * (a large value of a key-value store), under the connection's outbound watermarks. Answer a request with one through
 * {@link ShardCalls#replyStream} (computed here) or, for a reply that another shard computed, through a
 * {@link ReplyStreamResolver} that turns the reply's bytes (a reference) into a stream on the connection's reactor.
 *
 * <p>While a stream is being written its connection takes no new request ({@link ShardCalls#mustPause()} says true),
 * and the replies after it wait their turn; a slow reader thus costs the connection's outbound ring and nothing else:
 * no copy of the reply, no staging.
 *
 * <p><b>Threading:</b> called on the connection's reactor thread only. The bytes must not change while the stream is
 * written (store a new value instead of modifying the old one). A {@code Throwable} it throws is counted and logged
 * and closes the connection with {@link dev.coreloop.core.CloseReason#HANDLER_ERROR}.
 */
public interface ReplyStream
{
    /** {@return the length of the whole reply in bytes, the same on every call} */
    long lengthBytes();

    /**
     * Writes the reply's bytes from {@code position} on, at most {@code maxBytes} of them, with one or more
     * {@link Connection#write} calls.
     *
     * @param connection the connection to write to.
     * @param position   the first byte to write, {@code 0 <= position < lengthBytes()}.
     * @param maxBytes   the most bytes to write now (positive).
     * @return bytes written, {@code 1 .. maxBytes}; or 0 only when the connection refused a write (its outbound ring is
     * at its cap), after which the connection calls back once there is room and the stream goes on from there.
     */
    int writeTo(Connection connection, long position, int maxBytes);
}
