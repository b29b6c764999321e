package dev.coreloop.core.reactor;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.ReactorService;
import dev.coreloop.core.TimerHandler;
import dev.coreloop.core.conn.ConnEvent;
import org.agrona.DirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every call from the reactor into user code: connection handlers, handler factories, tasks, services and
 * reactor-level timers. Each call catches {@link Throwable}, so a handler's {@code StackOverflowError},
 * {@code AssertionError} or linkage error closes only its own connection with {@link CloseReason#HANDLER_ERROR} (or,
 * for code not tied to a connection, is counted and reported) and never reaches the duty cycle.
 *
 * <p>Errors are counted in {@link ReactorCounter#HANDLER_ERRORS}. The first error of each class is logged with its
 * stack trace; later ones of the same class are logged once every {@link #LOG_EVERY} occurrences, so a handler that
 * throws on every request cannot flood the log.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class HandlerInvoker
{
    /** After its first, an error class is logged once per this many occurrences. */
    static final long LOG_EVERY = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(HandlerInvoker.class);

    private final String roleName;
    private final ReactorStats stats;
    private final org.agrona.collections.Object2LongHashMap<Class<?>> errorsByClass =
        new org.agrona.collections.Object2LongHashMap<>(0);

    HandlerInvoker(final String roleName, final ReactorStats stats)
    {
        this.roleName = roleName;
        this.stats = stats;
    }

    /** {@return what {@code onData} returned, or -1 if it threw (the connection is then closing)} */
    int onData(final ReactorConnection conn, final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            return conn.handler().onData(conn, buffer, offset, length);
        }
        catch (final Throwable ex)
        {
            onConnectionError(conn, "onData", ex);
            return -1;
        }
    }

    void onOpened(final ReactorConnection conn)
    {
        try
        {
            conn.handler().onOpened(conn);
        }
        catch (final Throwable ex)
        {
            onConnectionError(conn, "onOpened", ex);
        }
    }

    void onInputClosed(final ReactorConnection conn)
    {
        try
        {
            conn.handler().onInputClosed(conn);
        }
        catch (final Throwable ex)
        {
            onConnectionError(conn, "onInputClosed", ex);
        }
    }

    void onWritabilityChanged(final ReactorConnection conn, final boolean writable)
    {
        try
        {
            conn.handler().onWritabilityChanged(conn, writable);
        }
        catch (final Throwable ex)
        {
            onConnectionError(conn, "onWritabilityChanged", ex);
        }
    }

    void onTimer(final ReactorConnection conn, final long timerId, final long nowNs)
    {
        try
        {
            conn.handler().onTimer(conn, timerId, nowNs);
        }
        catch (final Throwable ex)
        {
            onConnectionError(conn, "onTimer", ex);
        }
    }

    /** The last call: a throw is counted and reported, and there is nothing left to close. */
    void onClosed(final ReactorConnection conn, final CloseReason reason)
    {
        try
        {
            conn.handler().onClosed(conn, reason);
        }
        catch (final Throwable ex)
        {
            report("onClosed of connection " + conn.id(), ex);
        }
    }

    /** {@return the new handler, or null if the factory threw or returned null (the connection then closes)} */
    ConnectionHandler newHandler(final dev.coreloop.core.ConnectionHandlerFactory factory, final ReactorHandle reactor,
        final ReactorConnection conn)
    {
        ConnectionHandler handler = null;
        try
        {
            handler = factory.newHandler(reactor);
            if (handler == null)
            {
                throw new IllegalStateException("handler factory " + factory + " returned null");
            }
        }
        catch (final Throwable ex)
        {
            onConnectionError(conn, "ConnectionHandlerFactory.newHandler", ex);
        }
        return handler;
    }

    /** {@return true if the task ran without throwing} */
    boolean runTask(final Runnable task)
    {
        try
        {
            task.run();
            return true;
        }
        catch (final Throwable ex)
        {
            report("task " + task.getClass().getName(), ex);
            return false;
        }
    }

    void onMessage(final ReactorService service, final int sourceReactor, final int msgTypeId,
        final DirectBuffer buffer, final int offset, final int length)
    {
        try
        {
            service.onMessage(sourceReactor, msgTypeId, buffer, offset, length);
        }
        catch (final Throwable ex)
        {
            report("service " + service.getClass().getName() + " on message type " + msgTypeId, ex);
        }
    }

    void onTimer(final TimerHandler handler, final long timerId, final long nowNs)
    {
        try
        {
            handler.onTimer(timerId, nowNs);
        }
        catch (final Throwable ex)
        {
            report("timer handler " + handler.getClass().getName(), ex);
        }
    }

    private void onConnectionError(final ReactorConnection conn, final String callback, final Throwable ex)
    {
        report(callback + " of connection " + conn.id() + " (closing it)", ex);
        conn.fire(ConnEvent.HANDLER_ERROR, CloseReason.HANDLER_ERROR);
    }

    /** Counts a throw from user code and logs it, rate-limited per error class. */
    void report(final String where, final Throwable ex)
    {
        stats.increment(ReactorCounter.HANDLER_ERRORS);
        final long seen = errorsByClass.getValue(ex.getClass());
        final long count = (seen == errorsByClass.missingValue() ? 0 : seen) + 1;
        errorsByClass.put(ex.getClass(), count);
        if (count == 1)
        {
            LOG.warn("{}: {} threw", roleName, where, ex);
        }
        else if (count % LOG_EVERY == 0)
        {
            LOG.warn("{}: {} threw {} ({} times so far; logged once per {})", roleName, where, ex, count, LOG_EVERY);
        }
    }
}
