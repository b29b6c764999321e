package dev.coreloop.examples.resp;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.conn.ConnState;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A connection that records what the handler writes and feeds it input the way the core does (unconsumed bytes are
 * presented again, followed by newer ones).
 *
 * <p><b>Threading:</b> single test thread.
 */
final class FakeConnection implements Connection
{
    private static long nextId = 1;

    private final long id = nextId++;
    private final boolean recordOutput;
    private final UnsafeBuffer deliveryView = new UnsafeBuffer(new byte[0]);
    private long bytesWritten;
    private final FakeReactor reactor;
    private final RespConnectionHandler handler;
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final ExpandableArrayBuffer inbound = new ExpandableArrayBuffer(64);
    private int inboundLength;
    private int outboundCapBytes = Integer.MAX_VALUE;
    private int outboundBytes;
    private ConnState state = ConnState.ACTIVE;
    private CloseReason closeReason;
    private final java.util.List<Long> timerIds = new java.util.ArrayList<>();
    private int timersScheduled;

    FakeConnection(final FakeReactor reactor)
    {
        this(reactor, true);
    }

    /**
     * @param recordOutput false: writes are only counted, and nothing allocates per write or per
     *                     {@link #deliver(byte[])}, so that allocation measurements see only the handler.
     */
    FakeConnection(final FakeReactor reactor, final boolean recordOutput)
    {
        this.reactor = reactor;
        this.recordOutput = recordOutput;
        this.handler = new RespConnectionHandler(reactor.shard());
        handler.onOpened(this);
    }

    RespConnectionHandler handler()
    {
        return handler;
    }

    /** Delivers bytes as one read. */
    FakeConnection send(final String text)
    {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    FakeConnection send(final byte[] bytes)
    {
        if (state == ConnState.CLOSED || state == ConnState.DRAINING)
        {
            return this;
        }
        inbound.putBytes(inboundLength, bytes);
        inboundLength += bytes.length;
        final int consumed = handler.onData(this, inbound, 0, inboundLength);
        if (consumed < 0 || consumed > inboundLength)
        {
            throw new IllegalStateException("consumed " + consumed + " of " + inboundLength);
        }
        inbound.putBytes(0, inbound, consumed, inboundLength - consumed);
        inboundLength -= consumed;
        return this;
    }

    /** Delivers complete requests without copying; fails if the handler leaves bytes unconsumed. */
    void deliver(final byte[] requests)
    {
        deliveryView.wrap(requests);
        final int consumed = handler.onData(this, deliveryView, 0, requests.length);
        if (consumed != requests.length)
        {
            throw new IllegalStateException("consumed " + consumed + " of " + requests.length);
        }
    }

    long bytesWritten()
    {
        return bytesWritten;
    }

    int unconsumedBytes()
    {
        return inboundLength;
    }

    /** The peer half-closes. */
    void sendFin()
    {
        handler.onInputClosed(this);
    }

    /** @return everything written so far, as ISO-8859-1 text, and forgets it. */
    String takeOutput()
    {
        final String text = written.toString(StandardCharsets.ISO_8859_1);
        written.reset();
        outboundBytes = 0;
        return text;
    }

    /** Limits what {@link #write} accepts (simulates the outbound cap); {@link #takeOutput()} empties it. */
    void outboundCapBytes(final int capBytes)
    {
        this.outboundCapBytes = capBytes;
    }

    /** The peer read everything: the backlog empties and writability comes back. */
    void drainAndSignalWritable()
    {
        outboundBytes = 0;
        handler.onWritabilityChanged(this, true);
    }

    CloseReason closeReason()
    {
        return closeReason;
    }

    /** The core closes the connection (for example the peer reset it). */
    void closeFromCore(final CloseReason reason)
    {
        state = ConnState.CLOSED;
        closeReason = reason;
        cancelAllTimers();
        handler.onClosed(this, reason);
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
        return null;
    }

    @Override
    public boolean write(final DirectBuffer src, final int offset, final int length)
    {
        if (state != ConnState.ACTIVE || outboundBytes + length > outboundCapBytes)
        {
            return false;
        }
        bytesWritten += length;
        if (!recordOutput)
        {
            return true;
        }
        final byte[] bytes = new byte[length];
        src.getBytes(offset, bytes);
        written.write(bytes, 0, length);
        outboundBytes += length;
        return true;
    }

    @Override
    public boolean write(final byte[] src, final int offset, final int length)
    {
        if (state != ConnState.ACTIVE || outboundBytes + length > outboundCapBytes)
        {
            return false;
        }
        bytesWritten += length;
        if (recordOutput)
        {
            written.write(src, offset, length);
            outboundBytes += length;
        }
        return true;
    }

    @Override
    public boolean write(final ByteBuffer src)
    {
        final byte[] bytes = new byte[src.remaining()];
        src.duplicate().get(bytes);
        if (write(bytes, 0, bytes.length))
        {
            src.position(src.limit());
            return true;
        }
        return false;
    }

    @Override
    public void flush()
    {
    }

    @Override
    public boolean isWritable()
    {
        return outboundBytes < outboundCapBytes;
    }

    @Override
    public int outboundBytes()
    {
        return outboundBytes;
    }

    @Override
    public void shutdownOutput()
    {
        state = ConnState.OUTPUT_SHUTDOWN;
    }

    @Override
    public void close()
    {
        close(CloseReason.LOCAL_CLOSE);
    }

    @Override
    public void close(final CloseReason reason)
    {
        if (state == ConnState.CLOSED)
        {
            return;
        }
        state = ConnState.CLOSED;
        closeReason = reason;
        cancelAllTimers();
        handler.onClosed(this, reason);
    }

    @Override
    public void abort()
    {
        close(CloseReason.ABORTED);
    }

    private boolean readPaused;
    private boolean redeliverPending;

    @Override
    public void pauseReading()
    {
        readPaused = true;
    }

    /** As the kit: reading resumes, and held input is presented again later (never inside the caller's callback). */
    @Override
    public void resumeReading()
    {
        if (readPaused)
        {
            readPaused = false;
            redeliverPending = inboundLength > 0;
        }
    }

    boolean isReadPaused()
    {
        return readPaused;
    }

    /** What the kit does at its next safe point after resumeReading(): present the held input again. */
    boolean redeliverIfResumed()
    {
        if (!redeliverPending || readPaused)
        {
            return false;
        }
        redeliverPending = false;
        send(new byte[0]);
        return true;
    }

    /** Connection timers live on the reactor's fake timer list; like the core's, they die with the connection. */
    @Override
    public long scheduleTimer(final long deadlineNs)
    {
        if (state == ConnState.CLOSED)
        {
            throw new IllegalStateException("connection " + id + " is closed");
        }
        timersScheduled++;
        final long timerId = reactor.scheduleTimer(deadlineNs, (firedId, nowNs) ->
        {
            timerIds.remove(Long.valueOf(firedId));
            handler.onTimer(this, firedId, nowNs);
        });
        timerIds.add(timerId);
        return timerId;
    }

    @Override
    public boolean cancelTimer(final long timerId)
    {
        return timerIds.remove(Long.valueOf(timerId)) && reactor.cancelTimer(timerId);
    }

    /** @return connection timers armed so far (cancelled or fired ones included). */
    int timersScheduled()
    {
        return timersScheduled;
    }

    /** @return connection timers armed and not yet fired or cancelled. */
    int armedTimers()
    {
        return timerIds.size();
    }

    private void cancelAllTimers()
    {
        for (final long timerId : timerIds)
        {
            reactor.cancelTimer(timerId);
        }
        timerIds.clear();
    }

    private dev.coreloop.core.ReadPausePolicy readPausePolicy = dev.coreloop.core.ReadPausePolicy.OWN_BACKLOG;

    @Override
    public dev.coreloop.core.ReadPausePolicy readPausePolicy()
    {
        return readPausePolicy;
    }

    @Override
    public void readPausePolicy(final dev.coreloop.core.ReadPausePolicy policy)
    {
        readPausePolicy = policy;
    }
}
