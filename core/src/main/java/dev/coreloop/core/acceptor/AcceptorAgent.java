package dev.coreloop.core.acceptor;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

import dev.coreloop.core.PlacementPolicy;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.AcceptorThread;
import dev.coreloop.core.AnyThread;
import dev.coreloop.core.status.ServerCounters;
import dev.coreloop.core.reactor.HandOff;
import dev.coreloop.core.reactor.ReactorAgent;
import dev.coreloop.core.reactor.ReactorProxy;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code acceptor} thread ({@link dev.coreloop.core.AcceptMode#ACCEPTOR_THREAD}): owns the listening channels
 * and the placement policy. Each cycle blocks in its own selector (the acceptor has nothing else to do, so blocking
 * here costs no latency) until a listener is acceptable, the EMFILE back-off ends or it is asked to stop; then
 * {@link AcceptLoop} accepts until null, applies the socket options, and this agent places each channel and offers
 * it to the chosen reactor's inbox (which wakes the reactor only if it is parked).
 *
 * <p><b>A full inbox</b> is backpressure, not a reason to drop a connection the server has room for: the channel goes
 * to the next live reactor whose inbox has room, and if every inbox is full the acceptor holds it, stops accepting
 * ({@link AcceptLoop#hold()}) and offers it again every {@link #HELD_RETRY_MS} ms until a reactor takes it; meanwhile new
 * connections wait in the kernel's listen queue ({@link ServerContext#backlog()}), where a client sees a slower
 * handshake, not a close. (Closing such channels made a burst of connections against a reactor that was briefly
 * short of CPU end in EOF for clients the server would have served a moment later.) The acceptor never blocks on a
 * reactor: it waits in its own select and still stops when asked. A channel is closed and counted
 * ({@code INBOX_REJECTIONS}) only when no reactor can ever take it: every reactor dead or closed.
 *
 * <p><b>Threading:</b> confined to the {@code acceptor} thread, except {@link #requestStop()}.
 */
public final class AcceptorAgent implements Agent
{
    /** The role and thread name. */
    public static final String ROLE_NAME = "acceptor";
    /** The longest one select blocks when nothing happens (it is also woken by {@link #requestStop()}). */
    public static final long MAX_SELECT_MS = 1_000;
    /** How often a held channel is offered again while every inbox is full. */
    public static final long HELD_RETRY_MS = 1;
    /** How often an ongoing full-inbox condition is logged at most. */
    static final long HELD_LOG_INTERVAL_NS = 10_000_000_000L;
    /** How often the acceptor's row gets a heartbeat ({@code ReactorCounter.HEARTBEAT_MS}). */
    static final long HEARTBEAT_INTERVAL_NS = 1_000_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(AcceptorAgent.class);

    private final ServerContext ctx;
    private final NanoClock clock;
    private final ReactorAgent[] reactors;
    private final ServerCounters counters;
    private final PlacementPolicy placement;
    private final PlacementPolicy.ReactorLoad load;
    private final AcceptLoop acceptLoop;
    private final Consumer<SelectionKey> acceptHandler = this::onAcceptable;
    private final org.agrona.concurrent.status.AtomicCounter accepted;
    private final org.agrona.concurrent.status.AtomicCounter holds;
    private Selector selector;
    /** An accepted channel no inbox had room for; accepting is held while it is set. */
    private HandOff held;
    private long holdsSinceLog;
    private long lastHoldLogNs;
    private boolean loggedHold;
    private long nowNs;
    private long lastHeartbeatNs;
    private volatile boolean stopRequested;
    private final java.util.concurrent.CountDownLatch startedLatch = new java.util.concurrent.CountDownLatch(1);
    private volatile Throwable startFailure;

    /**
     * Creates the acceptor over bound listeners.
     *
     * @param ctx       the concluded context.
     * @param listeners bound listening channels, one per {@link ServerContext#listeners()} entry.
     * @param reactors  the reactors to place connections on.
     * @param counters  the server's counters.
     */
    public AcceptorAgent(
        final ServerContext ctx,
        final ServerSocketChannel[] listeners,
        final ReactorAgent[] reactors,
        final ServerCounters counters)
    {
        this.ctx = ctx;
        this.clock = ctx.nanoClock();
        this.reactors = reactors;
        this.counters = counters;
        this.placement = ctx.placement();
        this.load = reactorIndex -> reactors[reactorIndex].proxy().openConnections();
        this.accepted = counters.counter(counters.acceptorRow(), ReactorCounter.ACCEPTOR_ACCEPTED);
        this.holds = counters.counter(counters.acceptorRow(), ReactorCounter.ACCEPT_HOLDS);
        this.acceptLoop = new AcceptLoop(ROLE_NAME, listeners, ctx,
            counters.counter(counters.acceptorRow(), ReactorCounter.EMFILE_BACKOFFS), this::onAccepted);
    }

    @Override
    public String roleName()
    {
        return ROLE_NAME;
    }

    @Override
    public void onStart()
    {
        try
        {
            ctx.pinner().pinCurrentThread(ROLE_NAME);
            selector = Selector.open();
            acceptLoop.register(selector);
            lastHeartbeatNs = clock.nanoTime();
            counters.heartbeat(counters.acceptorRow(), System.currentTimeMillis());
        }
        catch (final IOException ex)
        {
            final IllegalStateException failure = new IllegalStateException("acceptor failed to start: " + ex, ex);
            startFailure = failure;
            startedLatch.countDown();
            throw failure;
        }
        catch (final RuntimeException | Error ex)
        {
            startFailure = ex;
            startedLatch.countDown();
            throw ex;
        }
        startedLatch.countDown();
    }

    /** {@return the latch released once {@link #onStart()} has run, successfully or not (see {@link #startFailure})} */
    @AnyThread
    public java.util.concurrent.CountDownLatch startedLatch()
    {
        return startedLatch;
    }

    /** {@return what made {@link #onStart()} fail (the pinner or the selector), or null} */
    @AnyThread
    public Throwable startFailure()
    {
        return startFailure;
    }

    @Override
    @AcceptorThread
    public int doWork() throws IOException
    {
        if (stopRequested)
        {
            return 0;
        }
        nowNs = clock.nanoTime();
        if (nowNs - lastHeartbeatNs >= HEARTBEAT_INTERVAL_NS)
        {
            // The select below returns at least every MAX_SELECT_MS, so the heartbeat is about once a second.
            lastHeartbeatNs = nowNs;
            counters.heartbeat(counters.acceptorRow(), System.currentTimeMillis());
        }
        int work = acceptLoop.poll(nowNs);
        if (held != null)
        {
            work += offerHeld();
        }
        long timeoutMs = MAX_SELECT_MS;
        if (held != null)
        {
            timeoutMs = HELD_RETRY_MS;
        }
        else if (acceptLoop.isPaused())
        {
            timeoutMs = Math.max(1, Math.min(MAX_SELECT_MS, (acceptLoop.resumeDeadlineNs() - nowNs + 999_999) / 1_000_000));
        }
        work += selector.select(acceptHandler, timeoutMs);
        return work;
    }

    private void onAcceptable(final SelectionKey key)
    {
        if (key.isValid() && key.attachment() instanceof AcceptLoop.ListenerSlot)
        {
            acceptLoop.onAcceptable((AcceptLoop.ListenerSlot)key.attachment(), nowNs);
        }
    }

    private void onAccepted(final SocketChannel channel, final int listenerIndex, final long nowNs)
    {
        accepted.setRelease(accepted.getPlain() + 1); // single writer (this thread); release: pairs with readers' acquire
        final HandOff handOff = new HandOff(channel, listenerIndex);
        if (!place(handOff))
        {
            held = handOff;
            holds.setRelease(holds.getPlain() + 1); // single writer (this thread)
            acceptLoop.hold(); // ends the accept batch: the rest wait in the kernel's listen queue
            logHold(nowNs);
        }
    }

    /** Offers the held channel again; once a reactor takes it (or none ever can), accepting resumes. */
    private int offerHeld()
    {
        if (!place(held))
        {
            return 0;
        }
        held = null;
        acceptLoop.release();
        return 1;
    }

    /**
     * Hands {@code handOff} to the reactor the placement policy picks or, if its inbox is full, to the next live
     * reactor that has room.
     *
     * @return true if a reactor took it, or it was closed because no reactor ever can; false if every live reactor's
     * inbox is full (hold it and offer it again).
     */
    private boolean place(final HandOff handOff)
    {
        final int chosen = liveReactor(placement.select(reactors.length, load));
        boolean anyOpen = false;
        if (chosen >= 0)
        {
            for (int i = 0; i < reactors.length; i++)
            {
                final ReactorProxy proxy = reactors[(chosen + i) % reactors.length].proxy();
                if (proxy.isDead())
                {
                    continue;
                }
                if (proxy.handOff(handOff))
                {
                    return true;
                }
                anyOpen |= !proxy.isClosed(); // refused while open: its inbox is full
            }
        }
        if (anyOpen)
        {
            return false;
        }
        counters.counter(Math.max(0, chosen), ReactorCounter.INBOX_REJECTIONS).incrementRelease();
        AcceptLoop.closeQuietly(handOff.channel());
        return true;
    }

    private void logHold(final long nowNs)
    {
        holdsSinceLog++;
        if (!loggedHold || nowNs - lastHoldLogNs >= HELD_LOG_INTERVAL_NS)
        {
            LOG.warn("acceptor: every reactor's inbox is full (inboxCapacity {}); accepting held until one has room, " +
                "new connections wait in the listen queue (backlog {}); {} hold(s) since the last report",
                ctx.inboxCapacity(), ctx.backlog(), holdsSinceLog);
            loggedHold = true;
            lastHoldLogNs = nowNs;
            holdsSinceLog = 0;
        }
    }

    /**
     * {@return {@code chosen} if that reactor is alive, else the next live one after it, or -1 if every reactor died: a
     * dead reactor (an error outside user code killed its thread) gets no more connections}
     */
    private int liveReactor(final int chosen)
    {
        for (int i = 0; i < reactors.length; i++)
        {
            final int index = (chosen + i) % reactors.length;
            if (!reactors[index].proxy().isDead())
            {
                return index;
            }
        }
        return -1;
    }

    /** Stops accepting: the next cycle does nothing and the selector is woken. {@link AnyThread}. */
    @AnyThread
    public void requestStop()
    {
        stopRequested = true;
        final Selector s = selector;
        if (s != null)
        {
            s.wakeup();
        }
    }

    @Override
    public void onClose()
    {
        if (held != null)
        {
            // Stopped while holding a channel no reactor had room for: the server is going away, so is it.
            AcceptLoop.closeQuietly(held.channel());
            held = null;
        }
        acceptLoop.close();
        if (selector != null)
        {
            try
            {
                selector.close();
            }
            catch (final IOException ex)
            {
                LOG.warn("acceptor: selector close failed", ex);
            }
        }
    }
}
