package dev.coreloop.core.shard;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Runs a request on the shard that owns it and writes the reply. The request bytes are whatever the caller passed
 * to {@link ShardCalls#call}; the reply bytes are what the caller's connection gets (or, for a part of a gather, what
 * its {@link ReplyGather} folds).
 *
 * <p><b>Threading:</b> called on the owning shard's reactor thread. A {@code Throwable} it throws is counted and
 * logged; the calling connection is then closed with {@link dev.coreloop.core.CloseReason#HANDLER_ERROR}.
 */
@FunctionalInterface
public interface ShardExecutor
{
    /**
     * Executes one request.
     *
     * @param request     holds the request; valid only during the call.
     * @param offset      where the request starts in {@code request}.
     * @param length      the request length in bytes.
     * @param reply       where to write the reply; it grows as it is written (an expandable buffer).
     * @param replyOffset where the reply starts in {@code reply}.
     * @return the reply length in bytes, written at {@code reply[replyOffset, replyOffset + length)}.
     */
    int execute(DirectBuffer request, int offset, int length, MutableDirectBuffer reply, int replyOffset);
}
