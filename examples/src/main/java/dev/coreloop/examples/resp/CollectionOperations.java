package dev.coreloop.examples.resp;

import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;
import java.util.SplittableRandom;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The commands on redis's collection types — lists, sets, hashes and sorted sets — and TYPE, executed by the shard
 * that owns the key. The request ({@link ShardRequest}) carries the command ({@code p1}, its {@link RespCommand} ordinal),
 * the key, and the arguments after the key packed as an {@link ArgList} ({@code p2} of them, in the value). Every
 * check happens here, in the order redis makes it (syntax and numbers before or after the type of the key, as each
 * redis command does), so the replies and errors are redis 7.0's, including
 * {@code -WRONGTYPE Operation against a key holding the wrong kind of value} for a key of another type.
 *
 * <p>A key holds one type: its collection lives in the shard's {@link CollectionStore}, a string in its
 * {@link KeyStore}, never both ({@link ShardOperations} removes a collection that a SET or MSET replaces). A command
 * that empties a collection deletes its key, as redis does.
 *
 * <p>Not implemented: ZRANGE's BYSCORE, BYLEX and LIMIT (answered {@code -ERR syntax error}); hexadecimal scores.
 *
 * <p>Allocation: these commands allocate (element copies, map entries, iterators); the string commands' paths do not
 * run through here.
 *
 * <p><b>Threading:</b> one instance per shard, on its reactor thread; not thread-safe.
 */
final class CollectionOperations
{
    static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
    static final String NOT_INTEGER = ShardOperations.NOT_INTEGER;
    static final String NOT_POSITIVE = "ERR value is out of range, must be positive";
    private static final long NO_COUNT = -1;
    private static final long BAD_COUNT = -2;
    static final String NOT_FLOAT = "ERR value is not a valid float";
    static final String SYNTAX = "ERR syntax error";

    private static final EnumSet<RespCommand> COMMANDS = EnumSet.of(
        RespCommand.LPUSH, RespCommand.RPUSH, RespCommand.LPOP, RespCommand.RPOP, RespCommand.LRANGE,
        RespCommand.LLEN, RespCommand.LINDEX,
        RespCommand.SADD, RespCommand.SREM, RespCommand.SPOP, RespCommand.SCARD, RespCommand.SISMEMBER,
        RespCommand.SMEMBERS,
        RespCommand.HSET, RespCommand.HGET, RespCommand.HDEL, RespCommand.HLEN, RespCommand.HGETALL,
        RespCommand.HEXISTS, RespCommand.HINCRBY,
        RespCommand.ZADD, RespCommand.ZPOPMIN, RespCommand.ZPOPMAX, RespCommand.ZRANGE, RespCommand.ZCARD,
        RespCommand.ZSCORE, RespCommand.ZREM,
        RespCommand.TYPE);

    private static final byte[] OPT_NX = ReplyWriter.bytes("nx");
    private static final byte[] OPT_XX = ReplyWriter.bytes("xx");
    private static final byte[] OPT_GT = ReplyWriter.bytes("gt");
    private static final byte[] OPT_LT = ReplyWriter.bytes("lt");
    private static final byte[] OPT_CH = ReplyWriter.bytes("ch");
    private static final byte[] OPT_INCR = ReplyWriter.bytes("incr");
    private static final byte[] OPT_REV = ReplyWriter.bytes("rev");
    private static final byte[] OPT_WITHSCORES = ReplyWriter.bytes("withscores");
    private static final byte[] NULL_ARRAY = ReplyWriter.bytes("*-1\r\n");

    /** Slot result of {@link #find}: the key holds another type. */
    private static final int WRONG_TYPE = -2;

    private final KeyStore strings;
    private final CollectionStore store;
    private final ArgList args = new ArgList();
    private final StrictLong strictLong = new StrictLong();
    private final SplittableRandom random;
    private DirectBuffer key;
    private int keyOffset;
    private int keyLength;
    private int keyHash;
    private long nowNs;

    /**
     * @param strings the shard's string keys (a collection command on one answers WRONGTYPE).
     * @param store   the shard's collections.
     * @param seed    seeds SPOP's choices.
     */
    CollectionOperations(final KeyStore strings, final CollectionStore store, final long seed)
    {
        this.strings = strings;
        this.store = store;
        this.random = new SplittableRandom(seed);
    }

    /** {@return true if {@code command} is executed here} */
    static boolean handles(final RespCommand command)
    {
        return COMMANDS.contains(command);
    }

    /** Executes the collection command {@code request} describes and writes its reply. */
    void execute(final ShardRequest request, final long nowNs, final ReplyWriter reply)
    {
        final RespCommand command = RespCommand.at((int)request.p1());
        args.wrap(request.valueBuffer(), request.valueOffset(), request.valueLength(), (int)request.p2());
        this.key = request.keyBuffer();
        this.keyOffset = request.keyOffset();
        this.keyLength = request.keyLength();
        this.keyHash = request.keyHash();
        this.nowNs = nowNs;
        switch (command)
        {
            case LPUSH:
            case RPUSH:
                push(command == RespCommand.LPUSH, reply);
                break;
            case LPOP:
            case RPOP:
                pop(command, reply);
                break;
            case LRANGE:
                lrange(reply);
                break;
            case LLEN:
            {
                final int index = find(ListValue.class);
                sizeReply(index, reply);
                break;
            }
            case LINDEX:
                lindex(reply);
                break;
            case SADD:
                sadd(reply);
                break;
            case SREM:
                removeMembers(SetValue.class, reply);
                break;
            case SPOP:
                spop(reply);
                break;
            case SCARD:
                sizeReply(find(SetValue.class), reply);
                break;
            case SISMEMBER:
            {
                final int index = find(SetValue.class);
                if (index == WRONG_TYPE)
                {
                    reply.error(WRONGTYPE);
                }
                else
                {
                    reply.integer(index >= 0 && ((SetValue)store.value(index)).contains(args.bytes(0)) ? 1 : 0);
                }
                break;
            }
            case SMEMBERS:
                smembers(reply);
                break;
            case HSET:
                hset(reply);
                break;
            case HGET:
                hget(reply);
                break;
            case HDEL:
                removeMembers(HashValue.class, reply);
                break;
            case HLEN:
                sizeReply(find(HashValue.class), reply);
                break;
            case HGETALL:
                hgetall(reply);
                break;
            case HEXISTS:
            {
                final int index = find(HashValue.class);
                if (index == WRONG_TYPE)
                {
                    reply.error(WRONGTYPE);
                }
                else
                {
                    reply.integer(index >= 0 && ((HashValue)store.value(index)).get(args.bytes(0)) != null ? 1 : 0);
                }
                break;
            }
            case HINCRBY:
                hincrby(reply);
                break;
            case ZADD:
                zadd(reply);
                break;
            case ZPOPMIN:
            case ZPOPMAX:
                zpop(command == RespCommand.ZPOPMAX, reply);
                break;
            case ZRANGE:
                zrange(reply);
                break;
            case ZCARD:
                sizeReply(find(ZSetValue.class), reply);
                break;
            case ZSCORE:
                zscore(reply);
                break;
            case ZREM:
                removeMembers(ZSetValue.class, reply);
                break;
            case TYPE:
                type(reply);
                break;
            default:
                throw new IllegalArgumentException("not a collection command: " + command);
        }
    }

    // ---- lists ----

    private void push(final boolean left, final ReplyWriter reply)
    {
        int index = find(ListValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        if (index < 0)
        {
            index = store.insert(key, keyOffset, keyLength, keyHash, new ListValue(store.account()));
        }
        final ListValue list = (ListValue)store.value(index);
        for (int i = 0; i < args.count(); i++)
        {
            if (left)
            {
                list.pushLeft(args.copy(i));
            }
            else
            {
                list.pushRight(args.copy(i));
            }
        }
        reply.integer(list.size());
    }

    private void pop(final RespCommand command, final ReplyWriter reply)
    {
        if (args.count() > 1)
        {
            reply.error("ERR wrong number of arguments for '" + command.lowerName() + "' command");
            return;
        }
        final long count = optionalCount(reply);
        if (count == BAD_COUNT)
        {
            return;
        }
        final boolean hasCount = count != NO_COUNT;
        final int index = find(ListValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        if (index < 0)
        {
            if (hasCount)
            {
                reply.raw(NULL_ARRAY);
            }
            else
            {
                reply.nullBulk();
            }
            return;
        }
        final ListValue list = (ListValue)store.value(index);
        final boolean left = command == RespCommand.LPOP;
        if (!hasCount)
        {
            final byte[] element = left ? list.popLeft() : list.popRight();
            reply.bulk(element, 0, element.length);
        }
        else
        {
            final int n = (int)Math.min(count, list.size());
            reply.arrayHeader(n);
            for (int i = 0; i < n; i++)
            {
                final byte[] element = left ? list.popLeft() : list.popRight();
                reply.bulk(element, 0, element.length);
            }
        }
        deleteIfEmpty(index);
    }

    private void lrange(final ReplyWriter reply)
    {
        if (!parseLong(0))
        {
            reply.error(NOT_INTEGER);
            return;
        }
        final long start = strictLong.value();
        if (!parseLong(1))
        {
            reply.error(NOT_INTEGER);
            return;
        }
        final long stop = strictLong.value();
        final int index = find(ListValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        if (index < 0)
        {
            reply.raw(ReplyWriter.EMPTY_ARRAY);
            return;
        }
        final ListValue list = (ListValue)store.value(index);
        final long[] range = range(start, stop, list.size());
        if (range == null)
        {
            reply.raw(ReplyWriter.EMPTY_ARRAY);
            return;
        }
        reply.arrayHeader((int)(range[1] - range[0] + 1));
        for (int i = (int)range[0]; i <= range[1]; i++)
        {
            final byte[] element = list.get(i);
            reply.bulk(element, 0, element.length);
        }
    }

    private void lindex(final ReplyWriter reply)
    {
        final int index = find(ListValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        if (index < 0)
        {
            reply.nullBulk();
            return;
        }
        if (!parseLong(0))
        {
            reply.error(NOT_INTEGER);
            return;
        }
        final ListValue list = (ListValue)store.value(index);
        long position = strictLong.value();
        if (position < 0)
        {
            position += list.size();
        }
        if (position < 0 || position >= list.size())
        {
            reply.nullBulk();
            return;
        }
        final byte[] element = list.get((int)position);
        reply.bulk(element, 0, element.length);
    }

    // ---- sets ----

    private void sadd(final ReplyWriter reply)
    {
        int index = find(SetValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        if (index < 0)
        {
            index = store.insert(key, keyOffset, keyLength, keyHash, new SetValue(store.account()));
        }
        final SetValue set = (SetValue)store.value(index);
        int added = 0;
        for (int i = 0; i < args.count(); i++)
        {
            added += set.add(args.bytes(i)) ? 1 : 0;
        }
        reply.integer(added);
    }

    private void spop(final ReplyWriter reply)
    {
        if (args.count() > 1)
        {
            reply.error(SYNTAX);
            return;
        }
        final long count = optionalCount(reply);
        if (count == BAD_COUNT)
        {
            return;
        }
        final boolean hasCount = count != NO_COUNT;
        final int index = find(SetValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        if (index < 0)
        {
            if (hasCount)
            {
                reply.raw(ReplyWriter.EMPTY_ARRAY);
            }
            else
            {
                reply.nullBulk();
            }
            return;
        }
        final SetValue set = (SetValue)store.value(index);
        if (!hasCount)
        {
            final Bytes member = set.popRandom(random);
            reply.bulk(member.data(), 0, member.length());
        }
        else
        {
            final int n = (int)Math.min(count, set.size());
            reply.arrayHeader(n);
            for (int i = 0; i < n; i++)
            {
                final Bytes member = set.popRandom(random);
                reply.bulk(member.data(), 0, member.length());
            }
        }
        deleteIfEmpty(index);
    }

    private void smembers(final ReplyWriter reply)
    {
        final int index = find(SetValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        if (index < 0)
        {
            reply.raw(ReplyWriter.EMPTY_ARRAY);
            return;
        }
        final SetValue set = (SetValue)store.value(index);
        reply.arrayHeader(set.size());
        for (int i = 0; i < set.size(); i++)
        {
            reply.bulk(set.get(i).data(), 0, set.get(i).length());
        }
    }

    // ---- hashes ----

    private void hset(final ReplyWriter reply)
    {
        if (args.count() % 2 != 0)
        {
            reply.error("ERR wrong number of arguments for 'hset' command");
            return;
        }
        int index = find(HashValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        if (index < 0)
        {
            index = store.insert(key, keyOffset, keyLength, keyHash, new HashValue(store.account()));
        }
        final HashValue hash = (HashValue)store.value(index);
        int added = 0;
        for (int i = 0; i < args.count(); i += 2)
        {
            added += hash.put(args.bytes(i), args.copy(i + 1)) ? 1 : 0;
        }
        reply.integer(added);
    }

    private void hget(final ReplyWriter reply)
    {
        final int index = find(HashValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        final byte[] value = index < 0 ? null : ((HashValue)store.value(index)).get(args.bytes(0));
        if (value == null)
        {
            reply.nullBulk();
        }
        else
        {
            reply.bulk(value, 0, value.length);
        }
    }

    private void hgetall(final ReplyWriter reply)
    {
        final int index = find(HashValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        if (index < 0)
        {
            reply.raw(ReplyWriter.EMPTY_ARRAY);
            return;
        }
        final HashValue hash = (HashValue)store.value(index);
        reply.arrayHeader(2 * hash.size());
        for (final Map.Entry<Bytes, byte[]> entry : hash.entries())
        {
            reply.bulk(entry.getKey().data(), 0, entry.getKey().length());
            reply.bulk(entry.getValue(), 0, entry.getValue().length);
        }
    }

    private void hincrby(final ReplyWriter reply)
    {
        if (!parseLong(1))
        {
            reply.error(NOT_INTEGER);
            return;
        }
        final long delta = strictLong.value();
        int index = find(HashValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        if (index < 0)
        {
            index = store.insert(key, keyOffset, keyLength, keyHash, new HashValue(store.account()));
        }
        final HashValue hash = (HashValue)store.value(index);
        final Bytes field = args.bytes(0);
        final byte[] current = hash.get(field);
        long value = 0;
        if (current != null)
        {
            if (!strictLong.parse(new UnsafeBuffer(current), 0, current.length))
            {
                reply.error("ERR hash value is not an integer");
                deleteIfEmpty(index);
                return;
            }
            value = strictLong.value();
        }
        final long result = value + delta;
        if (((value ^ result) & (delta ^ result)) < 0)
        {
            reply.error(ShardOperations.OVERFLOW);
            deleteIfEmpty(index);
            return;
        }
        hash.put(field, ReplyWriter.bytes(Long.toString(result)));
        reply.integer(result);
    }

    // ---- sorted sets ----

    private void zadd(final ReplyWriter reply)
    {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        boolean ch = false;
        boolean incr = false;
        int first = 0;
        while (first < args.count())
        {
            if (args.is(first, OPT_NX))
            {
                nx = true;
            }
            else if (args.is(first, OPT_XX))
            {
                xx = true;
            }
            else if (args.is(first, OPT_GT))
            {
                gt = true;
            }
            else if (args.is(first, OPT_LT))
            {
                lt = true;
            }
            else if (args.is(first, OPT_CH))
            {
                ch = true;
            }
            else if (args.is(first, OPT_INCR))
            {
                incr = true;
            }
            else
            {
                break;
            }
            first++;
        }
        final int elements = args.count() - first;
        if (elements == 0 || elements % 2 != 0)
        {
            reply.error(SYNTAX);
            return;
        }
        if (nx && xx)
        {
            reply.error("ERR XX and NX options at the same time are not compatible");
            return;
        }
        if ((gt && nx) || (lt && nx) || (gt && lt))
        {
            reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
            return;
        }
        if (incr && elements > 2)
        {
            reply.error("ERR INCR option supports a single increment-element pair");
            return;
        }
        final double[] scores = new double[elements / 2];
        for (int i = 0; i < scores.length; i++)
        {
            final int arg = first + 2 * i;
            scores[i] = RedisDouble.parse(args.buffer(), args.offset(arg), args.length(arg));
            if (Double.isNaN(scores[i]))
            {
                reply.error(NOT_FLOAT);
                return;
            }
        }
        int index = find(ZSetValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        if (index < 0)
        {
            if (xx)
            {
                if (incr)
                {
                    reply.nullBulk();
                }
                else
                {
                    reply.integer(0);
                }
                return;
            }
            index = store.insert(key, keyOffset, keyLength, keyHash, new ZSetValue(store.account()));
        }
        final ZSetValue zset = (ZSetValue)store.value(index);
        int added = 0;
        int updated = 0;
        double incrResult = Double.NaN;
        for (int i = 0; i < scores.length; i++)
        {
            final Bytes member = args.bytes(first + 2 * i + 1);
            double score = scores[i] + 0.0; // -0 is 0, as redis orders and prints it
            final ZSetValue.Entry existing = zset.get(member);
            if (existing != null)
            {
                if (nx)
                {
                    continue;
                }
                if (incr)
                {
                    score = existing.score + score;
                    if (Double.isNaN(score))
                    {
                        reply.error("ERR resulting score is not a number (NaN)");
                        deleteIfEmpty(index);
                        return;
                    }
                }
                if ((lt && score >= existing.score) || (gt && score <= existing.score))
                {
                    continue;
                }
                incrResult = score;
                if (score != existing.score)
                {
                    zset.put(member, score);
                    updated++;
                }
            }
            else if (!xx)
            {
                zset.put(member, score);
                added++;
                incrResult = score;
            }
        }
        if (incr)
        {
            if (Double.isNaN(incrResult))
            {
                reply.nullBulk();
            }
            else
            {
                final byte[] text = RedisDouble.format(incrResult);
                reply.bulk(text, 0, text.length);
            }
        }
        else
        {
            reply.integer(ch ? added + updated : added);
        }
        deleteIfEmpty(index);
    }

    private void zpop(final boolean max, final ReplyWriter reply)
    {
        if (args.count() > 1)
        {
            reply.error(SYNTAX);
            return;
        }
        final long given = optionalCount(reply);
        if (given == BAD_COUNT)
        {
            return;
        }
        if (given == 0)
        {
            reply.raw(ReplyWriter.EMPTY_ARRAY);
            return;
        }
        final long count = given == NO_COUNT ? 1 : given;
        final int index = find(ZSetValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        if (index < 0)
        {
            reply.raw(ReplyWriter.EMPTY_ARRAY);
            return;
        }
        final ZSetValue zset = (ZSetValue)store.value(index);
        final int n = (int)Math.min(count, zset.size());
        reply.arrayHeader(2 * n);
        for (int i = 0; i < n; i++)
        {
            final ZSetValue.Entry entry = zset.pop(max);
            reply.bulk(entry.member.data(), 0, entry.member.length());
            final byte[] score = RedisDouble.format(entry.score);
            reply.bulk(score, 0, score.length);
        }
        deleteIfEmpty(index);
    }

    private void zrange(final ReplyWriter reply)
    {
        if (!parseLong(0))
        {
            reply.error(NOT_INTEGER);
            return;
        }
        final long start = strictLong.value();
        if (!parseLong(1))
        {
            reply.error(NOT_INTEGER);
            return;
        }
        final long stop = strictLong.value();
        boolean withScores = false;
        boolean reverse = false;
        for (int i = 2; i < args.count(); i++)
        {
            if (args.is(i, OPT_WITHSCORES))
            {
                withScores = true;
            }
            else if (args.is(i, OPT_REV))
            {
                reverse = true;
            }
            else
            {
                reply.error(SYNTAX);
                return;
            }
        }
        final int index = find(ZSetValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        if (index < 0)
        {
            reply.raw(ReplyWriter.EMPTY_ARRAY);
            return;
        }
        final ZSetValue zset = (ZSetValue)store.value(index);
        final long[] range = range(start, stop, zset.size());
        if (range == null)
        {
            reply.raw(ReplyWriter.EMPTY_ARRAY);
            return;
        }
        final int n = (int)(range[1] - range[0] + 1);
        reply.arrayHeader(withScores ? 2 * n : n);
        final Iterator<ZSetValue.Entry> entries = zset.iterator(reverse);
        for (int i = 0; i < range[0]; i++)
        {
            entries.next();
        }
        for (int i = 0; i < n; i++)
        {
            final ZSetValue.Entry entry = entries.next();
            reply.bulk(entry.member.data(), 0, entry.member.length());
            if (withScores)
            {
                final byte[] score = RedisDouble.format(entry.score);
                reply.bulk(score, 0, score.length);
            }
        }
    }

    private void zscore(final ReplyWriter reply)
    {
        final int index = find(ZSetValue.class);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        final ZSetValue.Entry entry = index < 0 ? null : ((ZSetValue)store.value(index)).get(args.bytes(0));
        if (entry == null)
        {
            reply.nullBulk();
            return;
        }
        final byte[] score = RedisDouble.format(entry.score);
        reply.bulk(score, 0, score.length);
    }

    // ---- any type ----

    private void type(final ReplyWriter reply)
    {
        final String name;
        if (strings.find(key, keyOffset, keyLength, keyHash, nowNs) >= 0)
        {
            name = "string";
        }
        else
        {
            final int index = store.find(key, keyOffset, keyLength, keyHash, nowNs);
            name = index < 0 ? "none" : store.value(index).typeName();
        }
        reply.raw(ReplyWriter.bytes("+" + name + "\r\n"));
    }

    /**
     * {@return the key's slot in the collection store if it holds a {@code type}, -1 if it does not exist,
     * {@link #WRONG_TYPE} if it holds a string or another collection}
     */
    /** SREM, HDEL, ZREM: removes the named members (fields) and answers how many there were. */
    private <T extends CollectionValue & CollectionValue.Members> void removeMembers(final Class<T> type,
        final ReplyWriter reply)
    {
        final int index = find(type);
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
            return;
        }
        int removed = 0;
        if (index >= 0)
        {
            final T value = type.cast(store.value(index));
            for (int i = 0; i < args.count() && value.size() > 0; i++)
            {
                removed += value.remove(args.bytes(i)) ? 1 : 0;
            }
            deleteIfEmpty(index);
        }
        reply.integer(removed);
    }

    private int find(final Class<? extends CollectionValue> type)
    {
        final int index = store.find(key, keyOffset, keyLength, keyHash, nowNs);
        if (index >= 0)
        {
            return type.isInstance(store.value(index)) ? index : WRONG_TYPE;
        }
        return strings.find(key, keyOffset, keyLength, keyHash, nowNs) >= 0 ? WRONG_TYPE : -1;
    }

    private void sizeReply(final int index, final ReplyWriter reply)
    {
        if (index == WRONG_TYPE)
        {
            reply.error(WRONGTYPE);
        }
        else
        {
            reply.integer(index < 0 ? 0 : store.value(index).size());
        }
    }

    private void deleteIfEmpty(final int index)
    {
        if (store.value(index).size() == 0)
        {
            store.removeAt(index);
        }
    }

    /**
     * The optional count of LPOP, RPOP, SPOP, ZPOPMIN and ZPOPMAX (their first and only argument).
     *
     * @return {@link #NO_COUNT} when it is absent, {@link #BAD_COUNT} when it is not a non-negative integer (the error
     * is already answered), else the count.
     */
    private long optionalCount(final ReplyWriter reply)
    {
        if (args.count() == 0)
        {
            return NO_COUNT;
        }
        if (!parseLong(0) || strictLong.value() < 0)
        {
            reply.error(NOT_POSITIVE);
            return BAD_COUNT;
        }
        return strictLong.value();
    }

    private boolean parseLong(final int arg)
    {
        return strictLong.parse(args.buffer(), args.offset(arg), args.length(arg));
    }

    /**
     * {@return the inclusive index range {@code [start, stop]} (negative from the end) clamped to a collection of
     * {@code size} as redis clamps it, or null if it is empty}
     */
    private static long[] range(final long start, final long stop, final int size)
    {
        long from = start < 0 ? start + size : start;
        long to = stop < 0 ? stop + size : stop;
        if (from < 0)
        {
            from = 0;
        }
        if (from > to || from >= size)
        {
            return null;
        }
        if (to >= size)
        {
            to = size - 1;
        }
        return new long[] {from, to};
    }
}
