package dev.coreloop.core;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

import dev.coreloop.affinity.ThreadPinner;
import dev.coreloop.core.conn.TransitionSink;
import org.agrona.BitUtil;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * The configuration of a {@link Server}: fluent accessors without get/set ({@code reactorCount()} reads,
 * {@code reactorCount(4)} writes and returns this). {@link #conclude()} validates every value (the message names
 * the field and the value), derives defaults and freezes the context; setters then throw.
 *
 * <p><b>Threading:</b> configure on one thread; once concluded it is immutable and safe to read from any thread.
 */
public final class ServerContext
{
    /**
     * A listening address, the factory of its connections' handlers, and its connections' settings.
     *
     * @param address  the address to listen on.
     * @param factory  creates the handler of each connection accepted there.
     * @param settings where this listener's connections differ from the context (idle timeout, caps, watermarks,
     *                 write-stall timeout); after {@link #conclude()} resolved, every field set. Protocols differ: an
     *                 HTTP keep-alive connection is cheap to reopen, a connection in a database client's pool is meant
     *                 to wait.
     */
    public record Listener(InetSocketAddress address, ConnectionHandlerFactory factory, ConnectionSettings settings)
    {
        /**
         * A listener whose connections use the context's settings.
         *
         * @param address the address to listen on.
         * @param factory creates the handler of each connection accepted there.
         */
        public Listener(final InetSocketAddress address, final ConnectionHandlerFactory factory)
        {
            this(address, factory, ConnectionSettings.INHERIT);
        }

        /** {@return this listener's idle timeout, or {@link ConnectionSettings#UNSET} before {@link #conclude()} if it sets none} */
        public long idleTimeoutMs()
        {
            return settings.idleTimeoutMs();
        }
    }

    /**
     * A per-reactor service: its type and how each reactor creates its instance.
     *
     * @param <T>     the service type.
     * @param type    the type handlers look it up by.
     * @param factory creates a reactor's instance, on that reactor's thread.
     */
    public record ServiceRegistration<T extends ReactorService>(Class<T> type, Function<ReactorContext, T> factory)
    {
    }

    /** Default {@link #reactorCount()}: 0, the pinning plan's reactor count, else one per available processor. */
    public static final int REACTOR_COUNT_DEFAULT = 0;
    /** Default {@link #tcpNoDelay()}: Nagle off. */
    public static final boolean TCP_NO_DELAY_DEFAULT = true;
    /** Default {@link #backlog()}: the listen queue length asked of the kernel. */
    public static final int BACKLOG_DEFAULT = 1024;
    /** Default {@link #bufferChunkBytes()}: 16 KiB. */
    public static final int BUFFER_CHUNK_BYTES_DEFAULT = 16 * 1024;
    /** Default {@link #bufferPoolBytesPerReactor()}: 64 MiB. */
    public static final long BUFFER_POOL_BYTES_PER_REACTOR_DEFAULT = 64L << 20;
    /**
     * Default {@link #bufferSegmentBytes()}: 0, derived in {@link #conclude()} as the smallest power-of-two number of
     * chunks that holds the largest ring cap of the context and its listeners, and at least
     * {@link #BUFFER_SEGMENT_BYTES_AUTO_MIN}.
     */
    public static final int BUFFER_SEGMENT_BYTES_DEFAULT = 0;
    /** The least segment size {@link #conclude()} derives: 1 MiB. */
    public static final int BUFFER_SEGMENT_BYTES_AUTO_MIN = 1 << 20;
    /** Default {@link #bufferTrimIntervalMs()}: 5 s. */
    public static final long BUFFER_TRIM_INTERVAL_MS_DEFAULT = 5_000;
    /** Default {@link #inboundCapBytes()}: 64 KiB. */
    public static final int INBOUND_CAP_BYTES_DEFAULT = 64 * 1024;
    /** Default {@link #outboundCapBytes()}: 4 MiB. */
    public static final int OUTBOUND_CAP_BYTES_DEFAULT = 4 << 20;
    /** Default {@link #highWatermarkBytes()}: 1 MiB. */
    public static final int HIGH_WATERMARK_BYTES_DEFAULT = 1 << 20;
    /** Default {@link #lowWatermarkBytes()}: 256 KiB. */
    public static final int LOW_WATERMARK_BYTES_DEFAULT = 256 * 1024;
    /** Default {@link #idleTimeoutMs()}: one minute. */
    public static final long IDLE_TIMEOUT_MS_DEFAULT = 60_000;
    /** The longest idle timeout a listener may set (a year): deadlines stay far from overflowing. */
    public static final long LISTENER_IDLE_TIMEOUT_MS_MAX = 365L * 24 * 3_600_000;
    /** Default {@link #writeStallTimeoutMs()}: 30 s. */
    public static final long WRITE_STALL_TIMEOUT_MS_DEFAULT = 30_000;
    /** Default {@link #drainTimeoutMs()}: 2 s. */
    public static final long DRAIN_TIMEOUT_MS_DEFAULT = 2_000;
    /** Default {@link #readBudgetBytes()}: 64 KiB. */
    public static final int READ_BUDGET_BYTES_DEFAULT = 64 * 1024;
    /** Default {@link #writeBudgetBytes()}: 256 KiB. */
    public static final int WRITE_BUDGET_BYTES_DEFAULT = 256 * 1024;
    /** Default {@link #taskQueueCapacity()}. */
    public static final int TASK_QUEUE_CAPACITY_DEFAULT = 4096;
    /** Default {@link #messageRingBytes()}: 1 MiB. */
    public static final int MESSAGE_RING_BYTES_DEFAULT = 1 << 20;
    /** Default {@link #inboxCapacity()}. */
    public static final int INBOX_CAPACITY_DEFAULT = 1024;
    /** Default {@link #maxConnectionsPerReactor()}. */
    public static final int MAX_CONNECTIONS_PER_REACTOR_DEFAULT = 65_536;
    /** Default {@link #emfileBackoffMs()}. */
    public static final long EMFILE_BACKOFF_MS_DEFAULT = 100;
    /** Default {@link #shutdownDeadlineMs()}: 5 s. */
    public static final long SHUTDOWN_DEADLINE_MS_DEFAULT = 5_000;

    private boolean concluded;
    private int reactorCount = REACTOR_COUNT_DEFAULT;
    private ThreadPinner pinner = ThreadPinner.unpinned();
    private final List<Listener> listeners = new ArrayList<>();
    private final List<ServiceRegistration<?>> services = new ArrayList<>();
    private AcceptMode acceptMode = AcceptMode.ACCEPTOR_THREAD;
    private PlacementPolicy placement;
    private boolean tcpNoDelay = TCP_NO_DELAY_DEFAULT;
    private int socketReceiveBufferBytes;
    private int socketSendBufferBytes;
    private int backlog = BACKLOG_DEFAULT;
    private int bufferChunkBytes = BUFFER_CHUNK_BYTES_DEFAULT;
    private long bufferPoolBytesPerReactor = BUFFER_POOL_BYTES_PER_REACTOR_DEFAULT;
    private int bufferSegmentBytes = BUFFER_SEGMENT_BYTES_DEFAULT;
    private long bufferTrimIntervalMs = BUFFER_TRIM_INTERVAL_MS_DEFAULT;
    private int inboundCapBytes = INBOUND_CAP_BYTES_DEFAULT;
    private int outboundCapBytes = OUTBOUND_CAP_BYTES_DEFAULT;
    private int highWatermarkBytes = HIGH_WATERMARK_BYTES_DEFAULT;
    private int lowWatermarkBytes = LOW_WATERMARK_BYTES_DEFAULT;
    private long idleTimeoutMs = IDLE_TIMEOUT_MS_DEFAULT;
    private long writeStallTimeoutMs = WRITE_STALL_TIMEOUT_MS_DEFAULT;
    private long drainTimeoutMs = DRAIN_TIMEOUT_MS_DEFAULT;
    private int readBudgetBytes = READ_BUDGET_BYTES_DEFAULT;
    private int writeBudgetBytes = WRITE_BUDGET_BYTES_DEFAULT;
    private IdleMode idleMode = IdleMode.SELECT;
    private int taskQueueCapacity = TASK_QUEUE_CAPACITY_DEFAULT;
    private int messageRingBytes = MESSAGE_RING_BYTES_DEFAULT;
    private int inboxCapacity = INBOX_CAPACITY_DEFAULT;
    private int maxConnectionsPerReactor = MAX_CONNECTIONS_PER_REACTOR_DEFAULT;
    private TransitionSink transitionSink;
    private NanoClock nanoClock;
    private long emfileBackoffMs = EMFILE_BACKOFF_MS_DEFAULT;
    private long shutdownDeadlineMs = SHUTDOWN_DEADLINE_MS_DEFAULT;
    private ConnectionSettings connectionSettings;
    private java.nio.file.Path countersDirectory;

    /**
     * Creates a context with every setting at its default: add listeners, set what differs, then pass it to
     * {@link Server#start}.
     */
    public ServerContext()
    {
    }

    /**
     * Validates, derives defaults and freezes. Idempotent.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first invalid field and its value.
     */
    public ServerContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        if (reactorCount == 0)
        {
            final int planned = pinner.plannedReactorCount();
            reactorCount = planned > 0 ? planned : Runtime.getRuntime().availableProcessors();
        }
        check(reactorCount >= 1 && reactorCount <= 1024, "reactorCount", reactorCount, "must be in 1..1024");
        check(backlog >= 1, "backlog", backlog, "must be >= 1");
        check(socketReceiveBufferBytes >= 0, "socketReceiveBufferBytes", socketReceiveBufferBytes, "must be >= 0 (0 = OS default)");
        check(socketSendBufferBytes >= 0, "socketSendBufferBytes", socketSendBufferBytes, "must be >= 0 (0 = OS default)");
        check(bufferChunkBytes >= 64 && BitUtil.isPowerOfTwo(bufferChunkBytes), "bufferChunkBytes", bufferChunkBytes,
            "must be a power of two >= 64");
        check(bufferPoolBytesPerReactor >= bufferChunkBytes && bufferPoolBytesPerReactor / bufferChunkBytes <= Integer.MAX_VALUE,
            "bufferPoolBytesPerReactor", bufferPoolBytesPerReactor, "must hold at least one chunk of bufferChunkBytes=" +
            bufferChunkBytes + " and at most 2^31-1 chunks");
        check(inboundCapBytes >= bufferChunkBytes && inboundCapBytes <= bufferPoolBytesPerReactor, "inboundCapBytes",
            inboundCapBytes, "must be in bufferChunkBytes..bufferPoolBytesPerReactor (" + bufferChunkBytes + ".." +
            bufferPoolBytesPerReactor + "): a ring holds at least one chunk");
        check(outboundCapBytes >= bufferChunkBytes && outboundCapBytes <= bufferPoolBytesPerReactor, "outboundCapBytes",
            outboundCapBytes, "must be in bufferChunkBytes..bufferPoolBytesPerReactor (" + bufferChunkBytes + ".." +
            bufferPoolBytesPerReactor + "): a ring holds at least one chunk");
        final int segmentBytes = bufferSegmentBytes != 0 ? bufferSegmentBytes : deriveSegmentBytes();
        check(segmentBytes >= bufferChunkBytes && segmentBytes % bufferChunkBytes == 0 &&
            BitUtil.isPowerOfTwo(segmentBytes / bufferChunkBytes), "bufferSegmentBytes", segmentBytes,
            "must be a power-of-two multiple of bufferChunkBytes (" + bufferChunkBytes + "), or 0 to derive it");
        check(inboundCapBytes <= segmentBytes, "inboundCapBytes", inboundCapBytes,
            "must be <= bufferSegmentBytes (" + segmentBytes + "): a ring lies within one segment");
        check(outboundCapBytes <= segmentBytes, "outboundCapBytes", outboundCapBytes,
            "must be <= bufferSegmentBytes (" + segmentBytes + "): a ring lies within one segment");
        check(bufferTrimIntervalMs >= 1, "bufferTrimIntervalMs", bufferTrimIntervalMs, "must be >= 1");
        check(highWatermarkBytes >= 1 && highWatermarkBytes <= outboundCapBytes, "highWatermarkBytes", highWatermarkBytes,
            "must be in 1..outboundCapBytes (" + outboundCapBytes + ")");
        check(lowWatermarkBytes >= 0 && lowWatermarkBytes < highWatermarkBytes, "lowWatermarkBytes", lowWatermarkBytes,
            "must be in 0..highWatermarkBytes-1 (" + (highWatermarkBytes - 1) + ")");
        check(idleTimeoutMs >= 1, "idleTimeoutMs", idleTimeoutMs, "must be >= 1");
        check(writeStallTimeoutMs >= 1, "writeStallTimeoutMs", writeStallTimeoutMs, "must be >= 1");
        check(drainTimeoutMs >= 1, "drainTimeoutMs", drainTimeoutMs, "must be >= 1");
        check(readBudgetBytes >= 1, "readBudgetBytes", readBudgetBytes, "must be >= 1");
        check(writeBudgetBytes >= 1, "writeBudgetBytes", writeBudgetBytes, "must be >= 1");
        check(taskQueueCapacity >= 2, "taskQueueCapacity", taskQueueCapacity, "must be >= 2");
        check(messageRingBytes >= 1024 && BitUtil.isPowerOfTwo(messageRingBytes), "messageRingBytes", messageRingBytes,
            "must be a power of two >= 1024");
        check(inboxCapacity >= 2, "inboxCapacity", inboxCapacity, "must be >= 2");
        check(maxConnectionsPerReactor >= 1, "maxConnectionsPerReactor", maxConnectionsPerReactor, "must be >= 1");
        check(emfileBackoffMs >= 1, "emfileBackoffMs", emfileBackoffMs, "must be >= 1");
        check(shutdownDeadlineMs >= 0, "shutdownDeadlineMs", shutdownDeadlineMs, "must be >= 0");
        for (int i = 0; i < listeners.size(); i++)
        {
            final Listener listener = listeners.get(i);
            check(listener.address() != null, "listen[" + i + "].address", null, "must not be null");
            check(listener.factory() != null, "listen[" + i + "].factory", null, "must not be null");
            check(listener.settings() != null, "listen[" + i + "].settings", null, "must not be null");
        }
        connectionSettings = ConnectionSettings.INHERIT.resolveAgainst(this, segmentBytes);
        for (int i = 0; i < listeners.size(); i++)
        {
            final Listener listener = listeners.get(i);
            final ConnectionSettings resolved;
            try
            {
                resolved = listener.settings().resolveAgainst(this, segmentBytes);
            }
            catch (final IllegalArgumentException ex)
            {
                // "ConnectionSettings.field=value: rule" -> "ServerContext.listen[i].settings.field=value: rule"
                throw new IllegalArgumentException("ServerContext.listen[" + i + "].settings." +
                    ex.getMessage().substring(ex.getMessage().indexOf('.') + 1), ex);
            }
            listeners.set(i, new Listener(listener.address(), listener.factory(), resolved));
        }
        bufferSegmentBytes = segmentBytes;
        if (placement == null)
        {
            placement = PlacementPolicy.roundRobin();
        }
        if (transitionSink == null)
        {
            transitionSink = TransitionSink.NONE;
        }
        if (nanoClock == null)
        {
            nanoClock = SystemNanoClock.INSTANCE;
        }
        concluded = true;
        return this;
    }

    /** The smallest power-of-two number of chunks holding every ring cap (the context's and listeners'), >= 1 MiB. */
    private int deriveSegmentBytes()
    {
        long largestBytes = Math.max(BUFFER_SEGMENT_BYTES_AUTO_MIN, Math.max(inboundCapBytes, outboundCapBytes));
        for (final Listener listener : listeners)
        {
            if (listener.settings() != null)
            {
                largestBytes = Math.max(largestBytes, Math.max(listener.settings().inboundCapBytes(),
                    listener.settings().outboundCapBytes()));
            }
        }
        final long chunks = Math.min(1L << 30, (largestBytes + bufferChunkBytes - 1) / bufferChunkBytes);
        final long segmentBytes = Long.highestOneBit(chunks - 1 | 1) * (chunks > 1 ? 2 : 1) * bufferChunkBytes;
        return (int)Math.min(segmentBytes, Integer.highestOneBit(Integer.MAX_VALUE));
    }

    private static void check(final boolean ok, final String field, final Object value, final String rule)
    {
        if (!ok)
        {
            throw new IllegalArgumentException("ServerContext." + field + "=" + value + ": " + rule);
        }
    }

    private void checkMutable(final String field)
    {
        if (concluded)
        {
            throw new IllegalStateException("ServerContext is concluded (frozen): cannot set " + field);
        }
    }

    /** {@return true once {@link #conclude()} has run} */
    public boolean isConcluded()
    {
        return concluded;
    }

    /** {@return how many reactors (threads) run; after {@link #conclude()} the resolved count, never 0} */
    public int reactorCount()
    {
        return reactorCount;
    }

    /**
     * Sets {@link #reactorCount()}.
     *
     * @param reactorCount 0 = the pinning plan's count if it has one, else the available processors.
     * @return this.
     */
    public ServerContext reactorCount(final int reactorCount)
    {
        checkMutable("reactorCount");
        this.reactorCount = reactorCount;
        return this;
    }

    /** {@return who pins the threads and reports the CPU each got; {@link ThreadPinner#unpinned()} by default} */
    public ThreadPinner pinner()
    {
        return pinner;
    }

    /**
     * Sets {@link #pinner()}.
     *
     * @param pinner pins the acceptor and each reactor to the CPUs of its plan.
     * @return this.
     */
    public ServerContext pinner(final ThreadPinner pinner)
    {
        checkMutable("pinner");
        if (pinner == null)
        {
            throw new IllegalArgumentException("ServerContext.pinner=null: must not be null");
        }
        this.pinner = pinner;
        return this;
    }

    /**
     * Adds a listener (repeatable). Port 0 binds an ephemeral port; {@link Server#localAddress(int)} tells which.
     *
     * @param address the address to listen on.
     * @param factory creates the handler of each connection accepted there.
     * @return this.
     */
    public ServerContext listen(final InetSocketAddress address, final ConnectionHandlerFactory factory)
    {
        return listen(address, factory, 0);
    }

    /**
     * As {@link #listen(InetSocketAddress, ConnectionHandlerFactory)}, with an idle timeout of its own for this
     * listener's connections: {@code listen(address, factory, ConnectionSettings.INHERIT.idleTimeoutMs(ms))}.
     *
     * @param address       the address to listen on.
     * @param factory       creates the handler of each connection accepted there.
     * @param idleTimeoutMs replaces {@link #idleTimeoutMs()} for connections accepted here; 0 keeps it. Otherwise
     *                      {@code 1..}{@link #LISTENER_IDLE_TIMEOUT_MS_MAX}.
     * @return this.
     * @throws IllegalArgumentException naming the field and the value if {@code idleTimeoutMs} is out of range.
     */
    public ServerContext listen(final InetSocketAddress address, final ConnectionHandlerFactory factory,
        final long idleTimeoutMs)
    {
        checkMutable("listen");
        check(idleTimeoutMs >= 0 && idleTimeoutMs <= LISTENER_IDLE_TIMEOUT_MS_MAX,
            "listen[" + listeners.size() + "].idleTimeoutMs", idleTimeoutMs,
            "must be in 0.." + LISTENER_IDLE_TIMEOUT_MS_MAX + " (0 = the context's idleTimeoutMs)");
        return listen(address, factory, idleTimeoutMs == 0 ? ConnectionSettings.INHERIT :
            ConnectionSettings.INHERIT.idleTimeoutMs(idleTimeoutMs));
    }

    /**
     * As {@link #listen(InetSocketAddress, ConnectionHandlerFactory)}, with settings of its own for this listener's
     * connections (idle timeout, ring caps, watermarks, write-stall timeout). Unset fields take this context's
     * values; {@link #conclude()} resolves and checks them (the message names the listener, the field and the value).
     *
     * @param address  the address to listen on.
     * @param factory  creates the handler of each connection accepted there.
     * @param settings where this listener's connections differ from the context.
     * @return this.
     */
    public ServerContext listen(final InetSocketAddress address, final ConnectionHandlerFactory factory,
        final ConnectionSettings settings)
    {
        checkMutable("listen");
        listeners.add(new Listener(address, factory, settings));
        return this;
    }

    /**
     * {@return the context-wide connection settings, resolved: what an outbound connect without settings of its own
     * and a listener that sets none use; null before {@link #conclude()}}
     */
    public ConnectionSettings connectionSettings()
    {
        return connectionSettings;
    }

    /** {@return the listeners in the order they were added} */
    public List<Listener> listeners()
    {
        return Collections.unmodifiableList(listeners);
    }

    /**
     * Registers a per-reactor service (one per type); each reactor creates its instance on its own thread at start.
     *
     * @param <T>     the service type.
     * @param type    the type handlers look it up by ({@link ReactorContext#service(Class)}).
     * @param factory creates a reactor's instance, on that reactor's thread.
     * @return this.
     * @throws IllegalArgumentException if an argument is null or the type is already registered.
     */
    public <T extends ReactorService> ServerContext reactorService(
        final Class<T> type, final Function<ReactorContext, T> factory)
    {
        checkMutable("reactorService");
        if (type == null || factory == null)
        {
            throw new IllegalArgumentException("ServerContext.reactorService type=" + type + " factory=" + factory +
                ": must not be null");
        }
        for (final ServiceRegistration<?> registration : services)
        {
            if (registration.type() == type)
            {
                throw new IllegalArgumentException("ServerContext.reactorService type=" + type.getName() +
                    ": already registered");
            }
        }
        services.add(new ServiceRegistration<>(type, factory));
        return this;
    }

    /** {@return the registered services in the order they were added} */
    public List<ServiceRegistration<?>> reactorServices()
    {
        return Collections.unmodifiableList(services);
    }

    /** {@return how connections reach the reactors; {@link AcceptMode#ACCEPTOR_THREAD} by default} */
    public AcceptMode acceptMode()
    {
        return acceptMode;
    }

    /**
     * Sets {@link #acceptMode()}.
     *
     * @param acceptMode an acceptor thread, or one {@code SO_REUSEPORT} listener per reactor.
     * @return this.
     */
    public ServerContext acceptMode(final AcceptMode acceptMode)
    {
        checkMutable("acceptMode");
        this.acceptMode = requireNonNull(acceptMode, "acceptMode");
        return this;
    }

    /** {@return which reactor the acceptor gives each connection; round-robin after {@link #conclude()} unless set} */
    public PlacementPolicy placement()
    {
        return placement;
    }

    /**
     * Sets {@link #placement()}.
     *
     * @param placement the policy the acceptor places connections with (unused in {@link AcceptMode#REUSE_PORT} mode).
     * @return this.
     */
    public ServerContext placement(final PlacementPolicy placement)
    {
        checkMutable("placement");
        this.placement = requireNonNull(placement, "placement");
        return this;
    }

    /** {@return whether accepted sockets get {@code TCP_NODELAY} (Nagle off)} */
    public boolean tcpNoDelay()
    {
        return tcpNoDelay;
    }

    /**
     * Sets {@link #tcpNoDelay()}.
     *
     * @param tcpNoDelay true to turn Nagle's algorithm off on every accepted connection.
     * @return this.
     */
    public ServerContext tcpNoDelay(final boolean tcpNoDelay)
    {
        checkMutable("tcpNoDelay");
        this.tcpNoDelay = tcpNoDelay;
        return this;
    }

    /** {@return {@code SO_RCVBUF} of the listeners and of accepted connections; 0 leaves the OS default} */
    public int socketReceiveBufferBytes()
    {
        return socketReceiveBufferBytes;
    }

    /**
     * Sets {@link #socketReceiveBufferBytes()}.
     *
     * @param socketReceiveBufferBytes SO_RCVBUF; 0 = OS default.
     * @return this.
     */
    public ServerContext socketReceiveBufferBytes(final int socketReceiveBufferBytes)
    {
        checkMutable("socketReceiveBufferBytes");
        this.socketReceiveBufferBytes = socketReceiveBufferBytes;
        return this;
    }

    /** {@return {@code SO_SNDBUF} of accepted connections; 0 leaves the OS default} */
    public int socketSendBufferBytes()
    {
        return socketSendBufferBytes;
    }

    /**
     * Sets {@link #socketSendBufferBytes()}.
     *
     * @param socketSendBufferBytes SO_SNDBUF; 0 = OS default.
     * @return this.
     */
    public ServerContext socketSendBufferBytes(final int socketSendBufferBytes)
    {
        checkMutable("socketSendBufferBytes");
        this.socketSendBufferBytes = socketSendBufferBytes;
        return this;
    }

    /** {@return the listen backlog (the kernel caps it at {@code net.core.somaxconn})} */
    public int backlog()
    {
        return backlog;
    }

    /**
     * Sets {@link #backlog()}.
     *
     * @param backlog the listen backlog, at least 1.
     * @return this.
     */
    public ServerContext backlog(final int backlog)
    {
        checkMutable("backlog");
        this.backlog = backlog;
        return this;
    }

    /** {@return the size of one pooled buffer chunk; connection rings grow and shrink in chunks} */
    public int bufferChunkBytes()
    {
        return bufferChunkBytes;
    }

    /**
     * Sets {@link #bufferChunkBytes()}.
     *
     * @param bufferChunkBytes a power of two, at least 64.
     * @return this.
     */
    public ServerContext bufferChunkBytes(final int bufferChunkBytes)
    {
        checkMutable("bufferChunkBytes");
        this.bufferChunkBytes = bufferChunkBytes;
        return this;
    }

    /**
     * {@return the most off-heap memory each reactor's buffer pool may hold for connection rings: a cap, committed a
     * {@link #bufferSegmentBytes() segment} at a time as rings need it, not up front}
     */
    public long bufferPoolBytesPerReactor()
    {
        return bufferPoolBytesPerReactor;
    }

    /**
     * Sets {@link #bufferPoolBytesPerReactor()}.
     *
     * @param bufferPoolBytesPerReactor at least one chunk of {@link #bufferChunkBytes()}; a remainder smaller than a
     *                                  chunk is unused.
     * @return this.
     */
    public ServerContext bufferPoolBytesPerReactor(final long bufferPoolBytesPerReactor)
    {
        checkMutable("bufferPoolBytesPerReactor");
        this.bufferPoolBytesPerReactor = bufferPoolBytesPerReactor;
        return this;
    }

    /**
     * {@return the unit in which a reactor's buffer pool commits memory and gives it back: a segment is allocated when
     * a ring first needs it and freed after {@link #bufferTrimIntervalMs()} to twice that without use. A ring lies
     * within one segment, so every cap (the context's, a listener's, a connect's) is at most this. 0 before
     * {@link #conclude()} derives it}
     */
    public int bufferSegmentBytes()
    {
        return bufferSegmentBytes;
    }

    /**
     * Sets {@link #bufferSegmentBytes()}.
     *
     * @param bufferSegmentBytes a power-of-two multiple of {@link #bufferChunkBytes()}, at least every cap; 0 (the
     *                           default) derives it from the caps.
     * @return this.
     */
    public ServerContext bufferSegmentBytes(final int bufferSegmentBytes)
    {
        checkMutable("bufferSegmentBytes");
        this.bufferSegmentBytes = bufferSegmentBytes;
        return this;
    }

    /** {@return how often a reactor gives the memory of its buffer pool's unused segments back} */
    public long bufferTrimIntervalMs()
    {
        return bufferTrimIntervalMs;
    }

    /**
     * Sets {@link #bufferTrimIntervalMs()}.
     *
     * @param bufferTrimIntervalMs at least 1; a segment unused for one to two intervals is freed.
     * @return this.
     */
    public ServerContext bufferTrimIntervalMs(final long bufferTrimIntervalMs)
    {
        checkMutable("bufferTrimIntervalMs");
        this.bufferTrimIntervalMs = bufferTrimIntervalMs;
        return this;
    }

    /** {@return the most a connection's inbound ring holds: bytes read but not yet consumed by {@code onData}} */
    public int inboundCapBytes()
    {
        return inboundCapBytes;
    }

    /**
     * Sets {@link #inboundCapBytes()}.
     *
     * @param inboundCapBytes in {@link #bufferChunkBytes()}..{@link #bufferPoolBytesPerReactor()}.
     * @return this.
     */
    public ServerContext inboundCapBytes(final int inboundCapBytes)
    {
        checkMutable("inboundCapBytes");
        this.inboundCapBytes = inboundCapBytes;
        return this;
    }

    /** {@return the most a connection's outbound backlog holds; a write beyond it is refused} */
    public int outboundCapBytes()
    {
        return outboundCapBytes;
    }

    /**
     * Sets {@link #outboundCapBytes()}.
     *
     * @param outboundCapBytes in {@link #bufferChunkBytes()}..{@link #bufferPoolBytesPerReactor()}.
     * @return this.
     */
    public ServerContext outboundCapBytes(final int outboundCapBytes)
    {
        checkMutable("outboundCapBytes");
        this.outboundCapBytes = outboundCapBytes;
        return this;
    }

    /** {@return the backlog above which a connection turns unwritable} */
    public int highWatermarkBytes()
    {
        return highWatermarkBytes;
    }

    /**
     * Sets {@link #highWatermarkBytes()}.
     *
     * @param highWatermarkBytes in 1..{@link #outboundCapBytes()}.
     * @return this.
     */
    public ServerContext highWatermarkBytes(final int highWatermarkBytes)
    {
        checkMutable("highWatermarkBytes");
        this.highWatermarkBytes = highWatermarkBytes;
        return this;
    }

    /** {@return the backlog below which an unwritable connection turns writable again} */
    public int lowWatermarkBytes()
    {
        return lowWatermarkBytes;
    }

    /**
     * Sets {@link #lowWatermarkBytes()}.
     *
     * @param lowWatermarkBytes below {@link #highWatermarkBytes()}.
     * @return this.
     */
    public ServerContext lowWatermarkBytes(final int lowWatermarkBytes)
    {
        checkMutable("lowWatermarkBytes");
        this.lowWatermarkBytes = lowWatermarkBytes;
        return this;
    }

    /** {@return how long an open connection may go without reading or writing a byte before it is closed (a listener may set its own)} */
    public long idleTimeoutMs()
    {
        return idleTimeoutMs;
    }

    /**
     * Sets {@link #idleTimeoutMs()}.
     *
     * @param idleTimeoutMs at least 1.
     * @return this.
     */
    public ServerContext idleTimeoutMs(final long idleTimeoutMs)
    {
        checkMutable("idleTimeoutMs");
        this.idleTimeoutMs = idleTimeoutMs;
        return this;
    }

    /** {@return how long a backlog may wait without the socket taking a byte before the connection is closed} */
    public long writeStallTimeoutMs()
    {
        return writeStallTimeoutMs;
    }

    /**
     * Sets {@link #writeStallTimeoutMs()}.
     *
     * @param writeStallTimeoutMs at least 1.
     * @return this.
     */
    public ServerContext writeStallTimeoutMs(final long writeStallTimeoutMs)
    {
        checkMutable("writeStallTimeoutMs");
        this.writeStallTimeoutMs = writeStallTimeoutMs;
        return this;
    }

    /**
     * {@return how long a closing connection reads and discards after its FIN (LINGERING) before it closes anyway.
     * Flushing the backlog before the FIN is bounded by the write-stall timeout instead, so a slow but live reader
     * gets the whole reply}
     */
    public long drainTimeoutMs()
    {
        return drainTimeoutMs;
    }

    /**
     * Sets {@link #drainTimeoutMs()}.
     *
     * @param drainTimeoutMs at least 1.
     * @return this.
     */
    public ServerContext drainTimeoutMs(final long drainTimeoutMs)
    {
        checkMutable("drainTimeoutMs");
        this.drainTimeoutMs = drainTimeoutMs;
        return this;
    }

    /** {@return the most one connection reads per duty cycle, so that one busy peer cannot starve the others} */
    public int readBudgetBytes()
    {
        return readBudgetBytes;
    }

    /**
     * Sets {@link #readBudgetBytes()}.
     *
     * @param readBudgetBytes at least 1.
     * @return this.
     */
    public ServerContext readBudgetBytes(final int readBudgetBytes)
    {
        checkMutable("readBudgetBytes");
        this.readBudgetBytes = readBudgetBytes;
        return this;
    }

    /** {@return the most one connection writes per duty cycle} */
    public int writeBudgetBytes()
    {
        return writeBudgetBytes;
    }

    /**
     * Sets {@link #writeBudgetBytes()}.
     *
     * @param writeBudgetBytes at least 1.
     * @return this.
     */
    public ServerContext writeBudgetBytes(final int writeBudgetBytes)
    {
        checkMutable("writeBudgetBytes");
        this.writeBudgetBytes = writeBudgetBytes;
        return this;
    }

    /** {@return what a reactor does when a duty cycle found no work; {@link IdleMode#SELECT} by default} */
    public IdleMode idleMode()
    {
        return idleMode;
    }

    /**
     * Sets {@link #idleMode()}.
     *
     * @param idleMode block in select, back off, or spin.
     * @return this.
     */
    public ServerContext idleMode(final IdleMode idleMode)
    {
        checkMutable("idleMode");
        this.idleMode = requireNonNull(idleMode, "idleMode");
        return this;
    }

    /** {@return the capacity of each reactor's task queue (tasks from other threads); a full queue refuses} */
    public int taskQueueCapacity()
    {
        return taskQueueCapacity;
    }

    /**
     * Sets {@link #taskQueueCapacity()}.
     *
     * @param taskQueueCapacity at least 2.
     * @return this.
     */
    public ServerContext taskQueueCapacity(final int taskQueueCapacity)
    {
        checkMutable("taskQueueCapacity");
        this.taskQueueCapacity = taskQueueCapacity;
        return this;
    }

    /**
     * {@return the capacity of each reactor's message ring ({@link ReactorContext#sendMessage} from other reactors)}
     */
    public int messageRingBytes()
    {
        return messageRingBytes;
    }

    /**
     * Sets {@link #messageRingBytes()}.
     *
     * @param messageRingBytes capacity of each reactor's message ring, a power of two.
     * @return this.
     */
    public ServerContext messageRingBytes(final int messageRingBytes)
    {
        checkMutable("messageRingBytes");
        this.messageRingBytes = messageRingBytes;
        return this;
    }

    /**
     * {@return the capacity of each reactor's inbox of accepted connections; when every inbox is full the acceptor
     * holds the connection in hand and stops accepting until one has room (the rest wait in the {@link #backlog()})}
     */
    public int inboxCapacity()
    {
        return inboxCapacity;
    }

    /**
     * Sets {@link #inboxCapacity()}.
     *
     * @param inboxCapacity at least 2.
     * @return this.
     */
    public ServerContext inboxCapacity(final int inboxCapacity)
    {
        checkMutable("inboxCapacity");
        this.inboxCapacity = inboxCapacity;
        return this;
    }

    /** {@return how many connections one reactor holds; one more is closed as soon as it is handed over} */
    public int maxConnectionsPerReactor()
    {
        return maxConnectionsPerReactor;
    }

    /**
     * Sets {@link #maxConnectionsPerReactor()}.
     *
     * @param maxConnectionsPerReactor at least 1.
     * @return this.
     */
    public ServerContext maxConnectionsPerReactor(final int maxConnectionsPerReactor)
    {
        checkMutable("maxConnectionsPerReactor");
        this.maxConnectionsPerReactor = maxConnectionsPerReactor;
        return this;
    }

    /**
     * {@return where connection state transitions are written; {@link TransitionSink#NONE} after {@link #conclude()}
     * unless set}
     */
    public TransitionSink transitionSink()
    {
        return transitionSink;
    }

    /**
     * Sets {@link #transitionSink()}.
     *
     * @param transitionSink receives every transition, on the reactor thread.
     * @return this.
     */
    public ServerContext transitionSink(final TransitionSink transitionSink)
    {
        checkMutable("transitionSink");
        this.transitionSink = requireNonNull(transitionSink, "transitionSink");
        return this;
    }

    /** {@return the monotonic clock the reactors read; the system clock after {@link #conclude()} unless set} */
    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /**
     * Sets {@link #nanoClock()}.
     *
     * @param nanoClock the monotonic clock the reactors read once per cycle (tests pass a fake one).
     * @return this.
     */
    public ServerContext nanoClock(final NanoClock nanoClock)
    {
        checkMutable("nanoClock");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        return this;
    }

    /** {@return how long the acceptor pauses accepting after running out of file descriptors (EMFILE/ENFILE)} */
    public long emfileBackoffMs()
    {
        return emfileBackoffMs;
    }

    /**
     * Sets {@link #emfileBackoffMs()}.
     *
     * @param emfileBackoffMs at least 1.
     * @return this.
     */
    public ServerContext emfileBackoffMs(final long emfileBackoffMs)
    {
        checkMutable("emfileBackoffMs");
        this.emfileBackoffMs = emfileBackoffMs;
        return this;
    }

    /** {@return the deadline {@link Server#close()} gives {@link Server#shutdown(long)}} */
    public long shutdownDeadlineMs()
    {
        return shutdownDeadlineMs;
    }

    /**
     * Sets {@link #shutdownDeadlineMs()}.
     *
     * @param shutdownDeadlineMs the deadline {@link Server#close()} gives {@link Server#shutdown(long)}.
     * @return this.
     */
    public ServerContext shutdownDeadlineMs(final long shutdownDeadlineMs)
    {
        checkMutable("shutdownDeadlineMs");
        this.shutdownDeadlineMs = shutdownDeadlineMs;
        return this;
    }

    /**
     * {@return where the server writes its counters file ({@link dev.coreloop.core.status.CountersFile}) for
     * {@code coreloop stat} and other processes, or null (the default) to keep the counters in private memory}
     */
    public java.nio.file.Path countersDirectory()
    {
        return countersDirectory;
    }

    /**
     * Sets {@link #countersDirectory()}: the server then creates {@code directory/counters.dat}, maps its counters
     * there, and deletes both on a clean stop. {@link dev.coreloop.core.status.CountersFile#defaultDirectory} gives the
     * usual place, {@code /dev/shm/coreloop-<pid>} (or under {@code $RUNTIME_DIRECTORY}), which {@code coreloop stat}
     * finds by itself.
     *
     * @param directory the run directory (created if missing), or null for private memory.
     * @return this.
     */
    public ServerContext countersDirectory(final java.nio.file.Path directory)
    {
        checkMutable("countersDirectory");
        this.countersDirectory = directory;
        return this;
    }

    private static <T> T requireNonNull(final T value, final String field)
    {
        if (value == null)
        {
            throw new IllegalArgumentException("ServerContext." + field + "=null: must not be null");
        }
        return value;
    }

    @Override
    public String toString()
    {
        return "ServerContext{reactorCount=" + reactorCount + ", listeners=" + listeners + ", acceptMode=" + acceptMode +
            ", placement=" + placement + ", tcpNoDelay=" + tcpNoDelay + ", socketReceiveBufferBytes=" +
            socketReceiveBufferBytes + ", socketSendBufferBytes=" + socketSendBufferBytes + ", backlog=" + backlog +
            ", bufferChunkBytes=" + bufferChunkBytes + ", bufferPoolBytesPerReactor=" + bufferPoolBytesPerReactor +
            ", bufferSegmentBytes=" + bufferSegmentBytes + ", bufferTrimIntervalMs=" + bufferTrimIntervalMs +
            ", inboundCapBytes=" + inboundCapBytes + ", outboundCapBytes=" + outboundCapBytes +
            ", highWatermarkBytes=" + highWatermarkBytes + ", lowWatermarkBytes=" + lowWatermarkBytes +
            ", idleTimeoutMs=" + idleTimeoutMs + ", writeStallTimeoutMs=" + writeStallTimeoutMs +
            ", drainTimeoutMs=" + drainTimeoutMs + ", readBudgetBytes=" + readBudgetBytes +
            ", writeBudgetBytes=" + writeBudgetBytes + ", idleMode=" + idleMode +
            ", taskQueueCapacity=" + taskQueueCapacity + ", messageRingBytes=" + messageRingBytes +
            ", inboxCapacity=" + inboxCapacity + ", maxConnectionsPerReactor=" + maxConnectionsPerReactor +
            ", emfileBackoffMs=" + emfileBackoffMs + ", shutdownDeadlineMs=" + shutdownDeadlineMs +
            ", countersDirectory=" + countersDirectory + "}";
    }
}
