package dev.coreloop.examples.resp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

/**
 * One shard's keyspace: an open-addressing hash table (linear probing, deletion by backward shift, so no
 * tombstones) from key bytes to value bytes, with an optional expiry deadline per key on the reactor's monotonic
 * clock.
 *
 * <p><b>Layout, for few cache misses.</b> A lookup that hits touches three cache lines, not one per field: the slot's
 * {@code meta} word (the key's hash and flags; probing compares hashes there without touching any key), the slot's
 * entry reference, and the entry: one {@code byte[]} that holds a small header (value length, key length), the key and
 * the value, so the key comparison and the value copy read the same line or two. The expiry deadline and the large
 * value live in arrays of their own that are read only when the slot's flags say the key has one.
 *
 * <p>Looking up an existing key allocates nothing; setting a new key allocates its one entry array; overwriting a value
 * reuses the entry when the new value fits and the space for it is not more than about twice what is needed. A value
 * longer than the large-value threshold is a {@link LargeValue} instead ({@link #putLarge}), stored by reference and
 * replaced, never modified. Expired keys are removed lazily when touched and by {@link #sweep(long, int)}, which
 * examines a bounded number of slots per call.
 *
 * <p>Accounting ({@link #usedBytes()}): per key, its entry's key bytes and value space plus
 * {@link #ENTRY_OVERHEAD_BYTES} (the entry's array and length headers), a large value's
 * {@link LargeValue#footprintBytes()}, and the table's arrays; {@link #expires()} counts the keys with an expiry
 * deadline.
 *
 * <p><b>Threading:</b> confined to the reactor that owns the shard; never touched by another thread.
 */
public final class KeyStore
{
    /** Expiry deadline of a key that does not expire. */
    public static final long NO_EXPIRY = Long.MIN_VALUE;

    /** Bytes charged per key besides its key bytes and value space: the entry's array header and length header. */
    static final int ENTRY_OVERHEAD_BYTES = 16 + 8;
    /** Bytes of table per slot: the meta word, two references (counted as 8 bytes each) and the expiry deadline. */
    static final int SLOT_BYTES = 8 + 8 + 8 + 8;

    /** Where an entry's key starts: after the value length (at 0) and the key length (at 4). */
    private static final int KEY_OFFSET = 8;
    private static final int KEY_LENGTH_OFFSET = 4;
    private static final long OCCUPIED = 1;
    private static final long EXPIRES = 2;
    private static final long LARGE = 4;
    private static final int INITIAL_CAPACITY = 1024;
    private static final int MIN_VALUE_SPACE = 16;
    private static final VarHandle INT_VIEW = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG_VIEW =
        MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());

    /** Per slot: 0 if free, else the key's hash in the high 32 bits and {@link #OCCUPIED} and the flags below. */
    private long[] meta;
    /** Per slot: {@code [value length][key length][key bytes][value bytes][spare value space]}. */
    private byte[][] entries;
    private LargeValue[] largeValues;
    private long[] expireAtNs;
    private int mask;
    private int size;
    private int resizeThreshold;
    private int sweepCursor;
    /** Entries and per-key overhead and large values (the table is added in {@link #usedBytes()}). */
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

    /** {@return true if slot {@code index} holds a key (KEYS walks the slots)} */
    public boolean isOccupied(final int index)
    {
        return meta[index] != 0;
    }

    /**
     * {@return the entry array of an occupied slot: its key is at {@link #keyOffset()} for {@link #keyLength(int)}
     * bytes, its value at {@link #valueOffset(int)} for {@link #valueLength(int)} bytes (unless it is a large value)}
     */
    public byte[] entry(final int index)
    {
        return entries[index];
    }

    /** {@return where the key starts in every {@link #entry(int)}} */
    public static int keyOffset()
    {
        return KEY_OFFSET;
    }

    /** {@return the length of the key in slot {@code index}} */
    public int keyLength(final int index)
    {
        return (int)INT_VIEW.get(entries[index], KEY_LENGTH_OFFSET);
    }

    /**
     * @return the slot of a live key, or -1 if absent or expired (an expired key is removed on the way).
     */
    public int find(final DirectBuffer key, final int keyOffset, final int keyLength, final int keyHash,
        final long nowNs)
    {
        final long wanted = (long)keyHash << 32;
        int index = KeyHash.tableHash(keyHash) & mask;
        while (true)
        {
            final long slot = meta[index];
            if (slot == 0)
            {
                return -1;
            }
            if ((slot & 0xFFFF_FFFF_0000_0000L) == wanted && keyEquals(entries[index], key, keyOffset, keyLength))
            {
                if ((slot & EXPIRES) != 0 && isExpired(index, nowNs))
                {
                    removeAt(index);
                    return -1;
                }
                return index;
            }
            index = (index + 1) & mask;
        }
    }

    /** {@return true if slot {@code index} holds a {@link LargeValue} rather than value bytes} */
    public boolean isLarge(final int index)
    {
        return (meta[index] & LARGE) != 0;
    }

    /** {@return the large value of slot {@code index}, or null if its value is plain bytes} */
    LargeValue largeValue(final int index)
    {
        return largeValues[index];
    }

    /** {@return where the value starts in the {@link #entry(int)} of slot {@code index}} */
    public int valueOffset(final int index)
    {
        return KEY_OFFSET + keyLength(index);
    }

    /** {@return the value's length: of its bytes, or of its large value} */
    public int valueLength(final int index)
    {
        return isLarge(index) ? largeValues[index].length() : (int)INT_VIEW.get(entries[index], 0);
    }

    /** {@return the bytes the entry of slot {@code index} has for its value (its length or more)} */
    int valueSpace(final int index)
    {
        return entries[index].length - valueOffset(index);
    }

    public long expireAtNs(final int index)
    {
        return (meta[index] & EXPIRES) == 0 ? NO_EXPIRY : expireAtNs[index];
    }

    public void expireAtNs(final int index, final long deadlineNs)
    {
        final boolean had = (meta[index] & EXPIRES) != 0;
        if (deadlineNs == NO_EXPIRY)
        {
            if (had)
            {
                expires--;
                meta[index] &= ~EXPIRES;
            }
        }
        else
        {
            if (!had)
            {
                expires++;
                meta[index] |= EXPIRES;
            }
            expireAtNs[index] = deadlineNs;
        }
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
            index = insertKey(key, keyOffset, keyLength, keyHash, valueLength);
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
            index = insertKey(key, keyOffset, keyLength, keyHash, 0);
        }
        else
        {
            dropLarge(index);
            if (valueSpace(index) > 0)
            {
                resizeValueSpace(index, 0); // the plain value's space goes; the large value is held by reference
            }
        }
        largeValues[index] = value;
        meta[index] |= LARGE;
        entryBytes += value.footprintBytes();
        expireAtNs(index, deadlineNs);
        return index;
    }

    /** Replaces the value of slot {@code index}, keeping its expiry. */
    public void setValue(final int index, final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        dropLarge(index);
        final int space = valueSpace(index);
        if (space < valueLength || space > 2 * valueLength + MIN_VALUE_SPACE)
        {
            resizeValueSpace(index, valueLength);
        }
        final byte[] entry = entries[index];
        value.getBytes(valueOffset, entry, valueOffset(index), valueLength);
        INT_VIEW.set(entry, 0, valueLength);
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
        dropLarge(index);
        expireAtNs(index, NO_EXPIRY);
        entryBytes -= entries[index].length + (ENTRY_OVERHEAD_BYTES - KEY_OFFSET);
        meta[index] = 0;
        entries[index] = null;
        size--;
        // backward-shift deletion: pull later members of the probe run into the hole
        int hole = index;
        int next = (index + 1) & mask;
        while (meta[next] != 0)
        {
            final int home = KeyHash.tableHash((int)(meta[next] >>> 32)) & mask;
            // move if 'home' is not cyclically in (hole, next]
            final boolean between = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
            if (!between)
            {
                meta[hole] = meta[next];
                entries[hole] = entries[next];
                largeValues[hole] = largeValues[next];
                expireAtNs[hole] = expireAtNs[next];
                meta[next] = 0;
                entries[next] = null;
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
            if ((meta[index] & EXPIRES) != 0 && isExpired(index, nowNs))
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

    /** Forgets the large value of slot {@code index}, if it has one, and its bytes in the account. */
    private void dropLarge(final int index)
    {
        if ((meta[index] & LARGE) != 0)
        {
            entryBytes -= largeValues[index].footprintBytes();
            largeValues[index] = null;
            meta[index] &= ~LARGE;
            INT_VIEW.set(entries[index], 0, 0);
        }
    }

    /** Replaces the entry of slot {@code index} by one with exactly {@code valueSpace} bytes for its value (empty). */
    private void resizeValueSpace(final int index, final int valueSpace)
    {
        final byte[] old = entries[index];
        final int keyEnd = valueOffset(index);
        final byte[] entry = new byte[keyEnd + valueSpace];
        System.arraycopy(old, KEY_LENGTH_OFFSET, entry, KEY_LENGTH_OFFSET, keyEnd - KEY_LENGTH_OFFSET);
        entries[index] = entry;
        entryBytes += entry.length - old.length;
    }

    private boolean isExpired(final int index, final long nowNs)
    {
        return expireAtNs[index] - nowNs <= 0;
    }

    private int insertKey(final DirectBuffer key, final int keyOffset, final int keyLength, final int keyHash,
        final int valueSpace)
    {
        if (size + 1 > resizeThreshold)
        {
            rehash((mask + 1) * 2);
        }
        final byte[] entry = new byte[KEY_OFFSET + keyLength + valueSpace];
        INT_VIEW.set(entry, KEY_LENGTH_OFFSET, keyLength);
        key.getBytes(keyOffset, entry, KEY_OFFSET, keyLength);
        final int index = freeSlot(keyHash);
        meta[index] = (long)keyHash << 32 | OCCUPIED;
        entries[index] = entry;
        largeValues[index] = null;
        entryBytes += entry.length + (ENTRY_OVERHEAD_BYTES - KEY_OFFSET);
        size++;
        return index;
    }

    private int freeSlot(final int keyHash)
    {
        int index = KeyHash.tableHash(keyHash) & mask;
        while (meta[index] != 0)
        {
            index = (index + 1) & mask;
        }
        return index;
    }

    private void rehash(final int newCapacity)
    {
        final long[] oldMeta = meta;
        final byte[][] oldEntries = entries;
        final LargeValue[] oldLargeValues = largeValues;
        final long[] oldExpireAtNs = expireAtNs;
        allocate(newCapacity);
        for (int i = 0; i < oldMeta.length; i++)
        {
            if (oldMeta[i] != 0)
            {
                final int index = freeSlot((int)(oldMeta[i] >>> 32));
                meta[index] = oldMeta[i];
                entries[index] = oldEntries[i];
                largeValues[index] = oldLargeValues[i];
                expireAtNs[index] = oldExpireAtNs[i];
            }
        }
        sweepCursor = 0;
    }

    private void allocate(final int capacity)
    {
        meta = new long[capacity];
        entries = new byte[capacity][];
        largeValues = new LargeValue[capacity];
        expireAtNs = new long[capacity];
        mask = capacity - 1;
        resizeThreshold = (int)(capacity * 0.6f);
    }

    /** Compares the key of {@code entry} with {@code key}, eight bytes at a time. */
    private static boolean keyEquals(final byte[] entry, final DirectBuffer key, final int keyOffset,
        final int keyLength)
    {
        if ((int)INT_VIEW.get(entry, KEY_LENGTH_OFFSET) != keyLength)
        {
            return false;
        }
        int i = 0;
        for (; i + Long.BYTES <= keyLength; i += Long.BYTES)
        {
            if ((long)LONG_VIEW.get(entry, KEY_OFFSET + i) != key.getLong(keyOffset + i, ByteOrder.nativeOrder()))
            {
                return false;
            }
        }
        for (; i < keyLength; i++)
        {
            if (entry[KEY_OFFSET + i] != key.getByte(keyOffset + i))
            {
                return false;
            }
        }
        return true;
    }
}
