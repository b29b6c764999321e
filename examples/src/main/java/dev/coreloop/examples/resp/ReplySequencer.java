package dev.coreloop.examples.resp;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Keeps one connection's replies in request order while some of them are computed on other reactors.
 *
 * <p>A reply that is ready while nothing earlier is outstanding goes straight to the connection. Otherwise it gets
 * a sequence number and a slot in a ring indexed by {@code seq & mask}; a slot is either a <em>bytes</em> slot (one
 * reply, stored in an arena until its turn) or a <em>sum</em> slot (a scatter/gather reply: integers from several
 * shards added up, answered as {@code :n} or {@code +OK}). Slots leave strictly in sequence order. MGET is a header
 * followed by one bytes slot per key, so the ring itself assembles its array in key order.
 *
 * <p>Second stage: a reply the connection refuses (its outbound ring at its cap) is staged here and written, in
 * order, before anything newer once the connection takes bytes again ({@link #drainStaged()}, called on
 * writability and on every new reply). Reading pauses while the connection is unwritable, so staging stays small.
 *
 * <p>Bounds: at most {@link RespConfig#maxPendingReplies()} outstanding slots and
 * {@link RespConfig#maxBufferedReplyBytes()} bytes <em>held</em>: replies stored in the arena and not yet written,
 * plus staging; beyond either the connection is aborted (as redis closes a client over its output buffer limit) and
 * counted. A reply leaves the count when it is written, so a client that reads its replies may pipeline forever
 * without the pipeline ever draining.
 *
 * <p>Arena: replies are appended in arrival order, which is not request order, and leave in request order, so the
 * space of written replies is reclaimed in two ways: the write position goes back to 0 whenever nothing is held, and
 * when an append would pass the end while at most half the arena is held, the held replies are first compacted to
 * its start (in offset order, so each moves towards the front over space already free). Compaction copies at most
 * half an arena per half an arena appended, and the arena grows only while more than half of it is held, so its
 * size stays within a small factor of the budget.
 *
 * <p><b>Threading:</b> owned by one connection's handler, on its reactor thread.
 */
final class ReplySequencer
{
    static final int SUM_INTEGER = 1;
    static final int SUM_OK = 2;

    static final byte[] BUSY = ReplyWriter.bytes(
        "-ERR busy: another reactor's message ring or in-flight limit is full, retry\r\n");

    private static final byte STATE_FREE = 0;
    private static final byte STATE_PENDING = 1;
    private static final byte STATE_READY = 2;
    private static final byte KIND_BYTES = 1;
    private static final byte KIND_SUM = 2;
    private static final int INITIAL_SLOTS = 16;
    private static final int STAGE_CHUNK_BYTES = 64 * 1024;

    private final Connection connection;
    private final int maxPendingReplies;
    private final int maxBufferedReplyBytes;
    private final UnsafeBuffer sumScratch = new UnsafeBuffer(new byte[32]);
    private final UnsafeBuffer constView = new UnsafeBuffer(new byte[0]);

    private byte[] slotState = new byte[INITIAL_SLOTS];
    private byte[] slotKind = new byte[INITIAL_SLOTS];
    private int[] slotOffset = new int[INITIAL_SLOTS];
    private int[] slotLength = new int[INITIAL_SLOTS];
    private int[] slotPendingParts = new int[INITIAL_SLOTS];
    private long[] slotSum = new long[INITIAL_SLOTS];
    private boolean[] slotFailed = new boolean[INITIAL_SLOTS];
    private int mask = INITIAL_SLOTS - 1;
    private long head;
    private long tail;

    private ExpandableArrayBuffer arena;
    /** Where the next stored reply goes in the arena. */
    private int arenaEnd;
    /** Bytes of stored replies not yet written (what the budget counts). */
    private int arenaHeldBytes;
    /** Scratch for compaction: (offset << 32 | slot) of each held reply. */
    private long[] compactionOrder;
    private long compactionCount;
    private ExpandableArrayBuffer staging;
    private int stagedStart;
    private int stagedEnd;

    private CloseReason closeAfterFlush;
    private boolean closeRequested;
    private boolean aborted;
    private long abortCount;
    /** Backpressure: the handler stopped reading because this sequencer holds too much (see {@link #mustPauseIntake}). */
    private boolean intakePaused;

    ReplySequencer(final Connection connection, final RespConfig config)
    {
        this.connection = connection;
        this.maxPendingReplies = config.maxPendingReplies();
        this.maxBufferedReplyBytes = config.maxBufferedReplyBytes();
    }

    /**
     * Backpressure before the hard limits: while more than half the reply budget (bytes or slots) is held — replies
     * waiting for an earlier one from a slow shard, or staged for a slow client — the handler stops parsing and pauses
     * the client's reads; {@link #maybeResumeIntake()} resumes them below a quarter. A client that pipelines faster than
     * the shards answer is slowed down, not aborted; the hard limits stay as the last resort.
     *
     * @return true if the handler must stop taking commands now (and has paused reading).
     */
    boolean mustPauseIntake()
    {
        if (bufferedBytes() >= maxBufferedReplyBytes / 2 || pendingCount() >= maxPendingReplies / 2)
        {
            if (!intakePaused)
            {
                intakePaused = true;
                connection.pauseReading();
            }
            return true;
        }
        return false;
    }

    /** @return true while reading is paused because this sequencer holds too much. */
    boolean isIntakePaused()
    {
        return intakePaused;
    }

    /** Resumes reading paused by {@link #mustPauseIntake()} once the held replies fell below a quarter of the budget. */
    private void maybeResumeIntake()
    {
        if (intakePaused && !aborted && bufferedBytes() < maxBufferedReplyBytes / 4 &&
            pendingCount() < maxPendingReplies / 4)
        {
            intakePaused = false;
            connection.resumeReading(); // held input is presented again
        }
    }

    /** @return true while some reply is outstanding or waiting for an earlier one. */
    boolean hasPending()
    {
        return head != tail;
    }

    /** @return replies outstanding or waiting. */
    int pendingCount()
    {
        return (int)(tail - head);
    }

    /** @return bytes held: replies stored in the arena and not yet written, and the staging buffer. */
    int bufferedBytes()
    {
        return arenaHeldBytes + (stagedEnd - stagedStart);
    }

    /** @return how many times the arena was compacted (tests). */
    long compactionCount()
    {
        return compactionCount;
    }

    /** @return the arena's capacity, 0 before the first stored reply (tests). */
    int arenaCapacityBytes()
    {
        return arena == null ? 0 : arena.capacity();
    }

    /** @return true once the connection was aborted for exceeding a limit (everything after is ignored). */
    boolean isAborted()
    {
        return aborted;
    }

    /** A reply computed now, for the next request in order. */
    void local(final DirectBuffer buffer, final int offset, final int length)
    {
        if (aborted)
        {
            return;
        }
        if (head == tail)
        {
            emit(buffer, offset, length);
            return;
        }
        final long seq = reserve(KIND_BYTES);
        if (seq >= 0)
        {
            storeReady(seq, buffer, offset, length);
        }
    }

    /** As {@link #local(DirectBuffer, int, int)} for a constant. */
    void local(final byte[] bytes)
    {
        constView.wrap(bytes);
        local(constView, 0, bytes.length);
    }

    /** @return the sequence of a new bytes slot whose reply will arrive later, or -1 if the connection was aborted. */
    long reserveBytes()
    {
        return aborted ? -1 : reserve(KIND_BYTES);
    }

    /** @return the sequence of a new sum slot (final form {@link #SUM_INTEGER} or {@link #SUM_OK}), or -1. */
    long reserveSum(final int finalForm)
    {
        if (aborted)
        {
            return -1;
        }
        final long seq = reserve(KIND_SUM);
        if (seq >= 0)
        {
            final int slot = (int)seq & mask;
            slotSum[slot] = 0;
            slotPendingParts[slot] = 0;
            slotFailed[slot] = false;
            slotLength[slot] = finalForm;
        }
        return seq;
    }

    /** One more remote part will answer sum slot {@code seq}. */
    void addPart(final long seq)
    {
        if (!aborted)
        {
            slotPendingParts[(int)seq & mask]++;
        }
    }

    /** Adds a locally computed part to sum slot {@code seq}. */
    void addToSum(final long seq, final long value)
    {
        if (!aborted)
        {
            slotSum[(int)seq & mask] += value;
        }
    }

    /** A part of sum slot {@code seq} could not be sent: its reply will be {@code -ERR busy}. */
    void failSum(final long seq)
    {
        if (!aborted)
        {
            slotFailed[(int)seq & mask] = true;
        }
    }

    /** Every part of sum slot {@code seq} has been issued; it completes when the remote ones have answered. */
    void sealSum(final long seq)
    {
        if (aborted)
        {
            return;
        }
        final int slot = (int)seq & mask;
        if (slotPendingParts[slot] == 0)
        {
            slotState[slot] = STATE_READY;
            flushReady();
        }
    }

    /**
     * The reply for slot {@code seq} arrived (from another reactor), or a local error stands in for it.
     * For a sum slot the reply is an integer ({@code :n}) to add, or an error that fails the whole reply.
     */
    void complete(final long seq, final DirectBuffer buffer, final int offset, final int length)
    {
        if (aborted || seq < head || seq >= tail)
        {
            return;
        }
        final int slot = (int)seq & mask;
        if (slotState[slot] != STATE_PENDING)
        {
            return;
        }
        if (slotKind[slot] == KIND_SUM)
        {
            if (length > 3 && buffer.getByte(offset) == ':')
            {
                slotSum[slot] += buffer.parseLongAscii(offset + 1, length - 3);
            }
            else
            {
                slotFailed[slot] = true;
            }
            if (--slotPendingParts[slot] == 0)
            {
                slotState[slot] = STATE_READY;
                flushReady();
            }
            return;
        }
        if (seq == head)
        {
            slotState[slot] = STATE_FREE;
            head++;
            emit(buffer, offset, length);
            flushReady();
        }
        else
        {
            storeReady(seq, buffer, offset, length);
        }
    }

    /** As {@link #complete(long, DirectBuffer, int, int)} with a constant reply. */
    void complete(final long seq, final byte[] reply)
    {
        constView.wrap(reply);
        complete(seq, constView, 0, reply.length);
    }

    /** Once every earlier reply has left, close the connection with {@code reason}. */
    void closeAfterFlush(final CloseReason reason)
    {
        closeAfterFlush = reason;
        closeRequested = true;
        maybeClose();
    }

    /** @return true once a close was requested (no new requests should be read). */
    boolean isCloseRequested()
    {
        return closeRequested || aborted;
    }

    /** Writes staged bytes to the connection while it accepts them. */
    void drainStaged()
    {
        if (aborted)
        {
            return;
        }
        while (stagedEnd > stagedStart)
        {
            final int chunk = Math.min(STAGE_CHUNK_BYTES, stagedEnd - stagedStart);
            if (!connection.write(staging, stagedStart, chunk))
            {
                return;
            }
            stagedStart += chunk;
        }
        stagedStart = 0;
        stagedEnd = 0;
        maybeClose();
        maybeResumeIntake();
    }

    /** The connection closed: forget everything (late replies are ignored by the shard). */
    void release()
    {
        aborted = true;
        arena = null;
        staging = null;
        compactionOrder = null;
        arenaEnd = 0;
        arenaHeldBytes = 0;
        stagedStart = 0;
        stagedEnd = 0;
    }

    long abortCount()
    {
        return abortCount;
    }

    private long reserve(final byte kind)
    {
        if (tail - head == mask + 1)
        {
            if (mask + 1 >= maxPendingReplies)
            {
                abort();
                return -1;
            }
            grow();
        }
        final long seq = tail++;
        final int slot = (int)seq & mask;
        slotState[slot] = STATE_PENDING;
        slotKind[slot] = kind;
        return seq;
    }

    private void storeReady(final long seq, final DirectBuffer buffer, final int offset, final int length)
    {
        if (bufferedBytes() + length > maxBufferedReplyBytes)
        {
            abort();
            return;
        }
        if (arena == null)
        {
            arena = new ExpandableArrayBuffer(Math.max(1024, length));
        }
        else if (arenaEnd + length > arena.capacity() && arenaHeldBytes <= arena.capacity() / 2)
        {
            compact();
        }
        final int slot = (int)seq & mask;
        arena.putBytes(arenaEnd, buffer, offset, length);
        slotOffset[slot] = arenaEnd;
        slotLength[slot] = length;
        slotState[slot] = STATE_READY;
        arenaEnd += length;
        arenaHeldBytes += length;
    }

    /**
     * Moves every held reply to the front of the arena, in offset order: each lands at or before where it was, over
     * space already free or already moved, so nothing is overwritten before it is copied.
     */
    private void compact()
    {
        final int capacity = mask + 1;
        if (compactionOrder == null || compactionOrder.length < capacity)
        {
            compactionOrder = new long[capacity];
        }
        int count = 0;
        for (long seq = head; seq < tail; seq++)
        {
            final int slot = (int)seq & mask;
            if (slotState[slot] == STATE_READY && slotKind[slot] == KIND_BYTES)
            {
                compactionOrder[count++] = ((long)slotOffset[slot] << 32) | slot;
            }
        }
        java.util.Arrays.sort(compactionOrder, 0, count);
        final byte[] bytes = arena.byteArray();
        int end = 0;
        for (int i = 0; i < count; i++)
        {
            final int slot = (int)compactionOrder[i];
            final int from = (int)(compactionOrder[i] >>> 32);
            System.arraycopy(bytes, from, bytes, end, slotLength[slot]);
            slotOffset[slot] = end;
            end += slotLength[slot];
        }
        arenaEnd = end;
        compactionCount++;
    }

    private void flushReady()
    {
        while (head != tail && !aborted)
        {
            final int slot = (int)head & mask;
            if (slotState[slot] != STATE_READY)
            {
                break;
            }
            slotState[slot] = STATE_FREE;
            head++;
            if (slotKind[slot] == KIND_SUM)
            {
                if (slotFailed[slot])
                {
                    constView.wrap(BUSY);
                    emit(constView, 0, BUSY.length);
                }
                else if (slotLength[slot] == SUM_OK)
                {
                    constView.wrap(ReplyWriter.OK);
                    emit(constView, 0, ReplyWriter.OK.length);
                }
                else
                {
                    int length = 0;
                    sumScratch.putByte(length++, (byte)':');
                    length += sumScratch.putLongAscii(length, slotSum[slot]);
                    sumScratch.putByte(length++, (byte)'\r');
                    sumScratch.putByte(length++, (byte)'\n');
                    emit(sumScratch, 0, length);
                }
            }
            else
            {
                arenaHeldBytes -= slotLength[slot];
                emit(arena, slotOffset[slot], slotLength[slot]);
            }
        }
        if (arenaHeldBytes == 0)
        {
            arenaEnd = 0; // nothing held: the whole arena is free again
        }
        maybeClose();
        maybeResumeIntake();
    }

    private void emit(final DirectBuffer buffer, final int offset, final int length)
    {
        if (aborted)
        {
            return;
        }
        if (stagedEnd > stagedStart)
        {
            drainStaged();
        }
        if (stagedEnd == stagedStart && connection.write(buffer, offset, length))
        {
            return;
        }
        if (bufferedBytes() + length > maxBufferedReplyBytes)
        {
            abort();
            return;
        }
        if (staging == null)
        {
            staging = new ExpandableArrayBuffer(Math.max(4096, length));
        }
        if (stagedEnd == stagedStart)
        {
            stagedStart = 0;
            stagedEnd = 0;
        }
        staging.putBytes(stagedEnd, buffer, offset, length);
        stagedEnd += length;
    }

    private void maybeClose()
    {
        if (closeRequested && !aborted && head == tail && stagedEnd == stagedStart)
        {
            closeRequested = false;
            aborted = true; // nothing more may be written
            connection.close(closeAfterFlush);
        }
    }

    private void abort()
    {
        if (!aborted)
        {
            aborted = true;
            abortCount++;
            connection.abort();
        }
    }

    private void grow()
    {
        final int oldCapacity = mask + 1;
        final int newCapacity = oldCapacity * 2;
        final byte[] newState = new byte[newCapacity];
        final byte[] newKind = new byte[newCapacity];
        final int[] newOffset = new int[newCapacity];
        final int[] newLength = new int[newCapacity];
        final int[] newParts = new int[newCapacity];
        final long[] newSum = new long[newCapacity];
        final boolean[] newFailed = new boolean[newCapacity];
        final int newMask = newCapacity - 1;
        for (long seq = head; seq < tail; seq++)
        {
            final int from = (int)seq & mask;
            final int to = (int)seq & newMask;
            newState[to] = slotState[from];
            newKind[to] = slotKind[from];
            newOffset[to] = slotOffset[from];
            newLength[to] = slotLength[from];
            newParts[to] = slotPendingParts[from];
            newSum[to] = slotSum[from];
            newFailed[to] = slotFailed[from];
        }
        slotState = newState;
        slotKind = newKind;
        slotOffset = newOffset;
        slotLength = newLength;
        slotPendingParts = newParts;
        slotSum = newSum;
        slotFailed = newFailed;
        mask = newMask;
    }
}
