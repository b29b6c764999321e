package dev.coreloop.examples.resp;

/**
 * Limits and tuning of the RESP server. Fluent accessors without get/set; {@link #conclude()} validates and
 * freezes the values, naming the field and the value of anything out of range.
 *
 * <p>Defaults follow redis where redis has one, under redis's names where redis has a setting:
 * {@link #protoMaxBulkLen()} ({@code proto-max-bulk-len}) bounds a bulk string, {@value #PROTO_MAX_BULK_LEN_DEFAULT}
 * bytes by default and up to {@value #PROTO_MAX_BULK_LEN_MAX} (redis's own default and cap); an inline command line
 * may take up to {@value #MAX_INLINE_BYTES_DEFAULT} bytes.
 *
 * <p>Large values: a bulk string longer than {@link #largeValueThresholdBytes()} is not copied into the request
 * buffer: it streams, as it arrives, into storage of its own ({@link LargeValue}) charged to the memory budget before
 * its first byte is accepted, and a reply holding it streams out under the connection's outbound watermarks. Only the
 * values of {@code SET} and {@code MSET} may be that long; a longer key or other argument gets an error reply. So no
 * connection's buffers grow with the value size: the core's inbound and outbound caps stay as they are.
 *
 * <p>Memory: {@link #maxmemory()} ({@code maxmemory}) bounds the keyspace of all shards together (string keys and
 * collections); a command that may grow it (redis's {@code denyoom} commands: SET, MSET, INCR, LPUSH, SADD, HSET, ZADD
 * and friends) gets redis's {@code -OOM command not allowed when used memory > 'maxmemory'.} while the memory used is
 * over the limit, and a large value when its length would take it over; reads and deletes always run. The only
 * policy is redis's default {@code noeviction}. The default is not redis's 0 (unlimited): values live on the Java
 * heap, and a keyspace that outgrows the heap is an {@link OutOfMemoryError} for every connection, not a refused
 * write, so by default ({@link #MAXMEMORY_AUTO}) the limit is half the JVM's maximum heap; 0 still means unlimited for
 * those who size the heap themselves.
 *
 * <p>Timeouts: redis never closes an idle client by default ({@code timeout 0}), and clients rely on it: a
 * connection pool keeps connections open and unused for minutes, a single multiplexed connection (Lettuce) for as
 * long as the application is quiet. The core's idle timeout (60 s by default, right for HTTP keep-alive) would drop
 * them, so the RESP listener sets its own, {@link #idleTimeoutMs()}: one hour by default. It stays finite so that
 * every waiting state keeps a timer (a peer that vanished without FIN or RST is let go within the hour, and every
 * mainstream client reconnects a pooled connection the server closed); the other waits have their own guards: a
 * request in progress {@link #commandTimeoutMs()}, a reply the client does not read the core's write-stall timeout.
 *
 * <p><b>Threading:</b> configured on one thread before the server starts, read-only afterwards (shared by every
 * reactor). {@link #conclude()} must happen before it is handed to the reactors.
 */
public final class RespConfig
{
    /**
     * Default {@link #protoMaxBulkLen()}: the largest bulk string (a key or a value) a request may carry. Above it:
     * {@code -ERR Protocol error: invalid bulk length}, then the connection closes.
     */
    public static final int PROTO_MAX_BULK_LEN_DEFAULT = 64 * 1024 * 1024;
    /** Largest {@link #protoMaxBulkLen()} that may be configured: 512 MiB, redis's default. */
    public static final int PROTO_MAX_BULK_LEN_MAX = 512 * 1024 * 1024;
    /** Default {@link #largeValueThresholdBytes()}: bulk strings above it stream into storage of their own. */
    public static final int LARGE_VALUE_THRESHOLD_BYTES_DEFAULT = 512 * 1024;
    /** {@link #maxmemory()} value that means half the JVM's maximum heap ({@code Runtime.maxMemory()}). */
    public static final long MAXMEMORY_AUTO = -1;
    /** Default {@link #maxmemory()}: {@link #MAXMEMORY_AUTO}. */
    public static final long MAXMEMORY_DEFAULT = MAXMEMORY_AUTO;
    /** Most arguments (including the command name) in one request. */
    public static final int MAX_ARGS_DEFAULT = 16 * 1024;
    /** Longest inline command line (without the line end). It must fit in the core's inbound cap. */
    public static final int MAX_INLINE_BYTES_DEFAULT = 16 * 1024;
    /** Most bytes the arguments of one request may take together. */
    public static final int MAX_REQUEST_BYTES_DEFAULT = 4 * 1024 * 1024;
    /**
     * Most replies one connection may have waiting for an earlier (remote) reply: from half of it the connection stops
     * reading; only one command with more parts than the rest can reach it, and the connection is then aborted.
     */
    public static final int MAX_PENDING_REPLIES_DEFAULT = 64 * 1024;
    /** Most reply bytes one connection may hold outside the core's outbound ring; above it the connection is aborted. */
    public static final int MAX_BUFFERED_REPLY_BYTES_DEFAULT = 32 * 1024 * 1024;
    /** Most requests one reactor may have outstanding at other reactors; at it, its connections stop reading. */
    public static final int MAX_REMOTE_IN_FLIGHT_DEFAULT = 8 * 1024;
    /** Period of the expiry sweep on each shard. */
    public static final long SWEEP_INTERVAL_MS_DEFAULT = 100;
    /** Hash table slots the sweep examines per tick (bounded work). */
    public static final int SWEEP_SLOTS_PER_TICK_DEFAULT = 1024;
    /** Longest delay before a shard offers again messages that found another reactor's message ring full. */
    public static final long RETRY_DELAY_US_DEFAULT = 50;
    /**
     * Time a client has to complete a request once its first byte has arrived (slowloris guard); beyond it the
     * client gets {@code -ERR Protocol error: command not completed within N ms} and the connection closes.
     */
    public static final long COMMAND_TIMEOUT_MS_DEFAULT = 10_000;
    /** How long a RESP connection may stay without traffic in either direction (pooled clients wait unused). */
    public static final long IDLE_TIMEOUT_MS_DEFAULT = 3_600_000;

    private int protoMaxBulkLen = PROTO_MAX_BULK_LEN_DEFAULT;
    private int largeValueThresholdBytes = LARGE_VALUE_THRESHOLD_BYTES_DEFAULT;
    private long maxmemory = MAXMEMORY_DEFAULT;
    private int maxArgs = MAX_ARGS_DEFAULT;
    private int maxInlineBytes = MAX_INLINE_BYTES_DEFAULT;
    private int maxRequestBytes = MAX_REQUEST_BYTES_DEFAULT;
    private int maxPendingReplies = MAX_PENDING_REPLIES_DEFAULT;
    private int maxBufferedReplyBytes = MAX_BUFFERED_REPLY_BYTES_DEFAULT;
    private int maxRemoteInFlight = MAX_REMOTE_IN_FLIGHT_DEFAULT;
    private long sweepIntervalMs = SWEEP_INTERVAL_MS_DEFAULT;
    private int sweepSlotsPerTick = SWEEP_SLOTS_PER_TICK_DEFAULT;
    private long retryDelayUs = RETRY_DELAY_US_DEFAULT;
    private long commandTimeoutMs = COMMAND_TIMEOUT_MS_DEFAULT;
    private long idleTimeoutMs = IDLE_TIMEOUT_MS_DEFAULT;
    private boolean concluded;

    /** {@return the largest bulk string a request may carry (redis's {@code proto-max-bulk-len})} */
    public int protoMaxBulkLen()
    {
        return protoMaxBulkLen;
    }

    /**
     * Sets the largest bulk string a request may carry, redis's {@code proto-max-bulk-len}: 1 to
     * {@value #PROTO_MAX_BULK_LEN_MAX} bytes. A longer declared length is a protocol error
     * ({@code -ERR Protocol error: invalid bulk length}) and closes the connection.
     */
    public RespConfig protoMaxBulkLen(final int protoMaxBulkLen)
    {
        checkMutable();
        this.protoMaxBulkLen = protoMaxBulkLen;
        return this;
    }

    /** {@return the length above which a bulk string streams into storage of its own instead of the request buffer} */
    public int largeValueThresholdBytes()
    {
        return largeValueThresholdBytes;
    }

    /**
     * Sets the length above which a bulk string streams into storage of its own ({@link LargeValue}); it is also the
     * longest key or non-value argument. Values up to it are copied with the request, as small values are.
     */
    public RespConfig largeValueThresholdBytes(final int largeValueThresholdBytes)
    {
        checkMutable();
        this.largeValueThresholdBytes = largeValueThresholdBytes;
        return this;
    }

    /**
     * {@return the keyspace memory limit in bytes (redis's {@code maxmemory}); 0 is unlimited; after
     * {@link #conclude()} {@link #MAXMEMORY_AUTO} has been replaced by the bytes it stands for}
     */
    public long maxmemory()
    {
        return maxmemory;
    }

    /**
     * Sets the keyspace memory limit, redis's {@code maxmemory}: bytes, 0 for none, or {@link #MAXMEMORY_AUTO} for half
     * the JVM's maximum heap (see the class comment for why that is the default).
     */
    public RespConfig maxmemory(final long maxmemory)
    {
        checkMutable();
        this.maxmemory = maxmemory;
        return this;
    }

    /** {@return the eviction policy: always {@code noeviction}, the only one implemented (redis's default)} */
    public String maxmemoryPolicy()
    {
        return "noeviction";
    }

    public int maxArgs()
    {
        return maxArgs;
    }

    public RespConfig maxArgs(final int maxArgs)
    {
        checkMutable();
        this.maxArgs = maxArgs;
        return this;
    }

    public int maxInlineBytes()
    {
        return maxInlineBytes;
    }

    public RespConfig maxInlineBytes(final int maxInlineBytes)
    {
        checkMutable();
        this.maxInlineBytes = maxInlineBytes;
        return this;
    }

    public int maxRequestBytes()
    {
        return maxRequestBytes;
    }

    public RespConfig maxRequestBytes(final int maxRequestBytes)
    {
        checkMutable();
        this.maxRequestBytes = maxRequestBytes;
        return this;
    }

    public int maxPendingReplies()
    {
        return maxPendingReplies;
    }

    public RespConfig maxPendingReplies(final int maxPendingReplies)
    {
        checkMutable();
        this.maxPendingReplies = maxPendingReplies;
        return this;
    }

    public int maxBufferedReplyBytes()
    {
        return maxBufferedReplyBytes;
    }

    public RespConfig maxBufferedReplyBytes(final int maxBufferedReplyBytes)
    {
        checkMutable();
        this.maxBufferedReplyBytes = maxBufferedReplyBytes;
        return this;
    }

    public int maxRemoteInFlight()
    {
        return maxRemoteInFlight;
    }

    public RespConfig maxRemoteInFlight(final int maxRemoteInFlight)
    {
        checkMutable();
        this.maxRemoteInFlight = maxRemoteInFlight;
        return this;
    }

    public long sweepIntervalMs()
    {
        return sweepIntervalMs;
    }

    public RespConfig sweepIntervalMs(final long sweepIntervalMs)
    {
        checkMutable();
        this.sweepIntervalMs = sweepIntervalMs;
        return this;
    }

    public int sweepSlotsPerTick()
    {
        return sweepSlotsPerTick;
    }

    public RespConfig sweepSlotsPerTick(final int sweepSlotsPerTick)
    {
        checkMutable();
        this.sweepSlotsPerTick = sweepSlotsPerTick;
        return this;
    }

    public long retryDelayUs()
    {
        return retryDelayUs;
    }

    public RespConfig retryDelayUs(final long retryDelayUs)
    {
        checkMutable();
        this.retryDelayUs = retryDelayUs;
        return this;
    }

    public long commandTimeoutMs()
    {
        return commandTimeoutMs;
    }

    /**
     * Sets the slowloris guard: a request must be complete within this many milliseconds of its first byte. Traffic
     * does not extend it (a byte a second would keep an idle timer from ever firing); complete requests never arm
     * it. It bounds how fast a client must upload its largest value: {@link #protoMaxBulkLen()} bytes within this time
     * (64 MiB in the default 10 s is 6.4 MB/s; raise it for clients on slow links that store large values).
     * While the connection's reads are paused by its own reply backlog the client cannot complete, so the deadline
     * is then deferred by another full period (the core's write-stall timeout guards that state).
     */
    public RespConfig commandTimeoutMs(final long commandTimeoutMs)
    {
        checkMutable();
        this.commandTimeoutMs = commandTimeoutMs;
        return this;
    }

    public long idleTimeoutMs()
    {
        return idleTimeoutMs;
    }

    /**
     * Sets the idle timeout of the RESP listener's connections (no bytes in either direction), in place of the core's
     * {@code ServerContext.idleTimeoutMs} for this listener only; see the class comment for the default.
     */
    public RespConfig idleTimeoutMs(final long idleTimeoutMs)
    {
        checkMutable();
        this.idleTimeoutMs = idleTimeoutMs;
        return this;
    }

    /**
     * Validates and freezes the configuration; calling it again is harmless.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first field out of range and its value.
     */
    public RespConfig conclude()
    {
        if (concluded)
        {
            return this;
        }
        requireRange("protoMaxBulkLen", protoMaxBulkLen, 1, PROTO_MAX_BULK_LEN_MAX);
        requireRange("largeValueThresholdBytes", largeValueThresholdBytes, 64, PROTO_MAX_BULK_LEN_MAX);
        requireRange("maxmemory", maxmemory, MAXMEMORY_AUTO, Long.MAX_VALUE / 4);
        final int maxBufferedArgBytes = Math.min(protoMaxBulkLen, largeValueThresholdBytes);
        requireRange("maxArgs", maxArgs, 1, 1 << 24);
        requireRange("maxInlineBytes", maxInlineBytes, 16, Integer.MAX_VALUE / 4);
        requireRange("maxRequestBytes", maxRequestBytes, maxBufferedArgBytes, Integer.MAX_VALUE / 4);
        requireRange("maxPendingReplies", maxPendingReplies, 16, 1 << 24);
        requireRange("maxBufferedReplyBytes", maxBufferedReplyBytes, maxBufferedArgBytes + 64, Integer.MAX_VALUE / 4);
        requireRange("maxRemoteInFlight", maxRemoteInFlight, 1, 1 << 24);
        requireRange("sweepIntervalMs", sweepIntervalMs, 1, 3_600_000);
        requireRange("sweepSlotsPerTick", sweepSlotsPerTick, 1, 1 << 24);
        requireRange("retryDelayUs", retryDelayUs, 1, 1_000_000);
        requireRange("commandTimeoutMs", commandTimeoutMs, 1, 86_400_000);
        requireRange("idleTimeoutMs", idleTimeoutMs, 1, 365L * 86_400_000);
        if (maxmemory == MAXMEMORY_AUTO)
        {
            final long maxHeapBytes = Runtime.getRuntime().maxMemory();
            maxmemory = maxHeapBytes == Long.MAX_VALUE ? 0 : maxHeapBytes / 2;
        }
        concluded = true;
        return this;
    }

    /** @return true once {@link #conclude()} succeeded. */
    public boolean isConcluded()
    {
        return concluded;
    }

    @Override
    public String toString()
    {
        return "RespConfig{protoMaxBulkLen=" + protoMaxBulkLen + ", largeValueThresholdBytes=" +
            largeValueThresholdBytes + ", maxmemory=" + maxmemory + ", maxArgs=" + maxArgs +
            ", maxInlineBytes=" + maxInlineBytes +
            ", maxRequestBytes=" + maxRequestBytes + ", maxPendingReplies=" + maxPendingReplies +
            ", maxBufferedReplyBytes=" + maxBufferedReplyBytes + ", maxRemoteInFlight=" + maxRemoteInFlight +
            ", sweepIntervalMs=" + sweepIntervalMs + ", sweepSlotsPerTick=" + sweepSlotsPerTick +
            ", retryDelayUs=" + retryDelayUs + ", commandTimeoutMs=" + commandTimeoutMs +
            ", idleTimeoutMs=" + idleTimeoutMs + '}';
    }

    private void checkMutable()
    {
        if (concluded)
        {
            throw new IllegalStateException("RespConfig is concluded and read-only");
        }
    }

    private static void requireRange(final String field, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(
                "RespConfig." + field + " must be in [" + min + ", " + max + "] but was " + value);
        }
    }
}
