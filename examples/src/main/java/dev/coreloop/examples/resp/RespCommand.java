package dev.coreloop.examples.resp;

import org.agrona.DirectBuffer;

/**
 * The commands the server knows, with the metadata {@code COMMAND} reports (arity in redis's convention: positive
 * means exactly that many arguments including the name, negative means at least that many; flags; first key, last
 * key and step).
 *
 * <p><b>Threading:</b> immutable; safe on any thread.
 */
public enum RespCommand
{
    PING("ping", -1, "fast", 0, 0, 0),
    ECHO("echo", 2, "fast", 0, 0, 0),
    SET("set", -3, "write denyoom", 1, 1, 1),
    GET("get", 2, "readonly fast", 1, 1, 1),
    DEL("del", -2, "write", 1, -1, 1),
    EXISTS("exists", -2, "readonly fast", 1, -1, 1),
    INCR("incr", 2, "write denyoom fast", 1, 1, 1),
    DECR("decr", 2, "write denyoom fast", 1, 1, 1),
    INCRBY("incrby", 3, "write denyoom fast", 1, 1, 1),
    DECRBY("decrby", 3, "write denyoom fast", 1, 1, 1),
    MSET("mset", -3, "write denyoom", 1, -1, 2),
    MGET("mget", -2, "readonly fast", 1, -1, 1),
    EXPIRE("expire", 3, "write fast", 1, 1, 1),
    TTL("ttl", 2, "readonly fast", 1, 1, 1),
    DBSIZE("dbsize", 1, "readonly fast", 0, 0, 0),
    FLUSHALL("flushall", -1, "write", 0, 0, 0),
    COMMAND("command", -1, "loading stale", 0, 0, 0),
    CONFIG("config", -2, "admin loading stale", 0, 0, 0),
    QUIT("quit", -1, "fast", 0, 0, 0),
    KEYS("keys", 2, "readonly", 0, 0, 0),
    TYPE("type", 2, "readonly fast", 1, 1, 1),
    LPUSH("lpush", -3, "write denyoom fast", 1, 1, 1),
    RPUSH("rpush", -3, "write denyoom fast", 1, 1, 1),
    LPOP("lpop", -2, "write fast", 1, 1, 1),
    RPOP("rpop", -2, "write fast", 1, 1, 1),
    LRANGE("lrange", 4, "readonly", 1, 1, 1),
    LLEN("llen", 2, "readonly fast", 1, 1, 1),
    LINDEX("lindex", 3, "readonly", 1, 1, 1),
    SADD("sadd", -3, "write denyoom fast", 1, 1, 1),
    SREM("srem", -3, "write fast", 1, 1, 1),
    SPOP("spop", -2, "write fast", 1, 1, 1),
    SCARD("scard", 2, "readonly fast", 1, 1, 1),
    SISMEMBER("sismember", 3, "readonly fast", 1, 1, 1),
    SMEMBERS("smembers", 2, "readonly", 1, 1, 1),
    HSET("hset", -4, "write denyoom fast", 1, 1, 1),
    HGET("hget", 3, "readonly fast", 1, 1, 1),
    HDEL("hdel", -3, "write fast", 1, 1, 1),
    HLEN("hlen", 2, "readonly fast", 1, 1, 1),
    HGETALL("hgetall", 2, "readonly", 1, 1, 1),
    HEXISTS("hexists", 3, "readonly fast", 1, 1, 1),
    HINCRBY("hincrby", 4, "write denyoom fast", 1, 1, 1),
    ZADD("zadd", -4, "write denyoom fast", 1, 1, 1),
    ZPOPMIN("zpopmin", -2, "write fast", 1, 1, 1),
    ZPOPMAX("zpopmax", -2, "write fast", 1, 1, 1),
    ZRANGE("zrange", -4, "readonly", 1, 1, 1),
    ZCARD("zcard", 2, "readonly fast", 1, 1, 1),
    ZSCORE("zscore", 3, "readonly fast", 1, 1, 1),
    ZREM("zrem", -3, "write fast", 1, 1, 1),
    INFO("info", -1, "loading stale", 0, 0, 0),
    CLIENT("client", -2, "admin noscript loading stale", 0, 0, 0),
    SELECT("select", 2, "loading stale fast", 0, 0, 0),
    HELLO("hello", -1, "noscript loading stale fast no-auth", 0, 0, 0);

    private static final RespCommand[] VALUES = values();

    private final String lowerName;
    private final byte[] lowerNameBytes;
    private final int arity;
    private final String[] flags;
    private final int firstKey;
    private final int lastKey;
    private final int step;
    private final boolean denyOom;

    RespCommand(final String lowerName, final int arity, final String flags, final int firstKey, final int lastKey,
        final int step)
    {
        this.lowerName = lowerName;
        this.lowerNameBytes = ReplyWriter.bytes(lowerName);
        this.arity = arity;
        this.flags = flags.split(" ");
        this.firstKey = firstKey;
        this.lastKey = lastKey;
        this.step = step;
        this.denyOom = java.util.Arrays.asList(this.flags).contains("denyoom");
    }

    /**
     * {@return true for a command that may grow the keyspace (redis's {@code denyoom} flag): it is refused with
     * {@code -OOM} when {@code maxmemory} would be passed}
     */
    public boolean isDenyOom()
    {
        return denyOom;
    }

    /** @return the name in lower case, as redis reports it. */
    public String lowerName()
    {
        return lowerName;
    }

    public int arity()
    {
        return arity;
    }

    /** @return true if {@code argCount} (including the name) fits the arity. */
    public boolean acceptsArgCount(final int argCount)
    {
        return arity >= 0 ? argCount == arity : argCount >= -arity;
    }

    /** @return how many commands there are (COMMAND COUNT). */
    public static int count()
    {
        return VALUES.length;
    }

    /** @return the command at {@code index} of the table. */
    public static RespCommand at(final int index)
    {
        return VALUES[index];
    }

    /**
     * Finds a command by name, ignoring ASCII case. Allocates nothing.
     *
     * @return the command, or null if unknown.
     */
    public static RespCommand lookup(final DirectBuffer buffer, final int offset, final int length)
    {
        for (final RespCommand command : VALUES)
        {
            if (command.lowerNameBytes.length == length && equalsIgnoreCase(command.lowerNameBytes, buffer, offset))
            {
                return command;
            }
        }
        return null;
    }

    /** Writes this command's COMMAND entry (the 10-field form of redis 7, with empty ACL, tips, key specs). */
    void writeInfo(final ReplyWriter writer)
    {
        writer.arrayHeader(10);
        writer.bulk(lowerNameBytes, 0, lowerNameBytes.length);
        writer.integer(arity);
        writer.arrayHeader(flags.length);
        for (final String flag : flags)
        {
            writer.raw(ReplyWriter.bytes("+" + flag + "\r\n"));
        }
        writer.integer(firstKey).integer(lastKey).integer(step);
        writer.raw(ReplyWriter.EMPTY_ARRAY).raw(ReplyWriter.EMPTY_ARRAY).raw(ReplyWriter.EMPTY_ARRAY)
            .raw(ReplyWriter.EMPTY_ARRAY);
    }

    /** @return true if {@code buffer[offset..]} equals the lower-case ASCII {@code lower}, ignoring case. */
    static boolean equalsIgnoreCase(final byte[] lower, final DirectBuffer buffer, final int offset)
    {
        for (int i = 0; i < lower.length; i++)
        {
            int b = buffer.getByte(offset + i);
            if (b >= 'A' && b <= 'Z')
            {
                b += 'a' - 'A';
            }
            if (b != lower[i])
            {
                return false;
            }
        }
        return true;
    }
}
