package dev.coreloop.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import dev.coreloop.core.conn.ConnState;
import org.agrona.DirectBuffer;

/**
 * One TCP connection, as its handler sees it.
 *
 * <p><b>Threading:</b> owned by one reactor; every method must be called on that reactor's thread, and each checks it
 * (always, not only with assertions on), throwing an {@link IllegalStateException} that names the method and both
 * threads. To act on a connection from another thread use {@link Server#execute(long, java.util.function.Consumer)}
 * (by id) or {@link ReactorContext#execute(int, Runnable)}; {@link #id()} may be read from any thread.
 *
 * <p>Writes go into the connection's outbound ring and leave in the reactor's flush phase, or at once on
 * {@link #flush()}. The backlog is bounded by {@code outboundCapBytes}. Writability is a flag, separate from the
 * lifecycle {@link #state()}: above the high watermark the connection is unwritable until the backlog falls below
 * the low watermark, and the handler hears each real change through
 * {@link ConnectionHandler#onWritabilityChanged}. Whose reads pause meanwhile is {@link #readPausePolicy()}.
 */
public interface Connection
{
    /** {@return an id unique within the server, never reused while the server runs. Any thread} */
    long id();

    /** {@return the reactor that owns this connection} */
    ReactorContext reactor();

    /** {@return the current lifecycle state (see docs/connection-states.md)} */
    ConnState state();

    /** {@return the peer's address, or null once closed. Allocates on first call; not for hot paths} */
    InetSocketAddress remoteAddress();

    /**
     * Appends bytes to the outbound ring, all or nothing.
     *
     * @param src    the bytes to write.
     * @param offset where they start in {@code src}.
     * @param length how many to write.
     * @return true if appended. False if they would take the backlog beyond {@code outboundCapBytes} (or the buffer
     * pool is empty), or the connection no longer accepts writes (output shut down, closing, closed): nothing was
     * written. A write refused for room always leads to a later callback: the connection turns unwritable
     * ({@code onWritabilityChanged(false)} after the current callback returns), then writable again once the backlog
     * has drained ({@code onWritabilityChanged(true)}), and input the handler held meanwhile is presented again.
     * @throws IllegalArgumentException if {@code length} exceeds {@code outboundCapBytes}: such a write can never
     *                                  fit; write it in parts.
     */
    boolean write(DirectBuffer src, int offset, int length);

    /**
     * As {@link #write(DirectBuffer, int, int)}, from a byte array.
     *
     * @param src    the bytes to write.
     * @param offset where they start in {@code src}.
     * @param length how many to write.
     * @return true if appended; false if refused (see {@link #write(DirectBuffer, int, int)}).
     */
    boolean write(byte[] src, int offset, int length);

    /**
     * As {@link #write(DirectBuffer, int, int)}, from the remaining bytes of {@code src}; its position advances only on
     * success.
     *
     * @param src the bytes to write, from its position to its limit.
     * @return true if appended; false if refused (see {@link #write(DirectBuffer, int, int)}).
     */
    boolean write(ByteBuffer src);

    /** Tries to write the outbound backlog to the socket now rather than in the flush phase. */
    void flush();

    /**
     * {@return true if writes are accepted now and the connection is not unwritable (backlog above the high watermark,
     * or a write refused, until the backlog drains below the low watermark)}
     */
    boolean isWritable();

    /** {@return bytes waiting in the outbound ring} */
    int outboundBytes();

    /**
     * After the backlog is written, sends FIN (shutdownOutput) and keeps reading. Further writes are refused. On a
     * connection still CONNECTING it takes effect once connected (after what was written meanwhile).
     */
    void shutdownOutput();

    /**
     * Graceful close: stop delivering input, write the backlog, send FIN, drain input briefly (lingering close, so the
     * peer receives the reply rather than a reset), then close. A deadline ({@code drainTimeoutMs}) bounds it.
     * Records {@link CloseReason#LOCAL_CLOSE}, or {@link CloseReason#PEER_CLOSED} after the peer's FIN.
     */
    void close();

    /**
     * As {@link #close()}, recording {@code reason} (for example {@link CloseReason#PROTOCOL_ERROR} after an error
     * reply).
     *
     * @param reason what {@link ConnectionHandler#onClosed} and the transition log will report.
     */
    void close(CloseReason reason);

    /** Closes at once with a reset (SO_LINGER 0): the backlog is discarded. */
    void abort();

    /**
     * Stops reading until {@link #resumeReading()}. Input already received and not consumed is kept. The idle timer
     * keeps running, so a pause cannot hang a connection forever.
     */
    void pauseReading();

    /** Ends a {@link #pauseReading()}: read interest returns and held input is presented again. */
    void resumeReading();

    /**
     * {@return whose reads pause when this connection's backlog is high; {@link ReadPausePolicy#OWN_BACKLOG} unless
     * set}
     */
    ReadPausePolicy readPausePolicy();

    /**
     * Sets whose reads pause when this connection's backlog is high.
     *
     * @param policy {@link ReadPausePolicy#OWN_BACKLOG} (request/response) or {@link ReadPausePolicy#MANUAL} (a relay).
     */
    void readPausePolicy(ReadPausePolicy policy);

    /**
     * Arms a timer for this connection; {@link ConnectionHandler#onTimer} gets it. Timers die with the connection:
     * closing cancels every timer it has armed.
     *
     * @param deadlineNs absolute deadline on {@link ReactorContext#nowNs()}'s clock.
     * @return the timer id; ids are never reused, so a stale id cancels nothing.
     * @throws IllegalStateException if the connection is closed.
     */
    long scheduleTimer(long deadlineNs);

    /**
     * Cancels a timer armed with {@link #scheduleTimer(long)}.
     *
     * @param timerId the id {@link #scheduleTimer(long)} returned.
     * @return true if the timer was armed by this connection and had not fired or been cancelled.
     */
    boolean cancelTimer(long timerId);
}
