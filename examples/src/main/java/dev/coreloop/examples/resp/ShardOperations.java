package dev.coreloop.examples.resp;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The key operations a shard executes for its own keys, whether the request came from a connection on the same
 * reactor or by message from another reactor, described by a {@link ShardRequest}. A one-key operation writes exactly
 * one RESP reply; a counting one (DEL, EXISTS, MSET parts, DBSIZE, FLUSH) returns a number the connection adds up.
 * Arguments are already validated by the reactor that parsed the command (syntax, integers, arity); only what needs the
 * stored data is checked here.
 *
 * <p>Large values travel by reference ({@link LargeValueExchange}): {@link #OP_SET_LARGE} and
 * {@link #OP_MSET_PART_LARGE} carry an encoded handle where the value would be, and a GET of a large value replies
 * with a handle that the connection's reactor turns into a streamed bulk string ({@link LargeValue} is a
 * {@link dev.coreloop.core.shard.ReplyStream}).
 *
 * <p>Time is the owning reactor's monotonic clock ({@code nowNs}); expiry deadlines never use the wall clock.
 *
 * <p><b>Threading:</b> one instance per shard, on its reactor thread; not thread-safe.
 */
final class ShardOperations
{
    static final int OP_GET = 1;
    /** p1: {@link #SET_ALWAYS}, {@link #SET_NX} or {@link #SET_XX}; p2: time to live in ms, or -1 for none. */
    static final int OP_SET = 2;
    /** p1: the increment. */
    static final int OP_INCRBY = 3;
    static final int OP_DEL = 4;
    static final int OP_EXISTS = 5;
    /** p1: time to live in ms (zero or negative deletes the key). */
    static final int OP_EXPIRE = 6;
    static final int OP_TTL = 7;
    /** A part of MSET: sets the value, clears the expiry, counts 1. */
    static final int OP_MSET_PART = 8;
    static final int OP_DBSIZE = 9;
    /** Removes every key of the shard, counts 0. */
    static final int OP_FLUSH = 10;
    /** As {@link #OP_SET}, the value being a large one parked in the exchange (the value bytes are its handle). */
    static final int OP_SET_LARGE = 11;
    /** As {@link #OP_MSET_PART} (a counting operation), the value being a large one parked in the exchange. */
    static final int OP_MSET_PART_LARGE = 12;
    /**
     * A collection command or TYPE ({@link CollectionOperations}): p1 is its {@link RespCommand} ordinal, p2 how many
     * arguments after the key are packed in the value ({@link ArgList}).
     */
    static final int OP_COLLECTION = 32;
    /** KEYS: the value is the pattern; replies with this shard's matching keys ({@link KeysGather#part}). */
    static final int OP_KEYS = 33;

    static final long SET_ALWAYS = 0;
    static final long SET_NX = 1;
    static final long SET_XX = 2;
    static final long NO_TTL = -1;

    static final String NOT_INTEGER = "ERR value is not an integer or out of range";
    static final String OVERFLOW = "ERR increment or decrement would overflow";
    static final String EXCHANGE_FULL = "ERR too many large values in flight between reactors, retry";
    static final String LARGE_VALUE_LOST = "ERR large value was not received";

    private static final long NS_PER_MS = 1_000_000L;
    private static final int MAX_INTEGER_VALUE_BYTES = 20;

    private final KeyStore store;
    private final CollectionStore collections;
    private final CollectionOperations collectionOperations;
    private final LargeValueExchange exchange;
    private final int shardIndex;
    private final StrictLong strictLong = new StrictLong();
    private final UnsafeBuffer valueView = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer digits = new UnsafeBuffer(new byte[24]);

    /**
     * @param store       the shard's string keys.
     * @param collections the shard's collection keys (lists, sets, hashes, sorted sets).
     * @param seed        seeds the random choices of SPOP.
     * @param exchange    carries large values between reactors by reference.
     * @param shardIndex  this shard's (reactor's) index: its partition of the exchange.
     */
    ShardOperations(final KeyStore store, final CollectionStore collections, final long seed,
        final LargeValueExchange exchange, final int shardIndex)
    {
        this.store = store;
        this.collections = collections;
        this.exchange = exchange;
        this.shardIndex = shardIndex;
        this.collectionOperations = new CollectionOperations(store, collections, seed);
    }

    KeyStore store()
    {
        return store;
    }

    /** {@return true if {@code op} answers with a count ({@link #count}) rather than a RESP reply ({@link #execute})} */
    static boolean isCount(final int op)
    {
        return op == OP_DEL || op == OP_EXISTS || op == OP_MSET_PART || op == OP_MSET_PART_LARGE || op == OP_DBSIZE ||
            op == OP_FLUSH;
    }

    /**
     * Executes a counting operation (DEL, EXISTS, a part of MSET, DBSIZE, FLUSH) and returns its count, which the
     * connection adds up over the shards ({@link RespShard#SUM}, {@link RespShard#ALL_OK}).
     */
    long count(final ShardRequest request, final long nowNs)
    {
        final DirectBuffer key = request.keyBuffer();
        final int keyOffset = request.keyOffset();
        final int keyLength = request.keyLength();
        final int keyHash = request.keyHash();
        switch (request.op())
        {
            case OP_DEL:
                return store.remove(key, keyOffset, keyLength, keyHash, nowNs) ||
                    collections.remove(key, keyOffset, keyLength, keyHash, nowNs) ? 1 : 0;
            case OP_EXISTS:
                return store.find(key, keyOffset, keyLength, keyHash, nowNs) >= 0 ||
                    collections.find(key, keyOffset, keyLength, keyHash, nowNs) >= 0 ? 1 : 0;
            case OP_MSET_PART:
                collections.remove(key, keyOffset, keyLength, keyHash, nowNs); // a SET replaces a key of any type
                store.put(key, keyOffset, keyLength, keyHash, request.valueBuffer(), request.valueOffset(),
                    request.valueLength(), KeyStore.NO_EXPIRY, nowNs);
                return 1;
            case OP_MSET_PART_LARGE:
            {
                final LargeValue large = takeLarge(request);
                if (large == null)
                {
                    throw new IllegalStateException(LARGE_VALUE_LOST + " for a part of MSET");
                }
                collections.remove(key, keyOffset, keyLength, keyHash, nowNs);
                store.putLarge(key, keyOffset, keyLength, keyHash, large, KeyStore.NO_EXPIRY, nowNs);
                return 1;
            }
            case OP_DBSIZE:
                return store.size() + collections.size();
            case OP_FLUSH:
                store.clear();
                collections.clear();
                return 0;
            default:
                throw new IllegalArgumentException("not a counting shard operation: " + request.op());
        }
    }

    /** Executes a one-key operation (GET, SET, INCRBY, EXPIRE, TTL) and writes its RESP reply. */
    void execute(final ShardRequest request, final long nowNs, final ReplyWriter reply)
    {
        final DirectBuffer key = request.keyBuffer();
        final int keyOffset = request.keyOffset();
        final int keyLength = request.keyLength();
        final int keyHash = request.keyHash();
        final DirectBuffer value = request.valueBuffer();
        final int valueOffset = request.valueOffset();
        final int valueLength = request.valueLength();
        final long p1 = request.p1();
        final long p2 = request.p2();
        switch (request.op())
        {
            case OP_GET:
            {
                final int index = store.find(key, keyOffset, keyLength, keyHash, nowNs);
                if (index >= 0 && store.isLarge(index))
                {
                    final long handle = exchange.put(shardIndex, store.largeValue(index));
                    if (handle < 0)
                    {
                        reply.error(EXCHANGE_FULL);
                    }
                    else
                    {
                        reply.largeValue(handle);
                    }
                }
                else if (index >= 0)
                {
                    reply.bulk(store.entry(index), store.valueOffset(index), store.valueLength(index));
                }
                else if (collections.find(key, keyOffset, keyLength, keyHash, nowNs) >= 0)
                {
                    reply.error(CollectionOperations.WRONGTYPE);
                }
                else
                {
                    reply.nullBulk();
                }
                break;
            }
            case OP_SET:
            {
                if (p1 != SET_ALWAYS)
                {
                    final boolean exists = store.find(key, keyOffset, keyLength, keyHash, nowNs) >= 0 ||
                        collections.find(key, keyOffset, keyLength, keyHash, nowNs) >= 0;
                    if (exists == (p1 == SET_NX))
                    {
                        reply.nullBulk();
                        break;
                    }
                }
                collections.remove(key, keyOffset, keyLength, keyHash, nowNs); // a SET replaces a key of any type
                final long deadlineNs = p2 == NO_TTL ? KeyStore.NO_EXPIRY : nowNs + p2 * NS_PER_MS;
                store.put(key, keyOffset, keyLength, keyHash, value, valueOffset, valueLength, deadlineNs, nowNs);
                reply.ok();
                break;
            }
            case OP_SET_LARGE:
            {
                final LargeValue large = takeLarge(request);
                if (large == null)
                {
                    reply.error(LARGE_VALUE_LOST);
                    break;
                }
                if (p1 != SET_ALWAYS)
                {
                    final boolean exists = store.find(key, keyOffset, keyLength, keyHash, nowNs) >= 0 ||
                        collections.find(key, keyOffset, keyLength, keyHash, nowNs) >= 0;
                    if (exists == (p1 == SET_NX))
                    {
                        reply.nullBulk();
                        break;
                    }
                }
                collections.remove(key, keyOffset, keyLength, keyHash, nowNs); // a SET replaces a key of any type
                final long deadlineNs = p2 == NO_TTL ? KeyStore.NO_EXPIRY : nowNs + p2 * NS_PER_MS;
                store.putLarge(key, keyOffset, keyLength, keyHash, large, deadlineNs, nowNs);
                reply.ok();
                break;
            }
            case OP_INCRBY:
                incrBy(p1, key, keyOffset, keyLength, keyHash, nowNs, reply);
                break;
            case OP_EXPIRE:
            {
                final int index = store.find(key, keyOffset, keyLength, keyHash, nowNs);
                if (index < 0)
                {
                    expireCollection(p1, key, keyOffset, keyLength, keyHash, nowNs, reply);
                }
                else
                {
                    if (p1 <= 0)
                    {
                        store.removeAt(index);
                    }
                    else
                    {
                        store.expireAtNs(index, nowNs + p1 * NS_PER_MS);
                    }
                    reply.integer(1);
                }
                break;
            }
            case OP_TTL:
            {
                final int index = store.find(key, keyOffset, keyLength, keyHash, nowNs);
                if (index < 0)
                {
                    ttlOfCollection(key, keyOffset, keyLength, keyHash, nowNs, reply);
                }
                else if (store.expireAtNs(index) == KeyStore.NO_EXPIRY)
                {
                    reply.integer(-1);
                }
                else
                {
                    final long remainingMs = (store.expireAtNs(index) - nowNs) / NS_PER_MS;
                    reply.integer((remainingMs + 500) / 1000);
                }
                break;
            }
            case OP_COLLECTION:
                collectionOperations.execute(request, nowNs, reply);
                break;
            case OP_KEYS:
                KeysGather.part(store, collections, value, valueOffset, valueLength, nowNs, reply);
                break;
            default:
                throw new IllegalArgumentException("unknown shard operation " + request.op());
        }
    }

    private void expireCollection(final long ttlMs, final DirectBuffer key, final int keyOffset, final int keyLength,
        final int keyHash, final long nowNs, final ReplyWriter reply)
    {
        final int index = collections.find(key, keyOffset, keyLength, keyHash, nowNs);
        if (index < 0)
        {
            reply.integer(0);
            return;
        }
        if (ttlMs <= 0)
        {
            collections.removeAt(index);
        }
        else
        {
            collections.expireAtNs(index, nowNs + ttlMs * NS_PER_MS);
        }
        reply.integer(1);
    }

    private void ttlOfCollection(final DirectBuffer key, final int keyOffset, final int keyLength, final int keyHash,
        final long nowNs, final ReplyWriter reply)
    {
        final int index = collections.find(key, keyOffset, keyLength, keyHash, nowNs);
        if (index < 0)
        {
            reply.integer(-2);
        }
        else if (collections.expireAtNs(index) == CollectionStore.NO_EXPIRY)
        {
            reply.integer(-1);
        }
        else
        {
            reply.integer(((collections.expireAtNs(index) - nowNs) / NS_PER_MS + 500) / 1000);
        }
    }

    /** {@return the large value whose handle is the request's value, taken out of the exchange; null if none} */
    private LargeValue takeLarge(final ShardRequest request)
    {
        return LargeValueExchange.isHandle(request.valueBuffer(), request.valueOffset(), request.valueLength()) ?
            exchange.take(LargeValueExchange.decode(request.valueBuffer(), request.valueOffset())) : null;
    }

    private void incrBy(final long delta, final DirectBuffer key, final int keyOffset, final int keyLength,
        final int keyHash, final long nowNs, final ReplyWriter reply)
    {
        final int index = store.find(key, keyOffset, keyLength, keyHash, nowNs);
        long current = 0;
        if (index < 0 && collections.find(key, keyOffset, keyLength, keyHash, nowNs) >= 0)
        {
            reply.error(CollectionOperations.WRONGTYPE);
            return;
        }
        if (index >= 0)
        {
            final int length = store.valueLength(index);
            if (length > MAX_INTEGER_VALUE_BYTES || store.isLarge(index))
            {
                reply.error(NOT_INTEGER);
                return;
            }
            valueView.wrap(store.entry(index), store.valueOffset(index), length);
            if (!strictLong.parse(valueView, 0, length))
            {
                reply.error(NOT_INTEGER);
                return;
            }
            current = strictLong.value();
        }
        final long result = current + delta;
        if (((current ^ result) & (delta ^ result)) < 0)
        {
            reply.error(OVERFLOW);
            return;
        }
        final int digitCount = digits.putLongAscii(0, result);
        if (index >= 0)
        {
            store.setValue(index, digits, 0, digitCount);
        }
        else
        {
            store.put(key, keyOffset, keyLength, keyHash, digits, 0, digitCount, KeyStore.NO_EXPIRY, nowNs);
        }
        reply.integer(result);
    }
}
