package dev.coreloop.core;

/**
 * The limits of one group of connections — a listener's ({@link ServerContext#listen(java.net.InetSocketAddress,
 * ConnectionHandlerFactory, ConnectionSettings)}) or one outbound connection's
 * ({@link ReactorContext#connect(java.net.InetSocketAddress, ConnectionHandler, long, ConnectionSettings)}) — where
 * they differ from the server-wide ones in {@link ServerContext}. A proxy and a KV store can then share one
 * {@link Server}: the store's clients idle for an hour with small rings, the proxy's relays idle out in a minute and
 * may hold a few megabytes each.
 *
 * <p>An immutable value. {@link #INHERIT} sets nothing; each {@code with}-style setter returns a copy with one field
 * set, checked at once (an {@link IllegalArgumentException} names the field and the value). A field left unset takes
 * the context's value when the settings are resolved ({@link #resolve(ServerContext)}: at
 * {@link ServerContext#conclude()} for a listener, at the call for a connect). Resolving checks the fields against
 * each other and against the buffer pool; inherited watermarks that do not fit under a smaller
 * {@link #outboundCapBytes()} are lowered to fit (high to the cap, low to below high), explicit ones are not.
 *
 * <pre>{@code
 * ConnectionSettings pooled = ConnectionSettings.INHERIT.idleTimeoutMs(3_600_000).outboundCapBytes(256 * 1024);
 * ctx.listen(new InetSocketAddress(6380), kvFactory, pooled);
 * }</pre>
 *
 * <p><b>Threading:</b> immutable; any thread.
 */
public final class ConnectionSettings
{
    /** The value of a field that is not set: the context's value applies. */
    public static final long UNSET = -1;

    /** Sets nothing: every field comes from the context. */
    public static final ConnectionSettings INHERIT = new ConnectionSettings(UNSET, UNSET, UNSET, UNSET, UNSET, UNSET);

    private final long idleTimeoutMs;
    private final long writeStallTimeoutMs;
    private final long inboundCapBytes;
    private final long outboundCapBytes;
    private final long highWatermarkBytes;
    private final long lowWatermarkBytes;

    private ConnectionSettings(
        final long idleTimeoutMs,
        final long writeStallTimeoutMs,
        final long inboundCapBytes,
        final long outboundCapBytes,
        final long highWatermarkBytes,
        final long lowWatermarkBytes)
    {
        this.idleTimeoutMs = idleTimeoutMs;
        this.writeStallTimeoutMs = writeStallTimeoutMs;
        this.inboundCapBytes = inboundCapBytes;
        this.outboundCapBytes = outboundCapBytes;
        this.highWatermarkBytes = highWatermarkBytes;
        this.lowWatermarkBytes = lowWatermarkBytes;
    }

    /** {@return how long a connection may go without reading or writing a byte before it is closed, or {@link #UNSET}} */
    public long idleTimeoutMs()
    {
        return idleTimeoutMs;
    }

    /**
     * Sets {@link #idleTimeoutMs()}.
     *
     * @param idleTimeoutMs in 1..{@link ServerContext#LISTENER_IDLE_TIMEOUT_MS_MAX}.
     * @return a copy with the field set.
     */
    public ConnectionSettings idleTimeoutMs(final long idleTimeoutMs)
    {
        check(idleTimeoutMs >= 1 && idleTimeoutMs <= ServerContext.LISTENER_IDLE_TIMEOUT_MS_MAX, "idleTimeoutMs",
            idleTimeoutMs, "must be in 1.." + ServerContext.LISTENER_IDLE_TIMEOUT_MS_MAX);
        return new ConnectionSettings(idleTimeoutMs, writeStallTimeoutMs, inboundCapBytes, outboundCapBytes,
            highWatermarkBytes, lowWatermarkBytes);
    }

    /** {@return how long a backlog may wait without the socket taking a byte before the connection is closed, or {@link #UNSET}} */
    public long writeStallTimeoutMs()
    {
        return writeStallTimeoutMs;
    }

    /**
     * Sets {@link #writeStallTimeoutMs()}.
     *
     * @param writeStallTimeoutMs in 1..{@link ServerContext#LISTENER_IDLE_TIMEOUT_MS_MAX}.
     * @return a copy with the field set.
     */
    public ConnectionSettings writeStallTimeoutMs(final long writeStallTimeoutMs)
    {
        check(writeStallTimeoutMs >= 1 && writeStallTimeoutMs <= ServerContext.LISTENER_IDLE_TIMEOUT_MS_MAX,
            "writeStallTimeoutMs", writeStallTimeoutMs, "must be in 1.." + ServerContext.LISTENER_IDLE_TIMEOUT_MS_MAX);
        return new ConnectionSettings(idleTimeoutMs, writeStallTimeoutMs, inboundCapBytes, outboundCapBytes,
            highWatermarkBytes, lowWatermarkBytes);
    }

    /** {@return the most a connection's inbound ring holds (bytes read, not yet consumed), or {@link #UNSET}} */
    public long inboundCapBytes()
    {
        return inboundCapBytes;
    }

    /**
     * Sets {@link #inboundCapBytes()}.
     *
     * @param inboundCapBytes at least 1; resolving checks it against the pool (one chunk .. the pool's segment).
     * @return a copy with the field set.
     */
    public ConnectionSettings inboundCapBytes(final int inboundCapBytes)
    {
        check(inboundCapBytes >= 1, "inboundCapBytes", inboundCapBytes, "must be >= 1");
        return new ConnectionSettings(idleTimeoutMs, writeStallTimeoutMs, inboundCapBytes, outboundCapBytes,
            highWatermarkBytes, lowWatermarkBytes);
    }

    /** {@return the most a connection's outbound backlog holds (a write beyond it is refused), or {@link #UNSET}} */
    public long outboundCapBytes()
    {
        return outboundCapBytes;
    }

    /**
     * Sets {@link #outboundCapBytes()}.
     *
     * @param outboundCapBytes at least 1; resolving checks it against the pool (one chunk .. the pool's segment).
     * @return a copy with the field set.
     */
    public ConnectionSettings outboundCapBytes(final int outboundCapBytes)
    {
        check(outboundCapBytes >= 1, "outboundCapBytes", outboundCapBytes, "must be >= 1");
        return new ConnectionSettings(idleTimeoutMs, writeStallTimeoutMs, inboundCapBytes, outboundCapBytes,
            highWatermarkBytes, lowWatermarkBytes);
    }

    /** {@return the backlog above which a connection turns unwritable, or {@link #UNSET}} */
    public long highWatermarkBytes()
    {
        return highWatermarkBytes;
    }

    /**
     * Sets {@link #highWatermarkBytes()}.
     *
     * @param highWatermarkBytes at least 1; resolving checks it is at most the outbound cap.
     * @return a copy with the field set.
     */
    public ConnectionSettings highWatermarkBytes(final int highWatermarkBytes)
    {
        check(highWatermarkBytes >= 1, "highWatermarkBytes", highWatermarkBytes, "must be >= 1");
        return new ConnectionSettings(idleTimeoutMs, writeStallTimeoutMs, inboundCapBytes, outboundCapBytes,
            highWatermarkBytes, lowWatermarkBytes);
    }

    /** {@return the backlog below which an unwritable connection turns writable again, or {@link #UNSET}} */
    public long lowWatermarkBytes()
    {
        return lowWatermarkBytes;
    }

    /**
     * Sets {@link #lowWatermarkBytes()}.
     *
     * @param lowWatermarkBytes at least 0; resolving checks it is below the high watermark.
     * @return a copy with the field set.
     */
    public ConnectionSettings lowWatermarkBytes(final int lowWatermarkBytes)
    {
        check(lowWatermarkBytes >= 0, "lowWatermarkBytes", lowWatermarkBytes, "must be >= 0");
        return new ConnectionSettings(idleTimeoutMs, writeStallTimeoutMs, inboundCapBytes, outboundCapBytes,
            highWatermarkBytes, lowWatermarkBytes);
    }

    /** {@return true if every field is set, as after {@link #resolve(ServerContext)}} */
    public boolean isResolved()
    {
        return idleTimeoutMs != UNSET && writeStallTimeoutMs != UNSET && inboundCapBytes != UNSET &&
            outboundCapBytes != UNSET && highWatermarkBytes != UNSET && lowWatermarkBytes != UNSET;
    }

    /**
     * Fills every unset field from {@code ctx} and checks the result as a whole.
     *
     * @param ctx a concluded context: its values fill the gaps, its buffer pool bounds the caps.
     * @return settings with every field set.
     * @throws IllegalArgumentException naming the first field that does not fit and its value.
     * @throws IllegalStateException if {@code ctx} is not concluded.
     */
    public ConnectionSettings resolve(final ServerContext ctx)
    {
        if (!ctx.isConcluded())
        {
            throw new IllegalStateException("ConnectionSettings.resolve needs a concluded ServerContext");
        }
        return resolveAgainst(ctx, ctx.bufferSegmentBytes());
    }

    /**
     * As {@link #resolve(ServerContext)}, for {@link ServerContext#conclude()} once its own fields are checked and
     * before it has stored the segment size it derived.
     */
    ConnectionSettings resolveAgainst(final ServerContext ctx, final int segmentBytes)
    {
        final long idleMs = idleTimeoutMs != UNSET ? idleTimeoutMs : ctx.idleTimeoutMs();
        final long stallMs = writeStallTimeoutMs != UNSET ? writeStallTimeoutMs : ctx.writeStallTimeoutMs();
        final long inboundCap = inboundCapBytes != UNSET ? inboundCapBytes : ctx.inboundCapBytes();
        final long outboundCap = outboundCapBytes != UNSET ? outboundCapBytes : ctx.outboundCapBytes();
        final long high = highWatermarkBytes != UNSET ? highWatermarkBytes :
            Math.min(ctx.highWatermarkBytes(), outboundCap);
        final long low = lowWatermarkBytes != UNSET ? lowWatermarkBytes : Math.min(ctx.lowWatermarkBytes(), high - 1);
        final long chunk = ctx.bufferChunkBytes();
        final long most = Math.min(ctx.bufferPoolBytesPerReactor(), segmentBytes);
        final String range = ctx.bufferPoolBytesPerReactor() < segmentBytes ?
            "bufferChunkBytes..bufferPoolBytesPerReactor (" + chunk + ".." + most + ")" :
            "bufferChunkBytes..bufferSegmentBytes (" + chunk + ".." + most + ")";
        check(inboundCap >= chunk && inboundCap <= most, "inboundCapBytes", inboundCap, "must be in " + range);
        check(outboundCap >= chunk && outboundCap <= most, "outboundCapBytes", outboundCap, "must be in " + range);
        check(high >= 1 && high <= outboundCap, "highWatermarkBytes", high,
            "must be in 1..outboundCapBytes (" + outboundCap + ")");
        check(low >= 0 && low < high, "lowWatermarkBytes", low, "must be in 0..highWatermarkBytes-1 (" + (high - 1) + ")");
        return new ConnectionSettings(idleMs, stallMs, inboundCap, outboundCap, high, low);
    }

    private static void check(final boolean ok, final String field, final long value, final String rule)
    {
        if (!ok)
        {
            throw new IllegalArgumentException("ConnectionSettings." + field + "=" + value + ": " + rule);
        }
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof ConnectionSettings that && idleTimeoutMs == that.idleTimeoutMs &&
            writeStallTimeoutMs == that.writeStallTimeoutMs && inboundCapBytes == that.inboundCapBytes &&
            outboundCapBytes == that.outboundCapBytes && highWatermarkBytes == that.highWatermarkBytes &&
            lowWatermarkBytes == that.lowWatermarkBytes;
    }

    @Override
    public int hashCode()
    {
        long h = idleTimeoutMs;
        h = 31 * h + writeStallTimeoutMs;
        h = 31 * h + inboundCapBytes;
        h = 31 * h + outboundCapBytes;
        h = 31 * h + highWatermarkBytes;
        h = 31 * h + lowWatermarkBytes;
        return Long.hashCode(h);
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("ConnectionSettings{");
        append(sb, "idleTimeoutMs", idleTimeoutMs);
        append(sb, "writeStallTimeoutMs", writeStallTimeoutMs);
        append(sb, "inboundCapBytes", inboundCapBytes);
        append(sb, "outboundCapBytes", outboundCapBytes);
        append(sb, "highWatermarkBytes", highWatermarkBytes);
        append(sb, "lowWatermarkBytes", lowWatermarkBytes);
        if (sb.charAt(sb.length() - 1) == ' ')
        {
            sb.setLength(sb.length() - 2);
        }
        else
        {
            sb.append("inherit");
        }
        return sb.append('}').toString();
    }

    private static void append(final StringBuilder sb, final String field, final long value)
    {
        if (value != UNSET)
        {
            sb.append(field).append('=').append(value).append(", ");
        }
    }
}
