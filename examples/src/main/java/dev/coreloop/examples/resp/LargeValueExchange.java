package dev.coreloop.examples.resp;

import java.util.concurrent.atomic.AtomicReferenceArray;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Hands a {@link LargeValue} from one reactor to another by reference, so that a large value never travels through a
 * message ring byte by byte: the sender parks the value in a slot and sends the slot's <em>handle</em> (a long) inside
 * its ordinary ring message; the receiver takes the value out of the slot when that message arrives. The value keeps
 * its place in the stream of messages between the two reactors, so a large {@code SET} followed by a {@code GET} of
 * the same key still executes in order on the owning shard.
 *
 * <p>Slots are partitioned by the reactor that fills them: in partition {@code p} only reactor {@code p} turns a slot
 * from null to a value ({@link #put}), and only the one receiver of the handle turns it back to null ({@link #take});
 * nothing else writes. The producer's scan cursor is its own. A handle is {@code (partition << 32) | slot}.
 *
 * <p>Capacity: a partition holds {@code 2 * maxRemoteInFlight * reactorCount + 64} slots (rounded up to a power of
 * two): the reactor's requests outstanding at others plus its replies to their outstanding requests, each at most
 * {@link RespConfig#maxRemoteInFlight()} per peer. {@link #put} returns -1 if a partition is full nonetheless; the
 * caller then fails that one command with an error reply.
 *
 * <p>Encoding: where a value or a reply would be, a handle travels as {@link #MARKER_BYTES} bytes: a 0 byte (which
 * starts no RESP reply) then the handle, little-endian.
 *
 * <p><b>Threading:</b> shared by every reactor of one server. Memory ordering: {@link #put} writes the slot with a
 * volatile set after the value is complete; {@link #take} reads and clears it with a volatile getAndSet, so the taker
 * sees every byte of the value (and the ring message that carried the handle is itself a release/acquire pair).
 * The producer finds a free slot with a volatile read that pairs with the taker's getAndSet.
 */
final class LargeValueExchange
{
    /** Bytes of an encoded handle: the 0 marker byte, then the handle. */
    static final int MARKER_BYTES = 9;
    /** First byte of an encoded handle; no RESP reply starts with it. */
    static final byte MARKER = 0;

    private final AtomicReferenceArray<LargeValue>[] partitions;
    /** Written by each partition's producer only, at its own index. */
    private final int[] cursors;
    private final int mask;

    @SuppressWarnings("unchecked")
    LargeValueExchange(final int reactorCount, final int maxRemoteInFlight)
    {
        final long wanted = 2L * maxRemoteInFlight * reactorCount + 64;
        final int slots = (int)Math.min(1 << 22, Long.highestOneBit(wanted - 1) << 1);
        this.mask = slots - 1;
        this.partitions = new AtomicReferenceArray[reactorCount];
        this.cursors = new int[reactorCount];
        for (int i = 0; i < reactorCount; i++)
        {
            partitions[i] = new AtomicReferenceArray<>(slots);
        }
    }

    /** {@return slots per partition} */
    int slotsPerPartition()
    {
        return mask + 1;
    }

    /**
     * Parks a complete value in the producer's partition. Call on reactor {@code producer}'s thread only.
     *
     * @return the handle, or -1 if the partition is full.
     */
    long put(final int producer, final LargeValue value)
    {
        final AtomicReferenceArray<LargeValue> slots = partitions[producer];
        int cursor = cursors[producer];
        for (int i = 0; i <= mask; i++)
        {
            final int slot = (cursor + i) & mask;
            if (slots.get(slot) == null) // volatile read: pairs with the getAndSet in take
            {
                slots.set(slot, value); // volatile write: pairs with the getAndSet in take
                cursors[producer] = (slot + 1) & mask;
                return ((long)producer << 32) | slot;
            }
        }
        return -1;
    }

    /** {@return the value parked under {@code handle}, which is cleared; null if there is none} */
    LargeValue take(final long handle)
    {
        final int partition = (int)(handle >>> 32);
        final int slot = (int)handle;
        if (partition < 0 || partition >= partitions.length || slot < 0 || slot > mask)
        {
            return null;
        }
        return partitions[partition].getAndSet(slot, null);
    }

    /** Writes the {@link #MARKER_BYTES}-byte encoding of {@code handle} at {@code offset}. */
    static void encode(final MutableDirectBuffer buffer, final int offset, final long handle)
    {
        buffer.putByte(offset, MARKER);
        buffer.putLong(offset + 1, handle);
    }

    /** {@return true if {@code buffer[offset, offset + length)} is an encoded handle} */
    static boolean isHandle(final DirectBuffer buffer, final int offset, final int length)
    {
        return length == MARKER_BYTES && buffer.getByte(offset) == MARKER;
    }

    /** {@return the handle encoded at {@code offset}} */
    static long decode(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + 1);
    }

    /**
     * Releases the value of a reply that will never be delivered (its connection closed): a no-op unless the reply is
     * an encoded handle.
     */
    void discardIfHandle(final DirectBuffer buffer, final int offset, final int length)
    {
        if (isHandle(buffer, offset, length))
        {
            take(decode(buffer, offset));
        }
    }
}
