package dev.coreloop.core.reactor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import dev.coreloop.buffers.ByteRing;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.conn.ConnEvent;
import org.agrona.DirectBuffer;

/**
 * A connection's outbound side: its ring (the backlog, bounded by {@code outboundCapBytes}), the gathering writes of
 * the flush phase, and writability — a flag orthogonal to the lifecycle state, with hysteresis, as in Netty's
 * {@code ChannelOutboundBuffer}:
 * <ul>
 *     <li>a write that takes the backlog above the high watermark makes the connection unwritable; it is writable
 *     again once the backlog falls below the low watermark;</li>
 *     <li>a write refused at the cap (or for lack of pool memory) also makes it unwritable, so a callback always
 *     follows: {@code onWritabilityChanged(false)} after the current callback, then {@code (true)} once there is room
 *     — below the low watermark, or, if the backlog was already below it when the write was refused, once it is empty
 *     — and held input is presented again;</li>
 *     <li>the handler hears only real changes ({@link #reportedWritable} is what it was last told).</li>
 * </ul>
 * OP_WRITE is asked for only after a short write ({@link #awaitingSocket}) and dropped once the backlog is written.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class OutboundPath
{
    private final ReactorConnection conn;
    private final ReactorParts parts;
    final ByteRing ring;

    // Flow control: orthogonal to the lifecycle state.
    /** False while the backlog is above the watermarks (or after a refused write), until it falls below {@link #writableBelowBytes}. */
    boolean writable = true;
    /** What the handler was last told through onWritabilityChanged. */
    boolean reportedWritable = true;
    /** The backlog below which an unwritable connection becomes writable again. */
    int writableBelowBytes;
    /**
     * A write was refused since the handler was last told: it is owed {@code (false)} then {@code (true)} even if the
     * backlog drained before the deferred report ran.
     */
    boolean refusedSinceReport;
    /** True after a short write: OP_WRITE is wanted until the socket takes the rest. */
    boolean awaitingSocket;
    long lastWriteProgressNs;

    OutboundPath(final ReactorConnection conn, final ReactorParts parts)
    {
        this.conn = conn;
        this.parts = parts;
        this.ring = new ByteRing(parts.pool, conn.limits.outboundCapBytes);
        this.writableBelowBytes = conn.limits.lowWatermarkBytes;
    }

    int backlogBytes()
    {
        return ring.readableBytes();
    }

    boolean write(final DirectBuffer src, final int offset, final int length)
    {
        checkLength(length);
        final int before = ring.readableBytes();
        return afterAppend(ring.append(src, offset, length), before);
    }

    boolean write(final byte[] src, final int offset, final int length)
    {
        checkLength(length);
        final int before = ring.readableBytes();
        return afterAppend(ring.append(src, offset, length), before);
    }

    boolean write(final ByteBuffer src)
    {
        checkLength(src.remaining());
        final int before = ring.readableBytes();
        return afterAppend(ring.append(src), before);
    }

    private void checkLength(final int length)
    {
        if (length > conn.limits.outboundCapBytes)
        {
            throw new IllegalArgumentException("write of " + length + " bytes can never fit: outboundCapBytes is " +
                conn.limits.outboundCapBytes + "; write it in parts as onWritabilityChanged allows");
        }
    }

    private boolean afterAppend(final int result, final int backlogBeforeBytes)
    {
        final long nowNs = parts.clock.nowNs();
        if (result < 0)
        {
            parts.stats.increment(ReactorCounter.WRITES_REFUSED);
            if (result == ByteRing.NO_MEMORY)
            {
                parts.stats.increment(ReactorCounter.BUFFER_EXHAUSTED);
            }
            refusedSinceReport = true;
            becomeUnwritable(backlogBeforeBytes > conn.limits.lowWatermarkBytes ?
                conn.limits.lowWatermarkBytes : 1);
            conn.queueFlush(); // re-evaluates writability in the flush phase even if nothing is left to write
            return false;
        }
        final int backlogBytes = ring.readableBytes();
        if (backlogBytes == 0)
        {
            return true;
        }
        if (backlogBeforeBytes == 0)
        {
            lastWriteProgressNs = nowNs;
        }
        if (!awaitingSocket)
        {
            conn.queueFlush();
        }
        if (writable && backlogBytes > conn.limits.highWatermarkBytes)
        {
            becomeUnwritable(conn.limits.lowWatermarkBytes);
        }
        return true;
    }

    private void becomeUnwritable(final int belowBytes)
    {
        if (writable)
        {
            writable = false;
            parts.stats.increment(ReactorCounter.UNWRITABLE);
        }
        writableBelowBytes = Math.min(writableBelowBytes, belowBytes);
        conn.queueCallback(DeferredCallbacks.WRITABILITY);
        conn.updateInterest();
    }

    /** {@return true if the handler is owed a writability report} */
    boolean needsReport()
    {
        return refusedSinceReport || reportedWritable != writable;
    }

    /** Writable again if the backlog is below the mark. @return true if the flag changed. */
    boolean reevaluate()
    {
        if (!writable && ring.readableBytes() < writableBelowBytes)
        {
            writable = true;
            writableBelowBytes = conn.limits.lowWatermarkBytes;
            parts.stats.decrement(ReactorCounter.UNWRITABLE);
            conn.queueCallback(DeferredCallbacks.WRITABILITY);
            conn.updateInterest();
            return true;
        }
        return false;
    }

    /**
     * One gathering write of at most the write budget; raises WRITE_COMPLETE when the backlog empties.
     *
     * @return 1 (work was attempted).
     */
    int drain(final SocketChannel channel, final long nowNs)
    {
        final int offeredBytes = Math.min(ring.readableBytes(), parts.settings.writeBudgetBytes);
        final int written;
        try
        {
            written = ring.drainTo(channel, offeredBytes);
        }
        catch (final IOException ex)
        {
            conn.onIoError(ex);
            return 1;
        }
        parts.stats.increment(ReactorCounter.WRITE_CALLS);
        if (written > 0)
        {
            parts.stats.add(ReactorCounter.BYTES_WRITTEN, written);
            conn.timers().lastActivityNs = nowNs;
            lastWriteProgressNs = nowNs;
        }
        reevaluate();
        if (ring.isEmpty())
        {
            if (awaitingSocket)
            {
                awaitingSocket = false;
                conn.updateInterest();
            }
            conn.fire(ConnEvent.WRITE_COMPLETE);
        }
        else
        {
            final boolean shortWrite = written < offeredBytes;
            if (shortWrite != awaitingSocket)
            {
                awaitingSocket = shortWrite;
                conn.updateInterest();
            }
            if (!shortWrite)
            {
                conn.queueFlush(); // the budget ran out, not the socket: go on next cycle
            }
            conn.timers().armGuard(); // a backlog that remains is guarded by the write-stall timer
        }
        return 1;
    }

    /** The connection closed: an unwritable connection stops counting as one. */
    void onClosed()
    {
        if (!writable)
        {
            writable = true;
            parts.stats.decrement(ReactorCounter.UNWRITABLE);
        }
    }
}
