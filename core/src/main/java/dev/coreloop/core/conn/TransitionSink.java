package dev.coreloop.core.conn;

/**
 * Receives every connection state change as a fixed set of primitives (reactor, connection id, from, to, event,
 * reason, time), so a sink can record it without allocating.
 *
 * <p><b>Threading:</b> called on the reactor thread that owns the connection, synchronously inside the
 * transition; one sink instance serves every reactor of a server, so an implementation must be thread-safe and
 * must never block. The default ({@link #NONE}) records nothing: the reactors' counters already count connections
 * by state and closes by reason.
 */
@FunctionalInterface
public interface TransitionSink
{
    /** Records nothing. */
    TransitionSink NONE = (reactorIndex, connectionId, fromCode, toCode, eventCode, reasonCode, nowNs) -> {};

    /**
     * Records one transition, on the reactor thread; it must not block and should not allocate.
     *
     * @param reactorIndex the reactor that owns the connection.
     * @param connectionId the connection's id.
     * @param fromCode     the {@link ConnState} code left.
     * @param toCode       the {@link ConnState} code entered.
     * @param eventCode    the {@link ConnEvent} code that caused it.
     * @param reasonCode   the {@link dev.coreloop.core.CloseReason} code ({@code NONE} unless closing).
     * @param nowNs        the reactor's clock for this cycle.
     */
    void onTransition(
        int reactorIndex, long connectionId, int fromCode, int toCode, int eventCode, int reasonCode, long nowNs);
}
