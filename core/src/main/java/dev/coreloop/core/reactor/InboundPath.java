package dev.coreloop.core.reactor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import dev.coreloop.buffers.ByteRing;
import dev.coreloop.core.CloseReason;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.conn.ConnEvent;
import org.agrona.DirectBuffer;

/**
 * A connection's inbound side: reads into its ring within the per-connection read budget, delivery of whole
 * unconsumed input to {@code onData}, and the discarding reads of a closing connection (DRAINING, LINGERING).
 *
 * <p>Reading never spins: read interest is dropped while the ring is full, so a handler that holds input (because it
 * cannot write, or paused) is not woken by a level-triggered selector every cycle; held input is presented again
 * when the reason goes away (writable again, {@code resumeReading()}). A handler that is free to produce and still
 * consumes nothing from a full ring holds a frame that can never complete: INBOUND_OVERFLOW.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class InboundPath
{
    private final ReactorConnection conn;
    private final ReactorParts parts;
    final ByteRing ring;

    InboundPath(final ReactorConnection conn, final ReactorParts parts)
    {
        this.conn = conn;
        this.parts = parts;
        this.ring = new ByteRing(parts.pool, conn.limits.inboundCapBytes);
    }

    boolean isFull()
    {
        return ring.readableBytes() >= ring.maxCapacityBytes();
    }

    /** Reads and delivers until the budget, the socket or the handler says stop. */
    void read(final SocketChannel channel, final long nowNs)
    {
        int budgetBytes = parts.settings.readBudgetBytes;
        while (budgetBytes > 0 && conn.interest().mayRead())
        {
            final int result;
            try
            {
                result = ring.fillFrom(channel, budgetBytes);
            }
            catch (final IOException ex)
            {
                conn.onIoError(ex);
                return;
            }
            parts.stats.increment(ReactorCounter.READ_CALLS);
            if (result > 0)
            {
                final boolean socketMayHaveMore = result == budgetBytes || isFull();
                parts.stats.add(ReactorCounter.BYTES_READ, result);
                budgetBytes -= result;
                conn.timers().lastActivityNs = nowNs;
                conn.fire(ConnEvent.READ_DATA);
                if (!deliver() || !socketMayHaveMore)
                {
                    break;
                }
            }
            else if (result == 0)
            {
                break;
            }
            else if (result == ByteRing.EOF)
            {
                conn.fire(ConnEvent.READ_EOF);
                return;
            }
            else
            {
                if (result == ByteRing.NO_MEMORY)
                {
                    parts.stats.increment(ReactorCounter.BUFFER_EXHAUSTED);
                    conn.fire(ConnEvent.INBOUND_OVERFLOW, CloseReason.INBOUND_OVERFLOW);
                    return;
                }
                break; // FULL: the handler holds input; interest is dropped below until it is presented again
            }
        }
        conn.updateInterest();
    }

    /**
     * Presents every unconsumed inbound byte to the handler and consumes what it returns.
     *
     * @return true if the connection may go on reading.
     */
    boolean deliver()
    {
        final int readableBytes = ring.readableBytes();
        if (readableBytes == 0)
        {
            return conn.interest().mayRead();
        }
        final DirectBuffer view = ring.linearise();
        final int offset = ring.readOffset();
        final int consumed = parts.invoker.onData(conn, view, offset, readableBytes);
        if (consumed < 0 || !conn.interest().mayDeliver())
        {
            return false; // it threw (closing), or closed or half-closed itself inside the callback
        }
        if (consumed > readableBytes)
        {
            parts.invoker.report("onData of connection " + conn.id(), new IllegalStateException(
                "onData returned " + consumed + " for " + readableBytes + " readable bytes"));
            conn.fire(ConnEvent.HANDLER_ERROR, CloseReason.HANDLER_ERROR);
            return false;
        }
        if (consumed > 0)
        {
            ring.consume(consumed);
        }
        else if (readableBytes >= ring.maxCapacityBytes() && !conn.interest().mayHoldInput() &&
            conn.lifecycleState() != dev.coreloop.core.conn.ConnState.INPUT_CLOSED)
        {
            conn.fire(ConnEvent.INBOUND_OVERFLOW, CloseReason.INBOUND_OVERFLOW);
            return false;
        }
        return conn.interest().mayRead();
    }

    /** Reads and discards (DRAINING, LINGERING): the peer gets our reply, not a reset for unread data. */
    void discard(final SocketChannel channel, final long nowNs)
    {
        final ByteBuffer scratch = parts.discardScratch;
        int budgetBytes = parts.settings.readBudgetBytes;
        while (budgetBytes > 0 && conn.interest().isDiscarding())
        {
            scratch.clear();
            final int result;
            try
            {
                result = channel.read(scratch);
            }
            catch (final IOException ex)
            {
                conn.onIoError(ex);
                return;
            }
            parts.stats.increment(ReactorCounter.READ_CALLS);
            if (result > 0)
            {
                parts.stats.add(ReactorCounter.BYTES_READ, result);
                budgetBytes -= result;
                conn.fire(ConnEvent.READ_DATA);
            }
            else if (result == 0)
            {
                return;
            }
            else
            {
                conn.fire(ConnEvent.READ_EOF);
                return;
            }
        }
    }
}
