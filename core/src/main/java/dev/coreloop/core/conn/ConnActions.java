package dev.coreloop.core.conn;

import dev.coreloop.core.CloseReason;

/**
 * The side effects of the state machine, implemented by the reactor's connection: {@link ConnStateMachine} decides,
 * this interface acts (interest ops, timers, FIN, release, callbacks, counters). Keeping the effects behind it leaves
 * the machine a pure class that tests drive without sockets.
 *
 * <p>An action may raise further events with {@link ConnStateMachine#fire}; the machine queues them and applies them
 * after the current action returns, so it is never re-entered.
 *
 * <p><b>Threading:</b> called on the thread that fires events, the reactor thread that owns the connection.
 */
public interface ConnActions
{
    /**
     * The connection entered {@code to}: run its entry actions.
     *
     * @param from     the state left.
     * @param to       the state entered.
     * @param event    the event that caused it.
     * @param reason   the close reason recorded ({@link CloseReason#NONE} unless closing).
     * @param abortive true if the outcome closes with a reset (SO_LINGER 0), discarding the backlog.
     * @param nowNs    the reactor's clock for this cycle.
     */
    void onEnter(ConnState from, ConnState to, ConnEvent event, CloseReason reason, boolean abortive, long nowNs);

    /**
     * An outcome that keeps the state asked for an in-place action.
     *
     * @param state  the current state.
     * @param action the action, never {@link ConnAction#NONE} or {@link ConnAction#DEFER_UNTIL_CONNECTED}.
     * @param nowNs  the reactor's clock for this cycle.
     */
    void onAction(ConnState state, ConnAction action, long nowNs);

    /**
     * An event arrived that its state cannot see: a bug in the kit. Count and report it; the machine then forces the
     * connection CLOSED with {@link CloseReason#ILLEGAL_TRANSITION} (unless it is strict, and throws).
     *
     * @param state the state the event arrived in.
     * @param event the event the table has no outcome for.
     * @param nowNs the reactor's clock for this cycle.
     */
    void onIllegal(ConnState state, ConnEvent event, long nowNs);
}
