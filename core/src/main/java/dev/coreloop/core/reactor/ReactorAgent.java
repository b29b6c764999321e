package dev.coreloop.core.reactor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

import dev.coreloop.affinity.PinResult;
import dev.coreloop.buffers.BufferPool;
import dev.coreloop.buffers.ByteRing;
import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.ReactorCounter;
import dev.coreloop.core.ReactorService;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.TimerHandler;
import dev.coreloop.core.acceptor.AcceptLoop;
import dev.coreloop.core.conn.ConnEvent;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.conn.ConnTransitions;
import dev.coreloop.core.event.TransitionSink;
import dev.coreloop.core.internal.AnyThread;
import dev.coreloop.core.internal.ReactorThread;
import dev.coreloop.core.internal.ServerCounters;
import dev.coreloop.core.timer.ReactorTimers;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reactor: a single-threaded duty cycle that owns a selector, its connections, a timer wheel, a buffer pool
 * and its counters. Runs as an Agrona {@link Agent} on the thread {@code reactor-N} (its {@link #roleName()}), which
 * pins itself first thing in {@link #onStart()}.
 *
 * <p>The duty cycle ({@link #doWork()}) reads the clock once, then runs these bounded phases in order:
 * <ol>
 *     <li><b>inbox</b>: register up to {@link #INBOX_LIMIT} channels handed off by the acceptor;</li>
 *     <li><b>tasks</b>: run up to {@link #TASK_LIMIT} tasks submitted with {@link #execute(Runnable)};</li>
 *     <li><b>messages</b>: deliver up to {@link #MESSAGE_LIMIT} messages from the message ring to their services;</li>
 *     <li><b>I/O</b>: {@code selector.selectNow(consumer)}: reads (per-connection read budget), writable sockets,
 *     connects, and in REUSE_PORT mode accepts;</li>
 *     <li><b>timers</b>: expire up to {@link #TIMER_LIMIT} timers of the wheel. I/O comes before timers, so after a
 *     stall (a suspended VM, a long GC) data that arrived during the stall counts as activity before the idle timer
 *     looks at it (contract item 8);</li>
 *     <li><b>flush</b>: connections with a backlog write it (per-connection write budget, gathering writes; OP_WRITE
 *     only after a short write), report writability changes and re-deliver held-back input;</li>
 *     <li><b>shutdown</b>: once requested, drain every connection and abort what remains at the deadline.</li>
 * </ol>
 * When a cycle found no work the idle strategy runs: in {@link dev.coreloop.core.IdleMode#SELECT} mode
 * {@link #park()} blocks in {@code selector.select(consumer, timeoutMs)} until I/O, a wake-up or the next timer.
 *
 * <p><b>Threading:</b> everything is confined to the reactor thread except the methods marked {@link AnyThread}
 * ({@link #execute(int, Runnable)}, {@link #sendMessage}, {@link #proxy()} and the read-only accessors). Other threads
 * reach the reactor only through its {@link ReactorProxy} (inbox, task queue, message ring, parking flag, shutdown
 * request) and read its counters.
 */
public final class ReactorAgent implements Agent, ReactorContext
{
    /** Inbox entries registered per cycle. */
    public static final int INBOX_LIMIT = 64;
    /** Tasks run per cycle. */
    public static final int TASK_LIMIT = 256;
    /** Messages delivered per cycle. */
    public static final int MESSAGE_LIMIT = 256;
    /** Timers expired per cycle. */
    public static final int TIMER_LIMIT = 4096;
    /** The longest a parked reactor blocks without a timer or wake-up. */
    public static final long MAX_PARK_MS = 1_000;
    /** A cycle that starts this much later than planned counts as a stall. */
    public static final long STALL_THRESHOLD_NS = 250_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(ReactorAgent.class);

    // Immutable configuration, readable from any thread.
    private final ServerContext ctx;
    private final int index;
    private final String roleName;
    private final NanoClock clock;
    private final TransitionSink sink;
    private final boolean strictTransitions;
    final long idleTimeoutNs;
    final long writeStallTimeoutNs;
    final long drainTimeoutNs;
    final int readBudgetBytes;
    final int writeBudgetBytes;
    final int highWatermarkBytes;
    final int lowWatermarkBytes;
    private final AtomicCounter[] counters = new AtomicCounter[ReactorCounter.ID_LIMIT];
    private final ReactorService[] services;
    private final Class<?>[] serviceTypes;
    private final ServerSocketChannel[] reusePortListeners;
    private ReactorAgent[] reactors;

    // The thread-safe front door: inbox, task queue, message ring, parking flag, shutdown request.
    private final ReactorProxy proxy;
    private final CountDownLatch startedLatch = new CountDownLatch(1);
    private final CountDownLatch drainedLatch = new CountDownLatch(1);
    private volatile Throwable startFailure;
    private volatile PinResult pinResult;

    // Reactor-thread state.
    private Thread ownerThread;
    private Selector selector;
    private BufferPool pool;
    private ReactorTimers timers;
    private AcceptLoop acceptLoop;
    private final Consumer<SelectionKey> ioHandler = this::onSelectedKey;
    private final Consumer<SelectionKey> parkedIoHandler = this::onSelectedKeyParked;
    private final Consumer<HandOff> handOffHandler = this::onHandOff;
    private final MessageHandler messageHandler = this::onMessage;
    private final ReactorTimers.ExpiryHandler expiryHandler = this::onTimerExpiry;
    private final UnsafeBuffer messageView = new UnsafeBuffer(0, 0);
    final ByteBuffer lingerScratch;
    private ReactorConnection[] connections = new ReactorConnection[16];
    private int connectionCount;
    private ReactorConnection[] flushQueue = new ReactorConnection[16];
    private int flushCount;
    private ReactorConnection[] flushWork = new ReactorConnection[16];
    private long connectionSeq;
    private long nowNs;
    private long epochMs;
    private long cycleStartNs;
    private long plannedNextCycleNs;
    private boolean parkClockRead;
    private boolean lastCycleBusy;
    private boolean stopping;
    private boolean drained;
    private long shutdownDeadlineNs;

    /**
     * @param ctx                the concluded context.
     * @param index              this reactor's index.
     * @param serverCounters     the server's counters (this reactor writes its own row).
     * @param reusePortListeners this reactor's own bound listeners in REUSE_PORT mode, else null.
     * @param strictTransitions  true: an illegal transition throws an {@link AssertionError} (tests); false: it is
     *                           counted and the connection is forced CLOSED (production).
     */
    public ReactorAgent(
        final ServerContext ctx,
        final int index,
        final ServerCounters serverCounters,
        final ServerSocketChannel[] reusePortListeners,
        final boolean strictTransitions)
    {
        if (!ctx.isConcluded())
        {
            throw new IllegalArgumentException("ServerContext must be concluded");
        }
        this.ctx = ctx;
        this.index = index;
        this.roleName = "reactor-" + index;
        this.clock = ctx.nanoClock();
        this.sink = ctx.transitionSink();
        this.strictTransitions = strictTransitions;
        this.idleTimeoutNs = ctx.idleTimeoutMs() * 1_000_000L;
        this.writeStallTimeoutNs = ctx.writeStallTimeoutMs() * 1_000_000L;
        this.drainTimeoutNs = ctx.drainTimeoutMs() * 1_000_000L;
        this.readBudgetBytes = ctx.readBudgetBytes();
        this.writeBudgetBytes = ctx.writeBudgetBytes();
        this.highWatermarkBytes = ctx.highWatermarkBytes();
        this.lowWatermarkBytes = ctx.lowWatermarkBytes();
        for (final ReactorCounter counter : ReactorCounter.values())
        {
            counters[counter.id()] = serverCounters.counter(index, counter);
        }
        final List<ServerContext.ServiceRegistration<?>> registrations = ctx.reactorServices();
        this.services = new ReactorService[registrations.size()];
        this.serviceTypes = new Class<?>[registrations.size()];
        for (int i = 0; i < serviceTypes.length; i++)
        {
            serviceTypes[i] = registrations.get(i).type();
        }
        this.proxy = new ReactorProxy(index, ctx.inboxCapacity(), ctx.taskQueueCapacity(), ctx.messageRingBytes(),
            serviceTypes, serverCounters);
        this.reusePortListeners = reusePortListeners;
        this.lingerScratch = ByteBuffer.allocateDirect(Math.min(readBudgetBytes, 16 * 1024));
        this.reactors = new ReactorAgent[] { this };
    }

    /** Tells this reactor about all the server's reactors (for {@link #execute(int, Runnable)} and messages). */
    public void reactors(final ReactorAgent[] reactors)
    {
        this.reactors = reactors;
    }

    // ================================================================================================================
    // Agent lifecycle.

    @Override
    public String roleName()
    {
        return roleName;
    }

    @Override
    public void onStart()
    {
        try
        {
            pinResult = ctx.pinner().pinCurrentThread(roleName);
            ownerThread = Thread.currentThread();
            nowNs = clock.nanoTime();
            epochMs = System.currentTimeMillis();
            cycleStartNs = nowNs;
            plannedNextCycleNs = nowNs;
            selector = Selector.open();
            proxy.selector(selector);
            final long poolChunks = ctx.bufferPoolBytesPerReactor() / ctx.bufferChunkBytes();
            pool = new BufferPool(ctx.bufferChunkBytes(), (int)poolChunks);
            timers = new ReactorTimers(nowNs, expiryHandler);
            if (reusePortListeners != null)
            {
                acceptLoop = new AcceptLoop(roleName, reusePortListeners, ctx,
                    counters[ReactorCounter.EMFILE_BACKOFFS.id()], this::onAcceptedHere);
                acceptLoop.register(selector);
            }
            final List<ServerContext.ServiceRegistration<?>> registrations = ctx.reactorServices();
            for (int i = 0; i < services.length; i++)
            {
                services[i] = registrations.get(i).factory().apply(this);
                if (services[i] == null)
                {
                    throw new IllegalStateException("service factory for " + serviceTypes[i].getName() + " returned null");
                }
            }
            for (final ReactorService service : services)
            {
                service.onStart();
            }
        }
        catch (final Throwable ex)
        {
            startFailure = ex;
            startedLatch.countDown();
            drainedLatch.countDown();
            if (ex instanceof RuntimeException)
            {
                throw (RuntimeException)ex;
            }
            if (ex instanceof Error)
            {
                throw (Error)ex;
            }
            throw new IllegalStateException(roleName + " failed to start", ex);
        }
        startedLatch.countDown();
    }

    @Override
    public void onClose()
    {
        if (ownerThread == null)
        {
            return;
        }
        final long closeNs = clock.nanoTime();
        nowNs = closeNs;
        if (!stopping)
        {
            stopping = true;
            shutdownDeadlineNs = closeNs;
        }
        HandOff handOff;
        while ((handOff = proxy.pollInbox()) != null)
        {
            onHandOff(handOff);
        }
        for (int i = connectionCount - 1; i >= 0; i--)
        {
            fire(connections[i], ConnEvent.SHUTDOWN_DEADLINE, closeNs);
        }
        for (final ReactorService service : services)
        {
            if (service != null)
            {
                try
                {
                    service.onClose();
                }
                catch (final RuntimeException ex)
                {
                    LOG.warn("{}: service {} failed to close", roleName, service, ex);
                }
            }
        }
        if (acceptLoop != null)
        {
            acceptLoop.close();
        }
        try
        {
            selector.close();
        }
        catch (final IOException ex)
        {
            LOG.warn("{}: selector close failed", roleName, ex);
        }
        if (pool != null)
        {
            pool.close();
        }
        proxy.closeAndDrain(handOffHandler, Runnable::run);
        drainedLatch.countDown();
    }

    // ================================================================================================================
    // The duty cycle.

    @Override
    public int doWork()
    {
        final long nowNs = clock.nanoTime();
        beginCycle(nowNs);
        int work = drainInbox();
        work += runTasks();
        work += readMessages();
        work += pollIo(nowNs);
        work += pollTimers(nowNs);
        work += flushPending(nowNs);
        work += checkShutdown(nowNs);
        plannedNextCycleNs = nowNs;
        lastCycleBusy = work > 0;
        return work;
    }

    private void beginCycle(final long nowNs)
    {
        assert isOwnerThread();
        this.nowNs = nowNs;
        this.epochMs = System.currentTimeMillis();
        parkClockRead = true;
        final long lateNs = nowNs - plannedNextCycleNs;
        if (lateNs > STALL_THRESHOLD_NS)
        {
            increment(ReactorCounter.STALLS);
        }
        else if (lastCycleBusy && nowNs - cycleStartNs > 0)
        {
            // A busy cycle is followed at once by the next (the idle strategy does not idle), so the gap is its length.
            counters[ReactorCounter.MAX_CYCLE_NS.id()].proposeMaxRelease(nowNs - cycleStartNs);
        }
        cycleStartNs = nowNs;
        increment(ReactorCounter.LOOP_CYCLES);
    }

    private int drainInbox()
    {
        return proxy.drainInbox(handOffHandler, INBOX_LIMIT);
    }

    private int runTasks()
    {
        int work = 0;
        Runnable task;
        while (work < TASK_LIMIT && (task = proxy.pollTask()) != null)
        {
            work++;
            try
            {
                task.run();
            }
            catch (final RuntimeException ex)
            {
                increment(ReactorCounter.HANDLER_ERRORS);
                LOG.warn("{}: task threw", roleName, ex);
            }
        }
        add(ReactorCounter.TASKS_RUN, work);
        return work;
    }

    private int readMessages()
    {
        final int read = proxy.readMessages(messageHandler, MESSAGE_LIMIT);
        add(ReactorCounter.MESSAGES_RECEIVED, read);
        return read;
    }

    private int pollIo(final long nowNs)
    {
        int work = 0;
        if (acceptLoop != null)
        {
            work += acceptLoop.poll(nowNs);
        }
        try
        {
            work += selector.selectNow(ioHandler);
        }
        catch (final IOException ex)
        {
            LOG.warn("{}: selectNow failed", roleName, ex);
        }
        return work;
    }

    private int pollTimers(final long nowNs)
    {
        final int expired = timers.poll(nowNs, TIMER_LIMIT);
        add(ReactorCounter.TIMERS_FIRED, expired);
        return expired;
    }

    private int flushPending(final long nowNs)
    {
        final int count = flushCount;
        if (count == 0)
        {
            return 0;
        }
        final ReactorConnection[] work = flushQueue;
        flushQueue = flushWork;
        flushWork = work;
        flushCount = 0;
        int done = 0;
        for (int i = 0; i < count; i++)
        {
            final ReactorConnection conn = work[i];
            work[i] = null;
            conn.flushQueued = false;
            done += conn.onFlushPhase(nowNs);
        }
        return done;
    }

    private int checkShutdown(final long nowNs)
    {
        if (!stopping)
        {
            final long requestMs = proxy.shutdownRequestMs();
            if (requestMs < 0)
            {
                return 0;
            }
            stopping = true;
            shutdownDeadlineNs = nowNs + requestMs * 1_000_000L;
            if (acceptLoop != null)
            {
                acceptLoop.close();
                acceptLoop = null;
            }
            for (int i = connectionCount - 1; i >= 0; i--)
            {
                fire(connections[i], ConnEvent.SERVER_SHUTDOWN, nowNs);
            }
            return 1;
        }
        if (drained)
        {
            return 0;
        }
        if (connectionCount == 0)
        {
            drained = true;
            drainedLatch.countDown();
            return 1;
        }
        if (nowNs - shutdownDeadlineNs >= 0)
        {
            for (int i = connectionCount - 1; i >= 0; i--)
            {
                fire(connections[i], ConnEvent.SHUTDOWN_DEADLINE, nowNs);
            }
            return 1;
        }
        return 0;
    }

    /**
     * Blocks in the selector until I/O, a wake-up or the next timer deadline (at most {@link #MAX_PARK_MS}). Ready
     * keys are handled inside the select with the clock read once, at the first of them.
     */
    @ReactorThread
    void park()
    {
        if (!proxy.prepareToPark(stopping)) // sets the sleeping flag, then re-checks the queues (lost wake-up race)
        {
            return;
        }
        final long parkNs = clock.nanoTime();
        long deadlineNs = timers.earliestDeadlineNs(parkNs);
        if (acceptLoop != null)
        {
            deadlineNs = Math.min(deadlineNs, acceptLoop.resumeDeadlineNs());
        }
        if (stopping && !drained)
        {
            deadlineNs = Math.min(deadlineNs, shutdownDeadlineNs);
        }
        final long waitNs = deadlineNs - parkNs;
        if (waitNs <= 0)
        {
            proxy.unpark();
            return;
        }
        // Once drained the reactor only waits for its runner to stop it: wake up often enough to notice.
        final long maxParkMs = drained ? 1 : MAX_PARK_MS;
        final long timeoutMs = Math.min(maxParkMs, Math.max(1, (waitNs + 999_999) / 1_000_000));
        plannedNextCycleNs = parkNs + timeoutMs * 1_000_000L;
        parkClockRead = false;
        try
        {
            selector.select(parkedIoHandler, timeoutMs);
        }
        catch (final IOException ex)
        {
            LOG.warn("{}: select failed", roleName, ex);
        }
        finally
        {
            proxy.unpark();
        }
        if (parkClockRead)
        {
            plannedNextCycleNs = nowNs;
        }
    }

    private void onSelectedKeyParked(final SelectionKey key)
    {
        if (!parkClockRead)
        {
            parkClockRead = true;
            nowNs = clock.nanoTime();
            epochMs = System.currentTimeMillis();
        }
        onSelectedKey(key);
    }

    private void onSelectedKey(final SelectionKey key)
    {
        assert isOwnerThread();
        if (!key.isValid())
        {
            return;
        }
        final Object attachment = key.attachment();
        if (attachment instanceof ReactorConnection)
        {
            final ReactorConnection conn = (ReactorConnection)attachment;
            if (conn.state != ConnState.CLOSED)
            {
                conn.onReady(key.readyOps(), nowNs);
            }
        }
        else if (attachment instanceof AcceptLoop.ListenerSlot && acceptLoop != null)
        {
            acceptLoop.onAcceptable((AcceptLoop.ListenerSlot)attachment, nowNs);
        }
    }

    // ================================================================================================================
    // Connections: registration, the state machine, errors.

    private void onAcceptedHere(final SocketChannel channel, final int listenerIndex, final long nowNs)
    {
        onHandOff(new HandOff(channel, listenerIndex));
    }

    private void onHandOff(final HandOff handOff)
    {
        assert isOwnerThread();
        register(newHandedOff(handOff));
    }

    /** Step one of taking a channel from the inbox: the connection object, in HANDED_OFF. */
    @ReactorThread
    ReactorConnection newHandedOff(final HandOff handOff)
    {
        final ReactorConnection conn = new ReactorConnection(this, nextConnectionId(), handOff.channel(),
            ConnState.HANDED_OFF);
        conn.listenerIndex = handOff.listenerIndex();
        incrementState(ConnState.HANDED_OFF);
        return conn;
    }

    /** Step two: refuse it (stopping, or at the connection limit), or register it, create its handler, open it. */
    @ReactorThread
    void register(final ReactorConnection conn)
    {
        if (stopping || connectionCount >= ctx.maxConnectionsPerReactor())
        {
            fire(conn, stopping ? ConnEvent.SERVER_SHUTDOWN : ConnEvent.REJECTED, nowNs);
            return;
        }
        addConnection(conn);
        conn.inbound = new ByteRing(pool, ctx.inboundCapBytes());
        conn.outbound = new ByteRing(pool, ctx.outboundCapBytes());
        try
        {
            conn.key = conn.channel.register(selector, 0, conn);
        }
        catch (final IOException ex)
        {
            onIoError(conn, ex, nowNs);
            return;
        }
        try
        {
            conn.handler = ctx.listeners().get(conn.listenerIndex).factory().newHandler(this);
            if (conn.handler == null)
            {
                throw new IllegalStateException("handler factory of listener " + conn.listenerIndex + " returned null");
            }
        }
        catch (final RuntimeException ex)
        {
            onHandlerError(conn, ex, nowNs);
            return;
        }
        increment(ReactorCounter.ACCEPTED);
        fire(conn, ConnEvent.REGISTERED, nowNs);
        if (conn.state == ConnState.ACTIVE)
        {
            conn.callOnOpened();
        }
    }

    private long nextConnectionId()
    {
        return ((long)(index + 1) << 40) | ++connectionSeq;
    }

    private void addConnection(final ReactorConnection conn)
    {
        if (connectionCount == connections.length)
        {
            connections = Arrays.copyOf(connections, connections.length * 2);
        }
        conn.slot = connectionCount;
        connections[connectionCount++] = conn;
    }

    /** The connection entered CLOSED: forget it. */
    @ReactorThread
    void onConnectionClosed(final ReactorConnection conn)
    {
        assert isOwnerThread();
        final int slot = conn.slot;
        if (slot >= 0)
        {
            final int last = --connectionCount;
            final ReactorConnection moved = connections[last];
            connections[slot] = moved;
            moved.slot = slot;
            connections[last] = null;
            conn.slot = -1;
        }
    }

    /** Queues a connection for the flush phase (once). */
    @ReactorThread
    void queueFlush(final ReactorConnection conn)
    {
        if (conn.flushQueued)
        {
            return;
        }
        conn.flushQueued = true;
        if (flushCount == flushQueue.length)
        {
            flushQueue = Arrays.copyOf(flushQueue, flushQueue.length * 2);
        }
        flushQueue[flushCount++] = conn;
    }

    /**
     * Applies {@code event} to {@code conn} as the table in {@link ConnTransitions} says: nothing ({@code STAY}), a
     * transition ({@code GO}), or, for an event the state cannot see ({@code ILLEGAL}), the illegal-transition path.
     */
    @ReactorThread
    void fire(final ReactorConnection conn, final ConnEvent event, final long nowNs)
    {
        final ConnState state = conn.state;
        switch (ConnTransitions.kind(state, event))
        {
            case STAY:
                return;
            case GO:
                final CloseReason tableReason = ConnTransitions.reason(state, event);
                final CloseReason reason = tableReason != null ? tableReason : conn.requestedReason;
                if (isAbortive(event))
                {
                    conn.abortOnClose = true;
                }
                transition(conn, ConnTransitions.target(state, event), reason, nowNs);
                return;
            default:
                illegal(conn, state, null, event, nowNs);
        }
    }

    private static boolean isAbortive(final ConnEvent event)
    {
        switch (event)
        {
            case HANDLER_ABORT:
            case WRITE_STALL_TIMEOUT:
            case DRAIN_DEADLINE:
            case SHUTDOWN_DEADLINE:
            case IO_RESET:
                return true;
            default:
                return false;
        }
    }

    /**
     * The one method that changes a connection's state: checks the transition table, updates the per-state and
     * per-reason counters, emits the transition event to the sink and runs the new state's entry actions.
     */
    @ReactorThread
    void transition(final ReactorConnection conn, final ConnState to, final CloseReason reason, final long nowNs)
    {
        final ConnState from = conn.state;
        if (!ConnTransitions.isAllowed(from, to))
        {
            illegal(conn, from, to, null, nowNs);
            return;
        }
        conn.state = to;
        counters[ReactorCounter.forState(from).id()].decrementRelease();
        if (to == ConnState.CLOSED)
        {
            increment(ReactorCounter.CLOSED);
            increment(ReactorCounter.forCloseReason(reason));
        }
        else
        {
            incrementState(to);
        }
        sink.onTransition(index, conn.id(), from.code(), to.code(), reason.code(), nowNs);
        conn.onEnter(from, reason, nowNs);
    }

    private void illegal(
        final ReactorConnection conn, final ConnState from, final ConnState to, final ConnEvent event, final long nowNs)
    {
        increment(ReactorCounter.ILLEGAL_TRANSITIONS);
        final String what = event != null ? "event " + event + " in state " + from : "transition " + from + " -> " + to;
        if (strictTransitions)
        {
            throw new AssertionError(roleName + ": illegal " + what + " on connection " + conn.id());
        }
        LOG.error("{}: illegal {} on connection {}: forced CLOSED", roleName, what, conn.id());
        if (from != ConnState.CLOSED)
        {
            conn.abortOnClose = true;
            transition(conn, ConnState.CLOSED, CloseReason.ILLEGAL_TRANSITION, nowNs);
        }
    }

    private void incrementState(final ConnState state)
    {
        counters[ReactorCounter.forState(state).id()].incrementRelease();
    }

    @ReactorThread
    void onIoError(final ReactorConnection conn, final IOException ex, final long nowNs)
    {
        fire(conn, isReset(ex) ? ConnEvent.IO_RESET : ConnEvent.IO_ERROR, nowNs);
    }

    private static boolean isReset(final IOException ex)
    {
        final String message = ex.getMessage();
        return message != null && (message.contains("reset") || message.contains("Broken pipe"));
    }

    @ReactorThread
    void onHandlerError(final ReactorConnection conn, final Throwable ex, final long nowNs)
    {
        increment(ReactorCounter.HANDLER_ERRORS);
        LOG.warn("{}: handler of connection {} threw; closing it", roleName, conn.id(), ex);
        fire(conn, ConnEvent.HANDLER_ERROR, nowNs);
    }

    @ReactorThread
    void onHandlerErrorAfterClose(final ReactorConnection conn, final Throwable ex)
    {
        increment(ReactorCounter.HANDLER_ERRORS);
        LOG.warn("{}: onClosed of connection {} threw", roleName, conn.id(), ex);
    }

    /** The deadline of a drain that starts now: the drain timeout, cut short by a server shutdown deadline. */
    @ReactorThread
    long drainDeadlineNs(final long nowNs)
    {
        final long deadlineNs = nowNs + drainTimeoutNs;
        return stopping && shutdownDeadlineNs - deadlineNs < 0 ? shutdownDeadlineNs : deadlineNs;
    }

    private void onTimerExpiry(final Object owner, final long timerId, final long nowNs)
    {
        assert isOwnerThread();
        if (owner instanceof ReactorConnection)
        {
            final ReactorConnection conn = (ReactorConnection)owner;
            if (timerId == conn.guardTimerId)
            {
                conn.onGuardTimer(nowNs);
            }
            else if (conn.state != ConnState.CLOSED)
            {
                conn.callOnTimer(timerId, nowNs);
            }
        }
        else
        {
            try
            {
                ((TimerHandler)owner).onTimer(timerId, nowNs);
            }
            catch (final RuntimeException ex)
            {
                increment(ReactorCounter.HANDLER_ERRORS);
                LOG.warn("{}: timer handler threw", roleName, ex);
            }
        }
    }

    // ================================================================================================================
    // Counters.

    @ReactorThread
    void increment(final ReactorCounter counter)
    {
        final AtomicCounter atomicCounter = counters[counter.id()];
        atomicCounter.setRelease(atomicCounter.getPlain() + 1); // single writer: release store, readers acquire
    }

    @ReactorThread
    void add(final ReactorCounter counter, final long delta)
    {
        if (delta != 0)
        {
            final AtomicCounter atomicCounter = counters[counter.id()];
            atomicCounter.setRelease(atomicCounter.getPlain() + delta);
        }
    }

    // ================================================================================================================
    // ReactorContext.

    @Override
    public int index()
    {
        return index;
    }

    @Override
    public int reactorCount()
    {
        return reactors.length;
    }

    @Override
    public long nowNs()
    {
        return nowNs;
    }

    @Override
    public long epochMs()
    {
        return epochMs;
    }

    @Override
    public boolean execute(final Runnable task)
    {
        return proxy.execute(task);
    }

    @Override
    @AnyThread
    public boolean execute(final int reactorIndex, final Runnable task)
    {
        return reactors[reactorIndex].proxy.execute(task);
    }

    @Override
    @AnyThread
    public boolean sendMessage(
        final int reactorIndex,
        final Class<? extends ReactorService> service,
        final int msgTypeId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (msgTypeId < 1 || msgTypeId > 0xFFFF)
        {
            throw new IllegalArgumentException("msgTypeId=" + msgTypeId + ": must be in 1..65535");
        }
        if (length < 0 || length > maxMessageLength())
        {
            throw new IllegalArgumentException("length=" + length + ": must be in 0.." + maxMessageLength());
        }
        final ReactorProxy target = reactors[reactorIndex].proxy;
        final int serviceIndex = target.serviceIndex(service);
        if (serviceIndex < 0)
        {
            throw new IllegalArgumentException("service " + (service == null ? null : service.getName()) +
                " is not registered");
        }
        return target.sendMessage(index, serviceIndex, msgTypeId, buffer, offset, length);
    }

    private void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        assert isOwnerThread();
        final int serviceIndex = buffer.getInt(offset);
        final int sourceReactor = buffer.getInt(offset + 4);
        messageView.wrap(buffer, offset + ReactorProxy.MESSAGE_HEADER_LENGTH, length - ReactorProxy.MESSAGE_HEADER_LENGTH);
        try
        {
            services[serviceIndex].onMessage(
                sourceReactor, msgTypeId, messageView, 0, length - ReactorProxy.MESSAGE_HEADER_LENGTH);
        }
        catch (final RuntimeException ex)
        {
            increment(ReactorCounter.HANDLER_ERRORS);
            LOG.warn("{}: service {} threw on a message", roleName, services[serviceIndex], ex);
        }
    }

    @Override
    @AnyThread
    public int maxMessageLength()
    {
        return proxy.maxMessageLength();
    }

    @Override
    public long scheduleTimer(final long deadlineNs, final TimerHandler handler)
    {
        assert isOwnerThread();
        if (handler == null)
        {
            throw new IllegalArgumentException("handler=null: must not be null");
        }
        return timers.schedule(deadlineNs, handler);
    }

    @Override
    public boolean cancelTimer(final long timerId)
    {
        assert isOwnerThread();
        final Object owner = timers.owner(timerId);
        return owner instanceof TimerHandler && timers.cancel(timerId, owner);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends ReactorService> T service(final Class<T> type)
    {
        final int serviceIndex = proxy.serviceIndex(type);
        return serviceIndex < 0 ? null : (T)services[serviceIndex];
    }

    @Override
    public Connection connect(final InetSocketAddress remote, final ConnectionHandler handler, final long connectTimeoutMs)
    {
        assert isOwnerThread();
        if (handler == null)
        {
            throw new IllegalArgumentException("handler=null: must not be null");
        }
        if (connectTimeoutMs < 1)
        {
            throw new IllegalArgumentException("connectTimeoutMs=" + connectTimeoutMs + ": must be >= 1");
        }
        final ReactorConnection conn = new ReactorConnection(this, nextConnectionId(), null, ConnState.CONNECTING);
        incrementState(ConnState.CONNECTING);
        conn.handler = handler;
        conn.listenerIndex = -1;
        conn.connectDeadlineNs = nowNs + connectTimeoutMs * 1_000_000L;
        conn.inbound = new ByteRing(pool, ctx.inboundCapBytes());
        conn.outbound = new ByteRing(pool, ctx.outboundCapBytes());
        addConnection(conn);
        try
        {
            final SocketChannel channel = SocketChannel.open();
            conn.channel = channel;
            AcceptLoop.configure(channel, ctx);
            final boolean connected = channel.connect(remote);
            conn.key = channel.register(selector, SelectionKey.OP_CONNECT, conn);
            conn.interestOps = SelectionKey.OP_CONNECT;
            if (connected)
            {
                conn.connectOkPending = true;
                queueFlush(conn);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            conn.connectFailPending = true;
            queueFlush(conn);
        }
        conn.armGuard(nowNs);
        return conn;
    }

    // ================================================================================================================
    // Server side.

    /** @return the thread-safe front door of this reactor. {@link AnyThread}. */
    @AnyThread
    public ReactorProxy proxy()
    {
        return proxy;
    }

    /** @return the latch released once onStart has run (check {@link #startFailure()}). */
    @AnyThread
    public CountDownLatch startedLatch()
    {
        return startedLatch;
    }

    /** @return what made onStart fail, or null. */
    @AnyThread
    public Throwable startFailure()
    {
        return startFailure;
    }

    /** @return the latch released once every connection has closed after a shutdown request (or at close). */
    @AnyThread
    public CountDownLatch drainedLatch()
    {
        return drainedLatch;
    }

    /** @return how pinning went, once started. */
    @AnyThread
    public PinResult pinResult()
    {
        return pinResult;
    }

    /** @return true on the thread that started this reactor. */
    @AnyThread
    public boolean isOwnerThread()
    {
        return Thread.currentThread() == ownerThread;
    }

    /** @return the timers (reactor thread only). */
    @ReactorThread
    public ReactorTimers timers()
    {
        return timers;
    }

    /** @return connections currently registered (reactor thread only). */
    @ReactorThread
    public int connectionCount()
    {
        return connectionCount;
    }

    /** @return the registered connection at {@code i}, {@code 0 .. connectionCount() - 1} (reactor thread only). */
    @ReactorThread
    public Connection connectionAt(final int i)
    {
        return connections[i];
    }

    /** @return the buffer pool (reactor thread only). */
    @ReactorThread
    public BufferPool pool()
    {
        return pool;
    }

    /** @return this reactor's selector, to wake it. */
    @AnyThread
    public Selector selector()
    {
        return selector;
    }
}
