package dev.coreloop.core.reactor;

import dev.coreloop.core.ServerContext;

/**
 * The numbers a reactor and its connections work with, derived once from the concluded {@link ServerContext}: times
 * in nanoseconds, budgets and watermarks in bytes.
 *
 * <p><b>Threading:</b> immutable; any thread.
 */
final class ReactorSettings
{
    /** The context's connection limits: outbound connections without settings of their own. */
    final ConnectionLimits defaultLimits;
    /** Per listener index: its connections' limits. */
    private final ConnectionLimits[] listenerLimits;
    final long drainTimeoutNs;
    final int readBudgetBytes;
    final int writeBudgetBytes;
    final int maxConnections;

    ReactorSettings(final ServerContext ctx)
    {
        defaultLimits = new ConnectionLimits(ctx.connectionSettings());
        listenerLimits = new ConnectionLimits[ctx.listeners().size()];
        for (int i = 0; i < listenerLimits.length; i++)
        {
            listenerLimits[i] = new ConnectionLimits(ctx.listeners().get(i).settings());
        }
        drainTimeoutNs = ctx.drainTimeoutMs() * 1_000_000L;
        readBudgetBytes = ctx.readBudgetBytes();
        writeBudgetBytes = ctx.writeBudgetBytes();
        maxConnections = ctx.maxConnectionsPerReactor();
    }

    /** @return the limits of a connection accepted on listener {@code listenerIndex}. */
    ConnectionLimits listenerLimits(final int listenerIndex)
    {
        return listenerLimits[listenerIndex];
    }
}
