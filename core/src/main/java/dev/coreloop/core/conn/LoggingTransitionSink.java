package dev.coreloop.core.conn;

import dev.coreloop.core.CloseReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An opt-in sink for debugging: logs each transition at debug level on logger {@code dev.coreloop.core.transitions}.
 * It logs <em>on the reactor thread</em>, so it is not the default ({@link TransitionSink#NONE} is); set it with
 * {@code ServerContext.transitionSink(new LoggingTransitionSink())} while chasing a problem. When debug is off it
 * allocates nothing (the level check comes first).
 *
 * <p><b>Threading:</b> any reactor thread; stateless.
 */
public final class LoggingTransitionSink implements TransitionSink
{
    private static final Logger LOG = LoggerFactory.getLogger("dev.coreloop.core.transitions");

    /** Creates the sink; it keeps no state, so one instance can serve every reactor. */
    public LoggingTransitionSink()
    {
    }

    @Override
    public void onTransition(
        final int reactorIndex,
        final long connectionId,
        final int fromCode,
        final int toCode,
        final int eventCode,
        final int reasonCode,
        final long nowNs)
    {
        if (LOG.isDebugEnabled())
        {
            LOG.debug("reactor-{} conn {} {} -> {} on {} reason {} at {}ns", reactorIndex, connectionId,
                ConnState.fromCode(fromCode), ConnState.fromCode(toCode), ConnEvent.fromCode(eventCode),
                CloseReason.fromCode(reasonCode), nowNs);
        }
    }
}
