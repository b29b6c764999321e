package dev.coreloop.core;

import java.net.InetSocketAddress;

import org.agrona.DirectBuffer;

/**
 * What a handler can ask of the reactor that owns it.
 *
 * <p><b>Threading:</b> every method must be called on this reactor's thread unless it says
 * {@code @AnyThread} ({@link #index()}, {@link #reactorCount()}, both {@code execute}, {@link #sendMessage},
 * {@link #maxMessageLength()}); methods that change reactor state check it and throw
 * {@link IllegalStateException} on another thread.
 */
public interface ReactorContext
{
    /** {@return this reactor's index, {@code 0 .. reactorCount() - 1}} */
    int index();

    /** {@return how many reactors the server runs} */
    int reactorCount();

    /** {@return the monotonic clock read once at the start of the current duty cycle, in nanoseconds} */
    long nowNs();

    /** {@return wall-clock time in epoch milliseconds, read once at the start of the current duty cycle} */
    long epochMs();

    /**
     * Runs {@code task} later on this reactor, after the current event, in a safe context (re-entrancy rule).
     *
     * @param task what to run; a {@code Throwable} it throws is counted and does not reach the reactor.
     * @return false if the task queue is full; the task will not run.
     */
    boolean execute(Runnable task);

    /**
     * Runs {@code task} on reactor {@code reactorIndex}. {@code @AnyThread}.
     *
     * @param reactorIndex the reactor to run it on, {@code 0 .. reactorCount() - 1}.
     * @param task         what to run.
     * @return false if that reactor's task queue is full or it has stopped; the task will not run.
     */
    boolean execute(int reactorIndex, Runnable task);

    /**
     * Copies a binary message into reactor {@code reactorIndex}'s message ring; the {@code service} registered
     * there receives it through {@link ReactorService#onMessage} in a later cycle. Allocates nothing.
     * Messages from one reactor to another arrive in the order they were sent.
     *
     * @param reactorIndex the receiving reactor, {@code 0 .. reactorCount() - 1}.
     * @param service      the type the receiving service was registered under
     *                     ({@link ServerContext#reactorService(Class, java.util.function.Function)}).
     * @param msgTypeId    message type chosen by the application, {@code 1 .. 0xFFFF}.
     * @param buffer       holds the message.
     * @param offset       where the message starts in {@code buffer}.
     * @param length       the message length in bytes, at most {@link #maxMessageLength()}.
     * @return false if the ring is full (the caller decides: retry later, or fail the request); never blocks.
     * @throws IllegalArgumentException if the message is larger than {@link #maxMessageLength()}, the type is
     *                                  out of range or the service is not registered.
     */
    boolean sendMessage(int reactorIndex, Class<? extends ReactorService> service, int msgTypeId,
        DirectBuffer buffer, int offset, int length);

    /** {@return the largest message {@link #sendMessage} accepts, in bytes} */
    int maxMessageLength();

    /**
     * Arms a reactor-level timer.
     *
     * @param deadlineNs absolute deadline on the {@link #nowNs()} clock.
     * @param handler    called on this reactor when the deadline passes.
     * @return the timer id, for {@link #cancelTimer(long)}.
     */
    long scheduleTimer(long deadlineNs, TimerHandler handler);

    /**
     * Cancels a reactor-level timer.
     *
     * @param timerId the id {@link #scheduleTimer(long, TimerHandler)} returned.
     * @return true if the timer was armed and had not fired yet.
     */
    boolean cancelTimer(long timerId);

    /**
     * Looks up a per-reactor service. A small array scan by identity; allocates nothing.
     *
     * @param <T>  the service type.
     * @param type the type it was registered under.
     * @return this reactor's instance of the service registered under {@code type}, or null if none was.
     */
    <T extends ReactorService> T service(Class<T> type);

    /**
     * Starts a non-blocking outbound connection owned by this reactor. On success the handler gets
     * {@link ConnectionHandler#onOpened}; on failure or when {@code connectTimeoutMs} passes first it gets
     * {@link ConnectionHandler#onClosed} with {@link CloseReason#CONNECT_FAILED} or
     * {@link CloseReason#CONNECT_TIMEOUT}.
     *
     * <p>The connection uses the context's settings ({@link ServerContext#connectionSettings()}); see
     * {@link #connect(InetSocketAddress, ConnectionHandler, long, ConnectionSettings)} for settings of its own.
     *
     * @param remote           the address to connect to.
     * @param handler          the new connection's handler.
     * @param connectTimeoutMs how long the connect may take.
     * @return the new connection, in state {@code CONNECTING}.
     */
    default Connection connect(InetSocketAddress remote, ConnectionHandler handler, long connectTimeoutMs)
    {
        return connect(remote, handler, connectTimeoutMs, ConnectionSettings.INHERIT);
    }

    /**
     * As {@link #connect(InetSocketAddress, ConnectionHandler, long)}, with settings of its own for this connection:
     * its idle timeout, ring caps, watermarks and write-stall timeout, where they differ from the context's.
     *
     * @param remote           the address to connect to.
     * @param handler          the new connection's handler.
     * @param connectTimeoutMs how long the connect may take.
     * @param settings         where this connection differs from the context; resolved against it here.
     * @return the new connection, in state {@code CONNECTING}.
     * @throws IllegalArgumentException naming the field and the value when the settings do not resolve (a cap
     *                                  outside the buffer pool's range, a watermark above the cap).
     */
    Connection connect(InetSocketAddress remote, ConnectionHandler handler, long connectTimeoutMs,
        ConnectionSettings settings);

    /**
     * Finds an open connection of this reactor. For a task that carries an id across threads: see
     * {@link Server#execute(long, java.util.function.Consumer)}.
     *
     * @param connectionId a {@link Connection#id()}.
     * @return the open connection of this reactor with {@code connectionId}, or null if it has closed (or belongs to
     * another reactor).
     */
    Connection connection(long connectionId);
}
