package dev.coreloop.examples.resp;

import java.util.Arrays;

import org.agrona.DirectBuffer;

/**
 * One shard's keyspace: an open-addressing hash table (linear probing, deletion by backward shift, so no
 * tombstones) from key bytes to value bytes, with an optional expiry deadline per key on the reactor's monotonic
 * clock.
 *
 * <p>Keys and values live in {@code byte[]}s. Looking up an existing key allocates nothing; setting a new key
 * allocates its key and value arrays; overwriting a value reuses the old array when the new value fits and the
 * array is not more than twice as large as needed. A value longer than the large-value threshold is a
 * {@link LargeValue} instead ({@link #putLarge}), stored by reference and replaced, never modified. Expired keys are
 * removed lazily when touched and by {@link #sweep(long, int)}, which examines a bounded number of slots per call.
 *
 * <p>Accounting ({@link #usedBytes()}): the bytes of every key and value array (a large value's
 * {@link LargeValue#footprintBytes()}), {@link #ENTRY_OVERHEAD_BYTES} per key for the array headers and the slot, and
 * the table's arrays; {@link #expires()} counts the keys with an expiry deadline.
 *
 * <p><b>Threading:</b> confined to the reactor that owns the shard; never touched by another thread.
 */
public final class KeyStore
{
    /** Expiry deadline of a key that does not expire. */
    public static final long NO_EXPIRY = Long.MIN_VALUE;

    /** Bytes charged per key besides its key and value bytes: two array headers and the key's table slot. */
    static final int ENTRY_OVERHEAD_BYTES = 64;
    /** Bytes of table per slot: six arrays (three references, two ints and a long). */
    private static final int SLOT_BYTES = 3 * 8 + 4 + 4 + 8;
    private static final int INITIAL_CAPACITY = 1024;
    private static final int MIN_VALUE_ARRAY_BYTES = 16;

    private byte[][] keys;
    private byte[][] values;
    private LargeValue[] largeValues;
    private int[] valueLengths;
    private int[] hashes;
    private long[] expireAtNs;
    private int mask;
    private int size;
    private int resizeThreshold;
    private int sweepCursor;
    /** Keys, values and per-key overhead (the table is added in {@link #usedBytes()}). */
    private long entryBytes;
    private int expires;

    public KeyStore()
    {
        allocate(INITIAL_CAPACITY);
    }

    /** @return keys held, including expired keys not yet removed (as redis's DBSIZE counts them). */
    public int size()
    {
        return size;
    }

    /** {@return the memory this store accounts for, in bytes (see the class comment)} */
    public long usedBytes()
    {
        return entryBytes + (long)(mask + 1) * SLOT_BYTES;
    }

    /** {@return keys that have an expiry deadline, including expired keys not yet removed} */
    public int expires()
    {
        return expires;
    }

    /** @return the table's slot count. */
    public int capacity()
    {
        return mask + 1;
    }

    /** {@return the key bytes in slot {@code index}, or null if the slot is free (KEYS walks the slots)} */
    public byte[] keyAt(final int index)
    {
        return keys[index];
    }

    /**
     * @return the slot of a live key, or -1 if absent or expired (an expired key is removed on the way).
     */
    public int find(final DirectBuffer key, final int keyOffset, final int keyLength, final int keyHash,
        final long nowNs)
    {
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

    /** @return the value bytes of slot {@code index} (valid up to {@link #valueLength(int)}), or null for a large value. */
    public byte[] valueBytes(final int index)
    {
        return values[index];
    }

    /** {@return the large value of slot {@code index}, or null if its value is a plain byte array} */
    LargeValue largeValue(final int index)
    {
        return largeValues[index];
    }

    public int valueLength(final int index)
    {
        return valueLengths[index];
    }

    public long expireAtNs(final int index)
    {
        return expireAtNs[index];
    }

    public void expireAtNs(final int index, final long deadlineNs)
    {
        countExpiry(expireAtNs[index], deadlineNs);
        expireAtNs[index] = deadlineNs;
    }

    /**
     * Sets the value of a key, inserting it if needed.
     *
     * @param deadlineNs the new expiry deadline, or {@link #NO_EXPIRY}.
     * @return the key's slot.
     */
    public int put(final DirectBuffer key, final int keyOffset, final int keyLength, final int keyHash,
        final DirectBuffer value, final int valueOffset, final int valueLength, final long deadlineNs,
        final long nowNs)
    {
        int index = find(key, keyOffset, keyLength, keyHash, nowNs);
        if (index < 0)
        {
            index = insertKey(key, keyOffset, keyLength, keyHash);
        }
        setValue(index, value, valueOffset, valueLength);
        expireAtNs(index, deadlineNs);
        return index;
    }

    /**
     * Sets a key's value to a complete large value, by reference, inserting the key if needed.
     *
     * @param deadlineNs the new expiry deadline, or {@link #NO_EXPIRY}.
     * @return the key's slot.
     */
    int putLarge(final DirectBuffer key, final int keyOffset, final int keyLength, final int keyHash,
        final LargeValue value, final long deadlineNs, final long nowNs)
    {
        int index = find(key, keyOffset, keyLength, keyHash, nowNs);
        if (index < 0)
        {
            index = insertKey(key, keyOffset, keyLength, keyHash);
        }
        dropValue(index);
        largeValues[index] = value;
        valueLengths[index] = value.length();
        entryBytes += value.footprintBytes();
        expireAtNs(index, deadlineNs);
        return index;
    }

    /** Replaces the value of slot {@code index}, keeping its expiry. */
    public void setValue(final int index, final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        if (largeValues[index] != null)
        {
            dropValue(index);
        }
        byte[] array = values[index];
        if (array == null || array.length < valueLength || array.length > 2 * valueLength + MIN_VALUE_ARRAY_BYTES)
        {
            entryBytes += valueLength - (array == null ? 0 : array.length);
            array = new byte[valueLength];
            values[index] = array;
        }
        value.getBytes(valueOffset, array, 0, valueLength);
        valueLengths[index] = valueLength;
    }

    /** @return true if a live key was removed. */
    public boolean remove(final DirectBuffer key, final int keyOffset, final int keyLength, final int keyHash,
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

    /** Removes the key in slot {@code index}. */
    public void removeAt(final int index)
    {
        dropValue(index);
        countExpiry(expireAtNs[index], NO_EXPIRY);
        entryBytes -= keys[index].length + ENTRY_OVERHEAD_BYTES;
        keys[index] = null;
        size--;
        // backward-shift deletion: pull later members of the probe run into the hole
        int hole = index;
        int next = (index + 1) & mask;
        while (keys[next] != null)
        {
            final int home = KeyHash.tableHash(hashes[next]) & mask;
            // move if 'home' is not cyclically in (hole, next]
            final boolean between = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
            if (!between)
            {
                keys[hole] = keys[next];
                values[hole] = values[next];
                largeValues[hole] = largeValues[next];
                valueLengths[hole] = valueLengths[next];
                hashes[hole] = hashes[next];
                expireAtNs[hole] = expireAtNs[next];
                keys[next] = null;
                values[next] = null;
                largeValues[next] = null;
                hole = next;
            }
            next = (next + 1) & mask;
        }
    }

    /** Removes every key and shrinks the table back to its initial size. */
    public void clear()
    {
        allocate(INITIAL_CAPACITY);
        size = 0;
        sweepCursor = 0;
        entryBytes = 0;
        expires = 0;
    }

    /**
     * Examines up to {@code maxSlots} slots from where the previous call stopped and removes expired keys.
     *
     * @return keys removed.
     */
    public int sweep(final long nowNs, final int maxSlots)
    {
        int removed = 0;
        final int slots = Math.min(maxSlots, mask + 1);
        for (int i = 0; i < slots; i++)
        {
            final int index = sweepCursor;
            if (keys[index] != null && isExpired(index, nowNs))
            {
                removeAt(index); // a later key may shift into this slot: look at it again next time round
                removed++;
            }
            else
            {
                sweepCursor = (sweepCursor + 1) & mask;
            }
        }
        return removed;
    }

    /** Forgets the value of slot {@code index} (plain or large) and its bytes in the account. */
    private void dropValue(final int index)
    {
        final byte[] array = values[index];
        if (array != null)
        {
            entryBytes -= array.length;
            values[index] = null;
        }
        final LargeValue large = largeValues[index];
        if (large != null)
        {
            entryBytes -= large.footprintBytes();
            largeValues[index] = null;
        }
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

    private boolean isExpired(final int index, final long nowNs)
    {
        final long deadlineNs = expireAtNs[index];
        return deadlineNs != NO_EXPIRY && deadlineNs - nowNs <= 0;
    }

    private int insertKey(final DirectBuffer key, final int keyOffset, final int keyLength, final int keyHash)
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
        values[index] = null;
        largeValues[index] = null;
        valueLengths[index] = 0;
        expireAtNs[index] = NO_EXPIRY;
        entryBytes += keyLength + ENTRY_OVERHEAD_BYTES;
        size++;
        return index;
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
        final byte[][] oldValues = values;
        final LargeValue[] oldLargeValues = largeValues;
        final int[] oldValueLengths = valueLengths;
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
                largeValues[index] = oldLargeValues[i];
                valueLengths[index] = oldValueLengths[i];
                hashes[index] = oldHashes[i];
                expireAtNs[index] = oldExpireAtNs[i];
            }
        }
        sweepCursor = 0;
    }

    private void allocate(final int capacity)
    {
        keys = new byte[capacity][];
        values = new byte[capacity][];
        largeValues = new LargeValue[capacity];
        valueLengths = new int[capacity];
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
