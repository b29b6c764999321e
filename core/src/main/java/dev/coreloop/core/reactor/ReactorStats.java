package dev.coreloop.core.reactor;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.status.ServerCounters;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * The writer of one reactor's row of counters.
 *
 * <p><b>Threading:</b> written by the owning reactor thread only (plain read, release store); any thread reads the
 * counters with acquire loads.
 */
final class ReactorStats
{
    private final AtomicCounter[] counters = new AtomicCounter[ReactorCounter.ID_LIMIT];

    ReactorStats(final ServerCounters serverCounters, final int reactorIndex)
    {
        for (final ReactorCounter counter : ReactorCounter.values())
        {
            counters[counter.id()] = serverCounters.counter(reactorIndex, counter);
        }
    }

    void increment(final ReactorCounter counter)
    {
        final AtomicCounter atomicCounter = counters[counter.id()];
        atomicCounter.setRelease(atomicCounter.getPlain() + 1); // release: pairs with the readers' acquire loads
    }

    void decrement(final ReactorCounter counter)
    {
        final AtomicCounter atomicCounter = counters[counter.id()];
        atomicCounter.setRelease(atomicCounter.getPlain() - 1); // release: pairs with the readers' acquire loads
    }

    void add(final ReactorCounter counter, final long delta)
    {
        if (delta != 0)
        {
            final AtomicCounter atomicCounter = counters[counter.id()];
            atomicCounter.setRelease(atomicCounter.getPlain() + delta); // release: pairs with the readers' acquire loads
        }
    }

    /** Stores a gauge's new value; no store when it is unchanged (most cycles), so readers' cache lines stay put. */
    void set(final ReactorCounter counter, final long value)
    {
        final AtomicCounter atomicCounter = counters[counter.id()];
        if (atomicCounter.getPlain() != value)
        {
            atomicCounter.setRelease(value); // release: pairs with the readers' acquire loads
        }
    }

    void proposeMax(final ReactorCounter counter, final long value)
    {
        counters[counter.id()].proposeMaxRelease(value);
    }

    /** A connection left {@code from} for {@code to}: moves the state gauges, counts a close by reason. */
    void onTransition(final ConnState from, final ConnState to, final CloseReason reason)
    {
        decrement(ReactorCounter.forState(from));
        if (to == ConnState.CLOSED)
        {
            increment(ReactorCounter.CLOSED);
            increment(ReactorCounter.forCloseReason(reason));
        }
        else
        {
            increment(ReactorCounter.forState(to));
        }
    }
}
