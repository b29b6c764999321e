package dev.coreloop.core.reactor;

import dev.coreloop.affinity.PinResult;
import dev.coreloop.affinity.PinSample;
import dev.coreloop.core.status.PinState;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.status.ServerCounters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reactor's once-a-second chores, on a timer of its own: the heartbeat ({@link ReactorCounter#HEARTBEAT_MS}, and
 * for reactor-0 the counters file's header) and the pin watch ({@code ThreadPinner.samplePin}: the CPU it runs on,
 * migrations, and whether its allowed CPU set still is the one it was pinned to). A sample that finds the pin lost
 * sets {@link ReactorCounter#PIN_STATUS} to {@link PinState#LOST}; the pinner logs it once and, in strict mode,
 * re-applies the plan.
 *
 * <p>Like every periodic timer here it is re-armed from the time it fired, so after a stall it fires once, not once
 * per missed second. The sample allocates (the JNA calls behind it), which is why it runs once a second and never per
 * cycle.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class ReactorHousekeeping
{
    /** How often the chores run. */
    static final long INTERVAL_NS = 1_000_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(ReactorHousekeeping.class);

    private final ReactorParts parts;
    private final ServerCounters serverCounters;
    private PinResult.Status startStatus;
    private boolean sampleFailureLogged;

    ReactorHousekeeping(final ReactorParts parts, final ServerCounters serverCounters)
    {
        this.parts = parts;
        this.serverCounters = serverCounters;
    }

    /** The reactor started (its thread pinned with {@code pin}): first chores now, the next in a second. */
    void start(final PinResult pin, final long nowNs)
    {
        startStatus = pin == null ? null : pin.status();
        parts.stats.set(ReactorCounter.PIN_STATUS, PinState.of(startStatus).code());
        onTick(nowNs);
    }

    /** The timer fired (or the reactor starts): heartbeat, pin sample, re-arm. */
    void onTick(final long nowNs)
    {
        serverCounters.heartbeat(parts.index, parts.clock.epochMs());
        samplePin();
        parts.timers.schedule(nowNs + INTERVAL_NS, this);
    }

    private void samplePin()
    {
        final PinSample sample;
        try
        {
            sample = parts.ctx.pinner().samplePin(parts.roleName);
        }
        catch (final Throwable ex) // the pinner may be the application's (ServerContext.pinner): it must not stop us
        {
            if (!sampleFailureLogged)
            {
                sampleFailureLogged = true;
                LOG.warn("{}: cannot sample its CPU and pin (logged once): {}", parts.roleName, ex.toString());
            }
            return;
        }
        if (sample == null || sample == PinSample.NONE)
        {
            return;
        }
        final ReactorStats stats = parts.stats;
        stats.set(ReactorCounter.CURRENT_CPU, sample.cpu());
        stats.set(ReactorCounter.PLANNED_CPU, sample.plannedCpu());
        stats.set(ReactorCounter.CPU_MIGRATIONS, sample.migrations());
        stats.set(ReactorCounter.PIN_CHANGES, sample.pinChanges());
        stats.set(ReactorCounter.PIN_RESTORES, sample.pinRestores());
        stats.set(ReactorCounter.PIN_STATUS, sample.lost() ? PinState.LOST.code() : PinState.of(
            sample.startStatus() != null ? sample.startStatus() : startStatus).code());
    }

    /** {@return true for the owner of this reactor's housekeeping timer} */
    boolean owns(final Object timerOwner)
    {
        return timerOwner == this;
    }
}
