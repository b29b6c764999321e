package dev.coreloop.core.reactor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

import dev.coreloop.buffers.ByteRing;
import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.ReactorCounter;
import dev.coreloop.core.conn.ConnEvent;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.internal.ReactorThread;
import dev.coreloop.core.timer.ReactorTimers;
import org.agrona.DirectBuffer;

/**
 * A TCP connection owned by one reactor: its channel and selection key, its inbound and outbound
 * {@link ByteRing}s, its state and its guard timer.
 *
 * <p>The state field changes only in {@link ReactorAgent#transition}; everything that happens to a connection is
 * a {@link ConnEvent} given to {@link ReactorAgent#fire}, whose outcome comes from the table in
 * {@link dev.coreloop.core.conn.ConnTransitions}. Entering a state runs {@link #onEnter}: interest ops, the guard
 * timer, FIN, release.
 *
 * <p>One <em>guard timer</em> per connection ends every waiting state: its deadline is the earliest of the
 * timers the state runs (idle, write stall, drain deadline, connect timeout; see docs/connection-states.md). Reads
 * and writes only move {@code lastActivityNs}/{@code lastWriteProgressNs}; when the guard fires it checks which
 * deadline really passed and either fires that event or re-arms at the new deadline, so traffic never touches the
 * timer wheel.
 *
 * <p>Handler callbacks go through {@code call*} methods, which catch exceptions (the connection closes with
 * {@link CloseReason#HANDLER_ERROR}) and defer {@link ConnectionHandler#onClosed} until an outer callback of the
 * same connection has returned, so a handler is never re-entered.
 *
 * <p><b>Threading:</b> confined to the owning reactor's thread; every {@link Connection} method asserts it.
 */
final class ReactorConnection implements Connection
{
    // Immutable after construction.
    private final ReactorAgent reactor;
    private final long id;

    // Written by the owning reactor thread only.
    /** The state: assigned only by {@link ReactorAgent#transition} (and the constructor). */
    ConnState state;
    SocketChannel channel;
    SelectionKey key;
    ConnectionHandler handler;
    int listenerIndex;
    int slot = -1;
    ByteRing inbound;
    ByteRing outbound;
    int interestOps;
    boolean readPaused;
    boolean writable = true;
    boolean reportedWritable = true;
    boolean waitingForWritable;
    boolean flushQueued;
    boolean redeliver;
    boolean inputEof;
    boolean finSent;
    boolean abortOnClose;
    boolean inCallback;
    boolean closedNotifyPending;
    boolean connectOkPending;
    boolean connectFailPending;
    boolean shutdownOutputAfterConnect;
    boolean opened;
    CloseReason requestedReason = CloseReason.LOCAL_CLOSE;
    CloseReason closeReason = CloseReason.NONE;
    long lastActivityNs;
    long lastWriteProgressNs;
    long drainDeadlineNs;
    long connectDeadlineNs;
    long guardTimerId = ReactorTimers.NULL_TIMER;
    long guardDeadlineNs = Long.MAX_VALUE;
    private InetSocketAddress remoteAddress;

    ReactorConnection(final ReactorAgent reactor, final long id, final SocketChannel channel, final ConnState initial)
    {
        this.reactor = reactor;
        this.id = id;
        this.channel = channel;
        this.state = initial;
    }

    @Override
    public long id()
    {
        return id;
    }

    @Override
    public ReactorContext reactor()
    {
        return reactor;
    }

    @Override
    public ConnState state()
    {
        return state;
    }

    @Override
    public InetSocketAddress remoteAddress()
    {
        assert reactor.isOwnerThread();
        if (remoteAddress == null && state != ConnState.CLOSED && channel != null)
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
        return state == ConnState.CLOSED ? null : remoteAddress;
    }

    private boolean acceptsWrites()
    {
        switch (state)
        {
            case CONNECTING:
                return !shutdownOutputAfterConnect;
            case ACTIVE:
            case BACKPRESSURED:
            case INPUT_CLOSED:
                return true;
            default:
                return false;
        }
    }

    @Override
    public boolean write(final DirectBuffer src, final int offset, final int length)
    {
        final int backlogBeforeBytes = backlogBeforeWrite();
        return backlogBeforeBytes >= 0 && afterAppend(outbound.append(src, offset, length), backlogBeforeBytes);
    }

    @Override
    public boolean write(final byte[] src, final int offset, final int length)
    {
        final int backlogBeforeBytes = backlogBeforeWrite();
        return backlogBeforeBytes >= 0 && afterAppend(outbound.append(src, offset, length), backlogBeforeBytes);
    }

    @Override
    public boolean write(final ByteBuffer src)
    {
        final int backlogBeforeBytes = backlogBeforeWrite();
        return backlogBeforeBytes >= 0 && afterAppend(outbound.append(src), backlogBeforeBytes);
    }

    /** @return the backlog before a write, or -1 if this state refuses writes. */
    private int backlogBeforeWrite()
    {
        assert reactor.isOwnerThread();
        return acceptsWrites() ? outbound.readableBytes() : -1;
    }

    private boolean afterAppend(final int result, final int backlogBeforeBytes)
    {
        if (result < 0)
        {
            if (result == ByteRing.NO_MEMORY)
            {
                reactor.increment(ReactorCounter.BUFFER_EXHAUSTED);
            }
            return false;
        }
        final int backlogBytes = outbound.readableBytes();
        if (backlogBytes == 0)
        {
            return true;
        }
        final long nowNs = reactor.nowNs();
        if (backlogBeforeBytes == 0)
        {
            lastWriteProgressNs = nowNs;
        }
        if (!waitingForWritable)
        {
            reactor.queueFlush(this);
        }
        if (writable && backlogBytes > reactor.highWatermarkBytes)
        {
            writable = false;
            reactor.fire(this, ConnEvent.BACKLOG_ABOVE_HIGH, nowNs);
            reactor.queueFlush(this);
        }
        return true;
    }

    @Override
    public void flush()
    {
        assert reactor.isOwnerThread();
        if (outbound != null && !outbound.isEmpty() && !waitingForWritable && state != ConnState.CONNECTING &&
            state != ConnState.CLOSED)
        {
            drain(reactor.nowNs());
        }
    }

    @Override
    public boolean isWritable()
    {
        assert reactor.isOwnerThread();
        return writable && acceptsWrites();
    }

    @Override
    public int outboundBytes()
    {
        assert reactor.isOwnerThread();
        return outbound == null || state == ConnState.CLOSED ? 0 : outbound.readableBytes();
    }

    @Override
    public void shutdownOutput()
    {
        assert reactor.isOwnerThread();
        if (state == ConnState.CONNECTING)
        {
            shutdownOutputAfterConnect = true;
        }
        reactor.fire(this, ConnEvent.HANDLER_SHUTDOWN_OUTPUT, reactor.nowNs());
    }

    @Override
    public void close()
    {
        close(null);
    }

    @Override
    public void close(final CloseReason reason)
    {
        assert reactor.isOwnerThread();
        if (state == ConnState.CLOSED || state == ConnState.DRAINING)
        {
            return;
        }
        requestedReason = reason != null ? reason : inputEof ? CloseReason.PEER_CLOSED : CloseReason.LOCAL_CLOSE;
        reactor.fire(this, ConnEvent.HANDLER_CLOSE, reactor.nowNs());
    }

    @Override
    public void abort()
    {
        assert reactor.isOwnerThread();
        reactor.fire(this, ConnEvent.HANDLER_ABORT, reactor.nowNs());
    }

    @Override
    public void pauseReading()
    {
        assert reactor.isOwnerThread();
        readPaused = true;
        updateInterest();
    }

    @Override
    public void resumeReading()
    {
        assert reactor.isOwnerThread();
        if (readPaused)
        {
            readPaused = false;
            updateInterest();
            if (inbound != null && !inbound.isEmpty())
            {
                redeliver = true;
                reactor.queueFlush(this);
            }
        }
    }

    @Override
    public long scheduleTimer(final long deadlineNs)
    {
        assert reactor.isOwnerThread();
        if (state == ConnState.CLOSED)
        {
            throw new IllegalStateException("connection " + id + " is closed");
        }
        return reactor.timers().schedule(deadlineNs, this);
    }

    @Override
    public boolean cancelTimer(final long timerId)
    {
        assert reactor.isOwnerThread();
        return timerId != guardTimerId && reactor.timers().cancel(timerId, this);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Reactor side.

    @ReactorThread
    int desiredInterestOps()
    {
        int ops = 0;
        switch (state)
        {
            case CONNECTING:
                return SelectionKey.OP_CONNECT;
            case ACTIVE:
            case OUTPUT_SHUTDOWN:
                ops = readPaused ? 0 : SelectionKey.OP_READ;
                break;
            case DRAINING:
                ops = inputEof ? 0 : SelectionKey.OP_READ;
                break;
            default:
                break;
        }
        return waitingForWritable ? ops | SelectionKey.OP_WRITE : ops;
    }

    @ReactorThread
    void updateInterest()
    {
        if (state == ConnState.CLOSED || key == null)
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

    /** Runs the entry actions of the state just entered from {@code from}. */
    @ReactorThread
    void onEnter(final ConnState from, final CloseReason reason, final long nowNs)
    {
        assert reactor.isOwnerThread();
        switch (state)
        {
            case ACTIVE:
                if (from == ConnState.HANDED_OFF || from == ConnState.CONNECTING)
                {
                    lastActivityNs = nowNs;
                    lastWriteProgressNs = nowNs;
                    if (outbound != null && !outbound.isEmpty())
                    {
                        reactor.queueFlush(this);
                    }
                }
                else if (inbound != null && !inbound.isEmpty())
                {
                    redeliver = true;
                    reactor.queueFlush(this);
                }
                updateInterest();
                armGuard(nowNs);
                break;

            case BACKPRESSURED:
                updateInterest();
                armGuard(nowNs);
                break;

            case INPUT_CLOSED:
                inputEof = true;
                updateInterest();
                armGuard(nowNs);
                break;

            case OUTPUT_SHUTDOWN:
                updateInterest();
                armGuard(nowNs);
                if (outbound.isEmpty())
                {
                    sendFin(nowNs);
                }
                break;

            case DRAINING:
                requestedReason = reason;
                if (inbound != null)
                {
                    inbound.clear();
                }
                drainDeadlineNs = reactor.drainDeadlineNs(nowNs);
                updateInterest();
                armGuard(nowNs);
                if (!finSent && outbound.isEmpty())
                {
                    sendFin(nowNs);
                }
                if (state == ConnState.DRAINING && finSent && inputEof)
                {
                    reactor.fire(this, ConnEvent.DRAIN_COMPLETE, nowNs);
                }
                break;

            case CLOSED:
                closeReason = reason;
                release();
                reactor.onConnectionClosed(this);
                if (inCallback)
                {
                    closedNotifyPending = true;
                }
                else
                {
                    callOnClosed();
                }
                break;

            default:
                break;
        }
    }

    private void release()
    {
        cancelGuard();
        if (key != null)
        {
            key.cancel();
        }
        if (channel != null)
        {
            try
            {
                if (abortOnClose && channel.isOpen())
                {
                    channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
            }
            catch (final IOException | RuntimeException ignore)
            {
                // the socket is already gone: closing it is all that is left
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
        if (inbound != null)
        {
            inbound.close();
        }
        if (outbound != null)
        {
            outbound.close();
        }
    }

    @ReactorThread
    void cancelGuard()
    {
        if (guardTimerId != ReactorTimers.NULL_TIMER)
        {
            reactor.timers().cancel(guardTimerId, this);
            guardTimerId = ReactorTimers.NULL_TIMER;
            guardDeadlineNs = Long.MAX_VALUE;
        }
    }

    /** @return the guard deadline the current state needs, or {@link Long#MAX_VALUE} for none. */
    @ReactorThread
    long guardDeadline()
    {
        final long idleDeadlineNs = lastActivityNs + reactor.idleTimeoutNs;
        final long stallDeadlineNs = lastWriteProgressNs + reactor.writeStallTimeoutNs;
        switch (state)
        {
            case CONNECTING:
                return connectDeadlineNs;
            case ACTIVE:
                return idleDeadlineNs;
            case BACKPRESSURED:
                return stallDeadlineNs;
            case INPUT_CLOSED:
            case OUTPUT_SHUTDOWN:
                return outbound.isEmpty() ? idleDeadlineNs : Math.min(idleDeadlineNs, stallDeadlineNs);
            case DRAINING:
                return drainDeadlineNs;
            default:
                return Long.MAX_VALUE;
        }
    }

    @ReactorThread
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
            guardTimerId = reactor.timers().schedule(deadlineNs, this);
        }
    }

    /** The guard timer expired: fire whichever deadline really passed, else re-arm at the new one. */
    @ReactorThread
    void onGuardTimer(final long nowNs)
    {
        assert reactor.isOwnerThread();
        guardTimerId = ReactorTimers.NULL_TIMER;
        guardDeadlineNs = Long.MAX_VALUE;
        final boolean idleExpired = nowNs - lastActivityNs >= reactor.idleTimeoutNs;
        final boolean stallExpired = outbound != null && !outbound.isEmpty() &&
            nowNs - lastWriteProgressNs >= reactor.writeStallTimeoutNs;
        switch (state)
        {
            case CONNECTING:
                if (nowNs - connectDeadlineNs >= 0)
                {
                    reactor.fire(this, ConnEvent.CONNECT_TIMEOUT, nowNs);
                }
                break;
            case ACTIVE:
                if (idleExpired)
                {
                    reactor.fire(this, ConnEvent.IDLE_TIMEOUT, nowNs);
                }
                break;
            case BACKPRESSURED:
                if (stallExpired)
                {
                    reactor.fire(this, ConnEvent.WRITE_STALL_TIMEOUT, nowNs);
                }
                break;
            case INPUT_CLOSED:
            case OUTPUT_SHUTDOWN:
                if (stallExpired)
                {
                    reactor.fire(this, ConnEvent.WRITE_STALL_TIMEOUT, nowNs);
                }
                else if (idleExpired)
                {
                    reactor.fire(this, ConnEvent.IDLE_TIMEOUT, nowNs);
                }
                break;
            case DRAINING:
                if (nowNs - drainDeadlineNs >= 0)
                {
                    reactor.fire(this, finSent ? ConnEvent.LINGER_DEADLINE : ConnEvent.DRAIN_DEADLINE, nowNs);
                }
                break;
            default:
                break;
        }
        if (state != ConnState.CLOSED && guardTimerId == ReactorTimers.NULL_TIMER)
        {
            armGuard(nowNs);
        }
    }

    @ReactorThread
    void onReady(final int readyOps, final long nowNs)
    {
        assert reactor.isOwnerThread();
        if ((readyOps & SelectionKey.OP_CONNECT) != 0 && state == ConnState.CONNECTING)
        {
            finishConnect(nowNs);
            return;
        }
        if ((readyOps & SelectionKey.OP_READ) != 0)
        {
            onReadable(nowNs);
        }
        if ((readyOps & SelectionKey.OP_WRITE) != 0 && waitingForWritable && state != ConnState.CLOSED)
        {
            drain(nowNs);
        }
    }

    private void finishConnect(final long nowNs)
    {
        try
        {
            if (channel.finishConnect())
            {
                onConnected(nowNs);
            }
        }
        catch (final IOException ex)
        {
            reactor.fire(this, ConnEvent.CONNECT_FAILED, nowNs);
        }
    }

    @ReactorThread
    void onConnected(final long nowNs)
    {
        reactor.fire(this, ConnEvent.CONNECT_OK, nowNs);
        if (state == ConnState.ACTIVE && !writable)
        {
            reactor.fire(this, ConnEvent.BACKLOG_ABOVE_HIGH, nowNs); // written above the high watermark while connecting
        }
        if (state == ConnState.ACTIVE || state == ConnState.BACKPRESSURED)
        {
            callOnOpened();
            if (shutdownOutputAfterConnect && (state == ConnState.ACTIVE || state == ConnState.BACKPRESSURED))
            {
                reactor.fire(this, ConnEvent.HANDLER_SHUTDOWN_OUTPUT, nowNs);
            }
        }
    }

    @ReactorThread
    void onReadable(final long nowNs)
    {
        assert reactor.isOwnerThread();
        if (state == ConnState.DRAINING)
        {
            lingerRead(nowNs);
            return;
        }
        int budgetBytes = reactor.readBudgetBytes;
        while (budgetBytes > 0 && isReading())
        {
            final int result;
            try
            {
                result = inbound.fillFrom(channel, budgetBytes);
            }
            catch (final IOException ex)
            {
                reactor.onIoError(this, ex, nowNs);
                return;
            }
            reactor.increment(ReactorCounter.READ_CALLS);
            if (result > 0)
            {
                final boolean socketMayHaveMore = result == budgetBytes || inbound.readableBytes() == inbound.capacity();
                reactor.add(ReactorCounter.BYTES_READ, result);
                budgetBytes -= result;
                lastActivityNs = nowNs;
                reactor.fire(this, ConnEvent.READ_DATA, nowNs);
                if (!deliver(nowNs) || !socketMayHaveMore)
                {
                    return;
                }
            }
            else if (result == 0)
            {
                return;
            }
            else if (result == ByteRing.EOF)
            {
                inputEof = true;
                reactor.fire(this, ConnEvent.READ_EOF, nowNs);
                if (state == ConnState.INPUT_CLOSED || state == ConnState.DRAINING)
                {
                    callOnInputClosed();
                }
                return;
            }
            else
            {
                if (result == ByteRing.NO_MEMORY)
                {
                    reactor.increment(ReactorCounter.BUFFER_EXHAUSTED);
                }
                if (result == ByteRing.NO_MEMORY || writable)
                {
                    reactor.fire(this, ConnEvent.INBOUND_OVERFLOW, nowNs);
                }
                return;
            }
        }
    }

    private boolean isReading()
    {
        return (state == ConnState.ACTIVE || state == ConnState.OUTPUT_SHUTDOWN) && !readPaused;
    }

    /**
     * Presents every unconsumed inbound byte to the handler and consumes what it returns.
     *
     * @return true if the connection may go on reading.
     */
    @ReactorThread
    boolean deliver(final long nowNs)
    {
        final int readableBytes = inbound.readableBytes();
        if (readableBytes == 0)
        {
            return isReading();
        }
        final DirectBuffer view = inbound.linearise();
        final int offset = inbound.readOffset();
        final int consumed;
        inCallback = true;
        try
        {
            consumed = handler.onData(this, view, offset, readableBytes);
        }
        catch (final RuntimeException ex)
        {
            inCallback = false;
            reactor.onHandlerError(this, ex, nowNs);
            afterCallback();
            return false;
        }
        inCallback = false;
        if (afterCallback())
        {
            return false;
        }
        if (consumed < 0 || consumed > readableBytes)
        {
            reactor.onHandlerError(this, new IllegalStateException(
                "onData returned " + consumed + " for " + readableBytes + " readable bytes"), nowNs);
            return false;
        }
        if (state == ConnState.DRAINING)
        {
            return false;
        }
        if (consumed > 0)
        {
            inbound.consume(consumed);
        }
        else if (readableBytes >= inbound.maxCapacityBytes() && writable)
        {
            reactor.fire(this, ConnEvent.INBOUND_OVERFLOW, nowNs);
            return false;
        }
        return isReading();
    }

    private void lingerRead(final long nowNs)
    {
        final ByteBuffer scratch = reactor.lingerScratch;
        int budgetBytes = reactor.readBudgetBytes;
        while (budgetBytes > 0 && state == ConnState.DRAINING && !inputEof)
        {
            scratch.clear();
            final int result;
            try
            {
                result = channel.read(scratch);
            }
            catch (final IOException ex)
            {
                reactor.onIoError(this, ex, nowNs);
                return;
            }
            reactor.increment(ReactorCounter.READ_CALLS);
            if (result > 0)
            {
                reactor.add(ReactorCounter.BYTES_READ, result);
                budgetBytes -= result;
                reactor.fire(this, ConnEvent.READ_DATA, nowNs);
            }
            else if (result == 0)
            {
                return;
            }
            else
            {
                inputEof = true;
                reactor.fire(this, ConnEvent.READ_EOF, nowNs);
                updateInterest();
                if (finSent && state == ConnState.DRAINING)
                {
                    reactor.fire(this, ConnEvent.DRAIN_COMPLETE, nowNs);
                }
                return;
            }
        }
    }

    /** The flush phase: deferred connect outcome, backlog, writability report, redelivery. @return work done. */
    @ReactorThread
    int onFlushPhase(final long nowNs)
    {
        assert reactor.isOwnerThread();
        int work = 0;
        if (connectFailPending)
        {
            connectFailPending = false;
            reactor.fire(this, ConnEvent.CONNECT_FAILED, nowNs);
            return 1;
        }
        if (connectOkPending)
        {
            connectOkPending = false;
            onConnected(nowNs);
            work++;
        }
        if (state == ConnState.CLOSED || state == ConnState.CONNECTING)
        {
            return work;
        }
        if (!waitingForWritable && !outbound.isEmpty())
        {
            work += drain(nowNs);
        }
        if (state != ConnState.CLOSED && reportedWritable != writable)
        {
            reportedWritable = writable;
            callOnWritabilityChanged(writable);
            work++;
        }
        if (redeliver && state != ConnState.CLOSED)
        {
            redeliver = false;
            if (isReading() && !inbound.isEmpty())
            {
                deliver(nowNs);
                work++;
            }
        }
        return work;
    }

    /** One gathering write of at most the write budget. @return 1 (work was attempted). */
    @ReactorThread
    int drain(final long nowNs)
    {
        final int offeredBytes = Math.min(outbound.readableBytes(), reactor.writeBudgetBytes);
        final int written;
        try
        {
            written = outbound.drainTo(channel, offeredBytes);
        }
        catch (final IOException ex)
        {
            reactor.onIoError(this, ex, nowNs);
            return 1;
        }
        reactor.increment(ReactorCounter.WRITE_CALLS);
        if (written > 0)
        {
            reactor.add(ReactorCounter.BYTES_WRITTEN, written);
            lastActivityNs = nowNs;
            lastWriteProgressNs = nowNs;
        }
        if (!writable && outbound.readableBytes() < reactor.lowWatermarkBytes)
        {
            writable = true;
            reactor.fire(this, ConnEvent.BACKLOG_BELOW_LOW, nowNs);
            reactor.queueFlush(this);
            if (state == ConnState.CLOSED)
            {
                return 1;
            }
        }
        if (outbound.isEmpty())
        {
            waitingForWritable = false;
            updateInterest();
            reactor.fire(this, ConnEvent.WRITE_COMPLETE, nowNs);
            if (!finSent && (state == ConnState.OUTPUT_SHUTDOWN || state == ConnState.DRAINING))
            {
                sendFin(nowNs);
            }
            if (finSent && inputEof && state == ConnState.DRAINING)
            {
                reactor.fire(this, ConnEvent.DRAIN_COMPLETE, nowNs);
            }
        }
        else
        {
            waitingForWritable = written < offeredBytes;
            updateInterest();
            if (!waitingForWritable)
            {
                reactor.queueFlush(this);
            }
            reactor.fire(this, ConnEvent.WRITE_PROGRESS, nowNs);
        }
        return 1;
    }

    private void sendFin(final long nowNs)
    {
        try
        {
            channel.shutdownOutput();
            finSent = true;
        }
        catch (final IOException ex)
        {
            reactor.onIoError(this, ex, nowNs);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Handler callbacks: exceptions close the connection; onClosed is deferred past an outer callback.

    /** @return true if the connection closed during the callback (onClosed has now been delivered). */
    private boolean afterCallback()
    {
        if (closedNotifyPending)
        {
            closedNotifyPending = false;
            callOnClosed();
        }
        return state == ConnState.CLOSED;
    }

    private static final int ON_OPENED = 0;
    private static final int ON_INPUT_CLOSED = 1;
    private static final int ON_WRITABILITY_CHANGED = 2;
    private static final int ON_TIMER = 3;

    /** Calls one handler method (chosen by code, so nothing is captured or allocated) as a guarded callback. */
    private void call(final int callback, final boolean isWritable, final long timerId, final long nowNs)
    {
        inCallback = true;
        try
        {
            switch (callback)
            {
                case ON_OPENED:
                    handler.onOpened(this);
                    break;
                case ON_INPUT_CLOSED:
                    handler.onInputClosed(this);
                    break;
                case ON_WRITABILITY_CHANGED:
                    handler.onWritabilityChanged(this, isWritable);
                    break;
                default:
                    handler.onTimer(this, timerId, nowNs);
                    break;
            }
        }
        catch (final RuntimeException ex)
        {
            inCallback = false;
            reactor.onHandlerError(this, ex, nowNs);
        }
        inCallback = false;
        afterCallback();
    }

    @ReactorThread
    void callOnOpened()
    {
        opened = true;
        call(ON_OPENED, true, 0, reactor.nowNs());
    }

    private void callOnInputClosed()
    {
        call(ON_INPUT_CLOSED, true, 0, reactor.nowNs());
    }

    private void callOnWritabilityChanged(final boolean isWritable)
    {
        call(ON_WRITABILITY_CHANGED, isWritable, 0, reactor.nowNs());
    }

    @ReactorThread
    void callOnTimer(final long timerId, final long nowNs)
    {
        call(ON_TIMER, true, timerId, nowNs);
    }

    private void callOnClosed()
    {
        if (handler == null)
        {
            return;
        }
        try
        {
            handler.onClosed(this, closeReason);
        }
        catch (final RuntimeException ex)
        {
            reactor.onHandlerErrorAfterClose(this, ex);
        }
    }

    @Override
    public String toString()
    {
        return "Connection{id=" + id + ", state=" + state + ", reactor=" + reactor.index() + "}";
    }
}
