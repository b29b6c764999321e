package dev.coreloop.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import dev.coreloop.core.conn.ConnState;
import org.agrona.DirectBuffer;

/**
 * One TCP connection, as its handler sees it.
 *
 * <p><b>Threading:</b> owned by one reactor; every method must be called on that reactor's thread
 * (asserted when assertions are enabled). To act on a connection from elsewhere, submit a task to its
 * reactor.
 *
 * <p>Writes go into the connection's outbound ring and leave in the reactor's flush phase, or at once on
 * {@link #flush()}. The ring grows up to a hard cap; above the high watermark the connection becomes
 * unwritable and reading pauses until the backlog falls below the low watermark.
 */
public interface Connection
{
    /** @return an id unique within the server, never reused while the server runs. */
    long id();

    /** @return the reactor that owns this connection. */
    ReactorContext reactor();

    /** @return the current state (see docs/connection-states.md). */
    ConnState state();

    /** @return the peer's address, or null once closed. Allocates on first call; not for hot paths. */
    InetSocketAddress remoteAddress();

    /**
     * Appends bytes to the outbound ring, all or nothing.
     *
     * @return false if they would take the backlog beyond the hard cap, or the output is shut down or closed:
     * nothing was written. Stop producing and wait for {@link ConnectionHandler#onWritabilityChanged}.
     */
    boolean write(DirectBuffer src, int offset, int length);

    /** As {@link #write(DirectBuffer, int, int)}, from a byte array. */
    boolean write(byte[] src, int offset, int length);

    /** As {@link #write(DirectBuffer, int, int)}, from the remaining bytes of {@code src}; its position advances only on success. */
    boolean write(ByteBuffer src);

    /** Tries to write the outbound backlog to the socket now rather than in the flush phase. */
    void flush();

    /** @return false while the backlog is above the high watermark (until it falls below the low one). */
    boolean isWritable();

    /** @return bytes waiting in the outbound ring. */
    int outboundBytes();

    /**
     * After the backlog is written, sends FIN (shutdownOutput) and keeps reading. Further writes are refused.
     */
    void shutdownOutput();

    /**
     * Graceful close: stop reading new requests, write the backlog, send FIN, drain input briefly
     * (lingering close, so the peer receives the reply rather than a reset), then close. A deadline bounds it.
     */
    void close();

    /** As {@link #close()}, recording {@code reason} (for example {@link CloseReason#PROTOCOL_ERROR} after an error reply). */
    void close(CloseReason reason);

    /** Closes at once with a reset (SO_LINGER 0): the backlog is discarded. */
    void abort();

    /** Stops read interest until {@link #resumeReading()}. The idle timer keeps running, so this cannot hang forever. */
    void pauseReading();

    /** Restores read interest paused by {@link #pauseReading()}. */
    void resumeReading();

    /**
     * Arms a timer for this connection; {@link ConnectionHandler#onTimer} gets it. Timers die with the connection.
     *
     * @param deadlineNs absolute deadline on {@link ReactorContext#nowNs()}'s clock.
     * @return the timer id.
     */
    long scheduleTimer(long deadlineNs);

    /** @return true if the timer was armed and had not fired. */
    boolean cancelTimer(long timerId);
}
