package dev.coreloop.core.reactor;

import dev.coreloop.core.status.ReactorCounter;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

import dev.coreloop.core.acceptor.AcceptLoop;
import dev.coreloop.core.conn.ConnEvent;
import dev.coreloop.core.conn.ConnState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reactor's selector and the dispatch of its ready keys: connections' readiness, and in REUSE_PORT mode this
 * reactor's own listeners. Uses the consumer-based {@code selectNow}/{@code select} (no selected-keys iterator, no
 * reflection into {@code sun.nio.ch}); each ready key is one dispatch unit, followed by a safe point that runs the
 * deferred callbacks it caused.
 *
 * <p>One syscall saved per request: when a parked {@code select} already dispatched ready keys, the next cycle skips
 * its {@code selectNow} (it would find nothing new, or what the next park will find at once).
 *
 * <p><b>Threading:</b> confined to the owning reactor thread (the selector's {@code wakeup} is called by producers
 * through {@link ReactorProxy}).
 */
final class IoPoller implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(IoPoller.class);

    private final ReactorParts parts;
    private final Selector selector;
    private final Consumer<SelectionKey> readyKeyHandler = this::onReadyKey;
    private final Consumer<SelectionKey> parkedKeyHandler = this::onReadyKeyParked;
    private AcceptLoop acceptLoop;
    private boolean parkClockRead;
    private boolean skipNextSelectNow;

    IoPoller(final ReactorParts parts) throws IOException
    {
        this.parts = parts;
        this.selector = Selector.open();
    }

    Selector selector()
    {
        return selector;
    }

    /** In REUSE_PORT mode: this reactor's own listeners. */
    void acceptLoop(final AcceptLoop acceptLoop) throws IOException
    {
        this.acceptLoop = acceptLoop;
        acceptLoop.register(selector);
    }

    /** Stops accepting (shutdown, death): closes this reactor's own listeners. */
    void closeAcceptLoop()
    {
        if (acceptLoop != null)
        {
            acceptLoop.close();
            acceptLoop = null;
        }
    }

    /** {@return the deadline at which a paused accept loop resumes, or {@link Long#MAX_VALUE}} */
    long acceptResumeDeadlineNs()
    {
        return acceptLoop == null ? Long.MAX_VALUE : acceptLoop.resumeDeadlineNs();
    }

    /** The I/O phase: {@code selectNow}, unless the park just before dispatched keys. @return work done. */
    int poll(final long nowNs)
    {
        int work = 0;
        if (acceptLoop != null)
        {
            work += acceptLoop.poll(nowNs);
        }
        if (skipNextSelectNow)
        {
            skipNextSelectNow = false;
            return work;
        }
        try
        {
            parts.stats.increment(ReactorCounter.POLL_CALLS);
            work += selector.selectNow(readyKeyHandler);
        }
        catch (final IOException ex)
        {
            LOG.warn("{}: selectNow failed", parts.roleName, ex);
        }
        return work;
    }

    /**
     * Blocks until I/O, a wake-up or {@code timeoutMs}; ready keys are dispatched inside, with the clock read once, at
     * the first of them.
     *
     * @return true if keys were dispatched.
     */
    boolean park(final long timeoutMs)
    {
        parkClockRead = false;
        int selected = 0;
        try
        {
            parts.stats.increment(ReactorCounter.POLL_CALLS);
            selected = selector.select(parkedKeyHandler, timeoutMs);
        }
        catch (final IOException ex)
        {
            LOG.warn("{}: select failed", parts.roleName, ex);
        }
        skipNextSelectNow = selected > 0;
        return parkClockRead;
    }

    private void onReadyKeyParked(final SelectionKey key)
    {
        if (!parkClockRead)
        {
            parkClockRead = true;
            parts.clock.read();
        }
        onReadyKey(key);
    }

    private void onReadyKey(final SelectionKey key)
    {
        if (!key.isValid())
        {
            return;
        }
        final Object attachment = key.attachment();
        if (attachment instanceof ReactorConnection)
        {
            final ReactorConnection conn = (ReactorConnection)attachment;
            if (conn.lifecycleState() != ConnState.CLOSED)
            {
                onReady(conn, key.readyOps(), parts.clock.nowNs());
            }
        }
        else if (attachment instanceof AcceptLoop.ListenerSlot && acceptLoop != null)
        {
            acceptLoop.onAcceptable((AcceptLoop.ListenerSlot)attachment, parts.clock.nowNs());
        }
        parts.deferred.runAll();
    }

    /** A connection's key is ready: finish a connect, read (or discard), write what the socket now takes. */
    private static void onReady(final ReactorConnection conn, final int readyOps, final long nowNs)
    {
        if ((readyOps & SelectionKey.OP_CONNECT) != 0 && conn.lifecycleState() == ConnState.CONNECTING)
        {
            try
            {
                if (conn.channel().finishConnect())
                {
                    conn.fire(ConnEvent.CONNECT_OK);
                }
            }
            catch (final IOException ex)
            {
                conn.fire(ConnEvent.CONNECT_FAILED);
            }
            return;
        }
        final ReadInterest interest = conn.interest();
        if ((readyOps & SelectionKey.OP_READ) != 0)
        {
            if (interest.isDiscarding())
            {
                conn.inbound().discard(conn.channel(), nowNs);
            }
            else if (interest.mayRead())
            {
                conn.inbound().read(conn.channel(), nowNs);
            }
            else
            {
                interest.update(); // a stale readiness: interest already dropped
            }
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0 && conn.outbound().awaitingSocket && interest.isFlushable())
        {
            conn.outbound().drain(conn.channel(), nowNs);
        }
    }

    @Override
    public void close()
    {
        closeAcceptLoop();
        try
        {
            selector.close();
        }
        catch (final IOException ex)
        {
            LOG.warn("{}: selector close failed", parts.roleName, ex);
        }
    }
}
