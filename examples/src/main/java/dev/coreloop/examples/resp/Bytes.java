package dev.coreloop.examples.resp;

import java.util.Arrays;

import org.agrona.DirectBuffer;

/**
 * An immutable byte string usable as a hash map key or a sorted set member: equality by content, order as redis's
 * {@code memcmp} (unsigned bytes, a prefix first).
 *
 * <p><b>Threading:</b> immutable; safe on any thread.
 */
final class Bytes implements Comparable<Bytes>
{
    private final byte[] data;
    private final int hash;

    Bytes(final byte[] data)
    {
        this.data = data;
        this.hash = Arrays.hashCode(data);
    }

    /** {@return a copy of {@code length} bytes of {@code buffer} at {@code offset}} */
    static Bytes copyOf(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] data = new byte[length];
        buffer.getBytes(offset, data);
        return new Bytes(data);
    }

    /** {@return the bytes; never to be changed} */
    byte[] data()
    {
        return data;
    }

    int length()
    {
        return data.length;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof Bytes && hash == ((Bytes)other).hash && Arrays.equals(data, ((Bytes)other).data);
    }

    @Override
    public int hashCode()
    {
        return hash;
    }

    @Override
    public int compareTo(final Bytes other)
    {
        return Arrays.compareUnsigned(data, other.data);
    }

    @Override
    public String toString()
    {
        return new String(data, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
