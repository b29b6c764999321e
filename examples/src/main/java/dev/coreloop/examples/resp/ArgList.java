package dev.coreloop.examples.resp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The arguments of a collection command after its key, packed for a {@link ShardRequest}'s value: each is its length
 * (int, little-endian) and its bytes. The connection's reactor {@link #pack packs} them from the parser; the owning
 * shard {@link #wrap wraps} the packed bytes, here or out of a message, and reads them by index without copying.
 *
 * <p><b>Threading:</b> one per shard, on its reactor thread; one command at a time.
 */
final class ArgList
{
    private DirectBuffer buffer;
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];
    private int count;

    /** Packs the parser's arguments from {@code first} on into {@code target} at 0. {@return the packed length} */
    static int pack(final RespParser parser, final int first, final MutableDirectBuffer target)
    {
        int position = 0;
        for (int i = first; i < parser.argCount(); i++)
        {
            final int length = parser.argLength(i);
            target.putInt(position, length);
            target.putBytes(position + 4, parser.argBuffer(), parser.argOffset(i), length);
            position += 4 + length;
        }
        return position;
    }

    /**
     * Reads {@code count} packed arguments from {@code buffer} (views; valid while it is).
     *
     * @throws IllegalArgumentException if the lengths do not add up to {@code length}.
     */
    ArgList wrap(final DirectBuffer buffer, final int offset, final int length, final int count)
    {
        if (count > offsets.length)
        {
            offsets = new int[Math.max(count, offsets.length * 2)];
            lengths = new int[offsets.length];
        }
        this.buffer = buffer;
        int position = offset;
        final int end = offset + length;
        for (int i = 0; i < count; i++)
        {
            final int argLength = position + 4 <= end ? buffer.getInt(position) : -1;
            if (argLength < 0 || position + 4 + argLength > end)
            {
                throw new IllegalArgumentException("malformed argument list: argument " + i + " of " + count);
            }
            offsets[i] = position + 4;
            lengths[i] = argLength;
            position += 4 + argLength;
        }
        if (position != end)
        {
            throw new IllegalArgumentException("malformed argument list: " + (end - position) + " bytes left over");
        }
        this.count = count;
        return this;
    }

    /** {@return the buffer the arguments are in} */
    DirectBuffer buffer()
    {
        return buffer;
    }

    /** {@return how many arguments there are} */
    int count()
    {
        return count;
    }

    int offset(final int index)
    {
        return offsets[index];
    }

    int length(final int index)
    {
        return lengths[index];
    }

    /** {@return a copy of argument {@code index}} */
    byte[] copy(final int index)
    {
        final byte[] bytes = new byte[lengths[index]];
        buffer.getBytes(offsets[index], bytes);
        return bytes;
    }

    /** {@return argument {@code index} as a {@link Bytes}} */
    Bytes bytes(final int index)
    {
        return new Bytes(copy(index));
    }

    /** {@return true if argument {@code index} equals the lower-case ASCII {@code lowerName}, ignoring case} */
    boolean is(final int index, final byte[] lowerName)
    {
        return lengths[index] == lowerName.length && RespCommand.equalsIgnoreCase(lowerName, buffer, offsets[index]);
    }
}
