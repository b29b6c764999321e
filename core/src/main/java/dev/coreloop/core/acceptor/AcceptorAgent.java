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
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code acceptor} thread ({@link dev.coreloop.core.AcceptMode#ACCEPTOR_THREAD}): owns the listening channels
 * and the placement policy. Each cycle blocks in its own selector (the acceptor has nothing else to do, so blocking
 * here costs no latency) until a listener is acceptable, the EMFILE back-off ends or it is asked to stop; then
 * {@link AcceptLoop} accepts until null, applies the socket options, and this agent places each channel and offers
 * it to the chosen reactor's inbox (which wakes the reactor only if it is parked). A full inbox is counted on that
 * reactor and the channel closed: the acceptor never blocks on a reactor.
 *
 * <p><b>Threading:</b> confined to the {@code acceptor} thread, except {@link #requestStop()}.
 */
public final class AcceptorAgent implements Agent
{
    /** The role and thread name. */
    public static final String ROLE_NAME = "acceptor";
    /** The longest one select blocks when nothing happens (it is also woken by {@link #requestStop()}). */
    public static final long MAX_SELECT_MS = 1_000;
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
    private Selector selector;
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
        long timeoutMs = MAX_SELECT_MS;
        if (acceptLoop.isPaused())
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
        final int reactorIndex = liveReactor(placement.select(reactors.length, load));
        if (reactorIndex < 0 || !reactors[reactorIndex].proxy().handOff(new HandOff(channel, listenerIndex)))
        {
            counters.counter(Math.max(0, reactorIndex), ReactorCounter.INBOX_REJECTIONS).incrementRelease();
            AcceptLoop.closeQuietly(channel);
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
