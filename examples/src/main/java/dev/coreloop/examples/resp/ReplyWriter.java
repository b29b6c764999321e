package dev.coreloop.examples.resp;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Builds RESP2 replies into a reusable, growable buffer: simple strings, errors, integers, bulk strings, the null
 * bulk string and array headers. Writing allocates nothing once the buffer has grown to the largest reply.
 *
 * <p><b>Threading:</b> owned by one reactor (one per shard, reused by every connection of that reactor, one reply
 * at a time); not thread-safe.
 */
public final class ReplyWriter
{
    static final byte[] OK = bytes("+OK\r\n");
    static final byte[] PONG = bytes("+PONG\r\n");
    static final byte[] NULL_BULK = bytes("$-1\r\n");
    static final byte[] EMPTY_ARRAY = bytes("*0\r\n");
    static final byte[] CRLF = bytes("\r\n");

    private final ExpandableArrayBuffer buffer;
    private int start;
    private int position;

    public ReplyWriter(final int initialCapacity)
    {
        buffer = new ExpandableArrayBuffer(initialCapacity);
    }

    /** Starts a new reply at {@code startOffset} (room before it is left for a message header). */
    public ReplyWriter reset(final int startOffset)
    {
        start = startOffset;
        position = startOffset;
        return this;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /** @return where the reply starts. */
    public int start()
    {
        return start;
    }

    /** @return the end of the reply (exclusive). */
    public int position()
    {
        return position;
    }

    /** @return bytes written since {@link #reset(int)}. */
    public int length()
    {
        return position - start;
    }

    public ReplyWriter raw(final byte[] bytes)
    {
        buffer.putBytes(position, bytes);
        position += bytes.length;
        return this;
    }

    public ReplyWriter raw(final DirectBuffer src, final int offset, final int length)
    {
        buffer.putBytes(position, src, offset, length);
        position += length;
        return this;
    }

    public ReplyWriter ok()
    {
        return raw(OK);
    }

    public ReplyWriter nullBulk()
    {
        return raw(NULL_BULK);
    }

    /** Writes {@code :value\r\n}. */
    public ReplyWriter integer(final long value)
    {
        buffer.putByte(position++, (byte)':');
        position += buffer.putLongAscii(position, value);
        return raw(CRLF);
    }

    /** Writes {@code *count\r\n}. */
    public ReplyWriter arrayHeader(final int count)
    {
        buffer.putByte(position++, (byte)'*');
        position += buffer.putIntAscii(position, count);
        return raw(CRLF);
    }

    /** Writes a bulk string. */
    public ReplyWriter bulk(final DirectBuffer src, final int offset, final int length)
    {
        bulkHeader(length);
        buffer.putBytes(position, src, offset, length);
        position += length;
        return raw(CRLF);
    }

    /** Writes a bulk string. */
    public ReplyWriter bulk(final byte[] src, final int offset, final int length)
    {
        bulkHeader(length);
        buffer.putBytes(position, src, offset, length);
        position += length;
        return raw(CRLF);
    }

    /** Writes a bulk string of ASCII text (not for hot paths: the text is a String). */
    public ReplyWriter bulk(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return bulk(bytes, 0, bytes.length);
    }

    /**
     * Writes a reference to a large value parked in the {@link LargeValueExchange} instead of its bytes: the reply's
     * receiver takes the value and streams it as a bulk string. It is the whole reply.
     */
    ReplyWriter largeValue(final long handle)
    {
        LargeValueExchange.encode(buffer, position, handle);
        position += LargeValueExchange.MARKER_BYTES;
        return this;
    }

    /** Writes {@code -message\r\n}; CR and LF in the message become spaces. Error path only. */
    public ReplyWriter error(final String message)
    {
        buffer.putByte(position++, (byte)'-');
        for (int i = 0; i < message.length(); i++)
        {
            final char c = message.charAt(i);
            buffer.putByte(position++, (byte)(c == '\r' || c == '\n' || c > 126 ? ' ' : c));
        }
        return raw(CRLF);
    }

    private void bulkHeader(final int length)
    {
        buffer.putByte(position++, (byte)'$');
        position += buffer.putIntAscii(position, length);
        raw(CRLF);
    }

    static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
