package dev.coreloop.core.reactor;

import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

import dev.coreloop.affinity.PinResult;
import dev.coreloop.buffers.BufferPool;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.TimerHandler;
import dev.coreloop.core.acceptor.AcceptLoop;
import dev.coreloop.core.conn.ConnEvent;
import dev.coreloop.core.AnyThread;
import dev.coreloop.core.status.ServerCounters;
import dev.coreloop.core.timer.ReactorTimers;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reactor's duty cycle: an Agrona {@link Agent} run on the thread {@code reactor-N} (its {@link #roleName()}),
 * which pins itself first thing in {@link #onStart()}. It owns a selector ({@link IoPoller}), its connections
 * ({@link ConnectionRegistry}), a timer wheel, a buffer pool, its counters and the deferred-callback queue; it only
 * runs the cycle and its lifecycle, the rest lives in those classes.
 *
 * <p>{@link #doWork()} reads the clock once, then runs these bounded phases in order:
 * <ol>
 *     <li><b>inbox</b>: register up to {@link #INBOX_LIMIT} channels handed off by the acceptor;</li>
 *     <li><b>tasks</b>: run up to {@link #TASK_LIMIT} tasks submitted with {@code execute};</li>
 *     <li><b>messages</b>: deliver up to {@link #MESSAGE_LIMIT} messages from the message ring to their services;</li>
 *     <li><b>I/O</b>: {@code selectNow(consumer)}: reads (per-connection read budget), writable sockets, connects, and
 *     in REUSE_PORT mode accepts; skipped right after a park that dispatched keys;</li>
 *     <li><b>timers</b>: expire up to {@link #TIMER_LIMIT} timers. I/O comes before timers, so after a stall data that
 *     arrived during it counts as activity before the idle timer looks (contract item 8);</li>
 *     <li><b>flush</b>: connections with a backlog write it (per-connection write budget, gathering writes, OP_WRITE
 *     only after a short write) and re-evaluate writability;</li>
 *     <li><b>shutdown</b>: once requested, drain every connection and abort what remains at the deadline;</li>
 *     <li><b>gauges</b>: the inbox, task queue and message ring depths go to the counters.</li>
 * </ol>
 * Once a second a timer of the reactor's own runs {@link ReactorHousekeeping}: the heartbeat and the pin watch.
 * After every dispatch unit (a registration, task, message, ready key, timer, flush) the deferred callbacks it caused
 * run: the safe point of contract item 7. When a cycle found no work, {@link SelectorIdleStrategy} calls
 * {@link #park()}, which blocks in {@code select} until I/O, a wake-up or the next timer deadline.
 *
 * <p>User code cannot stop a reactor: every call into it goes through {@link HandlerInvoker}. An {@link Error} outside
 * user code (a bug, or out of memory) kills the reactor cleanly: it is logged once, the reactor is marked dead (the
 * acceptor places nothing more on it; {@code Server.health()} reports it), and everything it owned is closed.
 *
 * <p><b>Threading:</b> confined to the reactor thread except the methods marked {@link AnyThread}. Other threads
 * reach the reactor only through its {@link ReactorProxy} and read its counters.
 */
public final class ReactorAgent implements Agent
{
    /** Inbox entries registered per cycle. */
    public static final int INBOX_LIMIT = 64;
    /** Tasks run per cycle. */
    public static final int TASK_LIMIT = 256;
    /** Messages delivered per cycle. */
    public static final int MESSAGE_LIMIT = 256;
    /** Timers expired per cycle. */
    public static final int TIMER_LIMIT = 4096;

    private static final Logger LOG = LoggerFactory.getLogger(ReactorAgent.class);

    // Immutable after construction.
    private final ServerContext ctx;
    private final ReactorParts parts;
    private final ReactorProxy proxy;
    private final ReactorServices services;
    private final OutboundConnector connector;
    private final ServerCounters serverCounters;
    private final ServerSocketChannel[] reusePortListeners;
    private final CountDownLatch startedLatch = new CountDownLatch(1);
    private final ConnectionIntake intake;
    private final ShutdownSequence shutdown;
    private final Parking parking;
    private final ReactorHousekeeping housekeeping;
    private final Consumer<HandOff> handOffHandler;
    private final MessageHandler messageHandler = this::onMessage;
    private final ReactorTimers.ExpiryHandler expiryHandler = this::onTimerExpiry;
    private final UnsafeBuffer messageView = new UnsafeBuffer(0, 0);

    // Written by other threads, read by anyone.
    private volatile Throwable startFailure;
    private volatile Throwable deathCause;
    private volatile PinResult pinResult;

    // Reactor-thread state.
    private IoPoller poller;
    private PoolTrimmer trimmer;
    private boolean closed;

    /**
     * Creates reactor {@code index}; the server runs it on a thread of its own.
     *
     * @param ctx                the concluded context.
     * @param index              this reactor's index.
     * @param serverCounters     the server's counters (this reactor writes its own row).
     * @param reusePortListeners this reactor's own bound listeners in REUSE_PORT mode, else null; closed by the
     *                           reactor when it stops, dies or fails to start.
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
        this.serverCounters = serverCounters;
        final ReactorStats stats = new ReactorStats(serverCounters, index);
        this.parts = new ReactorParts(index, ctx, stats, new ThreadOwner("reactor-" + index),
            new CycleClock(ctx.nanoClock(), stats), strictTransitions);
        this.services = new ReactorServices(ctx);
        this.proxy = new ReactorProxy(index, ctx.inboxCapacity(), ctx.taskQueueCapacity(), ctx.messageRingBytes(),
            services.types(), serverCounters);
        this.connector = new OutboundConnector(parts);
        this.intake = new ConnectionIntake(parts);
        this.shutdown = new ShutdownSequence(parts, proxy);
        this.parking = new Parking(parts, proxy, shutdown);
        this.handOffHandler = intake::onHandOff;
        this.housekeeping = new ReactorHousekeeping(parts, serverCounters);
        this.parts.handle = new ReactorHandle(parts, proxy, services, connector);
        this.reusePortListeners = reusePortListeners;
    }

    /**
     * Tells this reactor about all the server's reactors (for cross-reactor tasks and messages).
     *
     * @param reactors every reactor of the server, by index (this one included).
     */
    public void reactors(final ReactorAgent[] reactors)
    {
        final ReactorProxy[] proxies = new ReactorProxy[reactors.length];
        for (int i = 0; i < reactors.length; i++)
        {
            proxies[i] = reactors[i].proxy;
        }
        parts.handle.proxies(proxies);
    }

    @Override
    public String roleName()
    {
        return parts.roleName;
    }

    // ================================================================================================================
    // Lifecycle: start is all or nothing; close and death release everything.

    @Override
    public void onStart()
    {
        try
        {
            pinResult = ctx.pinner().pinCurrentThread(parts.roleName);
            parts.owner.own();
            final long nowNs = parts.clock.start();
            poller = new IoPoller(parts);
            intake.poller(poller);
            proxy.selector(poller.selector());
            connector.selector(poller.selector());
            parts.pool = new BufferPool(ctx.bufferChunkBytes(),
                (int)(ctx.bufferPoolBytesPerReactor() / ctx.bufferChunkBytes()),
                ctx.bufferSegmentBytes() / ctx.bufferChunkBytes());
            trimmer = new PoolTrimmer(parts, ctx.bufferTrimIntervalMs());
            parts.timers = new ReactorTimers(nowNs, expiryHandler);
            if (reusePortListeners != null)
            {
                poller.acceptLoop(new AcceptLoop(parts.roleName, reusePortListeners, ctx,
                    serverCounters.counter(parts.index, ReactorCounter.EMFILE_BACKOFFS), intake::onAccepted));
            }
            services.start(ctx, parts.handle);
            housekeeping.start(pinResult, nowNs);
        }
        catch (final Throwable ex)
        {
            startFailure = ex;
            releaseAll();
            startedLatch.countDown();
            throw new AgentTerminationException(parts.roleName + " failed to start: " + ex, ex);
        }
        startedLatch.countDown();
    }

    @Override
    public void onClose()
    {
        if (closed)
        {
            return;
        }
        if (startFailure != null || poller == null)
        {
            releaseAll();
            return;
        }
        try
        {
            final long nowNs = parts.clock.read();
            if (!parts.stopping)
            {
                parts.stopping = true;
                parts.shutdownDeadlineNs = nowNs;
            }
            HandOff handOff;
            while ((handOff = proxy.pollInbox()) != null)
            {
                intake.onHandOff(handOff);
            }
            parts.stats.add(ReactorCounter.SHUTDOWN_ABORTED, parts.registry.count());
            shutdown.closeEvery(ConnEvent.SHUTDOWN_DEADLINE);
        }
        finally
        {
            releaseAll();
        }
    }

    /** Releases every resource this reactor may have opened; safe after a failed start or a death. */
    private void releaseAll()
    {
        closed = true;
        parts.stopping = true;
        // Run or refuse: every channel and task accepted before the gate closed is handled here, exactly once
        // (channels are refused with SERVER_SHUTDOWN since the reactor is stopping); producers get false from now on.
        proxy.closeAndDrain(handOffHandler, parts.invoker::runTask);
        parts.deferred.runAll();
        services.close(parts.invoker);
        if (poller != null)
        {
            poller.close();
        }
        else if (reusePortListeners != null)
        {
            for (final ServerSocketChannel listener : reusePortListeners)
            {
                AcceptLoop.closeQuietly(listener);
            }
        }
        if (parts.pool != null)
        {
            parts.pool.close();
        }
        shutdown.released();
    }

    /** An {@link Error} outside user code: log it once, mark the reactor dead, close all it owns, stop the runner. */
    private AgentTerminationException die(final Error error)
    {
        if (deathCause == null)
        {
            deathCause = error;
            LOG.error("{}: died of an error outside user code; closing its {} connections; the server places no more " +
                "connections on it", parts.roleName, parts.registry.count(), error);
            try
            {
                parts.stats.increment(ReactorCounter.DEAD);
                proxy.markDead();
                shutdown.closeEvery(ConnEvent.REACTOR_FAILURE);
            }
            catch (final Throwable secondary)
            {
                error.addSuppressed(secondary);
            }
            finally
            {
                releaseAll();
            }
        }
        return new AgentTerminationException(error);
    }

    // ================================================================================================================
    // The duty cycle.

    @Override
    public int doWork()
    {
        if (closed)
        {
            throw new AgentTerminationException(parts.roleName + " is closed");
        }
        try
        {
            final long nowNs = parts.clock.beginCycle();
            int work = proxy.drainInbox(handOffHandler, INBOX_LIMIT);
            work += runTasks();
            work += readMessages();
            work += poller.poll(nowNs);
            work += pollTimers(nowNs);
            final int written = parts.flushQueue.flush(nowNs, parts.deferred);
            work += shutdown.poll(nowNs, poller);
            work += parts.deferred.runAll();
            sampleQueueDepths();
            parts.clock.endCycle(work + written);
            // Writes that completed leave nothing to come back for: the idle strategy may park at once, and its
            // select finds any new I/O (one epoll_wait per request-response, as redis's ae loop does, instead of a
            // selectNow that finds nothing followed by the select). A backlog left for the next cycle (write budget
            // spent) keeps the loop busy.
            return parts.flushQueue.isEmpty() ? work : work + 1;
        }
        catch (final Error error)
        {
            throw die(error);
        }
    }

    /** Depth gauges, sampled once per cycle: a few loads, and a store only when a depth changed. */
    private void sampleQueueDepths()
    {
        parts.stats.set(ReactorCounter.INBOX_DEPTH, proxy.inboxDepth());
        parts.stats.set(ReactorCounter.TASK_QUEUE_DEPTH, proxy.taskQueueDepth());
        parts.stats.set(ReactorCounter.MESSAGE_RING_BYTES, proxy.messageRingBytes());
    }

    private int runTasks()
    {
        int work = 0;
        Runnable task;
        while (work < TASK_LIMIT && (task = proxy.pollTask()) != null)
        {
            work++;
            parts.invoker.runTask(task);
            parts.deferred.runAll();
        }
        parts.stats.add(ReactorCounter.TASKS_RUN, work);
        return work;
    }

    private int readMessages()
    {
        final int read = proxy.readMessages(messageHandler, MESSAGE_LIMIT);
        parts.stats.add(ReactorCounter.MESSAGES_RECEIVED, read);
        return read;
    }

    private void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final int serviceIndex = buffer.getInt(offset);
        final int sourceReactor = buffer.getInt(offset + 4);
        final int payloadLength = length - ReactorProxy.MESSAGE_HEADER_LENGTH;
        messageView.wrap(buffer, offset + ReactorProxy.MESSAGE_HEADER_LENGTH, payloadLength);
        services.onMessage(parts.invoker, serviceIndex, sourceReactor, msgTypeId, messageView, 0, payloadLength);
        parts.deferred.runAll();
    }

    private int pollTimers(final long nowNs)
    {
        final int expired = parts.timers.poll(nowNs, TIMER_LIMIT);
        if (expired > 0)
        {
            parts.stats.add(ReactorCounter.TIMERS_FIRED, expired);
            parts.stats.set(ReactorCounter.TIMER_LAG_TOTAL_NS, parts.timers.lagTotalNs());
            parts.stats.proposeMax(ReactorCounter.TIMER_LAG_MAX_NS, parts.timers.lagMaxNs());
        }
        trimmer.armIfNeeded(nowNs);
        return expired;
    }

    private void onTimerExpiry(final Object owner, final long timerId, final long nowNs)
    {
        if (owner instanceof ReactorConnection)
        {
            ((ReactorConnection)owner).timers().onExpiry(timerId, nowNs);
        }
        else if (housekeeping.owns(owner))
        {
            housekeeping.onTick(nowNs);
        }
        else
        {
            parts.invoker.onTimer((TimerHandler)owner, timerId, nowNs);
        }
        parts.deferred.runAll();
    }

    /**
     * Blocks until I/O, a wake-up or the next deadline ({@link Parking}); called by {@link SelectorIdleStrategy} after
     * a cycle without work. An {@link Error} while parked (ready keys are dispatched inside) kills the reactor as one
     * in {@link #doWork()} does.
     */
    void park()
    {
        if (closed)
        {
            return;
        }
        try
        {
            parking.park(poller);
        }
        catch (final Error error)
        {
            throw die(error);
        }
    }

    // ================================================================================================================
    // Server side and tests.

    /** {@return the thread-safe front door of this reactor} */
    @AnyThread
    public ReactorProxy proxy()
    {
        return proxy;
    }

    /** {@return what handlers of this reactor get as their {@link ReactorContext}} */
    @AnyThread
    public ReactorContext context()
    {
        return parts.handle;
    }

    /** {@return the latch released once onStart has run (check {@link #startFailure()})} */
    @AnyThread
    public CountDownLatch startedLatch()
    {
        return startedLatch;
    }

    /** {@return what made onStart fail, or null} */
    @AnyThread
    public Throwable startFailure()
    {
        return startFailure;
    }

    /** {@return the error that killed this reactor's thread, or null while it lives} */
    @AnyThread
    public Throwable deathCause()
    {
        return deathCause;
    }

    /** {@return the latch released once every connection has closed after a shutdown request (or at close)} */
    @AnyThread
    public CountDownLatch drainedLatch()
    {
        return shutdown.drainedLatch();
    }

    /** {@return how pinning went, once started} */
    @AnyThread
    public PinResult pinResult()
    {
        return pinResult;
    }

    /** {@return true on the thread that started this reactor} */
    @AnyThread
    public boolean isOwnerThread()
    {
        return parts.owner.isOwner();
    }

    /** {@return the clock of the current cycle (reactor thread)} */
    public long nowNs()
    {
        return parts.clock.nowNs();
    }

    /** {@return connections currently registered (reactor thread only)} */
    public int connectionCount()
    {
        return parts.registry.count();
    }

    /**
     * {@return the registered connection at {@code i} (reactor thread only)}
     *
     * @param i an index, {@code 0 .. connectionCount() - 1}.
     */
    public Connection connectionAt(final int i)
    {
        return parts.registry.at(i);
    }

    /** {@return the buffer pool (reactor thread only)} */
    public BufferPool pool()
    {
        return parts.pool;
    }

    /** {@return the reactor's parts (tests in this package)} */
    ReactorParts parts()
    {
        return parts;
    }

    /**
     * The reactor a connection id belongs to: ids carry their reactor's index.
     *
     * @param connectionId a connection's id.
     * @return the index of the reactor that owns (or owned) it, or a value outside {@code 0 .. reactorCount - 1} if
     * no reactor could have made that id.
     */
    @AnyThread
    public static int reactorIndexOf(final long connectionId)
    {
        return ConnectionRegistry.reactorIndexOf(connectionId);
    }
}
