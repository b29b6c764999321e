package dev.coreloop.examples.resp;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One key operation for a shard ({@link ShardOperations}), as a reusable flyweight: the handler fills it from the
 * parsed command ({@link #op}, {@link #key}, {@link #value}) and either executes it on its own shard directly, without
 * copying anything, or {@link #encode encodes} it for another shard, which {@link #decode decodes} it over the message
 * bytes (again without copying).
 *
 * <p>Encoding (little-endian): op (int), p1 (long), p2 (long), key length (int), key, value length (int), value.
 * p1 and p2 mean what the op says ({@link ShardOperations}).
 *
 * <p><b>Threading:</b> one per shard, used for one operation at a time on its reactor thread.
 */
final class ShardRequest
{
    private static final int OP_OFFSET = 0;
    private static final int P1_OFFSET = 4;
    private static final int P2_OFFSET = 12;
    private static final int KEY_LENGTH_OFFSET = 20;
    private static final int KEY_OFFSET = 24;

    private final UnsafeBuffer emptyValue = new UnsafeBuffer(new byte[0]);
    private int op;
    private long p1;
    private long p2;
    private DirectBuffer keyBuffer;
    private int keyOffset;
    private int keyLength;
    private int keyHash;
    private DirectBuffer valueBuffer;
    private int valueOffset;
    private int valueLength;

    /** Starts a request for {@code op} with its parameters; no key, no value. */
    ShardRequest op(final int op, final long p1, final long p2)
    {
        this.op = op;
        this.p1 = p1;
        this.p2 = p2;
        this.keyBuffer = emptyValue;
        this.keyOffset = 0;
        this.keyLength = 0;
        this.keyHash = 0;
        this.valueBuffer = emptyValue;
        this.valueOffset = 0;
        this.valueLength = 0;
        return this;
    }

    /** Sets the key (a view: the bytes are not copied) and computes its hash. */
    ShardRequest key(final DirectBuffer buffer, final int offset, final int length)
    {
        this.keyBuffer = buffer;
        this.keyOffset = offset;
        this.keyLength = length;
        this.keyHash = KeyHash.hash(buffer, offset, length);
        return this;
    }

    /** Sets the value (a view: the bytes are not copied). */
    ShardRequest value(final DirectBuffer buffer, final int offset, final int length)
    {
        this.valueBuffer = buffer;
        this.valueOffset = offset;
        this.valueLength = length;
        return this;
    }

    /** {@return the encoded length} */
    int encodedLength()
    {
        return KEY_OFFSET + keyLength + 4 + valueLength;
    }

    /** Writes the encoding at {@code offset}. {@return its length} */
    int encode(final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putInt(offset + OP_OFFSET, op);
        buffer.putLong(offset + P1_OFFSET, p1);
        buffer.putLong(offset + P2_OFFSET, p2);
        buffer.putInt(offset + KEY_LENGTH_OFFSET, keyLength);
        if (keyLength > 0)
        {
            buffer.putBytes(offset + KEY_OFFSET, keyBuffer, keyOffset, keyLength);
        }
        final int valueLengthOffset = offset + KEY_OFFSET + keyLength;
        buffer.putInt(valueLengthOffset, valueLength);
        if (valueLength > 0)
        {
            buffer.putBytes(valueLengthOffset + 4, valueBuffer, valueOffset, valueLength);
        }
        return valueLengthOffset + 4 + valueLength - offset;
    }

    /**
     * Reads an encoding as views over {@code buffer} (valid while it is).
     *
     * @throws IllegalArgumentException if the lengths do not add up to {@code length}.
     */
    ShardRequest decode(final DirectBuffer buffer, final int offset, final int length)
    {
        op = buffer.getInt(offset + OP_OFFSET);
        p1 = buffer.getLong(offset + P1_OFFSET);
        p2 = buffer.getLong(offset + P2_OFFSET);
        keyLength = buffer.getInt(offset + KEY_LENGTH_OFFSET);
        keyBuffer = buffer;
        keyOffset = offset + KEY_OFFSET;
        if (keyLength < 0 || KEY_OFFSET + keyLength + 4 > length)
        {
            throw new IllegalArgumentException("malformed shard request: key length " + keyLength + " of " + length);
        }
        valueLength = buffer.getInt(keyOffset + keyLength);
        valueBuffer = buffer;
        valueOffset = keyOffset + keyLength + 4;
        if (valueLength < 0 || valueOffset + valueLength != offset + length)
        {
            throw new IllegalArgumentException("malformed shard request: value length " + valueLength + " of " +
                length);
        }
        keyHash = KeyHash.hash(buffer, keyOffset, keyLength);
        return this;
    }

    int op()
    {
        return op;
    }

    long p1()
    {
        return p1;
    }

    long p2()
    {
        return p2;
    }

    DirectBuffer keyBuffer()
    {
        return keyBuffer;
    }

    int keyOffset()
    {
        return keyOffset;
    }

    int keyLength()
    {
        return keyLength;
    }

    int keyHash()
    {
        return keyHash;
    }

    DirectBuffer valueBuffer()
    {
        return valueBuffer;
    }

    int valueOffset()
    {
        return valueOffset;
    }

    int valueLength()
    {
        return valueLength;
    }
}
