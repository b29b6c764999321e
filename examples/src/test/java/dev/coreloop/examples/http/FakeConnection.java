package dev.coreloop.examples.http;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.conn.ConnState;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A connection for handler unit tests: writes land in a fixed-size buffer (no allocation, so the
 * allocation test can use it), writability and write refusal are switches, closes are recorded.
 *
 * <p><b>Threading:</b> single test thread.
 */
final class FakeConnection implements Connection
{
    private final ReactorContext reactor;
    final UnsafeBuffer written = new UnsafeBuffer(new byte[1 << 20]);
    int writtenBytes;
    int writeCalls;
    boolean writable = true;
    boolean refuseWrites;
    CloseReason closeReason;
    long lastTimerDeadlineNs;
    int timersScheduled;
    int timersCancelled;

    FakeConnection(final ReactorContext reactor)
    {
        this.reactor = reactor;
    }

    String output()
    {
        return written.getStringWithoutLengthAscii(0, writtenBytes);
    }

    void clearOutput()
    {
        writtenBytes = 0;
    }

    public long id()
    {
        return 1;
    }

    public ReactorContext reactor()
    {
        return reactor;
    }

    public ConnState state()
    {
        return closeReason == null ? ConnState.ACTIVE : ConnState.DRAINING;
    }

    public InetSocketAddress remoteAddress()
    {
        return null;
    }

    public boolean write(final DirectBuffer src, final int offset, final int length)
    {
        if (refuseWrites || closeReason != null)
        {
            return false;
        }
        written.putBytes(writtenBytes, src, offset, length);
        writtenBytes += length;
        writeCalls++;
        return true;
    }

    public boolean write(final byte[] src, final int offset, final int length)
    {
        return write(new UnsafeBuffer(src), offset, length);
    }

    public boolean write(final ByteBuffer src)
    {
        final int length = src.remaining();
        if (!write(new UnsafeBuffer(src), src.position(), length))
        {
            return false;
        }
        src.position(src.position() + length);
        return true;
    }

    public void flush()
    {
    }

    public boolean isWritable()
    {
        return writable;
    }

    public int outboundBytes()
    {
        return 0;
    }

    public void shutdownOutput()
    {
    }

    public void close()
    {
        close(CloseReason.LOCAL_CLOSE);
    }

    public void close(final CloseReason reason)
    {
        if (closeReason == null)
        {
            closeReason = reason;
        }
    }

    public void abort()
    {
        close(CloseReason.ABORTED);
    }

    public void pauseReading()
    {
    }

    public void resumeReading()
    {
    }

    public long scheduleTimer(final long deadlineNs)
    {
        lastTimerDeadlineNs = deadlineNs;
        return 100 + timersScheduled++;
    }

    public boolean cancelTimer(final long timerId)
    {
        timersCancelled++;
        return true;
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
