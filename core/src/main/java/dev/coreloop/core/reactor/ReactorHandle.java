package dev.coreloop.core.reactor;

import dev.coreloop.core.AnyThread;
import java.net.InetSocketAddress;

import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ConnectionSettings;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.ReactorService;
import dev.coreloop.core.TimerHandler;
import dev.coreloop.core.conn.ConnState;
import org.agrona.DirectBuffer;

/**
 * The {@link ReactorContext} handed to handlers, factories and services: what user code may ask of its reactor, and
 * nothing more (it is not the agent, so it cannot be cast to one to reach the duty cycle).
 *
 * <p><b>Threading:</b> methods marked {@code @AnyThread} in {@link ReactorContext} may be called from any thread; the
 * others check that they run on the owning reactor thread and throw {@link IllegalStateException} otherwise.
 */
final class ReactorHandle implements ReactorContext
{
    private final ReactorParts parts;
    private final ReactorProxy proxy;
    private final ReactorServices services;
    private final OutboundConnector connector;
    private ReactorProxy[] proxies;

    ReactorHandle(
        final ReactorParts parts,
        final ReactorProxy proxy,
        final ReactorServices services,
        final OutboundConnector connector)
    {
        this.parts = parts;
        this.proxy = proxy;
        this.services = services;
        this.connector = connector;
        this.proxies = new ReactorProxy[] { proxy };
    }

    void proxies(final ReactorProxy[] proxies)
    {
        this.proxies = proxies;
    }

    @Override
    public int index()
    {
        return parts.index;
    }

    @Override
    public int reactorCount()
    {
        return proxies.length;
    }

    @Override
    public long nowNs()
    {
        return parts.clock.nowNs();
    }

    @Override
    public long epochMs()
    {
        return parts.clock.epochMs();
    }

    @Override
    public boolean execute(final Runnable task)
    {
        return proxy.execute(task);
    }

    @Override
    public boolean execute(final int reactorIndex, final Runnable task)
    {
        checkReactorIndex(reactorIndex);
        return proxies[reactorIndex].execute(task);
    }

    @Override
    public boolean sendMessage(
        final int reactorIndex,
        final Class<? extends ReactorService> service,
        final int msgTypeId,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        if (msgTypeId < 1 || msgTypeId > 0xFFFF)
        {
            throw new IllegalArgumentException("msgTypeId=" + msgTypeId + ": must be in 1..65535");
        }
        if (length < 0 || length > maxMessageLength())
        {
            throw new IllegalArgumentException("length=" + length + ": must be in 0.." + maxMessageLength());
        }
        checkReactorIndex(reactorIndex);
        final ReactorProxy target = proxies[reactorIndex];
        final int serviceIndex = target.serviceIndex(service);
        if (serviceIndex < 0)
        {
            throw new IllegalArgumentException("service " + (service == null ? null : service.getName()) +
                " is not registered");
        }
        return target.sendMessage(parts.index, serviceIndex, msgTypeId, buffer, offset, length);
    }

    private void checkReactorIndex(final int reactorIndex)
    {
        if (reactorIndex < 0 || reactorIndex >= proxies.length)
        {
            throw new IllegalArgumentException("reactorIndex=" + reactorIndex + ": must be in 0.." +
                (proxies.length - 1));
        }
    }

    @Override
    public int maxMessageLength()
    {
        return proxy.maxMessageLength();
    }

    @Override
    public long scheduleTimer(final long deadlineNs, final TimerHandler handler)
    {
        parts.owner.check("ReactorContext.scheduleTimer");
        if (handler == null)
        {
            throw new IllegalArgumentException("handler=null: must not be null");
        }
        return parts.timers.schedule(deadlineNs, handler);
    }

    @Override
    public boolean cancelTimer(final long timerId)
    {
        parts.owner.check("ReactorContext.cancelTimer");
        final Object owner = parts.timers.owner(timerId);
        return owner instanceof TimerHandler && parts.timers.cancel(timerId, owner);
    }

    @Override
    public <T extends ReactorService> T service(final Class<T> type)
    {
        return services.service(type);
    }

    @Override
    public Connection connect(final InetSocketAddress remote, final ConnectionHandler handler, final long connectTimeoutMs,
        final ConnectionSettings settings)
    {
        parts.owner.check("ReactorContext.connect");
        return connector.connect(remote, handler, connectTimeoutMs, settings);
    }

    @Override
    public Connection connection(final long connectionId)
    {
        parts.owner.check("ReactorContext.connection");
        final ReactorConnection conn = parts.registry.get(connectionId);
        return conn == null || conn.lifecycleState() == ConnState.CLOSED ? null : conn;
    }

    @Override
    public String toString()
    {
        return parts.roleName;
    }
}
