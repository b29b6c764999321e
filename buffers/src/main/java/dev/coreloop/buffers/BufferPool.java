package dev.coreloop.buffers;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reactor-local pool of off-heap memory: one slab, allocated and aligned once at construction, carved into
 * fixed-size chunks. Callers acquire runs of contiguous chunks ({@link ByteRing} grows in such runs) and give
 * them back; neither allocates. The chunk count is a hard cap: when no run fits, {@link #acquire(int)} returns
 * {@code -1} and counts a failed acquire. {@link #close()} frees the slab at once rather than leaving it to
 * the garbage collector.
 *
 * <p>Free chunks are tracked in a bitmap (a set bit is a chunk in use) searched first-fit from a hint, so a
 * single-chunk acquire normally looks at one word.
 *
 * <p><b>Threading:</b> owned by one thread (a reactor); not thread-safe. The counters are plain fields and
 * are only meaningful to the owner; a reactor publishes them through its own counters.
 */
public final class BufferPool implements AutoCloseable
{
    /** Alignment of the slab: a cache line. */
    public static final int SLAB_ALIGNMENT_BYTES = 64;

    private final int chunkSizeBytes;
    private final int chunkShift;
    private final int chunkCount;
    private final ByteBuffer allocation;
    private final ByteBuffer slabByteBuffer;
    private final UnsafeBuffer slab;
    private final long[] inUse;

    private int searchHintWord;
    private int chunksInUse;
    private int highWaterMarkChunks;
    private long failedAcquires;
    private boolean closed;

    /**
     * Allocates the slab: {@code chunkSizeBytes * chunkCount} bytes of off-heap memory, once.
     *
     * @param chunkSizeBytes size of one chunk, a power of two of at least 64 bytes.
     * @param chunkCount     number of chunks; {@code chunkSizeBytes * chunkCount} must fit in an int.
     * @throws IllegalArgumentException naming the field and value when a size is invalid.
     */
    public BufferPool(final int chunkSizeBytes, final int chunkCount)
    {
        if (chunkSizeBytes < 64 || Integer.bitCount(chunkSizeBytes) != 1)
        {
            throw new IllegalArgumentException(
                "chunkSizeBytes must be a power of two >= 64: chunkSizeBytes=" + chunkSizeBytes);
        }
        if (chunkCount < 1)
        {
            throw new IllegalArgumentException("chunkCount must be >= 1: chunkCount=" + chunkCount);
        }
        if ((long)chunkSizeBytes * chunkCount > Integer.MAX_VALUE - SLAB_ALIGNMENT_BYTES)
        {
            throw new IllegalArgumentException("chunkSizeBytes * chunkCount must be < 2 GiB: chunkSizeBytes=" +
                chunkSizeBytes + " chunkCount=" + chunkCount);
        }
        this.chunkSizeBytes = chunkSizeBytes;
        this.chunkShift = Integer.numberOfTrailingZeros(chunkSizeBytes);
        this.chunkCount = chunkCount;
        // Allocated here rather than with BufferUtil.allocateDirectAligned: that returns a slice, and only the
        // original allocation can be freed deterministically in close().
        final int slabBytes = chunkSizeBytes * chunkCount;
        this.allocation = ByteBuffer.allocateDirect(slabBytes + SLAB_ALIGNMENT_BYTES);
        final long address = BufferUtil.address(allocation);
        final int padding = (int)(((address + SLAB_ALIGNMENT_BYTES - 1) & -SLAB_ALIGNMENT_BYTES) - address);
        this.slabByteBuffer = allocation.duplicate().position(padding).limit(padding + slabBytes).slice();
        this.slab = new UnsafeBuffer(slabByteBuffer);
        this.inUse = new long[(chunkCount + 63) >>> 6];
        final int tailBits = chunkCount & 63;
        if (tailBits != 0)
        {
            // bits past the last chunk are marked in use so that no search ever returns them
            inUse[inUse.length - 1] = -1L << tailBits;
        }
    }

    /** {@return the size of one chunk in bytes} */
    public int chunkSizeBytes()
    {
        return chunkSizeBytes;
    }

    /** {@return the number of chunks in the slab (the hard cap)} */
    public int chunkCount()
    {
        return chunkCount;
    }

    /** {@return the whole slab as an Agrona buffer} */
    public UnsafeBuffer slab()
    {
        return slab;
    }

    /** {@return the direct ByteBuffer behind the slab, for channel I/O views (duplicate it; do not move it)} */
    public ByteBuffer slabByteBuffer()
    {
        return slabByteBuffer;
    }

    /** {@return chunks currently acquired} */
    public int chunksInUse()
    {
        return chunksInUse;
    }

    /** {@return the largest number of chunks ever in use at once} */
    public int highWaterMarkChunks()
    {
        return highWaterMarkChunks;
    }

    /** {@return how many acquires found no free run} */
    public long failedAcquires()
    {
        return failedAcquires;
    }

    /** {@return true once {@link #close()} has freed the slab} */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Acquires a run of contiguous chunks.
     *
     * @param chunks how many chunks, {@code >= 1}.
     * @return the run's byte offset in the slab, or {@code -1} if no run of that length is free.
     */
    public int acquire(final int chunks)
    {
        if (chunks < 1)
        {
            throw new IllegalArgumentException("chunks must be >= 1: chunks=" + chunks);
        }
        ensureOpen();
        final int first = chunks == 1 ? findFreeChunk() : findFreeRun(chunks);
        if (first < 0)
        {
            failedAcquires++;
            return -1;
        }
        setRange(first, chunks, true);
        chunksInUse += chunks;
        if (chunksInUse > highWaterMarkChunks)
        {
            highWaterMarkChunks = chunksInUse;
        }
        return first << chunkShift;
    }

    /**
     * Returns a run acquired with {@link #acquire(int)}.
     *
     * @param slabOffset the offset {@link #acquire(int)} returned.
     * @param chunks     the length it was acquired with.
     * @throws IllegalStateException if any chunk of the run is not in use (a double release).
     */
    public void release(final int slabOffset, final int chunks)
    {
        ensureOpen();
        final int first = slabOffset >>> chunkShift;
        if (slabOffset < 0 || (slabOffset & (chunkSizeBytes - 1)) != 0 || chunks < 1 || first + chunks > chunkCount)
        {
            throw new IllegalArgumentException("not a run of this pool: slabOffset=" + slabOffset + " chunks=" + chunks);
        }
        for (int i = first, end = first + chunks; i < end; i++)
        {
            if ((inUse[i >>> 6] & (1L << i)) == 0)
            {
                throw new IllegalStateException("chunk " + i + " released twice (slabOffset=" + slabOffset + ")");
            }
        }
        setRange(first, chunks, false);
        chunksInUse -= chunks;
        searchHintWord = Math.min(searchHintWord, first >>> 6);
    }

    /** Frees the slab now. Idempotent. Rings still using it must be closed first. */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            slab.wrap(0, 0);
            BufferUtil.free(allocation);
        }
    }

    private int findFreeChunk()
    {
        final long[] words = inUse;
        for (int n = 0, w = searchHintWord; n < words.length; n++, w = (w + 1 == words.length) ? 0 : w + 1)
        {
            final long free = ~words[w];
            if (free != 0)
            {
                searchHintWord = w;
                return (w << 6) + Long.numberOfTrailingZeros(free);
            }
        }
        return -1;
    }

    private int findFreeRun(final int chunks)
    {
        int runStart = -1;
        int runLength = 0;
        for (int i = 0; i < chunkCount; i++)
        {
            final long word = inUse[i >>> 6];
            if (word == -1L && (i & 63) == 0)
            {
                runLength = 0;
                i += 63;
                continue;
            }
            if ((word & (1L << i)) == 0)
            {
                if (runLength++ == 0)
                {
                    runStart = i;
                }
                if (runLength == chunks)
                {
                    return runStart;
                }
            }
            else
            {
                runLength = 0;
            }
        }
        return -1;
    }

    private void setRange(final int first, final int chunks, final boolean used)
    {
        for (int i = first, end = first + chunks; i < end; i++)
        {
            if (used)
            {
                inUse[i >>> 6] |= 1L << i;
            }
            else
            {
                inUse[i >>> 6] &= ~(1L << i);
            }
        }
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("buffer pool is closed");
        }
    }
}
