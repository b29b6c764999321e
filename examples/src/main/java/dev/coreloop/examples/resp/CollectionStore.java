package dev.coreloop.examples.resp;

import java.util.Arrays;

import org.agrona.DirectBuffer;

/**
 * One shard's keys that hold a collection (list, set, hash, sorted set): an open-addressing hash table (linear
 * probing, deletion by backward shift) from key bytes to a {@link CollectionValue}, with an optional expiry deadline
 * per key on the reactor's monotonic clock. It sits beside the shard's {@link KeyStore}, which holds the string keys;
 * the shard's operations keep a key in exactly one of the two (a string SET replaces a collection; a collection
 * command on a string key is a WRONGTYPE error).
 *
 * <p>Looking a key up allocates nothing, so a GET or SET that must make sure its key is not a collection costs one
 * probe here, and nothing at all while the shard holds no collection. Expired keys are removed lazily when touched
 * and by {@link #sweep(long, int)}, a bounded number of slots per call.
 *
 * <p>Memory: {@link #usedBytes()} is an estimate of what the collections take (their elements, a fixed overhead per
 * element and per key, the table's arrays), kept up to date on every change, for a per-shard memory budget.
 *
 * <p><b>Threading:</b> confined to the reactor that owns the shard; never touched by another thread.
 */
final class CollectionStore
{
    /** Expiry deadline of a key that does not expire. */
    static final long NO_EXPIRY = KeyStore.NO_EXPIRY;

    /** Bytes counted per key beyond the key bytes and its value (entry arrays, array header). */
    static final int KEY_OVERHEAD_BYTES = 48;
    private static final int SLOT_BYTES = 8 + 8 + 4 + 8;
    private static final int INITIAL_CAPACITY = 64;

    /** The running byte estimate of the values, which every {@link CollectionValue} adds its changes to. */
    static final class Account
    {
        private long bytes;

        void add(final long delta)
        {
            bytes += delta;
        }

        long bytes()
        {
            return bytes;
        }
    }

    private final Account account = new Account();
    private byte[][] keys;
    private CollectionValue[] values;
    private int[] hashes;
    private long[] expireAtNs;
    private long keyBytes;
    private int mask;
    private int size;
    private int resizeThreshold;
    private int sweepCursor;
    private int expires;

    CollectionStore()
    {
        allocate(INITIAL_CAPACITY);
    }

    /** {@return keys held, including expired keys not yet removed} */
    int size()
    {
        return size;
    }

    /** {@return keys that have an expiry deadline, including expired keys not yet removed} */
    int expires()
    {
        return expires;
    }

    /** {@return the account every value of this store adds its size changes to} */
    Account account()
    {
        return account;
    }

    /**
     * {@return the estimated bytes this store takes: its values, its keys with a fixed overhead each, and its table}
     */
    long usedBytes()
    {
        return account.bytes() + keyBytes + (long)SLOT_BYTES * (mask + 1);
    }

    /** {@return the slot of a live key, or -1 if absent or expired (an expired key is removed on the way)} */
    int find(final DirectBuffer key, final int keyOffset, final int keyLength, final int keyHash, final long nowNs)
    {
        if (size == 0)
        {
            return -1;
        }
        int index = KeyHash.tableHash(keyHash) & mask;
        while (true)
        {
            final byte[] candidate = keys[index];
            if (candidate == null)
            {
                return -1;
            }
            if (hashes[index] == keyHash && candidate.length == keyLength && equals(candidate, key, keyOffset))
            {
                if (isExpired(index, nowNs))
                {
                    removeAt(index);
                    return -1;
                }
                return index;
            }
            index = (index + 1) & mask;
        }
    }

    /** {@return the value in slot {@code index}} */
    CollectionValue value(final int index)
    {
        return values[index];
    }

    long expireAtNs(final int index)
    {
        return expireAtNs[index];
    }

    void expireAtNs(final int index, final long deadlineNs)
    {
        countExpiry(expireAtNs[index], deadlineNs);
        expireAtNs[index] = deadlineNs;
    }

    /**
     * Adds a key that is not in the store (the caller looked it up first) with {@code value} and no expiry.
     *
     * @return the key's slot.
     */
    int insert(final DirectBuffer key, final int keyOffset, final int keyLength, final int keyHash,
        final CollectionValue value)
    {
        if (size + 1 > resizeThreshold)
        {
            rehash((mask + 1) * 2);
        }
        final byte[] keyBytes = new byte[keyLength];
        key.getBytes(keyOffset, keyBytes);
        final int index = freeSlot(keyHash);
        keys[index] = keyBytes;
        hashes[index] = keyHash;
        values[index] = value;
        expireAtNs[index] = NO_EXPIRY;
        this.keyBytes += keyLength + KEY_OVERHEAD_BYTES;
        size++;
        return index;
    }

    /** {@return true if a live key was removed} */
    boolean remove(final DirectBuffer key, final int keyOffset, final int keyLength, final int keyHash,
        final long nowNs)
    {
        final int index = find(key, keyOffset, keyLength, keyHash, nowNs);
        if (index < 0)
        {
            return false;
        }
        removeAt(index);
        return true;
    }

    /** Removes the key in slot {@code index}; the slots of other keys may change. */
    void removeAt(final int index)
    {
        keyBytes -= keys[index].length + KEY_OVERHEAD_BYTES;
        countExpiry(expireAtNs[index], NO_EXPIRY);
        values[index].release();
        keys[index] = null;
        values[index] = null;
        size--;
        int hole = index;
        int next = (index + 1) & mask;
        while (keys[next] != null)
        {
            final int home = KeyHash.tableHash(hashes[next]) & mask;
            final boolean between = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
            if (!between)
            {
                keys[hole] = keys[next];
                values[hole] = values[next];
                hashes[hole] = hashes[next];
                expireAtNs[hole] = expireAtNs[next];
                keys[next] = null;
                values[next] = null;
                hole = next;
            }
            next = (next + 1) & mask;
        }
    }

    /** Removes every key and shrinks the table back to its initial size. */
    void clear()
    {
        for (final CollectionValue value : values)
        {
            if (value != null)
            {
                value.release();
            }
        }
        allocate(INITIAL_CAPACITY);
        keyBytes = 0;
        size = 0;
        sweepCursor = 0;
        expires = 0;
    }

    private void countExpiry(final long oldDeadlineNs, final long newDeadlineNs)
    {
        if (oldDeadlineNs == NO_EXPIRY && newDeadlineNs != NO_EXPIRY)
        {
            expires++;
        }
        else if (oldDeadlineNs != NO_EXPIRY && newDeadlineNs == NO_EXPIRY)
        {
            expires--;
        }
    }

    /**
     * Examines up to {@code maxSlots} slots from where the previous call stopped and removes expired keys.
     *
     * @return keys removed.
     */
    int sweep(final long nowNs, final int maxSlots)
    {
        int removed = 0;
        final int slots = Math.min(maxSlots, mask + 1);
        for (int i = 0; i < slots; i++)
        {
            final int index = sweepCursor;
            if (keys[index] != null && isExpired(index, nowNs))
            {
                removeAt(index);
                removed++;
            }
            else
            {
                sweepCursor = (sweepCursor + 1) & mask;
            }
        }
        return removed;
    }

    /** {@return the key bytes in slot {@code index}, or null if the slot is free (KEYS walks the slots)} */
    byte[] keyAt(final int index)
    {
        return keys[index];
    }

    /** {@return the table's slot count} */
    int capacity()
    {
        return mask + 1;
    }

    /** {@return true if the key in slot {@code index} has expired at {@code nowNs}} */
    boolean isExpired(final int index, final long nowNs)
    {
        final long deadlineNs = expireAtNs[index];
        return deadlineNs != NO_EXPIRY && deadlineNs - nowNs <= 0;
    }

    private int freeSlot(final int keyHash)
    {
        int index = KeyHash.tableHash(keyHash) & mask;
        while (keys[index] != null)
        {
            index = (index + 1) & mask;
        }
        return index;
    }

    private void rehash(final int newCapacity)
    {
        final byte[][] oldKeys = keys;
        final CollectionValue[] oldValues = values;
        final int[] oldHashes = hashes;
        final long[] oldExpireAtNs = expireAtNs;
        allocate(newCapacity);
        for (int i = 0; i < oldKeys.length; i++)
        {
            if (oldKeys[i] != null)
            {
                final int index = freeSlot(oldHashes[i]);
                keys[index] = oldKeys[i];
                values[index] = oldValues[i];
                hashes[index] = oldHashes[i];
                expireAtNs[index] = oldExpireAtNs[i];
            }
        }
        sweepCursor = 0;
    }

    private void allocate(final int capacity)
    {
        keys = new byte[capacity][];
        values = new CollectionValue[capacity];
        hashes = new int[capacity];
        expireAtNs = new long[capacity];
        Arrays.fill(expireAtNs, NO_EXPIRY);
        mask = capacity - 1;
        resizeThreshold = (int)(capacity * 0.6f);
    }

    private static boolean equals(final byte[] candidate, final DirectBuffer key, final int keyOffset)
    {
        for (int i = 0; i < candidate.length; i++)
        {
            if (candidate[i] != key.getByte(keyOffset + i))
            {
                return false;
            }
        }
        return true;
    }
}
