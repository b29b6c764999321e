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
    final long idleTimeoutNs;
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
}
