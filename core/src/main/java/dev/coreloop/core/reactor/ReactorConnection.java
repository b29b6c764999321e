package dev.coreloop.core.reactor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.ReactorCounter;
import dev.coreloop.core.ReadPausePolicy;
import dev.coreloop.core.conn.ConnAction;
import dev.coreloop.core.conn.ConnActions;
import dev.coreloop.core.conn.ConnEvent;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.conn.ConnStateMachine;
import dev.coreloop.core.timer.ReactorTimers;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongArrayList;

/**
 * A TCP connection owned by one reactor: its channel and key, its {@link ConnStateMachine} (the lifecycle), its
 * {@link InboundPath} and {@link OutboundPath}, its guard timer and its user timers. It is the machine's
 * {@link ConnActions}: entering a state runs that state's entry actions here (interest ops, guard timer, FIN,
 * release), as docs/connection-states.md lists them.
 *
 * <p>Every handler callback goes through the reactor's {@link HandlerInvoker} (any {@code Throwable} closes only this
 * connection) and every callback that is not the direct result of this connection's own I/O ({@code onOpened},
 * {@code onInputClosed}, {@code onWritabilityChanged}, redelivery, {@code onClosed}) through the reactor's
 * {@link DeferredCallbacks}, so no handler is ever called back from inside another callback.
 *
 * <p>Fields beside the state carry no lifecycle information; each is flow control or bookkeeping:
 * {@link #readPausedByHandler} and {@link #readPausePolicy} (whose reads pause), the outbound path's writability,
 * {@link #flushQueued} and {@link #pendingCallbacks} (queue membership), timers' ids and deadlines.
 *
 * <p>One <em>guard timer</em> ends every waiting state: its deadline is the earliest of the timers the state runs.
 * Reads and writes only move {@code lastActivityNs} and the outbound path's {@code lastWriteProgressNs}; when the guard
 * fires it checks which deadline really passed and raises that event, or re-arms, so traffic never touches the wheel.
 *
 * <p><b>Threading:</b> confined to the owning reactor's thread; every public {@link Connection} method except
 * {@link #id()} checks it.
 */
final class ReactorConnection implements Connection, ConnActions
{
    private final ReactorParts parts;
    private final long id;
    private final ConnStateMachine machine;
    private final SocketChannel channel;
    private final int listenerIndex;
    private InetSocketAddress remoteAddress;

    // Written by the owning reactor thread only.
    SelectionKey key;
    private ConnectionHandler handler;
    private InboundPath inbound;
    private OutboundPath outbound;
    private int interestOps;
    /** Flow control: the handler called pauseReading(). */
    private boolean readPausedByHandler;
    /** Flow control: whose reads pause on this connection's backlog. */
    private ReadPausePolicy readPausePolicy = ReadPausePolicy.OWN_BACKLOG;
    /** Bookkeeping: queued in the reactor's flush queue. */
    boolean flushQueued;
    /** Bookkeeping: bits of deduplicated deferred callbacks queued ({@code 1 << code}). */
    private int pendingCallbacks;
    /** The slot in the registry, or -1. */
    int slot = -1;
    long lastActivityNs;
    private long drainDeadlineNs;
    private long connectDeadlineNs;
    private long guardTimerId = ReactorTimers.NULL_TIMER;
    private long guardDeadlineNs = Long.MAX_VALUE;
    private final LongArrayList userTimerIds = new LongArrayList(2, ReactorTimers.NULL_TIMER);

    ReactorConnection(
        final ReactorParts parts,
        final long id,
        final SocketChannel channel,
        final int listenerIndex,
        final ConnState initial)
    {
        this.parts = parts;
        this.id = id;
        this.channel = channel;
        this.listenerIndex = listenerIndex;
        this.machine = new ConnStateMachine(parts.index, id, initial, this, parts.sink, parts.strictTransitions);
        parts.stats.increment(ReactorCounter.forState(initial));
    }

    /** Gives the connection its rings and handler; before REGISTERED or while CONNECTING. */
    void attach(final ConnectionHandler handler)
    {
        this.handler = handler;
        this.inbound = new InboundPath(this, parts);
        this.outbound = new OutboundPath(this, parts);
    }

    void connectDeadlineNs(final long deadlineNs)
    {
        connectDeadlineNs = deadlineNs;
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

    /** @return the interest ops registered now (tests). */
    int interestOps()
    {
        return interestOps;
    }

    /** @return true while the guard timer is armed (tests). */
    boolean isGuardArmed()
    {
        return guardTimerId != ReactorTimers.NULL_TIMER;
    }

    /** @return outbound bytes, without the owner check (tests). */
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
        if (isFlushable() && !outbound.awaitingSocket && outbound.backlogBytes() > 0)
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
        if (!readPausedByHandler)
        {
            readPausedByHandler = true;
            updateInterest();
        }
    }

    @Override
    public void resumeReading()
    {
        parts.owner.check("Connection.resumeReading");
        if (readPausedByHandler)
        {
            readPausedByHandler = false;
            updateInterest();
            if (inbound != null && !inbound.ring.isEmpty())
            {
                queueCallback(DeferredCallbacks.REDELIVER);
            }
        }
    }

    @Override
    public ReadPausePolicy readPausePolicy()
    {
        parts.owner.check("Connection.readPausePolicy");
        return readPausePolicy;
    }

    @Override
    public void readPausePolicy(final ReadPausePolicy policy)
    {
        parts.owner.check("Connection.readPausePolicy");
        if (policy == null)
        {
            throw new IllegalArgumentException("policy=null: must not be null");
        }
        if (policy != readPausePolicy)
        {
            readPausePolicy = policy;
            updateInterest();
            if (inbound != null && !inbound.ring.isEmpty() && mayRead())
            {
                queueCallback(DeferredCallbacks.REDELIVER);
            }
        }
    }

    @Override
    public long scheduleTimer(final long deadlineNs)
    {
        parts.owner.check("Connection.scheduleTimer");
        if (machine.state() == ConnState.CLOSED)
        {
            throw new IllegalStateException("connection " + id + " is closed: no timer can be armed for it");
        }
        final long timerId = parts.timers.schedule(deadlineNs, this);
        userTimerIds.addLong(timerId);
        return timerId;
    }

    @Override
    public boolean cancelTimer(final long timerId)
    {
        parts.owner.check("Connection.cancelTimer");
        return timerId != guardTimerId && userTimerIds.removeLong(timerId) && parts.timers.cancel(timerId, this);
    }

    // ================================================================================================================
    // Flow control: who may read, interest ops.

    /** @return true if the lifecycle state reads into the ring and flow control lets it. */
    boolean mayRead()
    {
        final ConnState state = machine.state();
        return (state == ConnState.ACTIVE || state == ConnState.OUTPUT_SHUTDOWN) && !readPausedByHandler &&
            (readPausePolicy == ReadPausePolicy.MANUAL || outbound.writable) && !inbound.isFull();
    }

    /** @return true if input delivered to the handler is still wanted (not closing, no EOF). */
    boolean mayDeliver()
    {
        final ConnState state = machine.state();
        return state == ConnState.ACTIVE || state == ConnState.OUTPUT_SHUTDOWN;
    }

    /** @return true if a handler that consumed nothing from a full ring has a reason to hold it (not an overflow). */
    boolean mayHoldInput()
    {
        return readPausedByHandler || !outbound.writable;
    }

    boolean isDiscarding()
    {
        final ConnState state = machine.state();
        return state == ConnState.DRAINING || state == ConnState.LINGERING;
    }

    private boolean isFlushable()
    {
        final ConnState state = machine.state();
        return state != ConnState.CLOSED && state != ConnState.CONNECTING && state != ConnState.HANDED_OFF &&
            state != ConnState.LINGERING;
    }

    private int desiredInterestOps()
    {
        int ops = 0;
        switch (machine.state())
        {
            case CONNECTING:
                return SelectionKey.OP_CONNECT;
            case ACTIVE:
            case OUTPUT_SHUTDOWN:
                ops = mayRead() ? SelectionKey.OP_READ : 0;
                break;
            case DRAINING:
            case LINGERING:
                ops = SelectionKey.OP_READ;
                break;
            default:
                break;
        }
        return outbound != null && outbound.awaitingSocket ? ops | SelectionKey.OP_WRITE : ops;
    }

    void updateInterest()
    {
        if (key == null || machine.state() == ConnState.CLOSED)
        {
            return;
        }
        final int ops = desiredInterestOps();
        if (ops != interestOps)
        {
            interestOps = ops;
            key.interestOps(ops);
        }
    }

    void queueFlush()
    {
        parts.flushQueue.add(this);
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

    // ================================================================================================================
    // Reactor side: readiness, flush phase, deferred callbacks, timers.

    void onReady(final int readyOps, final long nowNs)
    {
        final ConnState state = machine.state();
        if ((readyOps & SelectionKey.OP_CONNECT) != 0 && state == ConnState.CONNECTING)
        {
            try
            {
                if (channel.finishConnect())
                {
                    fire(ConnEvent.CONNECT_OK);
                }
            }
            catch (final IOException ex)
            {
                fire(ConnEvent.CONNECT_FAILED);
            }
            return;
        }
        if ((readyOps & SelectionKey.OP_READ) != 0)
        {
            if (isDiscarding())
            {
                inbound.discard(channel, nowNs);
            }
            else if (mayRead())
            {
                inbound.read(channel, nowNs);
            }
            else
            {
                updateInterest(); // a stale readiness: interest already dropped
            }
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0 && outbound.awaitingSocket && isFlushable())
        {
            outbound.drain(channel, nowNs);
        }
    }

    /** The flush phase: write the backlog, re-evaluate writability. @return work done. */
    int onFlush(final long nowNs)
    {
        if (!isFlushable())
        {
            return 0;
        }
        int work = 0;
        if (!outbound.awaitingSocket && outbound.backlogBytes() > 0)
        {
            work += outbound.drain(channel, nowNs);
        }
        if (machine.state() != ConnState.CLOSED && outbound.reevaluate())
        {
            work++;
        }
        return work;
    }

    /** A deferred callback's turn (a safe point: no callback is on the stack). */
    void onDeferred(final int code)
    {
        pendingCallbacks &= ~(1 << code);
        final ConnState state = machine.state();
        switch (code)
        {
            case DeferredCallbacks.OPENED:
                if (state != ConnState.CLOSED)
                {
                    parts.invoker.onOpened(this);
                }
                break;
            case DeferredCallbacks.INPUT_CLOSED:
                if (state == ConnState.INPUT_CLOSED)
                {
                    parts.invoker.onInputClosed(this);
                }
                break;
            case DeferredCallbacks.WRITABILITY:
                if (state != ConnState.CLOSED && outbound.reportedWritable != outbound.writable)
                {
                    final boolean writable = outbound.writable;
                    outbound.reportedWritable = writable;
                    parts.invoker.onWritabilityChanged(this, writable);
                    if (writable && !inbound.ring.isEmpty())
                    {
                        queueCallback(DeferredCallbacks.REDELIVER);
                    }
                }
                break;
            case DeferredCallbacks.REDELIVER:
                if (mayDeliver() && !readPausedByHandler && !inbound.ring.isEmpty() &&
                    (readPausePolicy == ReadPausePolicy.MANUAL || outbound.writable))
                {
                    inbound.deliver();
                    updateInterest();
                }
                break;
            case DeferredCallbacks.CONNECT_OK:
                if (state == ConnState.CONNECTING)
                {
                    fire(ConnEvent.CONNECT_OK);
                }
                break;
            case DeferredCallbacks.CONNECT_FAILED:
                if (state == ConnState.CONNECTING)
                {
                    fire(ConnEvent.CONNECT_FAILED);
                }
                break;
            default:
                releaseAndNotify();
                break;
        }
    }

    /** The last step of a close, at a safe point: return the rings to the pool, then onClosed. */
    private void releaseAndNotify()
    {
        if (inbound != null)
        {
            inbound.ring.close();
            outbound.ring.close();
        }
        if (handler != null)
        {
            parts.invoker.onClosed(this, machine.closeReason());
        }
    }

    /** A timer of this connection expired. */
    void onTimerExpiry(final long timerId, final long nowNs)
    {
        if (timerId == guardTimerId)
        {
            onGuardTimer(nowNs);
        }
        else if (userTimerIds.removeLong(timerId) && machine.state() != ConnState.CLOSED)
        {
            parts.invoker.onTimer(this, timerId, nowNs);
        }
    }

    private long guardDeadline()
    {
        switch (machine.state())
        {
            case CONNECTING:
                return connectDeadlineNs;
            case ACTIVE:
            case INPUT_CLOSED:
            case OUTPUT_SHUTDOWN:
                final long idleDeadlineNs = lastActivityNs + parts.settings.idleTimeoutNs;
                if (outbound.backlogBytes() == 0)
                {
                    return idleDeadlineNs;
                }
                return Math.min(idleDeadlineNs, outbound.lastWriteProgressNs + parts.settings.writeStallTimeoutNs);
            case DRAINING:
            case FLUSHING:
            case LINGERING:
                return drainDeadlineNs;
            default:
                return Long.MAX_VALUE;
        }
    }

    /** Arms the guard at the deadline the state needs, unless it is armed there already. */
    void armGuard(final long nowNs)
    {
        final long deadlineNs = guardDeadline();
        if (deadlineNs == guardDeadlineNs && guardTimerId != ReactorTimers.NULL_TIMER)
        {
            return;
        }
        cancelGuard();
        if (deadlineNs != Long.MAX_VALUE)
        {
            guardDeadlineNs = deadlineNs;
            guardTimerId = parts.timers.schedule(deadlineNs, this);
        }
    }

    private void cancelGuard()
    {
        if (guardTimerId != ReactorTimers.NULL_TIMER)
        {
            parts.timers.cancel(guardTimerId, this);
            guardTimerId = ReactorTimers.NULL_TIMER;
            guardDeadlineNs = Long.MAX_VALUE;
        }
    }

    /** The guard fired: raise whichever deadline really passed, else re-arm at the new one. */
    private void onGuardTimer(final long nowNs)
    {
        guardTimerId = ReactorTimers.NULL_TIMER;
        guardDeadlineNs = Long.MAX_VALUE;
        switch (machine.state())
        {
            case CONNECTING:
                if (nowNs - connectDeadlineNs >= 0)
                {
                    fire(ConnEvent.CONNECT_TIMEOUT);
                }
                break;
            case ACTIVE:
            case INPUT_CLOSED:
            case OUTPUT_SHUTDOWN:
                if (outbound.backlogBytes() > 0 &&
                    nowNs - outbound.lastWriteProgressNs >= parts.settings.writeStallTimeoutNs)
                {
                    fire(ConnEvent.WRITE_STALL_TIMEOUT);
                }
                else if (nowNs - lastActivityNs >= parts.settings.idleTimeoutNs)
                {
                    fire(ConnEvent.IDLE_TIMEOUT);
                }
                break;
            case DRAINING:
            case FLUSHING:
                if (nowNs - drainDeadlineNs >= 0)
                {
                    fire(ConnEvent.DRAIN_DEADLINE);
                }
                break;
            case LINGERING:
                if (nowNs - drainDeadlineNs >= 0)
                {
                    fire(ConnEvent.LINGER_DEADLINE);
                }
                break;
            default:
                break;
        }
        if (machine.state() != ConnState.CLOSED && guardTimerId == ReactorTimers.NULL_TIMER)
        {
            armGuard(nowNs);
        }
    }

    // ================================================================================================================
    // ConnActions: the entry actions of each state (docs/connection-states.md, "Entry actions").

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
        switch (to)
        {
            case ACTIVE:
                lastActivityNs = nowNs;
                outbound.lastWriteProgressNs = nowNs;
                if (outbound.backlogBytes() > 0)
                {
                    queueFlush();
                }
                updateInterest();
                armGuard(nowNs);
                parts.deferred.add(this, DeferredCallbacks.OPENED);
                if (!outbound.writable)
                {
                    queueCallback(DeferredCallbacks.WRITABILITY); // written above the high watermark while connecting
                }
                break;

            case INPUT_CLOSED:
                updateInterest();
                armGuard(nowNs);
                parts.deferred.add(this, DeferredCallbacks.INPUT_CLOSED);
                break;

            case OUTPUT_SHUTDOWN:
                updateInterest();
                armGuard(nowNs);
                if (outbound.backlogBytes() == 0)
                {
                    machine.fire(ConnEvent.WRITE_COMPLETE, nowNs);
                }
                break;

            case DRAINING:
            case FLUSHING:
                if (!from.isClosing())
                {
                    drainDeadlineNs = parts.drainDeadlineNs(nowNs);
                }
                inbound.ring.clear();
                updateInterest();
                armGuard(nowNs);
                if (outbound.backlogBytes() == 0)
                {
                    machine.fire(ConnEvent.WRITE_COMPLETE, nowNs);
                }
                else
                {
                    queueFlush();
                }
                break;

            case LINGERING:
                sendFin();
                updateInterest();
                armGuard(nowNs);
                break;

            case CLOSED:
                closeChannel(abortive);
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
        parts.invoker.report("connection " + id, new IllegalStateException(
            "illegal event " + event + " in state " + state + ": a bug in the kit; the connection is forced CLOSED"));
    }

    private void sendFin()
    {
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
            onIoError(ex);
        }
    }

    /** CLOSED: cancel timers, close the channel (with a reset if abortive), leave the registry, defer the rest. */
    private void closeChannel(final boolean abortive)
    {
        cancelGuard();
        for (int i = 0, size = userTimerIds.size(); i < size; i++)
        {
            parts.timers.cancel(userTimerIds.getLong(i), this);
        }
        userTimerIds.clear();
        if (key != null)
        {
            key.cancel();
        }
        if (channel == null)
        {
            // a connect whose socket could not even be opened
        }
        else if (abortive && channel.isOpen())
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
            if (channel != null)
            {
                channel.close();
            }
        }
        catch (final IOException ignore)
        {
            // nothing more can be done for a socket that fails to close
        }
        if (outbound != null)
        {
            outbound.onClosed();
        }
        parts.registry.remove(this);
        parts.deferred.add(this, DeferredCallbacks.CLOSED);
    }

    @Override
    public String toString()
    {
        return "Connection{id=" + id + ", state=" + machine.state() + ", reactor=" + parts.index + "}";
    }
}
