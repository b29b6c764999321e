package dev.coreloop.core.acceptor;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import dev.coreloop.core.ServerContext;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepting on a set of listening channels registered with one selector: accept until the accept returns null
 * (bounded per readiness), apply the socket options, hand each channel on; and when the process runs out of file
 * descriptors (EMFILE/ENFILE, "Too many open files"), drop OP_ACCEPT from every listener for
 * {@code emfileBackoffMs} (so the selector cannot report them and nothing spins), count the back-off and log at
 * most once per {@link #LOG_INTERVAL_NS}. The accepting thread may also {@linkplain #hold() hold} accepting while it
 * cannot hand a channel on (every reactor inbox full), which leaves new connections in the kernel's listen queue.
 *
 * <p>Used by the {@link AcceptorAgent} and, in {@link dev.coreloop.core.AcceptMode#REUSE_PORT} mode, by each reactor
 * for its own listeners.
 *
 * <p><b>Threading:</b> confined to the thread that accepts (the acceptor, or the owning reactor).
 */
public final class AcceptLoop
{
    /** How often an ongoing EMFILE condition is logged at most. */
    public static final long LOG_INTERVAL_NS = 10_000_000_000L;
    /** Accepts per readiness of one listener before the loop moves on (readiness is level-triggered). */
    public static final int ACCEPT_BATCH_LIMIT = 256;

    private static final Logger LOG = LoggerFactory.getLogger(AcceptLoop.class);

    /** Receives each accepted, configured channel. */
    @FunctionalInterface
    public interface AcceptedChannelHandler
    {
        /**
         * A channel was accepted and configured.
         *
         * @param channel       non-blocking, options applied.
         * @param listenerIndex which listener accepted it.
         * @param nowNs         the accepting thread's clock.
         */
        void onAccepted(SocketChannel channel, int listenerIndex, long nowNs);
    }

    /** The attachment of a listener's selection key. */
    public static final class ListenerSlot
    {
        final int listenerIndex;
        final ServerSocketChannel channel;
        SelectionKey key;

        ListenerSlot(final int listenerIndex, final ServerSocketChannel channel)
        {
            this.listenerIndex = listenerIndex;
            this.channel = channel;
        }
    }

    private final String role;
    private final ServerContext ctx;
    private final ListenerSlot[] slots;
    private final AtomicCounter emfileBackoffs;
    private final AcceptedChannelHandler handler;
    private final long backoffNs;
    private boolean paused;
    private boolean held;
    private long pausedUntilNs;
    private long lastLogNs;
    private boolean loggedOnce;
    private long backoffsSinceLog;

    /**
     * Creates the loop over bound listeners; {@link #register} then adds them to a selector.
     *
     * @param role           the thread role, for log lines.
     * @param listeners      bound listening channels, indexed like {@link ServerContext#listeners()}.
     * @param ctx            the concluded context.
     * @param emfileBackoffs the counter of back-offs (written only by this loop's thread).
     * @param handler        receives accepted channels.
     */
    public AcceptLoop(
        final String role,
        final ServerSocketChannel[] listeners,
        final ServerContext ctx,
        final AtomicCounter emfileBackoffs,
        final AcceptedChannelHandler handler)
    {
        this.role = role;
        this.ctx = ctx;
        this.emfileBackoffs = emfileBackoffs;
        this.handler = handler;
        this.backoffNs = ctx.emfileBackoffMs() * 1_000_000L;
        this.slots = new ListenerSlot[listeners.length];
        for (int i = 0; i < listeners.length; i++)
        {
            slots[i] = new ListenerSlot(i, listeners[i]);
        }
    }

    /**
     * Registers every listener for OP_ACCEPT; the key's attachment is its {@link ListenerSlot}.
     *
     * @param selector the owning thread's selector.
     * @throws IOException if a listener cannot be registered.
     */
    public void register(final Selector selector) throws IOException
    {
        for (final ListenerSlot slot : slots)
        {
            slot.channel.configureBlocking(false);
            slot.key = slot.channel.register(selector, SelectionKey.OP_ACCEPT, slot);
        }
    }

    /** {@return true if accepting is paused after EMFILE} */
    public boolean isPaused()
    {
        return paused;
    }

    /** {@return when accepting resumes, or {@link Long#MAX_VALUE} if it is not paused} */
    public long resumeDeadlineNs()
    {
        return paused ? pausedUntilNs : Long.MAX_VALUE;
    }

    /**
     * Resumes accepting once the back-off has passed (unless accepting is also {@linkplain #hold() held}).
     *
     * @param nowNs the owning thread's clock for this cycle.
     * @return 1 if the back-off ended, else 0.
     */
    public int poll(final long nowNs)
    {
        if (paused && nowNs - pausedUntilNs >= 0)
        {
            paused = false;
            updateInterest();
            return 1;
        }
        return 0;
    }

    /**
     * Stops accepting until {@link #release()}, at once (the current batch ends after the channel being handed on):
     * the accepting thread holds a channel it could not hand on, so further connections wait in the kernel's listen
     * queue (the backlog) instead of being accepted and closed. Callable from {@link AcceptedChannelHandler}.
     */
    public void hold()
    {
        held = true;
        updateInterest();
    }

    /** Accepts again after {@link #hold()} (unless an EMFILE back-off still runs). */
    public void release()
    {
        held = false;
        updateInterest();
    }

    /** {@return true between {@link #hold()} and {@link #release()}} */
    public boolean isHeld()
    {
        return held;
    }

    private void updateInterest()
    {
        final int interest = paused || held ? 0 : SelectionKey.OP_ACCEPT;
        for (final ListenerSlot slot : slots)
        {
            if (slot.key != null && slot.key.isValid() && slot.key.interestOps() != interest)
            {
                slot.key.interestOps(interest);
            }
        }
    }

    /**
     * A listener is acceptable: accept until null, the batch limit, or an error.
     *
     * @param slot  the listener, as its key's attachment.
     * @param nowNs the owning thread's clock for this cycle.
     * @return channels accepted.
     */
    public int onAcceptable(final ListenerSlot slot, final long nowNs)
    {
        int accepted = 0;
        while (accepted < ACCEPT_BATCH_LIMIT && !paused && !held)
        {
            final SocketChannel channel;
            try
            {
                channel = slot.channel.accept();
            }
            catch (final IOException ex)
            {
                onAcceptFailure(ex, nowNs);
                return accepted;
            }
            if (channel == null)
            {
                return accepted; // readiness was a hint (contract item 1)
            }
            accepted++;
            try
            {
                configure(channel, ctx);
            }
            catch (final IOException ex)
            {
                closeQuietly(channel);
                continue;
            }
            handler.onAccepted(channel, slot.listenerIndex, nowNs);
        }
        return accepted;
    }

    private void onAcceptFailure(final IOException ex, final long nowNs)
    {
        if (!isOutOfFileDescriptors(ex))
        {
            // ECONNABORTED and friends: the pending connection is gone; keep accepting the others.
            LOG.warn("{}: accept failed: {}", role, ex.toString());
            return;
        }
        paused = true;
        pausedUntilNs = nowNs + backoffNs;
        emfileBackoffs.incrementRelease();
        backoffsSinceLog++;
        updateInterest();
        if (!loggedOnce || nowNs - lastLogNs >= LOG_INTERVAL_NS)
        {
            LOG.warn("{}: out of file descriptors ({}); accepting paused for {} ms ({} back-offs since the last report)",
                role, ex.getMessage(), ctx.emfileBackoffMs(), backoffsSinceLog);
            loggedOnce = true;
            lastLogNs = nowNs;
            backoffsSinceLog = 0;
        }
    }

    /**
     * {@return true for EMFILE/ENFILE as the JDK reports them}
     *
     * @param ex an error from {@code accept} or {@code connect}.
     */
    public static boolean isOutOfFileDescriptors(final IOException ex)
    {
        final String message = ex.getMessage();
        return message != null && (message.contains("Too many open files") || message.contains("EMFILE") ||
            message.contains("ENFILE"));
    }

    /**
     * Non-blocking plus the configured socket options.
     *
     * @param channel an accepted channel.
     * @param ctx     the socket options ({@code tcpNoDelay}, buffer sizes).
     * @throws IOException if an option cannot be set.
     */
    public static void configure(final SocketChannel channel, final ServerContext ctx) throws IOException
    {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, ctx.tcpNoDelay());
        if (ctx.socketReceiveBufferBytes() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, ctx.socketReceiveBufferBytes());
        }
        if (ctx.socketSendBufferBytes() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, ctx.socketSendBufferBytes());
        }
    }

    /** Closes every listener. */
    public void close()
    {
        for (final ListenerSlot slot : slots)
        {
            if (slot.key != null)
            {
                slot.key.cancel();
            }
            closeQuietly(slot.channel);
        }
    }

    /**
     * Closes {@code channel}, ignoring an error: for paths where a first error is already being reported.
     *
     * @param channel a channel, or null.
     */
    public static void closeQuietly(final java.nio.channels.Channel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing is best effort here: the channel is abandoned either way
        }
    }
}
