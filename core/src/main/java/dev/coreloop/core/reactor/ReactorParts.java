package dev.coreloop.core.reactor;

import java.nio.ByteBuffer;

import dev.coreloop.buffers.BufferPool;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.conn.TransitionSink;
import dev.coreloop.core.timer.ReactorTimers;

/**
 * What a reactor's connections share with their reactor: settings, counters, the clock of the current cycle, timers,
 * buffer pool, the flush and deferred queues, the registry and the guarded way into user code. One per reactor,
 * created when its thread starts; the agent drives it, the connections use it.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread, except {@link #owner} (see {@link ThreadOwner}).
 */
final class ReactorParts
{
    final int index;
    final String roleName;
    final ServerContext ctx;
    final ReactorSettings settings;
    final ReactorStats stats;
    final ThreadOwner owner;
    final TransitionSink sink;
    final boolean strictTransitions;
    final CycleClock clock;
    final HandlerInvoker invoker;
    final DeferredCallbacks deferred;
    final FlushQueue flushQueue = new FlushQueue();
    final ConnectionRegistry registry;
    /** Scratch space for reads that discard (DRAINING, LINGERING). */
    final ByteBuffer discardScratch;
    ReactorTimers timers;
    BufferPool pool;
    ReactorHandle handle;
    /** True once a graceful shutdown began: new connections are refused. */
    boolean stopping;
    /** The shutdown deadline once {@link #stopping}. */
    long shutdownDeadlineNs;

    ReactorParts(
        final int index,
        final ServerContext ctx,
        final ReactorStats stats,
        final ThreadOwner owner,
        final CycleClock clock,
        final boolean strictTransitions)
    {
        this.index = index;
        this.roleName = "reactor-" + index;
        this.ctx = ctx;
        this.settings = new ReactorSettings(ctx);
        this.stats = stats;
        this.owner = owner;
        this.sink = ctx.transitionSink();
        this.strictTransitions = strictTransitions;
        this.clock = clock;
        this.invoker = new HandlerInvoker(roleName, stats);
        this.deferred = new DeferredCallbacks(stats);
        this.registry = new ConnectionRegistry(index);
        this.discardScratch = ByteBuffer.allocateDirect(Math.min(settings.readBudgetBytes, 16 * 1024));
    }

    /** {@return the end of a lingering read that starts now: the drain timeout, cut short by a shutdown deadline} */
    long lingerDeadlineNs(final long nowNs)
    {
        final long deadlineNs = nowNs + settings.drainTimeoutNs;
        return stopping && shutdownDeadlineNs - deadlineNs < 0 ? shutdownDeadlineNs : deadlineNs;
    }
}
