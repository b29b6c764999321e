package dev.coreloop.examples.resp;

import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.ReactorService;
import dev.coreloop.core.TimerHandler;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * One reactor's shard of the shared-nothing keyspace, and its link to the other reactors' shards.
 *
 * <p>Ownership: key {@code k} belongs to shard {@code KeyHash.owner(KeyHash.hash(k), reactorCount)}. A connection's
 * handler executes commands on its own shard directly; for a key owned elsewhere it calls
 * {@link #sendRequest}, which encodes the operation as a binary message for the owner's ring. The owner executes it
 * ({@link ShardOperations}) and sends the encoded RESP reply back; this shard hands it to the connection
 * ({@link RespConnectionHandler#onRemoteReply}), which keeps replies in request order.
 *
 * <p>Message layout (all integers little-endian, Agrona's default). Every ring message starts with one flags byte
 * ({@link #FLAG_FIRST}, {@link #FLAG_LAST}); a body longer than {@link ReactorContext#maxMessageLength()} travels as
 * several fragments, reassembled per (source reactor, message type). Request body: origin reactor (int),
 * connection id (long), sequence (long), op (int), p1 (long), p2 (long), key length (int), key, value length
 * (int), value. Reply body: origin reactor (int), connection id (long), sequence (long), RESP reply bytes.
 *
 * <p>Full rings. A request that finds the owner's ring full, or this reactor's in-flight limit to that owner
 * ({@link RespConfig#maxRemoteInFlight()}) reached, is not sent and the client gets {@code -ERR busy} for it: fail
 * fast, nothing queues without bound. A reply cannot be refused (the client waits for it), so a reply that finds
 * the ring full joins a per-destination FIFO retried on a short reactor timer ({@link RespConfig#retryDelayUs()});
 * that queue is bounded because the origin never has more than {@code maxRemoteInFlight} requests outstanding here.
 * Replies for a connection that closed meanwhile are dropped and counted.
 *
 * <p>Expiry: lazily on access, plus a sweep every {@link RespConfig#sweepIntervalMs()} over at most
 * {@link RespConfig#sweepSlotsPerTick()} table slots.
 *
 * <p><b>Threading:</b> created by the server for each reactor and then confined to that reactor's thread. Nothing
 * here is shared; other reactors reach it only through {@link #onMessage}. No locks.
 */
public final class RespShard implements ReactorService
{
    static final int MSG_REQUEST = 1;
    static final int MSG_REPLY = 2;
    static final byte FLAG_FIRST = 1;
    static final byte FLAG_LAST = 2;

    static final int REQ_ORIGIN_OFFSET = 1;
    static final int REQ_CONN_ID_OFFSET = REQ_ORIGIN_OFFSET + 4;
    static final int REQ_SEQ_OFFSET = REQ_CONN_ID_OFFSET + 8;
    static final int REQ_OP_OFFSET = REQ_SEQ_OFFSET + 8;
    static final int REQ_P1_OFFSET = REQ_OP_OFFSET + 4;
    static final int REQ_P2_OFFSET = REQ_P1_OFFSET + 8;
    static final int REQ_KEY_LENGTH_OFFSET = REQ_P2_OFFSET + 8;
    static final int REQ_KEY_OFFSET = REQ_KEY_LENGTH_OFFSET + 4;

    static final int REPLY_ORIGIN_OFFSET = 1;
    static final int REPLY_CONN_ID_OFFSET = REPLY_ORIGIN_OFFSET + 4;
    static final int REPLY_SEQ_OFFSET = REPLY_CONN_ID_OFFSET + 8;
    static final int REPLY_BODY_OFFSET = REPLY_SEQ_OFFSET + 8;

    private static final long NS_PER_MS = 1_000_000L;

    private final ReactorContext reactor;
    private final RespConfig config;
    private final int selfIndex;
    private final int reactorCount;
    private final KeyStore store = new KeyStore();
    private final ShardOperations operations = new ShardOperations(store);
    private final ReplyWriter localWriter = new ReplyWriter(1024);
    private final ReplyWriter remoteWriter = new ReplyWriter(1024);
    private final ExpandableArrayBuffer requestBuffer = new ExpandableArrayBuffer(256);
    private final ExpandableArrayBuffer fragmentBuffer = new ExpandableArrayBuffer(256);
    private final Long2ObjectHashMap<RespConnectionHandler> connections = new Long2ObjectHashMap<>();
    private final ReplyQueue[] replyQueues;
    private final ExpandableArrayBuffer[][] reassembly;
    private final int[][] reassemblyLength;
    private final int[] inFlight;
    private final TimerHandler sweepTimer = this::onSweepTimer;
    private final TimerHandler retryTimer = this::onRetryTimer;
    private boolean retryArmed;

    // counters: written by this reactor only; read by tests and reports on the same thread
    private long requestsSent;
    private long requestsRefused;
    private long requestsExecuted;
    private long repliesQueued;
    private long repliesDroppedClosed;
    private long fragmentsDiscarded;
    private long keysSwept;

    /**
     * @param reactor the reactor this shard belongs to.
     * @param config  a concluded configuration.
     */
    public RespShard(final ReactorContext reactor, final RespConfig config)
    {
        this.reactor = reactor;
        this.config = config.conclude();
        this.selfIndex = reactor.index();
        this.reactorCount = reactor.reactorCount();
        this.replyQueues = new ReplyQueue[reactorCount];
        this.reassembly = new ExpandableArrayBuffer[3][reactorCount];
        this.reassemblyLength = new int[3][reactorCount];
        this.inFlight = new int[reactorCount];
        for (int i = 0; i < reactorCount; i++)
        {
            replyQueues[i] = new ReplyQueue();
            reassemblyLength[MSG_REQUEST][i] = -1;
            reassemblyLength[MSG_REPLY][i] = -1;
        }
    }

    @Override
    public void onStart()
    {
        reactor.scheduleTimer(reactor.nowNs() + config.sweepIntervalMs() * NS_PER_MS, sweepTimer);
    }

    /** @return this shard's reactor index. */
    public int index()
    {
        return selfIndex;
    }

    /** @return how many shards (reactors) there are. */
    public int shardCount()
    {
        return reactorCount;
    }

    public RespConfig config()
    {
        return config;
    }

    /** @return the shard that owns a key with this hash. */
    public int ownerOf(final int keyHash)
    {
        return KeyHash.owner(keyHash, reactorCount);
    }

    /** @return this shard's keys (for tests and DBSIZE). */
    public KeyStore store()
    {
        return store;
    }

    /** @return the reactor's clock for this cycle. */
    long nowNs()
    {
        return reactor.nowNs();
    }

    /** A writer for a reply computed on this reactor; valid until the next call. */
    ReplyWriter localWriter()
    {
        return localWriter.reset(0);
    }

    /** Executes an operation on this shard's own keys into {@code reply}. */
    void executeLocal(final int op, final long p1, final long p2,
        final DirectBuffer key, final int keyOffset, final int keyLength, final int keyHash,
        final DirectBuffer value, final int valueOffset, final int valueLength, final ReplyWriter reply)
    {
        operations.execute(op, p1, p2, key, keyOffset, keyLength, keyHash, value, valueOffset, valueLength,
            reactor.nowNs(), reply);
    }

    void register(final long connectionId, final RespConnectionHandler handler)
    {
        connections.put(connectionId, handler);
    }

    void unregister(final long connectionId)
    {
        connections.remove(connectionId);
    }

    /**
     * Sends an operation to the shard {@code owner} (not this one) on behalf of connection {@code connectionId}.
     *
     * @param value may be null (then {@code valueLength} must be 0).
     * @return false if it was not sent (the owner's ring is full or the in-flight limit is reached): the caller
     * answers {@code -ERR busy}.
     */
    boolean sendRequest(final int owner, final long connectionId, final long seq, final int op, final long p1,
        final long p2, final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        if (inFlight[owner] >= config.maxRemoteInFlight())
        {
            requestsRefused++;
            return false;
        }
        final MutableDirectBuffer buffer = requestBuffer;
        buffer.putInt(REQ_ORIGIN_OFFSET, selfIndex);
        buffer.putLong(REQ_CONN_ID_OFFSET, connectionId);
        buffer.putLong(REQ_SEQ_OFFSET, seq);
        buffer.putInt(REQ_OP_OFFSET, op);
        buffer.putLong(REQ_P1_OFFSET, p1);
        buffer.putLong(REQ_P2_OFFSET, p2);
        buffer.putInt(REQ_KEY_LENGTH_OFFSET, keyLength);
        if (keyLength > 0)
        {
            buffer.putBytes(REQ_KEY_OFFSET, key, keyOffset, keyLength);
        }
        final int valueLengthOffset = REQ_KEY_OFFSET + keyLength;
        buffer.putInt(valueLengthOffset, valueLength);
        if (valueLength > 0)
        {
            buffer.putBytes(valueLengthOffset + 4, value, valueOffset, valueLength);
        }
        final int length = valueLengthOffset + 4 + valueLength;
        if (!sendFramed(owner, MSG_REQUEST, buffer, length, false))
        {
            requestsRefused++;
            return false;
        }
        inFlight[owner]++;
        requestsSent++;
        return true;
    }

    @Override
    public void onMessage(final int sourceReactor, final int msgTypeId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (msgTypeId != MSG_REQUEST && msgTypeId != MSG_REPLY)
        {
            throw new IllegalArgumentException("RespShard: unknown message type " + msgTypeId + " from reactor " +
                sourceReactor);
        }
        final byte flags = buffer.getByte(offset);
        if ((flags & (FLAG_FIRST | FLAG_LAST)) == (FLAG_FIRST | FLAG_LAST))
        {
            if (reassemblyLength[msgTypeId][sourceReactor] >= 0)
            {
                fragmentsDiscarded++; // the sender abandoned a fragmented request (its ring filled up)
                reassemblyLength[msgTypeId][sourceReactor] = -1;
            }
            dispatch(sourceReactor, msgTypeId, buffer, offset, length);
            return;
        }
        int assembled = reassemblyLength[msgTypeId][sourceReactor];
        if ((flags & FLAG_FIRST) != 0)
        {
            if (assembled >= 0)
            {
                fragmentsDiscarded++;
            }
            assembled = 1; // keep a byte for the flags at offset 0
        }
        else if (assembled < 0)
        {
            fragmentsDiscarded++;
            return;
        }
        ExpandableArrayBuffer target = reassembly[msgTypeId][sourceReactor];
        if (target == null)
        {
            target = new ExpandableArrayBuffer(Math.max(1024, 2 * length));
            reassembly[msgTypeId][sourceReactor] = target;
        }
        target.putBytes(assembled, buffer, offset + 1, length - 1);
        assembled += length - 1;
        if ((flags & FLAG_LAST) != 0)
        {
            reassemblyLength[msgTypeId][sourceReactor] = -1;
            dispatch(sourceReactor, msgTypeId, target, 0, assembled);
        }
        else
        {
            reassemblyLength[msgTypeId][sourceReactor] = assembled;
        }
    }

    /** @return requests sent to other shards. */
    public long requestsSent()
    {
        return requestsSent;
    }

    /** @return requests not sent (ring full or in-flight limit) and answered {@code -ERR busy}. */
    public long requestsRefused()
    {
        return requestsRefused;
    }

    /** @return requests from other shards executed here. */
    public long requestsExecuted()
    {
        return requestsExecuted;
    }

    /** @return replies that found a ring full and waited in a retry queue. */
    public long repliesQueued()
    {
        return repliesQueued;
    }

    /** @return replies dropped because their connection had closed. */
    public long repliesDroppedClosed()
    {
        return repliesDroppedClosed;
    }

    /** @return fragments of abandoned multi-fragment messages that were discarded. */
    public long fragmentsDiscarded()
    {
        return fragmentsDiscarded;
    }

    /** @return expired keys removed by the periodic sweep. */
    public long keysSwept()
    {
        return keysSwept;
    }

    /** @return requests sent to {@code owner} whose replies have not arrived. */
    int inFlight(final int owner)
    {
        return inFlight[owner];
    }

    private void dispatch(final int sourceReactor, final int msgTypeId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (msgTypeId == MSG_REQUEST)
        {
            onRequest(sourceReactor, buffer, offset, length);
        }
        else
        {
            onReply(sourceReactor, buffer, offset, length);
        }
    }

    private void onRequest(final int sourceReactor, final DirectBuffer buffer, final int offset, final int length)
    {
        final int origin = buffer.getInt(offset + REQ_ORIGIN_OFFSET);
        final long connectionId = buffer.getLong(offset + REQ_CONN_ID_OFFSET);
        final long seq = buffer.getLong(offset + REQ_SEQ_OFFSET);
        final int op = buffer.getInt(offset + REQ_OP_OFFSET);
        final long p1 = buffer.getLong(offset + REQ_P1_OFFSET);
        final long p2 = buffer.getLong(offset + REQ_P2_OFFSET);
        final int keyLength = buffer.getInt(offset + REQ_KEY_LENGTH_OFFSET);
        final int keyOffset = offset + REQ_KEY_OFFSET;
        final int valueLength = buffer.getInt(keyOffset + keyLength);
        final int valueOffset = keyOffset + keyLength + 4;
        if (origin != sourceReactor || valueOffset + valueLength != offset + length)
        {
            throw new IllegalStateException("RespShard: malformed request from reactor " + sourceReactor +
                " (origin " + origin + ", length " + length + ")");
        }
        final int keyHash = KeyHash.hash(buffer, keyOffset, keyLength);
        final ReplyWriter reply = remoteWriter.reset(REPLY_BODY_OFFSET);
        operations.execute(op, p1, p2, buffer, keyOffset, keyLength, keyHash, buffer, valueOffset, valueLength,
            reactor.nowNs(), reply);
        requestsExecuted++;
        final MutableDirectBuffer out = reply.buffer();
        out.putInt(REPLY_ORIGIN_OFFSET, origin);
        out.putLong(REPLY_CONN_ID_OFFSET, connectionId);
        out.putLong(REPLY_SEQ_OFFSET, seq);
        sendFramed(origin, MSG_REPLY, out, reply.position(), true);
    }

    private void onReply(final int sourceReactor, final DirectBuffer buffer, final int offset, final int length)
    {
        inFlight[sourceReactor]--;
        final long connectionId = buffer.getLong(offset + REPLY_CONN_ID_OFFSET);
        final long seq = buffer.getLong(offset + REPLY_SEQ_OFFSET);
        final RespConnectionHandler handler = connections.get(connectionId);
        if (handler == null)
        {
            repliesDroppedClosed++;
            return;
        }
        handler.onRemoteReply(seq, buffer, offset + REPLY_BODY_OFFSET, length - REPLY_BODY_OFFSET);
    }

    /**
     * Sends {@code buffer[0, length)}, whose byte 0 is reserved for the flags, as one message or as fragments.
     *
     * @param queueWhenFull true for replies: what the ring refuses waits in the destination's retry queue.
     * @return false if a request (queueWhenFull false) could not be sent completely.
     */
    private boolean sendFramed(final int destination, final int msgTypeId, final MutableDirectBuffer buffer,
        final int length, final boolean queueWhenFull)
    {
        final ReplyQueue queue = replyQueues[destination];
        final int maxMessageBytes = reactor.maxMessageLength();
        if (length <= maxMessageBytes)
        {
            buffer.putByte(0, (byte)(FLAG_FIRST | FLAG_LAST));
            if (queueWhenFull && !queue.isEmpty())
            {
                enqueue(destination, buffer, 0, length);
                return true;
            }
            if (reactor.sendMessage(destination, RespShard.class, msgTypeId, buffer, 0, length))
            {
                return true;
            }
            if (queueWhenFull)
            {
                enqueue(destination, buffer, 0, length);
                return true;
            }
            return false;
        }
        final int chunkBytes = maxMessageBytes - 1;
        for (int from = 1; from < length; from += chunkBytes)
        {
            final int chunk = Math.min(chunkBytes, length - from);
            byte flags = 0;
            if (from == 1)
            {
                flags |= FLAG_FIRST;
            }
            if (from + chunk == length)
            {
                flags |= FLAG_LAST;
            }
            fragmentBuffer.putByte(0, flags);
            fragmentBuffer.putBytes(1, buffer, from, chunk);
            if (queueWhenFull && !queue.isEmpty())
            {
                enqueue(destination, fragmentBuffer, 0, chunk + 1);
            }
            else if (!reactor.sendMessage(destination, RespShard.class, msgTypeId, fragmentBuffer, 0, chunk + 1))
            {
                if (!queueWhenFull)
                {
                    return false; // the receiver discards the fragments it got when the next message starts
                }
                enqueue(destination, fragmentBuffer, 0, chunk + 1);
            }
        }
        return true;
    }

    private void enqueue(final int destination, final DirectBuffer buffer, final int offset, final int length)
    {
        replyQueues[destination].add(buffer, offset, length);
        repliesQueued++;
        if (!retryArmed)
        {
            retryArmed = true;
            reactor.scheduleTimer(reactor.nowNs() + config.retryDelayUs() * 1000L, retryTimer);
        }
    }

    private void onRetryTimer(final long timerId, final long nowNs)
    {
        retryArmed = false;
        boolean pending = false;
        for (int destination = 0; destination < reactorCount; destination++)
        {
            final ReplyQueue queue = replyQueues[destination];
            while (!queue.isEmpty())
            {
                if (!reactor.sendMessage(destination, RespShard.class, MSG_REPLY, queue.buffer(), queue.headOffset(),
                    queue.headLength()))
                {
                    pending = true;
                    break;
                }
                queue.removeHead();
            }
        }
        if (pending)
        {
            retryArmed = true;
            reactor.scheduleTimer(nowNs + config.retryDelayUs() * 1000L, retryTimer);
        }
    }

    private void onSweepTimer(final long timerId, final long nowNs)
    {
        keysSwept += store.sweep(nowNs, config.sweepSlotsPerTick());
        reactor.scheduleTimer(nowNs + config.sweepIntervalMs() * NS_PER_MS, sweepTimer);
    }

    /** Messages waiting for one destination's ring: {@code [length int][bytes]} records, FIFO. Reactor-confined. */
    private static final class ReplyQueue
    {
        private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        private int head;
        private int tail;

        boolean isEmpty()
        {
            return head == tail;
        }

        void add(final DirectBuffer src, final int offset, final int length)
        {
            buffer.putInt(tail, length);
            buffer.putBytes(tail + 4, src, offset, length);
            tail += 4 + length;
        }

        DirectBuffer buffer()
        {
            return buffer;
        }

        int headOffset()
        {
            return head + 4;
        }

        int headLength()
        {
            return buffer.getInt(head);
        }

        void removeHead()
        {
            head += 4 + buffer.getInt(head);
            if (head == tail)
            {
                head = 0;
                tail = 0;
            }
        }
    }
}
