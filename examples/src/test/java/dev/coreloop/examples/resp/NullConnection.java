package dev.coreloop.examples.resp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.conn.ConnState;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A connection that accepts every write and only counts bytes, and delivers whole requests without copying, so
 * that allocation measurements see only the handler's own allocations.
 *
 * <p><b>Threading:</b> single test thread.
 */
final class NullConnection implements Connection
{
    private static long nextId = 1_000_000;

    private final long id = nextId++;
    private final ReactorContext reactor;
    private final RespConnectionHandler handler;
    private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
    private long bytesWritten;
    private CloseReason closeReason;

    NullConnection(final FakeReactor reactor)
    {
        this.reactor = reactor;
        this.handler = new RespConnectionHandler(reactor.shard());
        handler.onOpened(this);
    }

    /** Delivers complete requests; fails if the handler leaves bytes unconsumed. */
    void deliver(final byte[] requests)
    {
        view.wrap(requests);
        final int consumed = handler.onData(this, view, 0, requests.length);
        if (consumed != requests.length)
        {
            throw new IllegalStateException("consumed " + consumed + " of " + requests.length);
        }
    }

    long bytesWritten()
    {
        return bytesWritten;
    }

    CloseReason closeReason()
    {
        return closeReason;
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
        return closeReason == null ? ConnState.ACTIVE : ConnState.CLOSED;
    }

    @Override
    public InetSocketAddress remoteAddress()
    {
        return null;
    }

    @Override
    public boolean write(final DirectBuffer src, final int offset, final int length)
    {
        bytesWritten += length;
        return true;
    }

    @Override
    public boolean write(final byte[] src, final int offset, final int length)
    {
        bytesWritten += length;
        return true;
    }

    @Override
    public boolean write(final ByteBuffer src)
    {
        bytesWritten += src.remaining();
        src.position(src.limit());
        return true;
    }

    @Override
    public void flush()
    {
    }

    @Override
    public boolean isWritable()
    {
        return true;
    }

    @Override
    public int outboundBytes()
    {
        return 0;
    }

    @Override
    public void shutdownOutput()
    {
    }

    @Override
    public void close()
    {
        close(CloseReason.LOCAL_CLOSE);
    }

    @Override
    public void close(final CloseReason reason)
    {
        if (closeReason == null)
        {
            closeReason = reason;
            handler.onClosed(this, reason);
        }
    }

    @Override
    public void abort()
    {
        close(CloseReason.ABORTED);
    }

    @Override
    public void pauseReading()
    {
    }

    @Override
    public void resumeReading()
    {
    }

    @Override
    public long scheduleTimer(final long deadlineNs)
    {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean cancelTimer(final long timerId)
    {
        return false;
    }
}
