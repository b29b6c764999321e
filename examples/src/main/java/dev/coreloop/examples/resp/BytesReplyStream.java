package dev.coreloop.examples.resp;

import dev.coreloop.core.Connection;
import dev.coreloop.core.shard.ReplyStream;

/**
 * A short constant reply as a {@link ReplyStream}, for where a stream was expected and an error must answer instead
 * (a large value that went missing between shards).
 *
 * <p><b>Threading:</b> immutable; written on the connection's reactor thread.
 */
final class BytesReplyStream implements ReplyStream
{
    private final byte[] bytes;

    BytesReplyStream(final byte[] bytes)
    {
        this.bytes = bytes;
    }

    @Override
    public long lengthBytes()
    {
        return bytes.length;
    }

    @Override
    public int writeTo(final Connection connection, final long position, final int maxBytes)
    {
        final int piece = Math.min(maxBytes, bytes.length - (int)position);
        return connection.write(bytes, (int)position, piece) ? piece : 0;
    }
}
