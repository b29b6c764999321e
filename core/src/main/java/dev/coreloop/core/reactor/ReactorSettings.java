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
    /** The context's idle timeout: outbound connections, and listeners that set none. */
    final long idleTimeoutNs;
    /** Per listener index: its connections' idle timeout. */
    private final long[] listenerIdleTimeoutNs;
    final long writeStallTimeoutNs;
    final long drainTimeoutNs;
    final int readBudgetBytes;
    final int writeBudgetBytes;
    final int highWatermarkBytes;
    final int lowWatermarkBytes;
    final int inboundCapBytes;
    final int outboundCapBytes;
    final int maxConnections;

    ReactorSettings(final ServerContext ctx)
    {
        idleTimeoutNs = ctx.idleTimeoutMs() * 1_000_000L;
        listenerIdleTimeoutNs = new long[ctx.listeners().size()];
        for (int i = 0; i < listenerIdleTimeoutNs.length; i++)
        {
            final long listenerMs = ctx.listeners().get(i).idleTimeoutMs();
            listenerIdleTimeoutNs[i] = listenerMs > 0 ? listenerMs * 1_000_000L : idleTimeoutNs;
        }
        writeStallTimeoutNs = ctx.writeStallTimeoutMs() * 1_000_000L;
        drainTimeoutNs = ctx.drainTimeoutMs() * 1_000_000L;
        readBudgetBytes = ctx.readBudgetBytes();
        writeBudgetBytes = ctx.writeBudgetBytes();
        highWatermarkBytes = ctx.highWatermarkBytes();
        lowWatermarkBytes = ctx.lowWatermarkBytes();
        inboundCapBytes = ctx.inboundCapBytes();
        outboundCapBytes = ctx.outboundCapBytes();
        maxConnections = ctx.maxConnectionsPerReactor();
    }

    /** @return the idle timeout of a connection accepted on listener {@code listenerIndex} (-1: outbound). */
    long idleTimeoutNs(final int listenerIndex)
    {
        return listenerIndex >= 0 && listenerIndex < listenerIdleTimeoutNs.length ?
            listenerIdleTimeoutNs[listenerIndex] : idleTimeoutNs;
    }
}
