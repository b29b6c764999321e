package dev.coreloop.core.reactor;

import java.util.List;

import dev.coreloop.core.ReactorService;
import dev.coreloop.core.ServerContext;
import org.agrona.DirectBuffer;

/**
 * A reactor's instances of the services registered with {@link ServerContext#reactorService}: created and started
 * when the reactor starts, given their messages, closed when it stops. Every call into them is guarded.
 *
 * <p><b>Threading:</b> created and used on the owning reactor thread; {@link #service} reads the array the reactor
 * filled at start (handlers call it on the reactor thread).
 */
final class ReactorServices
{
    private final Class<?>[] types;
    private final ReactorService[] services;

    ReactorServices(final ServerContext ctx)
    {
        final List<ServerContext.ServiceRegistration<?>> registrations = ctx.reactorServices();
        this.types = new Class<?>[registrations.size()];
        this.services = new ReactorService[registrations.size()];
        for (int i = 0; i < types.length; i++)
        {
            types[i] = registrations.get(i).type();
        }
    }

    /** {@return the registered types, in registration order} */
    Class<?>[] types()
    {
        return types;
    }

    /** Creates and starts every service. A throw here fails the reactor's start. */
    void start(final ServerContext ctx, final ReactorHandle handle)
    {
        final List<ServerContext.ServiceRegistration<?>> registrations = ctx.reactorServices();
        for (int i = 0; i < services.length; i++)
        {
            services[i] = registrations.get(i).factory().apply(handle);
            if (services[i] == null)
            {
                throw new IllegalStateException("service factory for " + types[i].getName() + " returned null");
            }
        }
        for (final ReactorService service : services)
        {
            service.onStart();
        }
    }

    void onMessage(final HandlerInvoker invoker, final int serviceIndex, final int sourceReactor, final int msgTypeId,
        final DirectBuffer buffer, final int offset, final int length)
    {
        invoker.onMessage(services[serviceIndex], sourceReactor, msgTypeId, buffer, offset, length);
    }

    /** Closes every service that was created; a throw is reported and the others still close. */
    void close(final HandlerInvoker invoker)
    {
        for (final ReactorService service : services)
        {
            if (service != null)
            {
                invoker.runTask(service::onClose);
            }
        }
    }

    @SuppressWarnings("unchecked")
    <T extends ReactorService> T service(final Class<T> type)
    {
        for (int i = 0; i < types.length; i++)
        {
            if (types[i] == type)
            {
                return (T)services[i];
            }
        }
        return null;
    }
}
