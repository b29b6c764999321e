package dev.coreloop.core.shard;

import dev.coreloop.core.Connection;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.ReactorService;
import dev.coreloop.core.TimerHandler;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reactor's end of a service sharded per reactor (the way Seastar's {@code submit_to} reaches a shard): it sends
 * requests to the reactors that own them, runs the requests other reactors send here with the application's
 * {@link ShardExecutor}, sends the replies back, and hands each reply to the {@link ShardCalls} of the connection that
 * asked, which writes it in request order.
 *
 * <p>Use: the application's {@link ReactorService} (registered once per reactor with
 * {@link dev.coreloop.core.ServerContext#reactorService}) creates one router in its constructor, passing its own
 * registered type, and forwards {@link ReactorService#onMessage} to {@link #onMessage}. Each connection handler calls
 * {@link #open(Connection)} in {@code onOpened} and {@link ShardCalls#close()} in {@code onClosed}. The router uses
 * message types {@link #MSG_REQUEST} and {@link #MSG_REPLY} of that service; the service may use any other type for
 * its own messages.
 *
 * <p>Messages travel through the reactors' message rings ({@link ReactorContext#sendMessage}); one larger than
 * {@link ReactorContext#maxMessageLength()} travels as fragments and is reassembled on arrival. Nothing is refused:
 * a message the destination's ring refuses joins a FIFO for that destination (and so does every later one, so order
 * is kept), offered again whenever this router handles anything and on a timer ({@link ShardLimits#retryDelayUs()}).
 * What bounds those queues is backpressure: once this reactor has {@link ShardLimits#maxInFlight()} requests
 * outstanding, its connections stop reading ({@link ShardCalls#mustPause()}) until half of them have been answered;
 * the replies an owner queues are bounded by the requests outstanding at it. A request is executed on its owner even
 * if the connection that sent it closed meanwhile (its effect stands, like a redis command whose client went away);
 * the reply is then dropped and counted.
 *
 * <p>Wire format of one ring message: a flags byte ({@code FIRST}, {@code LAST}), then for a whole message the
 * connection id (long), the call's sequence number (long), a status byte (replies: OK or FAILED) and the application's
 * bytes. Integers are little-endian (Agrona's default).
 *
 * <p>Allocation: sending, executing and delivering allocate nothing once the scratch buffers and queues have grown
 * to the working size. {@link #open} allocates the connection's {@link ShardCalls}.
 *
 * <p><b>Threading:</b> confined to its reactor's thread; other reactors reach it only by message. No locks.
 */
public final class ShardRouter
{
    /** Message type of a request, of the service the router was created for. */
    public static final int MSG_REQUEST = 0xFF01;
    /** Message type of a reply, of the service the router was created for. */
    public static final int MSG_REPLY = 0xFF02;

    static final byte FLAG_FIRST = 1;
    static final byte FLAG_LAST = 2;
    static final byte STATUS_OK = 0;
    static final byte STATUS_FAILED = 1;
    static final int CONNECTION_ID_OFFSET = 1;
    static final int SEQUENCE_OFFSET = CONNECTION_ID_OFFSET + 8;
    static final int STATUS_OFFSET = SEQUENCE_OFFSET + 8;
    /** Bytes before the application's bytes in a whole message. */
    static final int HEADER_LENGTH = STATUS_OFFSET + 1;

    private static final Logger LOG = LoggerFactory.getLogger(ShardRouter.class);
    private static final long LOG_EVERY = 1_000;
    private static final int REQUEST = 0;
    private static final int REPLY = 1;

    private final ReactorContext reactor;
    private final Class<? extends ReactorService> service;
    private final ShardExecutor executor;
    private final ShardLimits limits;
    private final int self;
    private final int shardCount;
    private final long retryDelayNs;
    private final ExpandableArrayBuffer requestScratch = new ExpandableArrayBuffer(256);
    private final ExpandableArrayBuffer replyScratch = new ExpandableArrayBuffer(256);
    private final ExpandableArrayBuffer localReply = new ExpandableArrayBuffer(256);
    private final ExpandableArrayBuffer fragmentScratch = new ExpandableArrayBuffer(256);
    private final PendingMessages[] pending;
    private final ExpandableArrayBuffer[][] reassembly;
    private final int[][] reassembled;
    private final int[] inFlight;
    private final Long2ObjectHashMap<ShardCalls> calls = new Long2ObjectHashMap<>();
    private final TimerHandler retryTimer = this::onRetryTimer;
    private ShardCalls[] waiters = new ShardCalls[16];
    private ShardCalls[] wokenWaiters = new ShardCalls[16];
    private int waiterCount;
    private int inFlightTotal;
    private int pendingTotal;
    private boolean retryArmed;

    // counters: written by this reactor only
    private long requestsSent;
    private long requestsExecuted;
    private long messagesQueued;
    private long repliesDropped;
    private long fragmentsDiscarded;
    private long pausesForInFlight;
    private long connectionsAborted;
    private long userErrors;
    private ReplyStreamResolver streamResolver;

    /**
     * Creates this reactor's router.
     *
     * @param reactor  the reactor it belongs to.
     * @param service  the type the owning service is registered under on every reactor (messages are addressed to it).
     * @param executor runs the requests other reactors send to this shard (and this shard's own, see
     *                 {@link ShardCalls#call}).
     * @param limits   what may be in flight and held; read, not copied (do not change it afterwards).
     */
    public ShardRouter(final ReactorContext reactor, final Class<? extends ReactorService> service,
        final ShardExecutor executor, final ShardLimits limits)
    {
        if (reactor == null || service == null || executor == null || limits == null)
        {
            throw new IllegalArgumentException("reactor, service, executor and limits must not be null");
        }
        this.reactor = reactor;
        this.service = service;
        this.executor = executor;
        this.limits = limits;
        this.self = reactor.index();
        this.shardCount = reactor.reactorCount();
        this.retryDelayNs = limits.retryDelayUs() * 1_000L;
        this.pending = new PendingMessages[shardCount];
        this.reassembly = new ExpandableArrayBuffer[2][shardCount];
        this.reassembled = new int[2][shardCount];
        this.inFlight = new int[shardCount];
        for (int i = 0; i < shardCount; i++)
        {
            pending[i] = new PendingMessages();
            reassembled[REQUEST][i] = -1;
            reassembled[REPLY][i] = -1;
        }
    }

    /** {@return this shard's index: its reactor's index} */
    public int shard()
    {
        return self;
    }

    /** {@return how many shards there are: one per reactor} */
    public int shardCount()
    {
        return shardCount;
    }

    /** {@return the limits this router and its connections keep} */
    public ShardLimits limits()
    {
        return limits;
    }

    /**
     * Installs what turns replies from other shards into {@link ReplyStream}s (a reference to a large value into the
     * value, streamed), and frees the references of replies dropped for closed connections. Set it once, before
     * connections open; without one every reply is written as its bytes.
     *
     * @param resolver the resolver, or null for none.
     * @return this router.
     */
    public ShardRouter replyStreams(final ReplyStreamResolver resolver)
    {
        this.streamResolver = resolver;
        return this;
    }

    /**
     * Starts routing for a connection of this reactor. Call it in {@code onOpened}; call {@link ShardCalls#close()} in
     * {@code onClosed}.
     *
     * @param connection a connection of this router's reactor.
     * @return the connection's calls, which keep its replies in request order.
     */
    public ShardCalls open(final Connection connection)
    {
        final ShardCalls connectionCalls = new ShardCalls(this, connection, limits);
        if (calls.put(connection.id(), connectionCalls) != null)
        {
            throw new IllegalStateException("connection " + connection.id() + " is already open for sharded calls");
        }
        return connectionCalls;
    }

    /**
     * {@return the calls of an open connection of this reactor, or null (diagnostics and tests; on this reactor only)}
     *
     * @param connectionId the connection's id.
     */
    public ShardCalls calls(final long connectionId)
    {
        return calls.get(connectionId);
    }

    /**
     * Handles a message of the owning service; call it from {@link ReactorService#onMessage}.
     *
     * @param sourceReactor the sending reactor.
     * @param msgTypeId     the message type.
     * @param buffer        holds the message.
     * @param offset        where it starts.
     * @param length        its length in bytes.
     * @return true if it was a router message ({@link #MSG_REQUEST} or {@link #MSG_REPLY}), false if it is the
     * service's own.
     */
    public boolean onMessage(final int sourceReactor, final int msgTypeId, final DirectBuffer buffer,
        final int offset, final int length)
    {
        if (msgTypeId != MSG_REQUEST && msgTypeId != MSG_REPLY)
        {
            return false;
        }
        if (pendingTotal > 0)
        {
            flushPending();
        }
        final int kind = msgTypeId == MSG_REQUEST ? REQUEST : REPLY;
        final byte flags = buffer.getByte(offset);
        if ((flags & (FLAG_FIRST | FLAG_LAST)) == (FLAG_FIRST | FLAG_LAST))
        {
            if (reassembled[kind][sourceReactor] >= 0)
            {
                fragmentsDiscarded++;
                reassembled[kind][sourceReactor] = -1;
            }
            dispatch(sourceReactor, kind, buffer, offset, length);
            return true;
        }
        int assembled = reassembled[kind][sourceReactor];
        if ((flags & FLAG_FIRST) != 0)
        {
            if (assembled >= 0)
            {
                fragmentsDiscarded++;
            }
            assembled = 1; // byte 0 stands for the flags, so offsets match a whole message
        }
        else if (assembled < 0)
        {
            fragmentsDiscarded++;
            return true;
        }
        ExpandableArrayBuffer target = reassembly[kind][sourceReactor];
        if (target == null)
        {
            target = new ExpandableArrayBuffer(Math.max(1024, 2 * length));
            reassembly[kind][sourceReactor] = target;
        }
        target.putBytes(assembled, buffer, offset + 1, length - 1);
        assembled += length - 1;
        if ((flags & FLAG_LAST) != 0)
        {
            reassembled[kind][sourceReactor] = -1;
            dispatch(sourceReactor, kind, target, 0, assembled);
        }
        else
        {
            reassembled[kind][sourceReactor] = assembled;
        }
        return true;
    }

    /** {@return requests sent to other shards} */
    public long requestsSent()
    {
        return requestsSent;
    }

    /** {@return requests from other shards executed here} */
    public long requestsExecuted()
    {
        return requestsExecuted;
    }

    /** {@return messages (or fragments) that found a ring full and waited in this router's queues} */
    public long messagesQueued()
    {
        return messagesQueued;
    }

    /** {@return messages (or fragments) waiting in this router's queues now} */
    public int messagesWaiting()
    {
        int count = 0;
        for (final PendingMessages queue : pending)
        {
            count += queue.count();
        }
        return count;
    }

    /** {@return replies dropped because their connection had closed} */
    public long repliesDropped()
    {
        return repliesDropped;
    }

    /** {@return fragments discarded because their message was incomplete (never expected; a bug if not 0)} */
    public long fragmentsDiscarded()
    {
        return fragmentsDiscarded;
    }

    /** {@return times a connection stopped reading because this reactor's in-flight limit was reached} */
    public long pausesForInFlight()
    {
        return pausesForInFlight;
    }

    /** {@return connections aborted at a hard limit of {@link ShardLimits}} */
    public long connectionsAborted()
    {
        return connectionsAborted;
    }

    /** {@return throws from the executor or a gather, counted (each closed its connection)} */
    public long userErrors()
    {
        return userErrors;
    }

    /**
     * {@return requests sent to shard {@code owner} that have not been answered}
     *
     * @param owner a shard index.
     */
    public int inFlight(final int owner)
    {
        return inFlight[owner];
    }

    /** {@return requests outstanding at every other shard} */
    public int inFlight()
    {
        return inFlightTotal;
    }

    // ================================================================================================================
    // For ShardCalls.

    long nowNs()
    {
        return reactor.nowNs();
    }

    /** {@return true while a connection must not take new requests for this reactor's in-flight limit} */
    boolean isFull()
    {
        return inFlightTotal >= limits.maxInFlight();
    }

    /** {@return true while connections paused for the in-flight limit must stay paused (above the low mark)} */
    boolean isAboveLowMark()
    {
        return inFlightTotal > limits.maxInFlight() / 2;
    }

    /** A connection waits for in-flight requests to fall to the low mark. */
    void await(final ShardCalls waiter, final boolean newPause)
    {
        if (newPause)
        {
            pausesForInFlight++;
        }
        if (waiter.awaitingRouter)
        {
            return;
        }
        waiter.awaitingRouter = true;
        if (waiterCount == waiters.length)
        {
            waiters = java.util.Arrays.copyOf(waiters, waiterCount * 2);
            wokenWaiters = new ShardCalls[waiters.length];
        }
        waiters[waiterCount++] = waiter;
    }

    void released(final ShardCalls connectionCalls, final long connectionId)
    {
        if (calls.get(connectionId) == connectionCalls)
        {
            calls.remove(connectionId);
        }
    }

    void aborted()
    {
        connectionsAborted++;
    }

    /** Runs a request of this shard here and now. {@return the reply length in {@link #localReply()}} */
    int executeLocal(final DirectBuffer request, final int offset, final int length)
    {
        final int replyLength = executor.execute(request, offset, length, localReply, 0);
        if (replyLength < 0)
        {
            throw new IllegalStateException("ShardExecutor returned a negative reply length " + replyLength);
        }
        return replyLength;
    }

    DirectBuffer localReply()
    {
        return localReply;
    }

    /** Sends a request to {@code owner} (another shard) for slot {@code sequence} of a connection. */
    void sendRequest(final int owner, final long connectionId, final long sequence, final DirectBuffer request,
        final int offset, final int length)
    {
        if (pendingTotal > 0)
        {
            flushPending();
        }
        final MutableDirectBuffer out = requestScratch;
        out.putLong(CONNECTION_ID_OFFSET, connectionId);
        out.putLong(SEQUENCE_OFFSET, sequence);
        out.putByte(STATUS_OFFSET, STATUS_OK);
        out.putBytes(HEADER_LENGTH, request, offset, length);
        sendFramed(owner, MSG_REQUEST, out, HEADER_LENGTH + length);
        inFlight[owner]++;
        inFlightTotal++;
        requestsSent++;
    }

    /**
     * {@return the stream a reply from another shard stands for, or null (no resolver, or an ordinary reply)}
     *
     * @throws RuntimeException whatever the resolver throws (the caller closes its connection).
     */
    ReplyStream resolveStream(final DirectBuffer reply, final int offset, final int length)
    {
        return streamResolver == null ? null : streamResolver.resolve(reply, offset, length);
    }

    /** A reply from another shard will not be delivered: let the resolver free what it references. */
    void discardReply(final DirectBuffer reply, final int offset, final int length)
    {
        if (streamResolver == null)
        {
            return;
        }
        try
        {
            streamResolver.discard(reply, offset, length);
        }
        catch (final Throwable ex) // user code
        {
            report("ReplyStreamResolver " + streamResolver.getClass().getName(), ex);
        }
    }

    /** Counts and logs a throw from the application (rate-limited). */
    void report(final String where, final Throwable ex)
    {
        userErrors++;
        if (userErrors == 1)
        {
            LOG.warn("reactor-{}: {} threw; closing the connection that asked", self, where, ex);
        }
        else if (userErrors % LOG_EVERY == 0)
        {
            LOG.warn("reactor-{}: {} threw {} ({} errors so far; logged once per {})", self, where, ex, userErrors,
                LOG_EVERY);
        }
    }

    // ================================================================================================================
    // Receiving.

    private void dispatch(final int sourceReactor, final int kind, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (kind == REQUEST)
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
        requestsExecuted++;
        final MutableDirectBuffer out = replyScratch;
        byte status = STATUS_OK;
        int replyLength;
        try
        {
            replyLength = executor.execute(buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH, out,
                HEADER_LENGTH);
            if (replyLength < 0)
            {
                throw new IllegalStateException("ShardExecutor returned a negative reply length " + replyLength);
            }
        }
        catch (final Throwable ex) // user code: the caller still gets an answer, so nothing waits forever
        {
            report("ShardExecutor " + executor.getClass().getName(), ex);
            status = STATUS_FAILED;
            replyLength = 0;
        }
        out.putLong(CONNECTION_ID_OFFSET, buffer.getLong(offset + CONNECTION_ID_OFFSET));
        out.putLong(SEQUENCE_OFFSET, buffer.getLong(offset + SEQUENCE_OFFSET));
        out.putByte(STATUS_OFFSET, status);
        sendFramed(sourceReactor, MSG_REPLY, out, HEADER_LENGTH + replyLength);
    }

    private void onReply(final int sourceReactor, final DirectBuffer buffer, final int offset, final int length)
    {
        inFlight[sourceReactor]--;
        inFlightTotal--;
        final ShardCalls target = calls.get(buffer.getLong(offset + CONNECTION_ID_OFFSET));
        if (target == null)
        {
            repliesDropped++;
            discardReply(buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH);
        }
        else
        {
            final boolean ok = buffer.getByte(offset + STATUS_OFFSET) == STATUS_OK;
            target.onReply(buffer.getLong(offset + SEQUENCE_OFFSET), ok,
                buffer, offset + HEADER_LENGTH, length - HEADER_LENGTH);
        }
        if (waiterCount > 0 && !isAboveLowMark())
        {
            wakeWaiters();
        }
    }

    private void wakeWaiters()
    {
        final ShardCalls[] woken = waiters;
        final int count = waiterCount;
        waiters = wokenWaiters;
        wokenWaiters = woken;
        waiterCount = 0;
        for (int i = 0; i < count; i++)
        {
            final ShardCalls waiter = woken[i];
            woken[i] = null;
            waiter.awaitingRouter = false;
            waiter.maybeResume(); // may wait again (in the other array)
        }
    }

    // ================================================================================================================
    // Sending.

    /**
     * Sends {@code buffer[0, length)}, whose byte 0 is reserved for the flags, as one message or as fragments; what
     * the ring refuses waits in the destination's queue, and so does everything after it.
     */
    private void sendFramed(final int destination, final int msgTypeId, final MutableDirectBuffer buffer,
        final int length)
    {
        final int maxMessageBytes = reactor.maxMessageLength();
        if (length <= maxMessageBytes)
        {
            buffer.putByte(0, (byte)(FLAG_FIRST | FLAG_LAST));
            send(destination, msgTypeId, buffer, 0, length);
            return;
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
            fragmentScratch.putByte(0, flags);
            fragmentScratch.putBytes(1, buffer, from, chunk);
            send(destination, msgTypeId, fragmentScratch, 0, chunk + 1);
        }
    }

    private void send(final int destination, final int msgTypeId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final PendingMessages queue = pending[destination];
        if (queue.isEmpty() && reactor.sendMessage(destination, service, msgTypeId, buffer, offset, length))
        {
            return;
        }
        queue.add(msgTypeId, buffer, offset, length);
        pendingTotal++;
        messagesQueued++;
        if (!retryArmed)
        {
            retryArmed = true;
            reactor.scheduleTimer(reactor.nowNs() + retryDelayNs, retryTimer);
        }
    }

    /** Offers queued messages again, in order, while the rings take them. */
    private void flushPending()
    {
        for (int destination = 0; destination < shardCount && pendingTotal > 0; destination++)
        {
            final PendingMessages queue = pending[destination];
            while (!queue.isEmpty())
            {
                if (!reactor.sendMessage(destination, service, queue.headType(), queue.buffer(), queue.headOffset(),
                    queue.headLength()))
                {
                    break;
                }
                queue.removeHead();
                pendingTotal--;
            }
        }
    }

    private void onRetryTimer(final long timerId, final long nowNs)
    {
        retryArmed = false;
        flushPending();
        if (pendingTotal > 0)
        {
            retryArmed = true;
            reactor.scheduleTimer(nowNs + retryDelayNs, retryTimer);
        }
    }
}
