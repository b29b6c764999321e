package dev.coreloop.examples.resp;

import java.nio.charset.StandardCharsets;

import dev.coreloop.core.Connection;
import dev.coreloop.core.shard.ReplyStream;
import org.agrona.DirectBuffer;

/**
 * The storage of one large value (a bulk string longer than {@link RespConfig#largeValueThresholdBytes()}): on-heap
 * chunks of {@link #CHUNK_BYTES}, sized to the length the client declared, filled as the bytes arrive
 * ({@link #append}) and then read in place — written to a connection piece by piece without ever being copied whole into
 * a request or reply buffer. As a {@link ReplyStream} it is the reply to a GET of it: the bulk string
 * {@code $<length>\r\n<bytes>\r\n}, which the core's {@link dev.coreloop.core.shard.ShardCalls} writes in its turn
 * under the connection's watermarks.
 *
 * <p>Chunks are allocated as the data reaches them, so a client that declares a large length and sends little
 * allocates little (the declared length is charged to the memory budget up front; see {@link RespKeyspace}). Chunks
 * of 64 KiB are far below the G1 humongous-object threshold (half a region, at least 512 KiB), so a large value is
 * ordinary young-generation garbage when it is replaced, not a humongous allocation.
 *
 * <p><b>Threading:</b> filled by one reactor thread; once {@link #isComplete() complete} it is never written again
 * and may be read by any thread that received it through a happens-before edge ({@link LargeValueExchange}, whose
 * slots are volatile). A stored value is replaced, never modified, so a reply that is still streaming an old value
 * on another reactor reads consistent bytes.
 */
final class LargeValue implements ReplyStream
{
    /** Size of every chunk but the last. */
    static final int CHUNK_BYTES = 64 * 1024;
    private static final int CHUNK_SHIFT = 16;

    private static final byte[] CRLF = {'\r', '\n'};

    private final int length;
    private final byte[][] chunks;
    /** {@code $<length>\r\n}: the bulk string header of the reply that streams this value. */
    private final byte[] header;
    private int filled;

    /**
     * @param length the declared length, in bytes (positive).
     */
    LargeValue(final int length)
    {
        if (length <= 0)
        {
            throw new IllegalArgumentException("LargeValue length must be positive but was " + length);
        }
        this.length = length;
        this.chunks = new byte[(int)(((long)length + CHUNK_BYTES - 1) >>> CHUNK_SHIFT)][];
        this.header = ("$" + length + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** {@return the value's length in bytes} */
    int length()
    {
        return length;
    }

    /** {@return bytes received so far} */
    int filled()
    {
        return filled;
    }

    /** {@return true once every declared byte has been appended} */
    boolean isComplete()
    {
        return filled == length;
    }

    /** {@return an estimate of the heap this value takes: its bytes plus the chunk headers and the chunk table} */
    long footprintBytes()
    {
        return length + 16L * chunks.length + 16 + 8L * chunks.length;
    }

    /**
     * Appends bytes that arrived; the caller never passes more than {@code length() - filled()}.
     *
     * @param src    where the bytes are.
     * @param offset where they start.
     * @param count  how many.
     */
    void append(final DirectBuffer src, final int offset, final int count)
    {
        if (count < 0 || count > length - filled)
        {
            throw new IllegalArgumentException("LargeValue append of " + count + " bytes with " + (length - filled) +
                " left");
        }
        int done = 0;
        while (done < count)
        {
            final int chunkIndex = filled >>> CHUNK_SHIFT;
            final int inChunk = filled & (CHUNK_BYTES - 1);
            byte[] chunk = chunks[chunkIndex];
            if (chunk == null)
            {
                chunk = new byte[Math.min(CHUNK_BYTES, length - (chunkIndex << CHUNK_SHIFT))];
                chunks[chunkIndex] = chunk;
            }
            final int piece = Math.min(count - done, chunk.length - inChunk);
            src.getBytes(offset + done, chunk, inChunk, piece);
            done += piece;
            filled += piece;
        }
    }

    /** {@return the length of the bulk string reply that streams this value: header, bytes and CRLF} */
    @Override
    public long lengthBytes()
    {
        return header.length + (long)length + CRLF.length;
    }

    /**
     * Writes the bulk string reply from {@code position}: up to {@code maxBytes} of it, never across the end of the
     * header, a chunk or the value.
     *
     * @return bytes written: 0 if the connection refused them (a writability callback follows).
     */
    @Override
    public int writeTo(final Connection connection, final long position, final int maxBytes)
    {
        if (position < header.length)
        {
            final int piece = Math.min(maxBytes, header.length - (int)position);
            return connection.write(header, (int)position, piece) ? piece : 0;
        }
        final long inValue = position - header.length;
        if (inValue >= length)
        {
            final int at = (int)(inValue - length);
            final int piece = Math.min(maxBytes, CRLF.length - at);
            return connection.write(CRLF, at, piece) ? piece : 0;
        }
        final int valuePosition = (int)inValue;
        final byte[] chunk = chunks[valuePosition >>> CHUNK_SHIFT];
        final int inChunk = valuePosition & (CHUNK_BYTES - 1);
        final int piece = Math.min(maxBytes, chunk.length - inChunk);
        return connection.write(chunk, inChunk, piece) ? piece : 0;
    }

    /** {@return the byte at {@code position} (tests and small reads)} */
    byte byteAt(final int position)
    {
        return chunks[position >>> CHUNK_SHIFT][position & (CHUNK_BYTES - 1)];
    }

    /** Copies {@code count} bytes from {@code position} into {@code dst} at {@code dstOffset}. */
    void getBytes(final int position, final byte[] dst, final int dstOffset, final int count)
    {
        int done = 0;
        while (done < count)
        {
            final int at = position + done;
            final byte[] chunk = chunks[at >>> CHUNK_SHIFT];
            final int inChunk = at & (CHUNK_BYTES - 1);
            final int piece = Math.min(count - done, chunk.length - inChunk);
            System.arraycopy(chunk, inChunk, dst, dstOffset + done, piece);
            done += piece;
        }
    }
}
