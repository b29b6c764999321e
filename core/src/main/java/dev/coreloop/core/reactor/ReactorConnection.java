package dev.coreloop.core.reactor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.ReadPausePolicy;
import dev.coreloop.core.conn.ConnEvent;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.conn.ConnStateMachine;
import org.agrona.DirectBuffer;

/**
 * A TCP connection owned by one reactor, as its handler sees it ({@link Connection}) and as its reactor drives it:
 * its channel and key, its {@link ConnStateMachine} (the lifecycle; its side effects are in
 * {@link ConnectionLifecycle}), its {@link InboundPath} and {@link OutboundPath}, its {@link ConnectionTimers}, and the
 * flow-control flags that decide its read interest.
 *
 * <p>Every handler callback goes through the reactor's {@link HandlerInvoker} (any {@code Throwable} closes only this
 * connection) and every callback that is not the direct result of this connection's own I/O ({@code onOpened},
 * {@code onInputClosed}, {@code onWritabilityChanged}, redelivery, {@code onClosed}) through the reactor's
 * {@link DeferredCallbacks}, so no handler is ever called back from inside another callback.
 *
 * <p>Fields beside the state carry no lifecycle information; each is flow control or bookkeeping: the read-pause
 * flags ({@link ReadInterest}), the outbound path's writability, {@link #flushQueued} and {@link #pendingCallbacks}
 * (queue membership), timers' ids and deadlines.
 * *
 * <p><b>Threading:</b> confined to the owning reactor's thread; every public {@link Connection} method except
 * {@link #id()} checks it.
 */
final class ReactorConnection implements Connection
{
    private final ReactorParts parts;
    private final long id;
    private final ConnStateMachine machine;
    private final SocketChannel channel;
    private final int listenerIndex;
    /** Its listener's, its connect's, or the context's limits. */
    final ConnectionLimits limits;
    private InetSocketAddress remoteAddress;

    // Written by the owning reactor thread only.
    SelectionKey key;
    private ConnectionHandler handler;
    private InboundPath inbound;
    private OutboundPath outbound;
    private final ReadInterest interest;
    /** Bookkeeping: queued in the reactor's flush queue. */
    boolean flushQueued;
    /** Bookkeeping: bits of deduplicated deferred callbacks queued ({@code 1 << code}). */
    private int pendingCallbacks;
    /** The slot in the registry, or -1. */
    int slot = -1;
    private final ConnectionTimers timers;
    private final ConnectionLifecycle lifecycle;

    ReactorConnection(
        final ReactorParts parts,
        final long id,
        final SocketChannel channel,
        final int listenerIndex,
        final ConnectionLimits limits,
        final ConnState initial)
    {
        this.parts = parts;
        this.id = id;
        this.channel = channel;
        this.listenerIndex = listenerIndex;
        this.limits = limits;
        this.timers = new ConnectionTimers(this, parts);
        this.interest = new ReadInterest(this);
        this.lifecycle = new ConnectionLifecycle(this, parts);
        this.machine = new ConnStateMachine(parts.index, id, initial, lifecycle, parts.sink, parts.strictTransitions);
        parts.stats.increment(ReactorCounter.forState(initial));
    }

    /** Gives the connection its rings and handler; before REGISTERED or while CONNECTING. */
    void attach(final ConnectionHandler handler)
    {
        this.handler = handler;
        this.inbound = new InboundPath(this, parts);
        this.outbound = new OutboundPath(this, parts);
    }

    ReadInterest interest()
    {
        return interest;
    }

    ConnectionTimers timers()
    {
        return timers;
    }

    ConnectionLifecycle lifecycle()
    {
        return lifecycle;
    }

    InboundPath inbound()
    {
        return inbound;
    }

    OutboundPath outbound()
    {
        return outbound;
    }

    long lastWriteProgressNs()
    {
        return outbound.lastWriteProgressNs;
    }

    /** {@return the state, without the owner check (the reactor's own code)} */
    ConnState lifecycleState()
    {
        return machine.state();
    }

    boolean isClosed()
    {
        return machine.state() == ConnState.CLOSED;
    }

    CloseReason closeReason()
    {
        return machine.closeReason();
    }

    SocketChannel channel()
    {
        return channel;
    }

    int listenerIndex()
    {
        return listenerIndex;
    }

    ConnectionHandler handler()
    {
        return handler;
    }

    /** {@return the interest ops registered now (tests)} */
    int interestOps()
    {
        return interest.registeredOps();
    }

    /** Brings the registered interest ops in line with the state and the flow-control flags. */
    void updateInterest()
    {
        interest.update();
    }

    /** {@return true while the guard timer is armed (tests)} */
    boolean isGuardArmed()
    {
        return timers.isGuardArmed();
    }

    /** {@return outbound bytes, without the owner check (tests)} */
    int backlogBytes()
    {
        return outbound == null ? 0 : outbound.backlogBytes();
    }

    /** Raises {@code event} with the current cycle's time. */
    void fire(final ConnEvent event)
    {
        machine.fire(event, parts.clock.nowNs());
    }

    /** Raises {@code event}, recording {@code requested} if its outcome records the requested reason. */
    void fire(final ConnEvent event, final CloseReason requested)
    {
        machine.fire(event, requested, parts.clock.nowNs());
    }

    void onIoError(final IOException ex)
    {
        final String message = ex.getMessage();
        final boolean reset = message != null && (message.contains("reset") || message.contains("Broken pipe"));
        fire(reset ? ConnEvent.IO_RESET : ConnEvent.IO_ERROR);
    }

    // ================================================================================================================
    // Connection: the handler's API. Every method but id() checks the owner thread.

    @Override
    public long id()
    {
        return id;
    }

    @Override
    public ReactorContext reactor()
    {
        return parts.handle;
    }

    @Override
    public ConnState state()
    {
        parts.owner.check("Connection.state");
        return machine.state();
    }

    @Override
    public InetSocketAddress remoteAddress()
    {
        parts.owner.check("Connection.remoteAddress");
        if (machine.state() == ConnState.CLOSED)
        {
            return null;
        }
        if (remoteAddress == null)
        {
            try
            {
                remoteAddress = (InetSocketAddress)channel.getRemoteAddress();
            }
            catch (final IOException ignore)
            {
                return null;
            }
        }
        return remoteAddress;
    }

    private boolean acceptsWrites()
    {
        final ConnState state = machine.state();
        return state == ConnState.ACTIVE || state == ConnState.INPUT_CLOSED || state == ConnState.CONNECTING;
    }

    @Override
    public boolean write(final DirectBuffer src, final int offset, final int length)
    {
        parts.owner.check("Connection.write");
        return acceptsWrites() && outbound.write(src, offset, length);
    }

    @Override
    public boolean write(final byte[] src, final int offset, final int length)
    {
        parts.owner.check("Connection.write");
        return acceptsWrites() && outbound.write(src, offset, length);
    }

    @Override
    public boolean write(final ByteBuffer src)
    {
        parts.owner.check("Connection.write");
        return acceptsWrites() && outbound.write(src);
    }

    @Override
    public void flush()
    {
        parts.owner.check("Connection.flush");
        if (interest.isFlushable() && !outbound.awaitingSocket && outbound.backlogBytes() > 0)
        {
            outbound.drain(channel, parts.clock.nowNs());
        }
    }

    @Override
    public boolean isWritable()
    {
        parts.owner.check("Connection.isWritable");
        return acceptsWrites() && outbound.writable;
    }

    @Override
    public int outboundBytes()
    {
        parts.owner.check("Connection.outboundBytes");
        return outbound == null || machine.state() == ConnState.CLOSED ? 0 : outbound.backlogBytes();
    }

    @Override
    public void shutdownOutput()
    {
        parts.owner.check("Connection.shutdownOutput");
        fire(ConnEvent.HANDLER_SHUTDOWN_OUTPUT);
    }

    @Override
    public void close()
    {
        close(null);
    }

    @Override
    public void close(final CloseReason reason)
    {
        parts.owner.check("Connection.close");
        final CloseReason requested = reason != null ? reason :
            machine.state() == ConnState.INPUT_CLOSED ? CloseReason.PEER_CLOSED : CloseReason.LOCAL_CLOSE;
        fire(ConnEvent.HANDLER_CLOSE, requested);
    }

    @Override
    public void abort()
    {
        parts.owner.check("Connection.abort");
        fire(ConnEvent.HANDLER_ABORT);
    }

    @Override
    public void pauseReading()
    {
        parts.owner.check("Connection.pauseReading");
        interest.pauseByHandler();
    }

    @Override
    public void resumeReading()
    {
        parts.owner.check("Connection.resumeReading");
        interest.resumeByHandler();
    }

    @Override
    public ReadPausePolicy readPausePolicy()
    {
        parts.owner.check("Connection.readPausePolicy");
        return interest.policy();
    }

    @Override
    public void readPausePolicy(final ReadPausePolicy policy)
    {
        parts.owner.check("Connection.readPausePolicy");
        if (policy == null)
        {
            throw new IllegalArgumentException("policy=null: must not be null");
        }
        interest.policy(policy);
    }

    @Override
    public long scheduleTimer(final long deadlineNs)
    {
        parts.owner.check("Connection.scheduleTimer");
        if (machine.state() == ConnState.CLOSED)
        {
            throw new IllegalStateException("connection " + id + " is closed: no timer can be armed for it");
        }
        return timers.scheduleUser(deadlineNs);
    }

    @Override
    public boolean cancelTimer(final long timerId)
    {
        parts.owner.check("Connection.cancelTimer");
        return timers.cancelUser(timerId);
    }

    void queueFlush()
    {
        parts.flushQueue.add(this);
    }

    /** A deduplicated deferred callback is about to run: it may be queued again. */
    void clearPendingCallback(final int code)
    {
        pendingCallbacks &= ~(1 << code);
    }

    /** Queues a deduplicated deferred callback (WRITABILITY, REDELIVER). */
    void queueCallback(final int code)
    {
        final int bit = 1 << code;
        if ((pendingCallbacks & bit) == 0)
        {
            pendingCallbacks |= bit;
            parts.deferred.add(this, code);
        }
    }

    @Override
    public String toString()
    {
        return "Connection{id=" + id + ", state=" + machine.state() + ", reactor=" + parts.index + "}";
    }
}
