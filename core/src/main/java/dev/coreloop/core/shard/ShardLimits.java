package dev.coreloop.core.shard;

/**
 * What a {@link ShardRouter} and its {@link ShardCalls} may hold. Every limit bounds memory and none of them turns into
 * an error: above a limit a connection stops reading (backpressure) until there is room again. Fluent accessors; each
 * setter checks its value at once and names the field and the value when it is out of range.
 *
 * <p>Thresholds, with hysteresis: a connection stops taking requests ({@link ShardCalls#mustPause()} returns true)
 * while its reactor has {@link #maxInFlight()} or more requests outstanding at other shards, until they fall to half
 * of it; and while the connection itself has half of {@link #maxPendingReplies()} replies outstanding or half of
 * {@link #maxHeldReplyBytes()} held, until both fall below a quarter. The full values are hard limits that only one
 * enormous request can reach (a request is never split by a pause); the connection is then aborted, as redis closes a
 * client over its output buffer limit.
 *
 * <p><b>Threading:</b> configure on one thread before handing it to the routers; read-only afterwards.
 */
public final class ShardLimits
{
    /** Default {@link #maxInFlight()}. */
    public static final int MAX_IN_FLIGHT_DEFAULT = 8 * 1024;
    /** Default {@link #maxPendingReplies()}. */
    public static final int MAX_PENDING_REPLIES_DEFAULT = 64 * 1024;
    /** Default {@link #maxHeldReplyBytes()}: 32 MiB. */
    public static final int MAX_HELD_REPLY_BYTES_DEFAULT = 32 * 1024 * 1024;
    /** Default {@link #retryDelayUs()}. */
    public static final long RETRY_DELAY_US_DEFAULT = 50;

    private int maxInFlight = MAX_IN_FLIGHT_DEFAULT;
    private int maxPendingReplies = MAX_PENDING_REPLIES_DEFAULT;
    private int maxHeldReplyBytes = MAX_HELD_REPLY_BYTES_DEFAULT;
    private long retryDelayUs = RETRY_DELAY_US_DEFAULT;

    /** Limits with every default; change them with the fluent setters. */
    public ShardLimits()
    {
    }

    /** {@return requests one reactor may have outstanding at other shards before its connections stop reading} */
    public int maxInFlight()
    {
        return maxInFlight;
    }

    /**
     * Sets {@link #maxInFlight()}.
     *
     * @param maxInFlight at least 1.
     * @return this.
     */
    public ShardLimits maxInFlight(final int maxInFlight)
    {
        check(maxInFlight >= 1, "maxInFlight", maxInFlight, "must be at least 1");
        this.maxInFlight = maxInFlight;
        return this;
    }

    /** {@return replies one connection may have outstanding or waiting for an earlier one (hard limit)} */
    public int maxPendingReplies()
    {
        return maxPendingReplies;
    }

    /**
     * Sets {@link #maxPendingReplies()}.
     *
     * @param maxPendingReplies at least 4.
     * @return this.
     */
    public ShardLimits maxPendingReplies(final int maxPendingReplies)
    {
        check(maxPendingReplies >= 4, "maxPendingReplies", maxPendingReplies, "must be at least 4");
        this.maxPendingReplies = maxPendingReplies;
        return this;
    }

    /** {@return reply bytes one connection may hold outside its outbound ring (hard limit)} */
    public int maxHeldReplyBytes()
    {
        return maxHeldReplyBytes;
    }

    /**
     * Sets {@link #maxHeldReplyBytes()}.
     *
     * @param maxHeldReplyBytes at least 64.
     * @return this.
     */
    public ShardLimits maxHeldReplyBytes(final int maxHeldReplyBytes)
    {
        check(maxHeldReplyBytes >= 64, "maxHeldReplyBytes", maxHeldReplyBytes, "must be at least 64");
        this.maxHeldReplyBytes = maxHeldReplyBytes;
        return this;
    }

    /**
     * {@return how long a message that found another reactor's ring full waits before it is offered again, at the
     * latest, in microseconds (it is also offered again whenever this reactor's router handles anything)}
     */
    public long retryDelayUs()
    {
        return retryDelayUs;
    }

    /**
     * Sets {@link #retryDelayUs()}.
     *
     * @param retryDelayUs 1 .. 1,000,000.
     * @return this.
     */
    public ShardLimits retryDelayUs(final long retryDelayUs)
    {
        check(retryDelayUs >= 1 && retryDelayUs <= 1_000_000, "retryDelayUs", retryDelayUs,
            "must be in 1..1000000");
        this.retryDelayUs = retryDelayUs;
        return this;
    }

    @Override
    public String toString()
    {
        return "ShardLimits{maxInFlight=" + maxInFlight + ", maxPendingReplies=" + maxPendingReplies +
            ", maxHeldReplyBytes=" + maxHeldReplyBytes + ", retryDelayUs=" + retryDelayUs + '}';
    }

    private static void check(final boolean ok, final String field, final long value, final String rule)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(field + "=" + value + ": " + rule);
        }
    }
}
