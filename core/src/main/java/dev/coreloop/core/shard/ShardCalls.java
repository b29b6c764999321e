package dev.coreloop.core.shard;

import java.util.Arrays;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One connection's calls to the shards, answered in request order: each request the handler takes gets its reply
 * written after the replies of every earlier request, whether it was computed here ({@link #reply}), by another
 * reactor ({@link #call}) or gathered from several ({@link #beginGather}).
 *
 * <p>How a handler uses it, per request: ask {@link #mustPause()} first; if it says true, stop and return the bytes
 * consumed so far from {@code onData} (reading is paused and resumes by itself when there is room; the rest of the
 * input is presented again then). Otherwise answer the request with exactly one of: {@link #reply} (computed here),
 * {@link #replyStream} (a large reply streamed from where it is stored), {@link #call} (executed by the owning
 * shard), or {@link #beginGather}, any number of {@link #gatherCall} and
 * {@link #gatherReply}, then {@link #endGather()}. Forward {@code onWritabilityChanged} to
 * {@link #onWritabilityChanged}, {@code onInputClosed} to {@code closeAfterReplies(CloseReason.PEER_CLOSED)}, and
 * call {@link #close()} in {@code onClosed}.
 *
 * <p>Inside: a reply ready while nothing earlier is outstanding goes straight to the connection. Otherwise it takes a
 * slot in a ring indexed by sequence number, holding either bytes (stored in an arena until their turn) or a gather
 * (a running value and the parts still to come); slots leave strictly in sequence order. A reply the connection
 * refuses (its outbound ring at its cap) is staged here and written, in order, once the connection is writable again.
 * What is held counts against {@link ShardLimits#maxHeldReplyBytes()}: replies waiting in the arena and staged bytes;
 * a reply leaves the count when it is written, so a client that reads its replies may pipeline forever.
 *
 * <p>Streams: a reply too large to copy is a {@link ReplyStream} ({@link #replyStream} here, or a reply from another
 * shard that the router's {@link ReplyStreamResolver} turns into one). It takes a slot of its own; when the slot
 * reaches the head the stream is written piece by piece ({@value #STREAM_PIECE_BYTES} bytes at most at once) while the
 * connection is writable; once its outbound backlog passes the high watermark, or a write is refused, it waits for
 * {@link #onWritabilityChanged}{@code (true)} and goes on. Replies after it wait in their slots, and
 * {@link #mustPause()} says true while a stream is being written, so the stream's bytes are never copied or held
 * here. A stream does not count as held bytes.
 *
 * <p>Arena: replies are appended in arrival order and leave in request order; the write position returns to 0
 * whenever nothing is held, and when an append would pass the end while at most half the arena is held, the held
 * replies are first compacted to its start, so the arena stays within a small factor of what is held.
 *
 * <p>Allocation: none once the slot ring, arena and staging buffer have grown to the working size.
 *
 * <p><b>Threading:</b> owned by one connection's handler, on its reactor thread.
 */
public final class ShardCalls
{
    private static final byte STATE_FREE = 0;
    private static final byte STATE_PENDING = 1;
    private static final byte STATE_READY = 2;
    private static final byte KIND_BYTES = 1;
    private static final byte KIND_GATHER = 2;
    private static final byte KIND_STREAM = 3;
    /** Largest piece of a {@link ReplyStream} handed to the connection at once. */
    public static final int STREAM_PIECE_BYTES = 64 * 1024;
    private static final int INITIAL_SLOTS = 16;
    private static final int STAGE_CHUNK_BYTES = 64 * 1024;

    private final ShardRouter router;
    private final Connection connection;
    private final long connectionId;
    private final int maxPendingReplies;
    private final int maxHeldReplyBytes;
    private final ExpandableArrayBuffer gatherScratch = new ExpandableArrayBuffer(64);
    private final UnsafeBuffer constView = new UnsafeBuffer(new byte[0]);

    private byte[] slotState = new byte[INITIAL_SLOTS];
    private byte[] slotKind = new byte[INITIAL_SLOTS];
    private int[] slotOffset = new int[INITIAL_SLOTS];
    private int[] slotLength = new int[INITIAL_SLOTS];
    private int[] slotParts = new int[INITIAL_SLOTS];
    private long[] slotValue = new long[INITIAL_SLOTS];
    private ReplyGather[] slotGather = new ReplyGather[INITIAL_SLOTS];
    private ReplyStream[] slotStream = new ReplyStream[INITIAL_SLOTS];
    private int mask = INITIAL_SLOTS - 1;
    private long head;
    private long tail;
    /** The gather between {@link #beginGather} and {@link #endGather()}, or -1. */
    private long openGather = -1;

    private ExpandableArrayBuffer arena;
    private int arenaEnd;
    private int arenaHeldBytes;
    private long[] compactionOrder;
    private long compactionCount;
    private ExpandableArrayBuffer staging;
    private int stagedStart;
    private int stagedEnd;

    /** The stream being written now (the head slot's), or null. */
    private ReplyStream streaming;
    private long streamPosition;
    private long streamsWritten;

    private CloseReason closeReason;
    private boolean closeRequested;
    /** Nothing more may be written: the connection closed, was aborted or failed, or its close began. */
    private boolean done;
    private boolean aborted;
    private boolean paused;
    /** Set by the router while this connection is in its waiter list. */
    boolean awaitingRouter;

    ShardCalls(final ShardRouter router, final Connection connection, final ShardLimits limits)
    {
        this.router = router;
        this.connection = connection;
        this.connectionId = connection.id();
        this.maxPendingReplies = limits.maxPendingReplies();
        this.maxHeldReplyBytes = limits.maxHeldReplyBytes();
    }

    /** {@return the router of this connection's reactor} */
    public ShardRouter router()
    {
        return router;
    }

    /**
     * Backpressure, asked before taking each request: true while this reactor has too many requests outstanding at
     * other shards, or this connection holds too many replies (see {@link ShardLimits}). When it returns true it has
     * paused the connection's reading; reading resumes by itself once there is room, and input not consumed is
     * presented again. Also true once the connection is done (closing, closed or aborted): take nothing more.
     *
     * @return true if the handler must not take another request now.
     */
    public boolean mustPause()
    {
        if (done || closeRequested)
        {
            return true;
        }
        final boolean ownFull = streaming != null || heldBytes() >= maxHeldReplyBytes / 2 || pendingCount() >= maxPendingReplies / 2;
        final boolean routerFull = router.isFull();
        if (!ownFull && !routerFull)
        {
            return false;
        }
        final boolean newPause = !paused;
        if (newPause)
        {
            paused = true;
            connection.pauseReading();
        }
        if (routerFull)
        {
            router.await(this, newPause);
        }
        return true;
    }

    /** {@return true while reading is paused by {@link #mustPause()}} */
    public boolean isPaused()
    {
        return paused;
    }

    /**
     * Answers the next request with a reply computed here.
     *
     * @param buffer holds the reply; copied if it cannot be written now.
     * @param offset where it starts.
     * @param length its length in bytes.
     */
    public void reply(final DirectBuffer buffer, final int offset, final int length)
    {
        if (done)
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

    /**
     * As {@link #reply(DirectBuffer, int, int)}, for a constant.
     *
     * @param bytes the reply.
     */
    public void reply(final byte[] bytes)
    {
        constView.wrap(bytes);
        reply(constView, 0, bytes.length);
    }

    /**
     * Answers the next request with a reply streamed from where it is stored (see the class comment): written in its
     * turn, piece by piece, under the connection's watermarks.
     *
     * @param stream the reply; it must stay unchanged until written.
     */
    public void replyStream(final ReplyStream stream)
    {
        if (stream == null)
        {
            throw new IllegalArgumentException("stream=null: must not be null");
        }
        if (done)
        {
            return;
        }
        final long seq = reserve(KIND_STREAM);
        if (seq >= 0)
        {
            final int slot = (int)seq & mask;
            slotStream[slot] = stream;
            slotState[slot] = STATE_READY;
            flushReady();
        }
    }

    /**
     * Answers the next request with the reply of shard {@code shard}'s {@link ShardExecutor} to {@code request}. For
     * this reactor's own shard the executor runs now; for another the request is copied into a message for it.
     *
     * @param shard   the owning shard, {@code 0 .. router().shardCount() - 1}.
     * @param request holds the request bytes, as the executor will read them.
     * @param offset  where they start.
     * @param length  their length.
     */
    public void call(final int shard, final DirectBuffer request, final int offset, final int length)
    {
        checkShard(shard);
        if (done)
        {
            return;
        }
        if (shard == router.shard())
        {
            final int replyLength = router.executeLocal(request, offset, length);
            reply(router.localReply(), 0, replyLength);
            return;
        }
        final long seq = reserve(KIND_BYTES);
        if (seq >= 0)
        {
            router.sendRequest(shard, connectionId, seq, request, offset, length);
        }
    }

    /**
     * Starts answering the next request with one reply gathered from several parts (a multi-key count, an "OK" after
     * every shard has acted): add parts with {@link #gatherCall} and {@link #gatherReply}, then {@link #endGather()}.
     *
     * @param gather folds the parts' replies and writes the final reply.
     * @throws IllegalStateException if a gather is open already.
     */
    public void beginGather(final ReplyGather gather)
    {
        if (openGather >= 0)
        {
            throw new IllegalStateException("a gather is open already: end it first");
        }
        if (gather == null)
        {
            throw new IllegalArgumentException("gather=null: must not be null");
        }
        if (done)
        {
            openGather = Long.MAX_VALUE; // a placeholder, so that the calls that follow stay balanced
            return;
        }
        final long seq = reserve(KIND_GATHER);
        if (seq < 0)
        {
            openGather = Long.MAX_VALUE;
            return;
        }
        final int slot = (int)seq & mask;
        slotGather[slot] = gather;
        slotValue[slot] = 0;
        slotParts[slot] = 1; // the open gather itself: it cannot complete before endGather
        openGather = seq;
    }

    /**
     * Adds a part executed by shard {@code shard} (now if it is this reactor's) to the open gather.
     *
     * @param shard   the owning shard.
     * @param request holds the part's request bytes.
     * @param offset  where they start.
     * @param length  their length.
     */
    public void gatherCall(final int shard, final DirectBuffer request, final int offset, final int length)
    {
        checkShard(shard);
        final long seq = checkGatherOpen();
        if (done || seq == Long.MAX_VALUE)
        {
            return;
        }
        if (shard == router.shard())
        {
            final int replyLength = router.executeLocal(request, offset, length);
            fold((int)seq & mask, router.localReply(), 0, replyLength);
            return;
        }
        slotParts[(int)seq & mask]++;
        router.sendRequest(shard, connectionId, seq, request, offset, length);
    }

    /**
     * Adds a part computed here to the open gather.
     *
     * @param part   holds the part's reply, as the gather folds it.
     * @param offset where it starts.
     * @param length its length.
     */
    public void gatherReply(final DirectBuffer part, final int offset, final int length)
    {
        final long seq = checkGatherOpen();
        if (!done && seq != Long.MAX_VALUE)
        {
            fold((int)seq & mask, part, offset, length);
        }
    }

    /** Ends the open gather: its reply is written once every part has answered (and every earlier reply). */
    public void endGather()
    {
        final long seq = checkGatherOpen();
        openGather = -1;
        if (done || seq == Long.MAX_VALUE)
        {
            return;
        }
        partDone((int)seq & mask);
    }

    /**
     * Once every reply of the requests taken so far has been written, closes the connection gracefully (after QUIT, a
     * protocol error reply or the peer's FIN). {@link #mustPause()} says true from now on.
     *
     * @param reason what the close records.
     */
    public void closeAfterReplies(final CloseReason reason)
    {
        closeReason = reason;
        closeRequested = true;
        maybeClose();
    }

    /** {@return true once a close was requested or the connection is done: take no more requests} */
    public boolean isClosing()
    {
        return closeRequested || done;
    }

    /**
     * Forward {@code ConnectionHandler.onWritabilityChanged} here: staged replies are written once the connection is
     * writable again.
     *
     * @param writable the new writability.
     */
    public void onWritabilityChanged(final boolean writable)
    {
        if (writable)
        {
            drainStaged();
            if (streaming != null)
            {
                flushReady(); // the head slot streams on; the replies after it follow once it is done
            }
        }
    }

    /** The connection closed (call it in {@code onClosed}): replies still to come are dropped. */
    public void close()
    {
        done = true;
        paused = false;
        streaming = null;
        router.released(this, connectionId);
        arena = null;
        staging = null;
        compactionOrder = null;
        arenaEnd = 0;
        arenaHeldBytes = 0;
        stagedStart = 0;
        stagedEnd = 0;
        Arrays.fill(slotGather, null);
        Arrays.fill(slotStream, null);
    }

    /** {@return replies outstanding or waiting for an earlier one} */
    public int pendingCount()
    {
        return (int)(tail - head);
    }

    /** {@return reply bytes held: stored until their turn, or staged for a connection that refused them} */
    public int heldBytes()
    {
        return arenaHeldBytes + (stagedEnd - stagedStart);
    }

    /** {@return true while a {@link ReplyStream} is being written} */
    public boolean isStreaming()
    {
        return streaming != null;
    }

    /** {@return replies written as {@link ReplyStream}s, completely} */
    public long streamsWritten()
    {
        return streamsWritten;
    }

    /** {@return true once the connection was aborted at a hard limit} */
    public boolean isAborted()
    {
        return aborted;
    }

    /** {@return how many times the arena of replies waiting for their turn was compacted} */
    public long compactionCount()
    {
        return compactionCount;
    }

    /** {@return the capacity of the arena of replies waiting for their turn, 0 before the first; memory it takes} */
    public int arenaCapacityBytes()
    {
        return arena == null ? 0 : arena.capacity();
    }

    // ================================================================================================================
    // From the router.

    /** The reply to slot {@code seq} arrived from its shard; {@code ok} false if the executor threw there. */
    void onReply(final long seq, final boolean ok, final DirectBuffer buffer, final int offset, final int length)
    {
        if (done || seq < head || seq >= tail)
        {
            router.discardReply(buffer, offset, length);
            return;
        }
        final int slot = (int)seq & mask;
        if (slotState[slot] != STATE_PENDING)
        {
            router.discardReply(buffer, offset, length);
            return;
        }
        if (!ok)
        {
            fail(null);
            return;
        }
        if (slotKind[slot] == KIND_GATHER)
        {
            fold(slot, buffer, offset, length);
            partDone(slot);
            return;
        }
        final ReplyStream stream;
        try
        {
            stream = router.resolveStream(buffer, offset, length);
        }
        catch (final Throwable ex) // user code
        {
            fail(ex);
            return;
        }
        if (stream != null)
        {
            slotKind[slot] = KIND_STREAM;
            slotStream[slot] = stream;
            slotState[slot] = STATE_READY;
            flushReady();
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

    /** Resumes reading paused by {@link #mustPause()} once there is room (below the low marks). */
    void maybeResume()
    {
        if (!paused || done || streaming != null)
        {
            return;
        }
        if (heldBytes() >= maxHeldReplyBytes / 4 || pendingCount() >= maxPendingReplies / 4)
        {
            return; // this connection's own replies will call again as they leave
        }
        if (router.isAboveLowMark())
        {
            router.await(this, false);
            return;
        }
        paused = false;
        connection.resumeReading(); // held input is presented again, after the current callback
    }

    // ================================================================================================================
    // Slots.

    private long checkGatherOpen()
    {
        if (openGather < 0)
        {
            throw new IllegalStateException("no gather is open: call beginGather first");
        }
        return openGather;
    }

    private void checkShard(final int shard)
    {
        if (shard < 0 || shard >= router.shardCount())
        {
            throw new IllegalArgumentException("shard=" + shard + ": must be in 0.." + (router.shardCount() - 1));
        }
    }

    private void fold(final int slot, final DirectBuffer part, final int offset, final int length)
    {
        try
        {
            slotValue[slot] = slotGather[slot].fold(slotValue[slot], part, offset, length);
        }
        catch (final Throwable ex) // user code
        {
            fail(ex);
        }
    }

    private void partDone(final int slot)
    {
        if (!done && --slotParts[slot] == 0)
        {
            slotState[slot] = STATE_READY;
            flushReady();
        }
    }

    private long reserve(final byte kind)
    {
        if (tail - head >= maxPendingReplies)
        {
            abort();
            return -1;
        }
        if (tail - head == mask + 1)
        {
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
        if (heldBytes() + length > maxHeldReplyBytes)
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
        Arrays.sort(compactionOrder, 0, count);
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
        while (head != tail && !done)
        {
            final int slot = (int)head & mask;
            if (slotState[slot] != STATE_READY)
            {
                break;
            }
            if (slotKind[slot] == KIND_STREAM)
            {
                if (streaming == null)
                {
                    streaming = slotStream[slot];
                    streamPosition = 0;
                }
                if (!driveStream())
                {
                    break; // the slot stays at the head until its stream is out
                }
                slotStream[slot] = null;
                slotState[slot] = STATE_FREE;
                head++;
                continue;
            }
            slotState[slot] = STATE_FREE;
            head++;
            if (slotKind[slot] == KIND_GATHER)
            {
                final ReplyGather gather = slotGather[slot];
                slotGather[slot] = null;
                final int length;
                try
                {
                    length = gather.complete(slotValue[slot], gatherScratch, 0);
                }
                catch (final Throwable ex) // user code
                {
                    fail(ex);
                    return;
                }
                emit(gatherScratch, 0, length);
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
        maybeResume();
    }

    /**
     * Writes the head slot's stream as far as the connection takes it while writable, after anything staged.
     *
     * @return true once the whole stream is written; false if it waits for writability (or the connection failed).
     */
    private boolean driveStream()
    {
        if (stagedEnd > stagedStart && !drainStagedBytes())
        {
            return false;
        }
        final ReplyStream stream = streaming;
        try
        {
            final long lengthBytes = stream.lengthBytes();
            while (streamPosition < lengthBytes)
            {
                if (done)
                {
                    return false;
                }
                if (!connection.isWritable())
                {
                    return false; // above the high watermark: onWritabilityChanged(true) resumes
                }
                final int maxBytes = (int)Math.min(STREAM_PIECE_BYTES, lengthBytes - streamPosition);
                final int written = stream.writeTo(connection, streamPosition, maxBytes);
                if (written == 0)
                {
                    return false; // refused at the cap: a writability callback follows
                }
                if (written < 0 || written > maxBytes)
                {
                    throw new IllegalStateException("ReplyStream.writeTo wrote " + written + " bytes; allowed 0.." +
                        maxBytes);
                }
                streamPosition += written;
            }
        }
        catch (final Throwable ex) // user code
        {
            fail(ex);
            return false;
        }
        streaming = null;
        streamsWritten++;
        return true;
    }

    private void emit(final DirectBuffer buffer, final int offset, final int length)
    {
        if (done)
        {
            return;
        }
        if (stagedEnd > stagedStart)
        {
            drainStagedBytes();
        }
        if (stagedEnd == stagedStart && connection.write(buffer, offset, length))
        {
            return;
        }
        if (heldBytes() + length > maxHeldReplyBytes)
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

    private void drainStaged()
    {
        if (done || !drainStagedBytes())
        {
            return;
        }
        maybeClose();
        maybeResume();
    }

    /** {@return true once nothing is staged: writes staged bytes while the connection takes them} */
    private boolean drainStagedBytes()
    {
        while (stagedEnd > stagedStart)
        {
            final int chunk = Math.min(STAGE_CHUNK_BYTES, stagedEnd - stagedStart);
            if (!connection.write(staging, stagedStart, chunk))
            {
                return false;
            }
            stagedStart += chunk;
        }
        stagedStart = 0;
        stagedEnd = 0;
        return true;
    }

    private void maybeClose()
    {
        if (closeRequested && !done && head == tail && stagedEnd == stagedStart)
        {
            done = true; // nothing more may be written
            connection.close(closeReason);
        }
    }

    private void abort()
    {
        if (!done)
        {
            done = true;
            aborted = true;
            router.aborted();
            connection.abort();
        }
    }

    /** A throw from user code here (ex) or from the executor on another shard (null): close this connection only. */
    private void fail(final Throwable ex)
    {
        if (ex != null)
        {
            router.report("ReplyGather or ReplyStream of connection " + connectionId, ex);
        }
        if (!done)
        {
            done = true;
            connection.close(CloseReason.HANDLER_ERROR);
        }
    }

    private void grow()
    {
        final int newCapacity = (mask + 1) * 2;
        final int newMask = newCapacity - 1;
        final byte[] newState = new byte[newCapacity];
        final byte[] newKind = new byte[newCapacity];
        final int[] newOffset = new int[newCapacity];
        final int[] newLength = new int[newCapacity];
        final int[] newParts = new int[newCapacity];
        final long[] newValue = new long[newCapacity];
        final ReplyGather[] newGather = new ReplyGather[newCapacity];
        final ReplyStream[] newStream = new ReplyStream[newCapacity];
        for (long seq = head; seq < tail; seq++)
        {
            final int from = (int)seq & mask;
            final int to = (int)seq & newMask;
            newState[to] = slotState[from];
            newKind[to] = slotKind[from];
            newOffset[to] = slotOffset[from];
            newLength[to] = slotLength[from];
            newParts[to] = slotParts[from];
            newValue[to] = slotValue[from];
            newGather[to] = slotGather[from];
            newStream[to] = slotStream[from];
        }
        slotState = newState;
        slotKind = newKind;
        slotOffset = newOffset;
        slotLength = newLength;
        slotParts = newParts;
        slotValue = newValue;
        slotGather = newGather;
        slotStream = newStream;
        mask = newMask;
    }
}
