package dev.coreloop.buffers;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reactor-local pool of off-heap memory, carved into fixed-size chunks and committed as it is used. Callers acquire
 * runs of contiguous chunks ({@link ByteRing} grows in such runs) and give them back.
 *
 * <p><b>Segments.</b> The chunks are grouped into segments of {@link #segmentChunks()} chunks; a run never crosses a
 * segment, so the longest run is one segment. A segment's memory is allocated (and so committed) only when an acquire
 * first needs it, and given back to the operating system by {@link #trim()} once it has had no chunk in use for a
 * whole trim interval; an acquire prefers segments already allocated, lowest first, so that live data gathers in few
 * segments and the others can go. The pool's size ({@link #chunkCount()}) is a hard cap, not a reservation: an idle
 * pool holds no memory. When no run fits, or the JVM refuses a segment's memory (its direct-memory limit),
 * {@link #acquire(int)} returns {@code -1} and counts a failed acquire.
 *
 * <p>An acquired run is named by its <em>run offset</em>, {@code segment * segmentBytes + byte offset in the segment}.
 * {@link #buffer(int)} and {@link #bufferOffset(int)} locate it; {@link #ioViews(int)} gives the segment's two
 * {@link ByteBuffer} views for channel I/O, shared by every ring of the pool (their position and limit are set for
 * each call, on the owning thread). Neither acquire nor release allocates, except when a segment is allocated.
 *
 * <p>Free chunks are tracked in a bitmap (a set bit is a chunk in use) searched first-fit from a hint, so a
 * single-chunk acquire normally looks at one word. {@link #close()} frees every segment at once rather than leaving
 * it to the garbage collector.
 *
 * <p><b>Threading:</b> owned by one thread (a reactor); not thread-safe. The counters are plain fields and
 * are only meaningful to the owner; a reactor publishes them through its own counters.
 */
public final class BufferPool implements AutoCloseable
{
    /** Alignment of each segment: a cache line. */
    public static final int SLAB_ALIGNMENT_BYTES = 64;

    private final int chunkSizeBytes;
    private final int chunkShift;
    private final int chunkCount;
    private final int segmentChunks;
    private final int segmentShift;
    private final int segmentCount;
    private final long[] inUse;
    /** Per segment: its memory (the allocation, for freeing), a view of it, and its two I/O views; null while not allocated. */
    private final ByteBuffer[] allocations;
    private final UnsafeBuffer[] buffers;
    private final ByteBuffer[][] ioViews;
    private final int[] segmentChunksInUse;
    /** Per segment: a run acquired or released there since the last {@link #trim()}. */
    private final boolean[] usedSinceTrim;

    private int searchHintWord;
    private int chunksInUse;
    private int highWaterMarkChunks;
    private int segmentsAllocated;
    private long failedAcquires;
    private long segmentAllocations;
    private long segmentReleases;
    private boolean closed;

    /**
     * A pool of one segment: all of its memory is allocated on the first acquire and kept until {@link #trim()}
     * finds it unused.
     *
     * @param chunkSizeBytes size of one chunk, a power of two of at least 64 bytes.
     * @param chunkCount     number of chunks; {@code chunkSizeBytes * chunkCount} must fit in an int.
     * @throws IllegalArgumentException naming the field and value when a size is invalid.
     */
    public BufferPool(final int chunkSizeBytes, final int chunkCount)
    {
        this(chunkSizeBytes, chunkCount, Math.max(1, Integer.highestOneBit(Math.max(1, chunkCount - 1)) << 1));
    }

    /**
     * A pool committed a segment at a time. Allocates no memory for chunks here.
     *
     * @param chunkSizeBytes size of one chunk, a power of two of at least 64 bytes.
     * @param chunkCount     number of chunks (the hard cap); {@code chunkSizeBytes * chunkCount} must fit in an int.
     * @param segmentChunks  chunks per segment, a power of two: the unit memory is committed and returned in, and
     *                       the longest run an acquire can get. The last segment may be shorter.
     * @throws IllegalArgumentException naming the field and value when a size is invalid.
     */
    public BufferPool(final int chunkSizeBytes, final int chunkCount, final int segmentChunks)
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
        if (segmentChunks < 1 || Integer.bitCount(segmentChunks) != 1)
        {
            throw new IllegalArgumentException("segmentChunks must be a power of two >= 1: segmentChunks=" +
                segmentChunks);
        }
        this.chunkSizeBytes = chunkSizeBytes;
        this.chunkShift = Integer.numberOfTrailingZeros(chunkSizeBytes);
        this.chunkCount = chunkCount;
        this.segmentChunks = Math.min(segmentChunks, Integer.highestOneBit(Integer.MAX_VALUE >> chunkShift));
        this.segmentShift = Integer.numberOfTrailingZeros(this.segmentChunks);
        this.segmentCount = (chunkCount + this.segmentChunks - 1) >>> segmentShift;
        this.inUse = new long[(chunkCount + 63) >>> 6];
        final int tailBits = chunkCount & 63;
        if (tailBits != 0)
        {
            // bits past the last chunk are marked in use so that no search ever returns them
            inUse[inUse.length - 1] = -1L << tailBits;
        }
        this.allocations = new ByteBuffer[segmentCount];
        this.buffers = new UnsafeBuffer[segmentCount];
        this.ioViews = new ByteBuffer[segmentCount][];
        this.segmentChunksInUse = new int[segmentCount];
        this.usedSinceTrim = new boolean[segmentCount];
    }

    /** {@return the size of one chunk in bytes} */
    public int chunkSizeBytes()
    {
        return chunkSizeBytes;
    }

    /** {@return the number of chunks in the pool (the hard cap)} */
    public int chunkCount()
    {
        return chunkCount;
    }

    /** {@return chunks per segment: the longest run an acquire can get} */
    public int segmentChunks()
    {
        return segmentChunks;
    }

    /** {@return how many segments the pool has} */
    public int segmentCount()
    {
        return segmentCount;
    }

    /** {@return how many segments have their memory allocated now} */
    public int segmentsAllocated()
    {
        return segmentsAllocated;
    }

    /** {@return the off-heap bytes the pool holds now: its allocated segments} */
    public long committedBytes()
    {
        long bytes = 0;
        for (int s = 0; s < segmentCount; s++)
        {
            if (buffers[s] != null)
            {
                bytes += buffers[s].capacity();
            }
        }
        return bytes;
    }

    /** {@return how many times a segment's memory was allocated} */
    public long segmentAllocations()
    {
        return segmentAllocations;
    }

    /** {@return how many times {@link #trim()} gave a segment's memory back} */
    public long segmentReleases()
    {
        return segmentReleases;
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

    /** {@return how many acquires found no free run (or no memory for a segment)} */
    public long failedAcquires()
    {
        return failedAcquires;
    }

    /** {@return true once {@link #close()} has freed the memory} */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * {@return the buffer that holds the run at {@code runOffset}: its segment, from {@link #bufferOffset(int)}}
     *
     * @param runOffset what {@link #acquire(int)} returned, for a run still acquired.
     */
    public UnsafeBuffer buffer(final int runOffset)
    {
        return buffers[runOffset >>> (segmentShift + chunkShift)];
    }

    /**
     * {@return where the run at {@code runOffset} starts in {@link #buffer(int)}}
     *
     * @param runOffset what {@link #acquire(int)} returned.
     */
    public int bufferOffset(final int runOffset)
    {
        return runOffset & ((segmentChunks << chunkShift) - 1);
    }

    /**
     * {@return two ByteBuffer views of the segment that holds {@code runOffset}, for one scattering read or gathering
     * write; shared by every user of this pool: set their position and limit (in {@link #bufferOffset(int)} terms)
     * right before each channel call}
     *
     * @param runOffset what {@link #acquire(int)} returned, for a run still acquired.
     */
    public ByteBuffer[] ioViews(final int runOffset)
    {
        return ioViews[runOffset >>> (segmentShift + chunkShift)];
    }

    /**
     * Acquires a run of contiguous chunks, allocating a segment's memory if no allocated segment has the run free.
     *
     * @param chunks how many chunks, {@code >= 1}.
     * @return the run offset, or {@code -1} if no run of that length is free (a run longer than
     * {@link #segmentChunks()} never is) or its segment's memory was refused.
     * @throws IllegalArgumentException if {@code chunks} is less than 1.
     */
    public int acquire(final int chunks)
    {
        if (chunks < 1)
        {
            throw new IllegalArgumentException("chunks must be >= 1: chunks=" + chunks);
        }
        ensureOpen();
        if (chunks > segmentChunks)
        {
            failedAcquires++; // longer than any run can be
            return -1;
        }
        int first = chunks == 1 ? findFreeChunkInAllocated() : findFreeRunInAllocated(chunks);
        if (first < 0)
        {
            first = allocateSegmentFor(chunks);
            if (first < 0)
            {
                failedAcquires++;
                return -1;
            }
        }
        setRange(first, chunks, true);
        final int segment = first >>> segmentShift;
        segmentChunksInUse[segment] += chunks;
        usedSinceTrim[segment] = true;
        chunksInUse += chunks;
        if (chunksInUse > highWaterMarkChunks)
        {
            highWaterMarkChunks = chunksInUse;
        }
        return first << chunkShift;
    }

    /**
     * Returns a run acquired with {@link #acquire(int)}. The segment's memory stays until {@link #trim()}.
     *
     * @param runOffset the offset {@link #acquire(int)} returned.
     * @param chunks    the length it was acquired with.
     * @throws IllegalStateException if any chunk of the run is not in use (a double release).
     */
    public void release(final int runOffset, final int chunks)
    {
        ensureOpen();
        final int first = runOffset >>> chunkShift;
        if (runOffset < 0 || (runOffset & (chunkSizeBytes - 1)) != 0 || chunks < 1 || first + chunks > chunkCount ||
            (first >>> segmentShift) != ((first + chunks - 1) >>> segmentShift))
        {
            throw new IllegalArgumentException("not a run of this pool: runOffset=" + runOffset + " chunks=" + chunks);
        }
        for (int i = first, end = first + chunks; i < end; i++)
        {
            if ((inUse[i >>> 6] & (1L << i)) == 0)
            {
                throw new IllegalStateException("chunk " + i + " released twice (runOffset=" + runOffset + ")");
            }
        }
        setRange(first, chunks, false);
        segmentChunksInUse[first >>> segmentShift] -= chunks;
        usedSinceTrim[first >>> segmentShift] = true;
        chunksInUse -= chunks;
        searchHintWord = Math.min(searchHintWord, first >>> 6);
    }

    /**
     * Gives back to the operating system the memory of every segment that has no chunk in use and had none acquired
     * or released since the previous call. Called periodically (a reactor does it on a timer), a segment is returned after
     * one to two periods without use; one that is busy again before then is kept, so a steady load does not
     * allocate and free the same segment over and over.
     *
     * @return how many segments were freed.
     */
    public int trim()
    {
        if (closed)
        {
            return 0;
        }
        int freed = 0;
        for (int s = 0; s < segmentCount; s++)
        {
            if (buffers[s] != null && segmentChunksInUse[s] == 0 && !usedSinceTrim[s])
            {
                freeSegment(s);
                segmentReleases++;
                freed++;
            }
            usedSinceTrim[s] = false;
        }
        return freed;
    }

    /** Frees every segment now. Idempotent. Rings still using the pool must be closed first. */
    public void close()
    {
        if (!closed)
        {
            closed = true;
            for (int s = 0; s < segmentCount; s++)
            {
                if (buffers[s] != null)
                {
                    freeSegment(s);
                }
            }
        }
    }

    private int segmentBytes(final int segment)
    {
        final int firstChunk = segment << segmentShift;
        return Math.min(segmentChunks, chunkCount - firstChunk) << chunkShift;
    }

    /** Allocates the lowest unallocated segment long enough for the run; returns the run's first chunk, or -1. */
    private int allocateSegmentFor(final int chunks)
    {
        for (int s = 0; s < segmentCount; s++)
        {
            if (buffers[s] == null && segmentBytes(s) >= chunks << chunkShift)
            {
                final int bytes = segmentBytes(s);
                final ByteBuffer allocation;
                try
                {
                    // Not BufferUtil.allocateDirectAligned: that returns a slice, and only the original allocation
                    // can be freed deterministically.
                    allocation = ByteBuffer.allocateDirect(bytes + SLAB_ALIGNMENT_BYTES);
                }
                catch (final OutOfMemoryError ex)
                {
                    return -1; // the JVM's direct-memory limit: as good as a full pool
                }
                final long address = BufferUtil.address(allocation);
                final int padding = (int)(((address + SLAB_ALIGNMENT_BYTES - 1) & -SLAB_ALIGNMENT_BYTES) - address);
                final ByteBuffer segment = allocation.duplicate().position(padding).limit(padding + bytes).slice();
                allocations[s] = allocation;
                buffers[s] = new UnsafeBuffer(segment);
                ioViews[s] = new ByteBuffer[]{ segment.duplicate(), segment.duplicate() };
                segmentsAllocated++;
                segmentAllocations++;
                return s << segmentShift;
            }
        }
        return -1;
    }

    private void freeSegment(final int segment)
    {
        buffers[segment].wrap(0, 0);
        buffers[segment] = null;
        ioViews[segment] = null;
        final ByteBuffer allocation = allocations[segment];
        allocations[segment] = null;
        segmentsAllocated--;
        BufferUtil.free(allocation);
    }

    private int findFreeChunkInAllocated()
    {
        final long[] words = inUse;
        for (int n = 0, w = searchHintWord; n < words.length; n++, w = (w + 1 == words.length) ? 0 : w + 1)
        {
            final long free = ~words[w];
            if (free == 0)
            {
                continue;
            }
            final int chunk = segmentShift >= 6 ? // a word lies in one segment
                (buffers[(w << 6) >>> segmentShift] != null ? (w << 6) + Long.numberOfTrailingZeros(free) : -1) :
                firstFreeInAllocated(w, free);
            if (chunk >= 0)
            {
                searchHintWord = w;
                return chunk;
            }
        }
        return -1;
    }

    /** A word can span several small segments: the lowest free bit of an allocated one, else its first free bit. */
    private int firstFreeInAllocated(final int word, final long free)
    {
        long bits = free;
        while (bits != 0)
        {
            final int chunk = (word << 6) + Long.numberOfTrailingZeros(bits);
            if (buffers[chunk >>> segmentShift] != null)
            {
                return chunk;
            }
            bits &= bits - 1;
        }
        return -1;
    }

    private int findFreeRunInAllocated(final int chunks)
    {
        for (int s = 0; s < segmentCount; s++)
        {
            if (buffers[s] == null)
            {
                continue;
            }
            int runStart = -1;
            int runLength = 0;
            for (int i = s << segmentShift, end = Math.min(chunkCount, (s + 1) << segmentShift); i < end; i++)
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
