package dev.coreloop.examples.resp;

import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.ReactorService;
import dev.coreloop.core.TimerHandler;
import dev.coreloop.core.shard.ReplyGather;
import dev.coreloop.core.shard.ReplyStream;
import dev.coreloop.core.shard.ReplyStreamResolver;
import dev.coreloop.core.shard.ShardCalls;
import dev.coreloop.core.shard.ShardExecutor;
import dev.coreloop.core.shard.ShardLimits;
import dev.coreloop.core.shard.ShardRouter;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One reactor's shard of the shared-nothing keyspace: its keys ({@link KeyStore}), the operations on them
 * ({@link ShardOperations}), and the core's {@link ShardRouter} that carries operations to the shards that own their
 * keys and the replies back in request order.
 *
 * <p>Ownership: key {@code k} belongs to shard {@code KeyHash.owner(KeyHash.hash(k), reactorCount)}. A connection's
 * handler fills a {@link ShardRequest} and calls {@link #route} (one-key commands) or {@link #gather} /
 * {@link #gatherAll} (counts added up over shards). For a key of this shard the operation runs at once, without
 * copying; for another shard's the request is encoded and sent through the router, which runs it there
 * ({@link #execute}) and brings the reply back. A counting operation answers with an 8-byte count, which
 * {@link #SUM} adds up and {@link #ALL_OK} just waits for: no reply text is parsed back.
 *
 * <p>Limits: {@link RespConfig#maxRemoteInFlight()}, {@link RespConfig#maxPendingReplies()},
 * {@link RespConfig#maxBufferedReplyBytes()} and {@link RespConfig#retryDelayUs()} become the router's
 * {@link ShardLimits}: above them a client connection stops reading until there is room; no command is refused.
 *
 * <p>Memory: after every operation the shard publishes its account (string keys' {@link KeyStore#usedBytes()} plus
 * {@link #collectionBytes()}, keys, keys with an expiry) to the server's shared {@link RespKeyspace}, only when it
 * changed, for the {@code maxmemory} budget and {@code INFO}.
 *
 * <p>Large values ({@link LargeValue}) never travel through a ring byte by byte: a SET parks its value in the
 * {@link LargeValueExchange} and sends the handle; a GET of one answers with a handle that this shard's
 * {@link ReplyStreamResolver} (installed on the router) turns back into the value, which the connection's
 * {@link ShardCalls} streams out; a handle whose connection closed meanwhile is released.
 *
 * <p>Expiry: lazily on access, plus a sweep every {@link RespConfig#sweepIntervalMs()} over at most
 * {@link RespConfig#sweepSlotsPerTick()} table slots.
 *
 * <p><b>Threading:</b> created by the server for each reactor and then confined to that reactor's thread; other
 * reactors reach it only through {@link #onMessage}. No locks.
 */
public final class RespShard implements ReactorService, ShardExecutor
{
    /** Adds up the 8-byte counts of a gather and answers {@code :n}. */
    static final ReplyGather SUM = new ReplyGather()
    {
        @Override
        public long fold(final long accumulated, final DirectBuffer part, final int offset, final int length)
        {
            return accumulated + part.getLong(offset);
        }

        @Override
        public int complete(final long accumulated, final MutableDirectBuffer reply, final int offset)
        {
            reply.putByte(offset, (byte)':');
            final int digits = reply.putLongAscii(offset + 1, accumulated);
            reply.putByte(offset + 1 + digits, (byte)'\r');
            reply.putByte(offset + 2 + digits, (byte)'\n');
            return digits + 3;
        }
    };

    /** Waits for every part of a gather and answers {@code +OK}. */
    static final ReplyGather ALL_OK = new ReplyGather()
    {
        @Override
        public long fold(final long accumulated, final DirectBuffer part, final int offset, final int length)
        {
            return accumulated;
        }

        @Override
        public int complete(final long accumulated, final MutableDirectBuffer reply, final int offset)
        {
            reply.putBytes(offset, ReplyWriter.OK);
            return ReplyWriter.OK.length;
        }
    };

    /** A GET whose large value went missing between the shards (never expected): its error, as a stream. */
    private static final byte[] LARGE_VALUE_LOST = ReplyWriter.bytes("-" + ShardOperations.LARGE_VALUE_LOST + "\r\n");

    private static final long NS_PER_MS = 1_000_000L;
    private static final int COUNT_BYTES = 8;

    private final ReactorContext reactor;
    private final RespConfig config;
    private final int selfIndex;
    private final int reactorCount;
    private final KeyStore store = new KeyStore();
    private final CollectionStore collections = new CollectionStore();
    private final ShardOperations operations;
    private final RespKeyspace keyspace;
    private final LargeValueExchange exchange;
    private final ShardRouter router;
    private final ShardRequest request = new ShardRequest();
    private final ShardRequest incoming = new ShardRequest();
    private final ReplyWriter localWriter = new ReplyWriter(1024);
    private final ReplyWriter remoteWriter = new ReplyWriter(1024);
    private final ExpandableArrayBuffer encoded = new ExpandableArrayBuffer(256);
    private final UnsafeBuffer count = new UnsafeBuffer(new byte[COUNT_BYTES]);
    private final ExpandableArrayBuffer packedArgs = new ExpandableArrayBuffer(256);
    private final TimerHandler sweepTimer = this::onSweepTimer;
    /** Turns another shard's reply that is a large-value handle into the value, streamed; frees dropped ones. */
    private final ReplyStreamResolver largeReplies = new ReplyStreamResolver()
    {
        @Override
        public ReplyStream resolve(final DirectBuffer reply, final int offset, final int length)
        {
            if (!LargeValueExchange.isHandle(reply, offset, length))
            {
                return null;
            }
            final LargeValue value = exchange.take(LargeValueExchange.decode(reply, offset));
            return value != null ? value : new BytesReplyStream(LARGE_VALUE_LOST);
        }

        @Override
        public void discard(final DirectBuffer reply, final int offset, final int length)
        {
            exchange.discardIfHandle(reply, offset, length);
        }
    };
    private long keysSwept;
    /** What {@link #publishAccount()} last published: an operation that changes none of them publishes nothing. */
    private long publishedBytes = -1;
    private long publishedKeys = -1;
    private long publishedExpires = -1;

    /**
     * A shard with a keyspace account of its own: right for a single reactor; the shards of one server must share one
     * {@link RespKeyspace} ({@link #RespShard(ReactorContext, RespConfig, RespKeyspace)}).
     *
     * @param reactor the reactor this shard belongs to.
     * @param config  a concluded configuration.
     */
    public RespShard(final ReactorContext reactor, final RespConfig config)
    {
        this(reactor, config, new RespKeyspace(config));
    }

    /**
     * @param reactor  the reactor this shard belongs to.
     * @param config   a concluded configuration.
     * @param keyspace what the shards of this server share: the memory budget and the keyspace counters.
     */
    public RespShard(final ReactorContext reactor, final RespConfig config, final RespKeyspace keyspace)
    {
        this.reactor = reactor;
        this.config = config.conclude();
        this.selfIndex = reactor.index();
        this.reactorCount = reactor.reactorCount();
        this.keyspace = keyspace;
        keyspace.attach(reactorCount);
        this.exchange = keyspace.exchange();
        this.operations = new ShardOperations(store, collections, 0x5EED_0000L + selfIndex, exchange, selfIndex);
        this.router = new ShardRouter(reactor, RespShard.class, this, new ShardLimits()
            .maxInFlight(config.maxRemoteInFlight())
            .maxPendingReplies(config.maxPendingReplies())
            .maxHeldReplyBytes(config.maxBufferedReplyBytes())
            .retryDelayUs(config.retryDelayUs()));
        router.replyStreams(largeReplies);
        publishAccount(); // the empty tables count from the start
    }

    @Override
    public void onStart()
    {
        reactor.scheduleTimer(reactor.nowNs() + config.sweepIntervalMs() * NS_PER_MS, sweepTimer);
    }

    @Override
    public void onMessage(final int sourceReactor, final int msgTypeId, final DirectBuffer buffer, final int offset,
        final int length)
    {
        if (!router.onMessage(sourceReactor, msgTypeId, buffer, offset, length))
        {
            throw new IllegalArgumentException("RespShard: unknown message type " + msgTypeId + " from reactor " +
                sourceReactor);
        }
    }

    /** Runs an operation another shard sent here: a count as 8 bytes, anything else as its RESP reply. */
    @Override
    public int execute(final DirectBuffer buffer, final int offset, final int length, final MutableDirectBuffer reply,
        final int replyOffset)
    {
        final ShardRequest operation = incoming.decode(buffer, offset, length);
        if (ShardOperations.isCount(operation.op()))
        {
            reply.putLong(replyOffset, operations.count(operation, reactor.nowNs()));
            publishAccount();
            return COUNT_BYTES;
        }
        final ReplyWriter writer = remoteWriter.reset(0);
        operations.execute(operation, reactor.nowNs(), writer);
        publishAccount();
        reply.putBytes(replyOffset, writer.buffer(), 0, writer.length());
        return writer.length();
    }

    /** {@return this shard's reactor index} */
    public int index()
    {
        return selfIndex;
    }

    /** {@return how many shards (reactors) there are} */
    public int shardCount()
    {
        return reactorCount;
    }

    /** {@return the configuration} */
    public RespConfig config()
    {
        return config;
    }

    /** {@return the shard that owns a key with this hash} */
    public int ownerOf(final int keyHash)
    {
        return KeyHash.owner(keyHash, reactorCount);
    }

    /** {@return this shard's keys (for tests and DBSIZE)} */
    public KeyStore store()
    {
        return store;
    }

    /** {@return this shard's collection keys (lists, sets, hashes, sorted sets)} */
    CollectionStore collections()
    {
        return collections;
    }

    /**
     * {@return an estimate of the bytes this shard's keys and values take: the collections' estimate
     * ({@link CollectionStore#usedBytes()}); a per-shard memory budget adds it to the string keys' figure}
     */
    public long collectionBytes()
    {
        return collections.usedBytes();
    }

    /** {@return the exchange through which large values change reactors} */
    LargeValueExchange exchange()
    {
        return exchange;
    }

    /** {@return what the shards of this server share: the memory budget and the keyspace counters} */
    public RespKeyspace keyspace()
    {
        return keyspace;
    }

    /**
     * Publishes this shard's account (bytes, keys, keys with an expiry) to the shared {@link RespKeyspace} when it
     * differs from what was published last: a plain compare on this thread, no shared write for a read.
     */
    private void publishAccount()
    {
        final long bytes = store.usedBytes() + collections.usedBytes();
        final long keys = store.size() + collections.size();
        final long expires = store.expires() + collections.expires();
        if (bytes != publishedBytes || keys != publishedKeys || expires != publishedExpires)
        {
            publishedBytes = bytes;
            publishedKeys = keys;
            publishedExpires = expires;
            keyspace.publish(selfIndex, bytes, keys, expires);
        }
    }

    /** {@return a scratch buffer for the packed arguments of a collection command; one command at a time} */
    ExpandableArrayBuffer packedArgs()
    {
        return packedArgs;
    }

    /** {@return the router (counters, in-flight requests)} */
    public ShardRouter router()
    {
        return router;
    }

    /** {@return expired keys removed by the periodic sweep} */
    public long keysSwept()
    {
        return keysSwept;
    }

    /** {@return the reactor's clock for this cycle} */
    long nowNs()
    {
        return reactor.nowNs();
    }

    /** A writer for a reply computed on this reactor; valid until the next call. */
    ReplyWriter localWriter()
    {
        return localWriter.reset(0);
    }

    /** {@return the request flyweight a handler fills; one operation at a time} */
    ShardRequest request()
    {
        return request;
    }

    /** Answers the connection's next command with the one-key operation {@code operation}, run where its key lives. */
    void route(final ShardCalls calls, final ShardRequest operation)
    {
        final int owner = ownerOf(operation.keyHash());
        if (owner == selfIndex)
        {
            final ReplyWriter writer = localWriter.reset(0);
            operations.execute(operation, reactor.nowNs(), writer);
            publishAccount();
            final ReplyStream stream = largeReplies.resolve(writer.buffer(), 0, writer.length());
            if (stream != null)
            {
                calls.replyStream(stream); // a GET of a large value of this shard
            }
            else
            {
                calls.reply(writer.buffer(), 0, writer.length());
            }
        }
        else
        {
            calls.call(owner, encoded, 0, operation.encode(encoded, 0));
        }
    }

    /** Adds the counting operation {@code operation}, run where its key lives, to the connection's open gather. */
    void gather(final ShardCalls calls, final ShardRequest operation)
    {
        gatherAt(calls, ownerOf(operation.keyHash()), operation);
    }

    /**
     * Adds the keyless operation {@code operation}, run on every shard, to the connection's open gather: a counting
     * one answers with its count, any other (KEYS) with its reply bytes.
     */
    void gatherAll(final ShardCalls calls, final ShardRequest operation)
    {
        for (int shard = 0; shard < reactorCount; shard++)
        {
            gatherAt(calls, shard, operation);
        }
    }

    private void gatherAt(final ShardCalls calls, final int shard, final ShardRequest operation)
    {
        if (shard == selfIndex && !ShardOperations.isCount(operation.op()))
        {
            final ReplyWriter writer = localWriter.reset(0);
            operations.execute(operation, reactor.nowNs(), writer);
            publishAccount();
            calls.gatherReply(writer.buffer(), 0, writer.length());
        }
        else if (shard == selfIndex)
        {
            count.putLong(0, operations.count(operation, reactor.nowNs()));
            publishAccount();
            calls.gatherReply(count, 0, COUNT_BYTES);
        }
        else
        {
            calls.gatherCall(shard, encoded, 0, operation.encode(encoded, 0));
        }
    }

    private void onSweepTimer(final long timerId, final long nowNs)
    {
        keysSwept += store.sweep(nowNs, config.sweepSlotsPerTick());
        keysSwept += collections.sweep(nowNs, config.sweepSlotsPerTick());
        publishAccount();
        reactor.scheduleTimer(nowNs + config.sweepIntervalMs() * NS_PER_MS, sweepTimer);
    }
}
