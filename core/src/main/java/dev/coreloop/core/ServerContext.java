package dev.coreloop.core;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

import dev.coreloop.affinity.ThreadPinner;
import dev.coreloop.core.event.TransitionSink;
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
     * A listening address, the factory of its connections' handlers, and its connections' idle timeout.
     *
     * @param idleTimeoutMs how long this listener's connections may stay without traffic in either direction, or 0
     *                      for the context's {@link #idleTimeoutMs()}. Protocols differ: an HTTP keep-alive
     *                      connection is cheap to reopen, a connection in a database client's pool is meant to wait.
     */
    public record Listener(InetSocketAddress address, ConnectionHandlerFactory factory, long idleTimeoutMs)
    {
        /** A listener whose connections use the context's {@link #idleTimeoutMs()}. */
        public Listener(final InetSocketAddress address, final ConnectionHandlerFactory factory)
        {
            this(address, factory, 0);
        }
    }

    /** A per-reactor service: its type and how each reactor creates its instance. */
    public record ServiceRegistration<T extends ReactorService>(Class<T> type, Function<ReactorContext, T> factory)
    {
    }

    public static final int REACTOR_COUNT_DEFAULT = 0;
    public static final boolean TCP_NO_DELAY_DEFAULT = true;
    public static final int BACKLOG_DEFAULT = 1024;
    public static final int BUFFER_CHUNK_BYTES_DEFAULT = 16 * 1024;
    public static final long BUFFER_POOL_BYTES_PER_REACTOR_DEFAULT = 64L << 20;
    public static final int INBOUND_CAP_BYTES_DEFAULT = 64 * 1024;
    public static final int OUTBOUND_CAP_BYTES_DEFAULT = 4 << 20;
    public static final int HIGH_WATERMARK_BYTES_DEFAULT = 1 << 20;
    public static final int LOW_WATERMARK_BYTES_DEFAULT = 256 * 1024;
    public static final long IDLE_TIMEOUT_MS_DEFAULT = 60_000;
    /** The longest idle timeout a listener may set (a year): deadlines stay far from overflowing. */
    public static final long LISTENER_IDLE_TIMEOUT_MS_MAX = 365L * 24 * 3_600_000;
    public static final long WRITE_STALL_TIMEOUT_MS_DEFAULT = 30_000;
    public static final long DRAIN_TIMEOUT_MS_DEFAULT = 2_000;
    public static final int READ_BUDGET_BYTES_DEFAULT = 64 * 1024;
    public static final int WRITE_BUDGET_BYTES_DEFAULT = 256 * 1024;
    public static final int TASK_QUEUE_CAPACITY_DEFAULT = 4096;
    public static final int MESSAGE_RING_BYTES_DEFAULT = 1 << 20;
    public static final int INBOX_CAPACITY_DEFAULT = 1024;
    public static final int MAX_CONNECTIONS_PER_REACTOR_DEFAULT = 65_536;
    public static final long EMFILE_BACKOFF_MS_DEFAULT = 100;
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
            check(listener.idleTimeoutMs() >= 0 && listener.idleTimeoutMs() <= LISTENER_IDLE_TIMEOUT_MS_MAX,
                "listen[" + i + "].idleTimeoutMs", listener.idleTimeoutMs(),
                "must be in 0.." + LISTENER_IDLE_TIMEOUT_MS_MAX + " (0 = the context's idleTimeoutMs)");
        }
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

    /** @return true once {@link #conclude()} has run. */
    public boolean isConcluded()
    {
        return concluded;
    }

    public int reactorCount()
    {
        return reactorCount;
    }

    /** @param reactorCount 0 = the pinning plan's count if it has one, else the available processors. */
    public ServerContext reactorCount(final int reactorCount)
    {
        checkMutable("reactorCount");
        this.reactorCount = reactorCount;
        return this;
    }

    public ThreadPinner pinner()
    {
        return pinner;
    }

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

    /** Adds a listener (repeatable). Port 0 binds an ephemeral port; {@link Server#localAddress(int)} tells which. */
    public ServerContext listen(final InetSocketAddress address, final ConnectionHandlerFactory factory)
    {
        return listen(address, factory, 0);
    }

    /**
     * As {@link #listen(InetSocketAddress, ConnectionHandlerFactory)}, with an idle timeout of its own for this
     * listener's connections.
     *
     * @param idleTimeoutMs replaces {@link #idleTimeoutMs()} for connections accepted here; 0 keeps it. Validated in
     *                      {@link #conclude()}: {@code 0..}{@link #LISTENER_IDLE_TIMEOUT_MS_MAX}.
     */
    public ServerContext listen(final InetSocketAddress address, final ConnectionHandlerFactory factory,
        final long idleTimeoutMs)
    {
        checkMutable("listen");
        listeners.add(new Listener(address, factory, idleTimeoutMs));
        return this;
    }

    /** @return the listeners in the order they were added. */
    public List<Listener> listeners()
    {
        return Collections.unmodifiableList(listeners);
    }

    /**
     * Registers a per-reactor service (one per type); each reactor creates its instance on its own thread at start.
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

    /** @return the registered services in the order they were added. */
    public List<ServiceRegistration<?>> reactorServices()
    {
        return Collections.unmodifiableList(services);
    }

    public AcceptMode acceptMode()
    {
        return acceptMode;
    }

    public ServerContext acceptMode(final AcceptMode acceptMode)
    {
        checkMutable("acceptMode");
        this.acceptMode = requireNonNull(acceptMode, "acceptMode");
        return this;
    }

    public PlacementPolicy placement()
    {
        return placement;
    }

    public ServerContext placement(final PlacementPolicy placement)
    {
        checkMutable("placement");
        this.placement = requireNonNull(placement, "placement");
        return this;
    }

    public boolean tcpNoDelay()
    {
        return tcpNoDelay;
    }

    public ServerContext tcpNoDelay(final boolean tcpNoDelay)
    {
        checkMutable("tcpNoDelay");
        this.tcpNoDelay = tcpNoDelay;
        return this;
    }

    public int socketReceiveBufferBytes()
    {
        return socketReceiveBufferBytes;
    }

    /** @param socketReceiveBufferBytes SO_RCVBUF; 0 = OS default. */
    public ServerContext socketReceiveBufferBytes(final int socketReceiveBufferBytes)
    {
        checkMutable("socketReceiveBufferBytes");
        this.socketReceiveBufferBytes = socketReceiveBufferBytes;
        return this;
    }

    public int socketSendBufferBytes()
    {
        return socketSendBufferBytes;
    }

    /** @param socketSendBufferBytes SO_SNDBUF; 0 = OS default. */
    public ServerContext socketSendBufferBytes(final int socketSendBufferBytes)
    {
        checkMutable("socketSendBufferBytes");
        this.socketSendBufferBytes = socketSendBufferBytes;
        return this;
    }

    public int backlog()
    {
        return backlog;
    }

    public ServerContext backlog(final int backlog)
    {
        checkMutable("backlog");
        this.backlog = backlog;
        return this;
    }

    public int bufferChunkBytes()
    {
        return bufferChunkBytes;
    }

    public ServerContext bufferChunkBytes(final int bufferChunkBytes)
    {
        checkMutable("bufferChunkBytes");
        this.bufferChunkBytes = bufferChunkBytes;
        return this;
    }

    public long bufferPoolBytesPerReactor()
    {
        return bufferPoolBytesPerReactor;
    }

    public ServerContext bufferPoolBytesPerReactor(final long bufferPoolBytesPerReactor)
    {
        checkMutable("bufferPoolBytesPerReactor");
        this.bufferPoolBytesPerReactor = bufferPoolBytesPerReactor;
        return this;
    }

    public int inboundCapBytes()
    {
        return inboundCapBytes;
    }

    public ServerContext inboundCapBytes(final int inboundCapBytes)
    {
        checkMutable("inboundCapBytes");
        this.inboundCapBytes = inboundCapBytes;
        return this;
    }

    public int outboundCapBytes()
    {
        return outboundCapBytes;
    }

    public ServerContext outboundCapBytes(final int outboundCapBytes)
    {
        checkMutable("outboundCapBytes");
        this.outboundCapBytes = outboundCapBytes;
        return this;
    }

    public int highWatermarkBytes()
    {
        return highWatermarkBytes;
    }

    public ServerContext highWatermarkBytes(final int highWatermarkBytes)
    {
        checkMutable("highWatermarkBytes");
        this.highWatermarkBytes = highWatermarkBytes;
        return this;
    }

    public int lowWatermarkBytes()
    {
        return lowWatermarkBytes;
    }

    public ServerContext lowWatermarkBytes(final int lowWatermarkBytes)
    {
        checkMutable("lowWatermarkBytes");
        this.lowWatermarkBytes = lowWatermarkBytes;
        return this;
    }

    /** @return how long a connection may stay without traffic in either direction (a listener may set its own). */
    public long idleTimeoutMs()
    {
        return idleTimeoutMs;
    }

    public ServerContext idleTimeoutMs(final long idleTimeoutMs)
    {
        checkMutable("idleTimeoutMs");
        this.idleTimeoutMs = idleTimeoutMs;
        return this;
    }

    public long writeStallTimeoutMs()
    {
        return writeStallTimeoutMs;
    }

    public ServerContext writeStallTimeoutMs(final long writeStallTimeoutMs)
    {
        checkMutable("writeStallTimeoutMs");
        this.writeStallTimeoutMs = writeStallTimeoutMs;
        return this;
    }

    /**
     * @return how long a closing connection reads and discards after its FIN (LINGERING) before it closes anyway.
     * Flushing the backlog before the FIN is bounded by the write-stall timeout instead, so a slow but live reader
     * gets the whole reply.
     */
    public long drainTimeoutMs()
    {
        return drainTimeoutMs;
    }

    public ServerContext drainTimeoutMs(final long drainTimeoutMs)
    {
        checkMutable("drainTimeoutMs");
        this.drainTimeoutMs = drainTimeoutMs;
        return this;
    }

    public int readBudgetBytes()
    {
        return readBudgetBytes;
    }

    public ServerContext readBudgetBytes(final int readBudgetBytes)
    {
        checkMutable("readBudgetBytes");
        this.readBudgetBytes = readBudgetBytes;
        return this;
    }

    public int writeBudgetBytes()
    {
        return writeBudgetBytes;
    }

    public ServerContext writeBudgetBytes(final int writeBudgetBytes)
    {
        checkMutable("writeBudgetBytes");
        this.writeBudgetBytes = writeBudgetBytes;
        return this;
    }

    public IdleMode idleMode()
    {
        return idleMode;
    }

    public ServerContext idleMode(final IdleMode idleMode)
    {
        checkMutable("idleMode");
        this.idleMode = requireNonNull(idleMode, "idleMode");
        return this;
    }

    public int taskQueueCapacity()
    {
        return taskQueueCapacity;
    }

    public ServerContext taskQueueCapacity(final int taskQueueCapacity)
    {
        checkMutable("taskQueueCapacity");
        this.taskQueueCapacity = taskQueueCapacity;
        return this;
    }

    public int messageRingBytes()
    {
        return messageRingBytes;
    }

    /** @param messageRingBytes capacity of each reactor's message ring, a power of two. */
    public ServerContext messageRingBytes(final int messageRingBytes)
    {
        checkMutable("messageRingBytes");
        this.messageRingBytes = messageRingBytes;
        return this;
    }

    public int inboxCapacity()
    {
        return inboxCapacity;
    }

    public ServerContext inboxCapacity(final int inboxCapacity)
    {
        checkMutable("inboxCapacity");
        this.inboxCapacity = inboxCapacity;
        return this;
    }

    public int maxConnectionsPerReactor()
    {
        return maxConnectionsPerReactor;
    }

    public ServerContext maxConnectionsPerReactor(final int maxConnectionsPerReactor)
    {
        checkMutable("maxConnectionsPerReactor");
        this.maxConnectionsPerReactor = maxConnectionsPerReactor;
        return this;
    }

    public TransitionSink transitionSink()
    {
        return transitionSink;
    }

    public ServerContext transitionSink(final TransitionSink transitionSink)
    {
        checkMutable("transitionSink");
        this.transitionSink = requireNonNull(transitionSink, "transitionSink");
        return this;
    }

    public NanoClock nanoClock()
    {
        return nanoClock;
    }

    /** @param nanoClock the monotonic clock the reactors read once per cycle (tests pass a fake one). */
    public ServerContext nanoClock(final NanoClock nanoClock)
    {
        checkMutable("nanoClock");
        this.nanoClock = requireNonNull(nanoClock, "nanoClock");
        return this;
    }

    public long emfileBackoffMs()
    {
        return emfileBackoffMs;
    }

    public ServerContext emfileBackoffMs(final long emfileBackoffMs)
    {
        checkMutable("emfileBackoffMs");
        this.emfileBackoffMs = emfileBackoffMs;
        return this;
    }

    public long shutdownDeadlineMs()
    {
        return shutdownDeadlineMs;
    }

    /** @param shutdownDeadlineMs the deadline {@link Server#close()} gives {@link Server#shutdown(long)}. */
    public ServerContext shutdownDeadlineMs(final long shutdownDeadlineMs)
    {
        checkMutable("shutdownDeadlineMs");
        this.shutdownDeadlineMs = shutdownDeadlineMs;
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
            ", inboundCapBytes=" + inboundCapBytes + ", outboundCapBytes=" + outboundCapBytes +
            ", highWatermarkBytes=" + highWatermarkBytes + ", lowWatermarkBytes=" + lowWatermarkBytes +
            ", idleTimeoutMs=" + idleTimeoutMs + ", writeStallTimeoutMs=" + writeStallTimeoutMs +
            ", drainTimeoutMs=" + drainTimeoutMs + ", readBudgetBytes=" + readBudgetBytes +
            ", writeBudgetBytes=" + writeBudgetBytes + ", idleMode=" + idleMode +
            ", taskQueueCapacity=" + taskQueueCapacity + ", messageRingBytes=" + messageRingBytes +
            ", inboxCapacity=" + inboxCapacity + ", maxConnectionsPerReactor=" + maxConnectionsPerReactor +
            ", emfileBackoffMs=" + emfileBackoffMs + ", shutdownDeadlineMs=" + shutdownDeadlineMs + "}";
    }
}
