package dev.coreloop.buffers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;
import java.util.Objects;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A circular off-heap byte buffer for one direction of one connection.
 *
 * <p>Storage is a run of {@link BufferPool} chunks, acquired on first use and grown in chunk steps (the next
 * size is the larger of one more chunk and double the current size) up to {@link #maxCapacityBytes()}; a run
 * lies within one pool segment.
 * Growth copies the readable bytes, linearised, into the new run. When the ring becomes empty through
 * {@link #consume}, {@link #drainTo} or {@link #fillFrom} its positions reset to 0 and its storage goes back
 * to the pool, so an idle connection holds no memory and request/response traffic rarely wraps;
 * {@link #clear()} instead keeps the storage for immediate reuse.
 *
 * <p>The pool must outlive the ring: once the pool is closed every operation that would touch memory throws
 * {@link IllegalStateException} (rather than reading freed memory) and {@link #close()} only marks the ring
 * closed.
 *
 * <p>Limits are explicit: an append or fill that would pass the cap does nothing and returns {@link #FULL};
 * one the pool cannot serve returns {@link #NO_MEMORY}. Nothing is dropped silently.
 *
 * <p>Channel I/O goes straight between the socket and the ring: {@link #fillFrom} reads into both free
 * segments with one scattering read and {@link #drainTo} writes both readable segments with one gathering
 * write (one readv/writev), through the pool's two shared ByteBuffer views of the run's segment.
 *
 * <p>Frames that wrap: {@link #linearise()} makes the readable bytes contiguous on demand (copying only when
 * they wrap) and returns the buffer that holds them from {@link #readOffset()}; parsers read that view.
 *
 * <p><b>Threading:</b> owned by the thread that owns its pool (a reactor); not thread-safe.
 */
public final class ByteRing implements AutoCloseable
{
    /** {@link #fillFrom}: the channel reached end of stream. */
    public static final int EOF = -1;
    /** The ring is at its maximum capacity: nothing was read or appended. */
    public static final int FULL = -2;
    /** The pool had no run of chunks for the growth: nothing was read or appended. */
    public static final int NO_MEMORY = -3;

    private final BufferPool pool;
    private final int chunkSizeBytes;
    private final int maxCapacityBytes;
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer sourceView = new UnsafeBuffer(0, 0);

    /** The run's offset in the pool ({@link BufferPool#acquire}), or -1 while the ring holds no storage. */
    private int slabOffset = -1;
    /** Where the run starts in its segment's buffer (the pool's {@code bufferOffset}). */
    private int segmentOffset;
    private int capacity;
    private int head;
    private int size;
    private boolean closed;

    /**
     * Creates an empty ring over {@code pool}.
     *
     * @param pool             where storage comes from; owned by the same thread.
     * @param maxCapacityBytes the cap, at least one chunk; rounded down to whole chunks. A growth past the pool's
     *                         segment size ({@link BufferPool#segmentChunks()}), like one past the pool's free
     *                         memory, is refused with {@link #NO_MEMORY}: keep caps within a segment.
     * @throws IllegalArgumentException naming the field and value when the cap is invalid.
     */
    public ByteRing(final BufferPool pool, final int maxCapacityBytes)
    {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.chunkSizeBytes = pool.chunkSizeBytes();
        if (maxCapacityBytes < chunkSizeBytes)
        {
            throw new IllegalArgumentException("maxCapacityBytes must be >= the pool's chunk size " + chunkSizeBytes +
                ": maxCapacityBytes=" + maxCapacityBytes);
        }
        this.maxCapacityBytes = maxCapacityBytes - (maxCapacityBytes % chunkSizeBytes);
    }

    /** {@return bytes written and not yet consumed} */
    public int readableBytes()
    {
        return size;
    }

    /** {@return true when there is nothing to read} */
    public boolean isEmpty()
    {
        return size == 0;
    }

    /** {@return the storage currently held, in bytes (0 while empty)} */
    public int capacity()
    {
        return capacity;
    }

    /** {@return the cap: the ring never holds more than this} */
    public int maxCapacityBytes()
    {
        return maxCapacityBytes;
    }

    /**
     * Appends all of {@code src[offset, offset + length)} or nothing.
     *
     * @param src    the bytes to copy.
     * @param offset where they start in {@code src}.
     * @param length how many to copy.
     * @return {@code length}, or {@link #FULL} / {@link #NO_MEMORY}.
     */
    public int append(final DirectBuffer src, final int offset, final int length)
    {
        final int result = reserve(length);
        if (result < 0)
        {
            return result;
        }
        final int tail = tail();
        final int firstPart = Math.min(length, capacity - tail);
        view.putBytes(tail, src, offset, firstPart);
        if (firstPart < length)
        {
            view.putBytes(0, src, offset + firstPart, length - firstPart);
        }
        size += length;
        return length;
    }

    /**
     * As {@link #append(DirectBuffer, int, int)}, from a byte array.
     *
     * @param src    the bytes to copy.
     * @param offset where they start in {@code src}.
     * @param length how many to copy.
     * @return {@code length}, or {@link #FULL} / {@link #NO_MEMORY}.
     */
    public int append(final byte[] src, final int offset, final int length)
    {
        sourceView.wrap(src);
        final int result = append(sourceView, offset, length);
        sourceView.wrap(0, 0);
        return result;
    }

    /**
     * As {@link #append(DirectBuffer, int, int)}, from the remaining bytes of {@code src} (heap or direct); its
     * position advances only on success.
     *
     * @param src the bytes to copy, from its position to its limit.
     * @return the number of bytes appended, or {@link #FULL} / {@link #NO_MEMORY}.
     */
    public int append(final ByteBuffer src)
    {
        final int position = src.position();
        sourceView.wrap(src);
        final int result = append(sourceView, position, src.remaining());
        sourceView.wrap(0, 0);
        if (result >= 0)
        {
            src.position(position + result);
        }
        return result;
    }

    /**
     * Reads once from {@code channel} into the free space, at most {@code maxBytes}. Both free segments are
     * offered to one scattering read when they wrap. A full ring first grows by a step if below its cap.
     *
     * @param channel  a non-blocking channel to read from.
     * @param maxBytes the most to read in this call, {@code >= 0}.
     * @return bytes read ({@code >= 0}; 0 when the channel had nothing), {@link #EOF}, {@link #FULL} or
     * {@link #NO_MEMORY}.
     * @throws IOException from the channel.
     */
    public int fillFrom(final ScatteringByteChannel channel, final int maxBytes) throws IOException
    {
        checkBudget(maxBytes);
        ensureUsable();
        if (maxBytes == 0)
        {
            return 0;
        }
        if (size == capacity)
        {
            if (capacity == maxCapacityBytes)
            {
                return FULL;
            }
            if (!grow(size + 1))
            {
                return NO_MEMORY;
            }
        }
        final int tail = tail();
        final int free = Math.min(capacity - size, maxBytes);
        final int firstPart = Math.min(free, capacity - tail);
        final ByteBuffer[] io = pool.ioViews(slabOffset);
        final long read;
        if (firstPart == free)
        {
            setSegment(io[0], tail, firstPart);
            read = channel.read(io[0]);
        }
        else
        {
            setSegment(io[0], tail, firstPart);
            setSegment(io[1], 0, free - firstPart);
            read = channel.read(io, 0, 2);
        }
        if (read < 0)
        {
            releaseIfEmpty();
            return EOF;
        }
        size += (int)read;
        releaseIfEmpty();
        return (int)read;
    }

    /**
     * Writes once to {@code channel} from the readable bytes, at most {@code maxBytes}, and consumes what was
     * written. Both readable segments go to one gathering write when they wrap.
     *
     * @param channel  a non-blocking channel to write to.
     * @param maxBytes the most to write in this call, {@code >= 0}.
     * @return bytes written, {@code >= 0}.
     * @throws IOException from the channel.
     */
    public int drainTo(final GatheringByteChannel channel, final int maxBytes) throws IOException
    {
        checkBudget(maxBytes);
        ensureUsable();
        final int length = Math.min(size, maxBytes);
        if (length == 0)
        {
            return 0;
        }
        final int firstPart = Math.min(length, capacity - head);
        final ByteBuffer[] io = pool.ioViews(slabOffset);
        final long written;
        if (firstPart == length)
        {
            setSegment(io[0], head, length);
            written = channel.write(io[0]);
        }
        else
        {
            setSegment(io[0], head, firstPart);
            setSegment(io[1], 0, length - firstPart);
            written = channel.write(io, 0, 2);
        }
        consume((int)written);
        return (int)written;
    }

    /**
     * {@return the byte there}
     *
     * @param index position relative to the read position, {@code 0 .. readableBytes() - 1}.
     */
    public byte getByte(final int index)
    {
        if (index < 0 || index >= size)
        {
            throw new IndexOutOfBoundsException("index=" + index + " readableBytes=" + size);
        }
        ensureUsable();
        final int at = head + index;
        return view.getByte(at < capacity ? at : at - capacity);
    }

    /**
     * Drops {@code length} bytes from the read side.
     *
     * @param length how many readable bytes to drop.
     * @throws IllegalArgumentException if {@code length} is negative or more than is readable.
     */
    public void consume(final int length)
    {
        if (length < 0 || length > size)
        {
            throw new IllegalArgumentException("consume length=" + length + " readableBytes=" + size);
        }
        if (length == 0)
        {
            return;
        }
        ensureUsable();
        size -= length;
        head += length;
        if (head >= capacity)
        {
            head -= capacity;
        }
        releaseIfEmpty();
    }

    /**
     * Makes every readable byte contiguous and returns the buffer holding them, from {@link #readOffset()} for
     * {@link #readableBytes()} bytes. Copies only when the data wraps: into a fresh run of the same size, or,
     * when the pool has none, by rotating in place. The view is valid until the next call that changes the ring.
     *
     * @return the buffer that holds the readable bytes contiguously.
     */
    public DirectBuffer linearise()
    {
        ensureUsable();
        if (head + size > capacity)
        {
            if (!moveTo(capacity))
            {
                rotateInPlace();
            }
        }
        return view;
    }

    /** {@return where the readable bytes start in the buffer {@link #linearise()} returns} */
    public int readOffset()
    {
        return head;
    }

    /** Drops every readable byte and resets the positions to 0, keeping the storage. */
    public void clear()
    {
        ensureUsable();
        size = 0;
        head = 0;
    }

    /**
     * Returns the storage to the pool; the ring must not be used afterwards. Idempotent. If the pool is already
     * closed its memory is gone anyway and nothing is returned.
     */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            size = 0;
            head = 0;
            if (pool.isClosed())
            {
                slabOffset = -1;
                capacity = 0;
                view.wrap(0, 0);
            }
            else
            {
                releaseStorage();
            }
        }
    }

    /** {@return true once {@link #close()} has run} */
    public boolean isClosed()
    {
        return closed;
    }

    private void ensureUsable()
    {
        if (closed)
        {
            throw new IllegalStateException("ring is closed");
        }
        if (pool.isClosed())
        {
            throw new IllegalStateException("the ring's buffer pool is closed");
        }
    }

    private static void checkBudget(final int maxBytes)
    {
        if (maxBytes < 0)
        {
            throw new IllegalArgumentException("maxBytes must be >= 0: maxBytes=" + maxBytes);
        }
    }

    private int tail()
    {
        final int tail = head + size;
        return tail < capacity ? tail : tail - capacity;
    }

    private int reserve(final int length)
    {
        if (length < 0)
        {
            throw new IllegalArgumentException("length must be >= 0: length=" + length);
        }
        ensureUsable();
        final int needed = size + length;
        if (needed > maxCapacityBytes || needed < 0)
        {
            return FULL;
        }
        if (needed > capacity && !grow(needed))
        {
            return NO_MEMORY;
        }
        return length;
    }

    private boolean grow(final int neededBytes)
    {
        long newCapacity = Math.max(capacity + chunkSizeBytes, (long)capacity << 1);
        while (newCapacity < neededBytes)
        {
            newCapacity <<= 1;
        }
        return moveTo((int)Math.min(roundUpToChunk(newCapacity), maxCapacityBytes));
    }

    /** Moves the readable bytes, linearised, into a fresh run of {@code newCapacity} bytes. */
    private boolean moveTo(final int newCapacity)
    {
        final int newOffset = pool.acquire(newCapacity / chunkSizeBytes);
        if (newOffset < 0)
        {
            return false;
        }
        final UnsafeBuffer target = pool.buffer(newOffset);
        final int targetOffset = pool.bufferOffset(newOffset);
        if (size > 0)
        {
            final int firstPart = Math.min(size, capacity - head);
            final UnsafeBuffer source = pool.buffer(slabOffset);
            target.putBytes(targetOffset, source, segmentOffset + head, firstPart);
            if (firstPart < size)
            {
                target.putBytes(targetOffset + firstPart, source, segmentOffset, size - firstPart);
            }
        }
        releaseStorage();
        slabOffset = newOffset;
        segmentOffset = targetOffset;
        capacity = newCapacity;
        head = 0;
        view.wrap(target, targetOffset, newCapacity);
        return true;
    }

    /** Rotates the storage left by {@code head} with three reversals: no memory needed. */
    private void rotateInPlace()
    {
        reverse(0, head);
        reverse(head, capacity);
        reverse(0, capacity);
        head = 0;
    }

    private void reverse(final int from, final int to)
    {
        for (int i = from, j = to - 1; i < j; i++, j--)
        {
            final byte b = view.getByte(i);
            view.putByte(i, view.getByte(j));
            view.putByte(j, b);
        }
    }

    private void releaseIfEmpty()
    {
        if (size == 0)
        {
            head = 0;
            releaseStorage();
        }
    }

    private void releaseStorage()
    {
        if (slabOffset >= 0)
        {
            pool.release(slabOffset, capacity / chunkSizeBytes);
            slabOffset = -1;
            capacity = 0;
            view.wrap(0, 0);
        }
    }

    private long roundUpToChunk(final long bytes)
    {
        return (bytes + chunkSizeBytes - 1) & -chunkSizeBytes;
    }

    private void setSegment(final ByteBuffer segment, final int ringOffset, final int length)
    {
        final int start = segmentOffset + ringOffset;
        segment.limit(start + length).position(start);
    }
}
