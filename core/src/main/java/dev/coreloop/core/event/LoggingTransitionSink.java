package dev.coreloop.core.event;

import java.util.concurrent.atomic.AtomicLongArray;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.conn.ConnState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default sink: counts transitions into each state and closes by reason, and logs each transition at
 * debug level. When debug is off it allocates nothing (the level check comes first; the arguments are
 * primitives only boxed inside the enabled branch).
 *
 * <p><b>Threading:</b> any reactor thread; the counts are atomic adds on an {@link AtomicLongArray} (a
 * transition is rare compared with reads and writes, so sharing it between reactors is cheap), readable from
 * any thread.
 */
public final class LoggingTransitionSink implements TransitionSink
{
    private static final Logger LOG = LoggerFactory.getLogger("dev.coreloop.core.transitions");
    private static final ConnState[] STATES = ConnState.values();
    private static final CloseReason[] REASONS = CloseReason.values();

    private final AtomicLongArray entered = new AtomicLongArray(STATES.length);
    private final AtomicLongArray closes = new AtomicLongArray(REASONS.length);

    @Override
    public void onTransition(
        final int reactorIndex,
        final long connectionId,
        final int fromCode,
        final int toCode,
        final int reasonCode,
        final long nowNs)
    {
        entered.getAndIncrement(toCode);
        if (toCode == ConnState.CLOSED.code())
        {
            closes.getAndIncrement(reasonCode);
        }
        if (LOG.isDebugEnabled())
        {
            LOG.debug("reactor-{} conn {} {} -> {} reason {} at {}ns", reactorIndex, connectionId,
                STATES[fromCode], STATES[toCode], REASONS[reasonCode], nowNs);
        }
    }

    /** @return transitions into {@code state} so far. */
    public long enteredCount(final ConnState state)
    {
        return entered.get(state.code());
    }

    /** @return closes with {@code reason} so far. */
    public long closeCount(final CloseReason reason)
    {
        return closes.get(reason.code());
    }
}
