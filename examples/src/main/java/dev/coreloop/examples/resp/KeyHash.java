package dev.coreloop.examples.resp;

import org.agrona.DirectBuffer;

/**
 * The stable key hash that picks a key's owning shard: 32-bit FNV-1a over the key bytes. The same bytes give the
 * same owner on every reactor and in every run, which is what lets any reactor route a command without asking.
 *
 * <p><b>Threading:</b> stateless; safe on any thread.
 */
public final class KeyHash
{
    private static final int FNV_OFFSET_BASIS = 0x811C9DC5;
    private static final int FNV_PRIME = 0x01000193;

    private KeyHash()
    {
    }

    /** @return the FNV-1a hash of {@code buffer[offset, offset + length)}. */
    public static int hash(final DirectBuffer buffer, final int offset, final int length)
    {
        int hash = FNV_OFFSET_BASIS;
        for (int i = 0; i < length; i++)
        {
            hash ^= buffer.getByte(offset + i) & 0xFF;
            hash *= FNV_PRIME;
        }
        return hash;
    }

    /** @return the FNV-1a hash of {@code bytes[offset, offset + length)}. */
    public static int hash(final byte[] bytes, final int offset, final int length)
    {
        int hash = FNV_OFFSET_BASIS;
        for (int i = 0; i < length; i++)
        {
            hash ^= bytes[offset + i] & 0xFF;
            hash *= FNV_PRIME;
        }
        return hash;
    }

    /** @return the shard ({@code 0 .. shardCount - 1}) that owns a key with this hash. */
    public static int owner(final int hash, final int shardCount)
    {
        return Integer.remainderUnsigned(hash, shardCount);
    }

    /**
     * @return the hash scrambled for a shard's own table (a murmur3 finaliser), so that keys of one shard, which all
     * share {@code hash % shardCount}, still spread over every bucket.
     */
    static int tableHash(final int hash)
    {
        int h = hash;
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        h ^= h >>> 16;
        return h;
    }
}
