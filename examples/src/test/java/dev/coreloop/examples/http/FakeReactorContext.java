package dev.coreloop.examples.http;

import java.net.InetSocketAddress;

import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ConnectionSettings;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.ReactorService;
import dev.coreloop.core.TimerHandler;
import org.agrona.DirectBuffer;

/**
 * A reactor for handler unit tests: one {@link HttpDateService}, a settable wall clock, and nothing else.
 *
 * <p><b>Threading:</b> single test thread.
 */
final class FakeReactorContext implements ReactorContext
{
    private final HttpDateService dateService;
    long epochMs = 784_111_777_000L; // Sun, 06 Nov 1994 08:49:37 GMT
    long nowNs;

    FakeReactorContext(final HttpDateService dateService)
    {
        this.dateService = dateService;
    }

    public int index()
    {
        return 0;
    }

    public int reactorCount()
    {
        return 1;
    }

    public long nowNs()
    {
        return nowNs;
    }

    public long epochMs()
    {
        return epochMs;
    }

    public boolean execute(final Runnable task)
    {
        throw new UnsupportedOperationException("not used by the HTTP handler");
    }

    public boolean execute(final int reactorIndex, final Runnable task)
    {
        throw new UnsupportedOperationException("not used by the HTTP handler");
    }

    public boolean sendMessage(
        final int reactorIndex,
        final Class<? extends ReactorService> service,
        final int msgTypeId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        throw new UnsupportedOperationException("not used by the HTTP handler");
    }

    public int maxMessageLength()
    {
        return 0;
    }

    public long scheduleTimer(final long deadlineNs, final TimerHandler handler)
    {
        throw new UnsupportedOperationException("not used by the HTTP handler");
    }

    public boolean cancelTimer(final long timerId)
    {
        return false;
    }

    public <T extends ReactorService> T service(final Class<T> type)
    {
        return type == HttpDateService.class && dateService != null ? type.cast(dateService) : null;
    }

    public Connection connect(final InetSocketAddress remote, final ConnectionHandler handler, final long connectTimeoutMs,
        final ConnectionSettings settings)
    {
        throw new UnsupportedOperationException("not used by the HTTP handler");
    }

    @Override
    public Connection connection(final long connectionId)
    {
        return null;
    }
}
