package dev.coreloop.examples.resp;

import java.nio.charset.StandardCharsets;

import dev.coreloop.core.shard.ReplyGather;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * KEYS over every shard: each shard answers with {@link #part} — an 8-byte count, then its matching keys as RESP bulk
 * strings — and this gather appends the parts and writes one array of them all. Unlike the counting gathers it holds
 * the parts' bytes, so it is created for one KEYS command (KEYS walks the whole keyspace and allocates anyway; as in
 * redis, it is meant for debugging, not for a hot path).
 *
 * <p>Both stores of a shard are listed: string keys ({@link KeyStore}) and collection keys ({@link CollectionStore});
 * expired keys are left out. The pattern is redis's glob ({@link Glob}), matched against the key bytes.
 *
 * <p><b>Threading:</b> {@link #part} runs on the shard that owns the keys; the gather on the connection's reactor.
 */
final class KeysGather implements ReplyGather
{
    private static final int COUNT_BYTES = 8;
    private static final byte[] COUNT_PLACEHOLDER = new byte[COUNT_BYTES];

    private final ExpandableArrayBuffer keys = new ExpandableArrayBuffer(256);
    private int length;

    @Override
    public long fold(final long accumulated, final DirectBuffer part, final int offset, final int length)
    {
        keys.putBytes(this.length, part, offset + COUNT_BYTES, length - COUNT_BYTES);
        this.length += length - COUNT_BYTES;
        return accumulated + part.getLong(offset);
    }

    @Override
    public int complete(final long accumulated, final MutableDirectBuffer reply, final int offset)
    {
        int position = offset;
        reply.putByte(position++, (byte)'*');
        position += reply.putLongAscii(position, accumulated);
        reply.putByte(position++, (byte)'\r');
        reply.putByte(position++, (byte)'\n');
        reply.putBytes(position, keys, 0, length);
        return position + length - offset;
    }

    /** Writes one shard's part: the count of its live keys that match the pattern, then those keys. */
    static void part(final KeyStore strings, final CollectionStore collections, final DirectBuffer pattern,
        final int patternOffset, final int patternLength, final long nowNs, final ReplyWriter reply)
    {
        final byte[] patternBytes = new byte[patternLength];
        pattern.getBytes(patternOffset, patternBytes);
        final String patternText = new String(patternBytes, StandardCharsets.ISO_8859_1);
        final int countAt = reply.position();
        reply.raw(COUNT_PLACEHOLDER);
        long count = 0;
        for (int i = 0; i < strings.capacity(); i++)
        {
            if (!strings.isOccupied(i) || expired(strings.expireAtNs(i), nowNs))
            {
                continue;
            }
            final byte[] entry = strings.entry(i);
            final int keyLength = strings.keyLength(i);
            if (matches(patternText, entry, KeyStore.keyOffset(), keyLength))
            {
                reply.bulk(entry, KeyStore.keyOffset(), keyLength);
                count++;
            }
        }
        for (int i = 0; i < collections.capacity(); i++)
        {
            final byte[] key = collections.keyAt(i);
            if (key != null && !collections.isExpired(i, nowNs) && matches(patternText, key, 0, key.length))
            {
                reply.bulk(key, 0, key.length);
                count++;
            }
        }
        reply.buffer().putLong(countAt, count);
    }

    private static boolean matches(final String pattern, final byte[] key, final int offset, final int length)
    {
        return Glob.matches(pattern, new String(key, offset, length, StandardCharsets.ISO_8859_1));
    }

    private static boolean expired(final long deadlineNs, final long nowNs)
    {
        return deadlineNs != KeyStore.NO_EXPIRY && deadlineNs - nowNs <= 0;
    }
}
