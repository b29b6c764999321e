package dev.coreloop.core.shard;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Folds the replies of the parts of one scatter/gather call ({@link ShardCalls#beginGather}) into one reply: a count
 * of deleted keys, an "OK" once every shard has answered. The running value is a {@code long} that starts at 0, so a
 * gather allocates nothing; an implementation is usually a stateless constant shared by every connection.
 *
 * <p><b>Threading:</b> called on the connection's reactor thread. A {@code Throwable} it throws is counted and logged
 * and closes the connection with {@link dev.coreloop.core.CloseReason#HANDLER_ERROR}.
 */
public interface ReplyGather
{
    /**
     * Adds one part's reply to the running value.
     *
     * @param accumulated the value so far (0 before the first part).
     * @param part        holds the part's reply, as its {@link ShardExecutor} wrote it; valid only during the call.
     * @param offset      where it starts in {@code part}.
     * @param length      its length in bytes.
     * @return the new running value.
     */
    long fold(long accumulated, DirectBuffer part, int offset, int length);

    /**
     * Writes the connection's reply once every part has been folded.
     *
     * @param accumulated the value after the last part.
     * @param reply       where to write it; it grows as it is written (an expandable buffer).
     * @param offset      where the reply starts in {@code reply}.
     * @return the reply length in bytes.
     */
    int complete(long accumulated, MutableDirectBuffer reply, int offset);
}
