package dev.coreloop.core.reactor;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.conn.ConnAction;
import dev.coreloop.core.conn.ConnActions;
import dev.coreloop.core.conn.ConnEvent;
import dev.coreloop.core.conn.ConnState;

/**
 * The side effects of a connection's state machine: the entry actions of each state (the "Entry actions" column of
 * docs/connection-states.md), the in-place actions, the illegal-event report, and the deferred callbacks that run at
 * the reactor's next safe point ({@code onOpened}, {@code onInputClosed}, {@code onWritabilityChanged}, redelivery,
 * deferred connect outcomes, and the end of a close: buffers back to the pool, then {@code onClosed}).
 *
 * <p>An action that raises an event ({@code WRITE_COMPLETE} on entering a state whose backlog is already empty, an
 * I/O error while sending FIN) goes through the machine, which queues it until the current event is applied.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class ConnectionLifecycle implements ConnActions
{
    private final ReactorConnection conn;
    private final ReactorParts parts;

    ConnectionLifecycle(final ReactorConnection conn, final ReactorParts parts)
    {
        this.conn = conn;
        this.parts = parts;
    }

    @Override
    public void onEnter(
        final ConnState from,
        final ConnState to,
        final ConnEvent event,
        final CloseReason reason,
        final boolean abortive,
        final long nowNs)
    {
        parts.stats.onTransition(from, to, reason);
        final ConnectionTimers timers = conn.timers();
        switch (to)
        {
            case ACTIVE:
                timers.lastActivityNs = nowNs;
                conn.outbound().lastWriteProgressNs = nowNs;
                if (conn.backlogBytes() > 0)
                {
                    conn.queueFlush();
                }
                conn.updateInterest();
                timers.armGuard();
                parts.deferred.add(conn, DeferredCallbacks.OPENED);
                if (conn.outbound().needsReport())
                {
                    conn.queueCallback(DeferredCallbacks.WRITABILITY); // a write while connecting refused or above high
                }
                break;

            case INPUT_CLOSED:
                conn.updateInterest();
                timers.armGuard();
                parts.deferred.add(conn, DeferredCallbacks.INPUT_CLOSED);
                break;

            case OUTPUT_SHUTDOWN:
                conn.updateInterest();
                timers.armGuard();
                if (conn.backlogBytes() == 0)
                {
                    conn.fire(ConnEvent.WRITE_COMPLETE);
                }
                break;

            case DRAINING:
            case FLUSHING:
                if (!from.isClosing())
                {
                    conn.outbound().lastWriteProgressNs = nowNs; // the write-stall timer guards the flush from now
                }
                if (to == ConnState.FLUSHING && event == ConnEvent.READ_EOF && from == ConnState.OUTPUT_SHUTDOWN)
                {
                    parts.deferred.add(conn, DeferredCallbacks.INPUT_CLOSED); // the handler learns of the FIN
                }
                conn.inbound().ring.clear();
                conn.updateInterest();
                timers.armGuard();
                if (conn.backlogBytes() == 0)
                {
                    conn.fire(ConnEvent.WRITE_COMPLETE);
                }
                else
                {
                    conn.queueFlush();
                }
                break;

            case LINGERING:
                timers.lingerDeadlineNs = parts.lingerDeadlineNs(nowNs);
                sendFin();
                conn.updateInterest();
                timers.armGuard();
                break;

            case CLOSED:
                close(abortive);
                break;

            default:
                break;
        }
    }

    @Override
    public void onAction(final ConnState state, final ConnAction action, final long nowNs)
    {
        if (action == ConnAction.SEND_FIN)
        {
            sendFin();
        }
    }

    @Override
    public void onIllegal(final ConnState state, final ConnEvent event, final long nowNs)
    {
        parts.stats.increment(ReactorCounter.ILLEGAL_TRANSITIONS);
        parts.invoker.report("connection " + conn.id(), new IllegalStateException(
            "illegal event " + event + " in state " + state + ": a bug in the kit; the connection is forced CLOSED"));
    }

    private void sendFin()
    {
        final SocketChannel channel = conn.channel();
        if (channel == null)
        {
            return;
        }
        try
        {
            channel.shutdownOutput();
        }
        catch (final IOException ex)
        {
            conn.onIoError(ex);
        }
    }

    /** CLOSED: cancel timers, close the channel (with a reset if abortive), leave the registry, defer the rest. */
    private void close(final boolean abortive)
    {
        conn.timers().cancelAll();
        if (conn.key != null)
        {
            conn.key.cancel();
        }
        final SocketChannel channel = conn.channel();
        if (channel != null)
        {
            if (abortive && channel.isOpen())
            {
                try
                {
                    channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
                catch (final IOException | RuntimeException ignore)
                {
                    // the socket is already gone: closing it is all that is left
                }
            }
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // nothing more can be done for a socket that fails to close
            }
        }
        if (conn.outbound() != null)
        {
            conn.outbound().onClosed();
        }
        parts.registry.remove(conn);
        parts.deferred.add(conn, DeferredCallbacks.CLOSED);
    }

    /** A deferred callback's turn (a safe point: no callback is on the stack). */
    void onDeferred(final int code)
    {
        conn.clearPendingCallback(code);
        final ConnState state = conn.lifecycleState();
        switch (code)
        {
            case DeferredCallbacks.OPENED:
                if (state != ConnState.CLOSED)
                {
                    parts.invoker.onOpened(conn);
                }
                break;
            case DeferredCallbacks.INPUT_CLOSED:
                if (state != ConnState.CLOSED)
                {
                    parts.invoker.onInputClosed(conn);
                }
                break;
            case DeferredCallbacks.WRITABILITY:
                if (state != ConnState.CLOSED && state != ConnState.CONNECTING) // reported after onOpened
                {
                    reportWritability(conn.outbound());
                }
                break;
            case DeferredCallbacks.REDELIVER:
                if (conn.interest().mayRedeliver())
                {
                    conn.inbound().deliver();
                    conn.updateInterest();
                }
                break;
            case DeferredCallbacks.CONNECT_OK:
                if (state == ConnState.CONNECTING)
                {
                    conn.fire(ConnEvent.CONNECT_OK);
                }
                break;
            case DeferredCallbacks.CONNECT_FAILED:
                if (state == ConnState.CONNECTING)
                {
                    conn.fire(ConnEvent.CONNECT_FAILED);
                }
                break;
            default:
                releaseAndNotify();
                break;
        }
    }

    /**
     * Tells the handler what it is owed: a refused write always gets {@code (false)} and then, once there is room,
     * {@code (true)} — both now if the backlog already drained — and held input is presented again when writable.
     */
    private void reportWritability(final OutboundPath outbound)
    {
        if (outbound.refusedSinceReport)
        {
            outbound.refusedSinceReport = false;
            if (outbound.reportedWritable)
            {
                outbound.reportedWritable = false;
                parts.invoker.onWritabilityChanged(conn, false);
            }
        }
        if (!conn.isClosed() && outbound.reportedWritable != outbound.writable)
        {
            final boolean writable = outbound.writable;
            outbound.reportedWritable = writable;
            parts.invoker.onWritabilityChanged(conn, writable);
        }
        if (!conn.isClosed() && outbound.reportedWritable && conn.interest().mayRedeliver())
        {
            conn.queueCallback(DeferredCallbacks.REDELIVER);
        }
    }

    /** The last step of a close, at a safe point: return the rings to the pool, then onClosed. */
    private void releaseAndNotify()
    {
        if (conn.inbound() != null)
        {
            conn.inbound().ring.close();
            conn.outbound().ring.close();
        }
        if (conn.handler() != null)
        {
            parts.invoker.onClosed(conn, conn.closeReason());
        }
    }
}
