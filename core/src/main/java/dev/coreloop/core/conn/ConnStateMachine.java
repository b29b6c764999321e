package dev.coreloop.core.conn;

import dev.coreloop.core.CloseReason;

/**
 * The lifecycle of one connection: its {@code state} field, and {@link #fire}, the only code that changes it. A pure
 * class: no NIO, no clock, no handler; it looks the event up in {@link ConnTransitions}, records every change as a
 * fixed-size record {@code (reactor, connection id, from, to, event, reason, nowNs)} in a {@link TransitionSink} and
 * leaves every side effect to its {@link ConnActions}.
 *
 * <p>Never re-entered: an event raised while an event is being applied (by an entry action, or by a handler an
 * action called) is queued and applied, in order, once the current one is done. An outcome marked
 * {@link ConnAction#DEFER_UNTIL_CONNECTED} keeps its event and raises it again right after CONNECT_OK.
 *
 * <p>An event the state cannot see ({@code n/a} in the table) is a bug. A strict machine (tests) throws an
 * {@link AssertionError}; otherwise {@link ConnActions#onIllegal} counts it and the connection is forced CLOSED with
 * {@link CloseReason#ILLEGAL_TRANSITION}, with a reset.
 *
 * <p><b>Threading:</b> confined to the reactor thread that owns the connection.
 */
public final class ConnStateMachine
{
    /** Events queued while one is applied. Entry actions raise at most two; more means a loop, which is a bug. */
    private static final int PENDING_CAPACITY = 8;
    private static final ConnEvent[] EVENTS = ConnEvent.values();
    private static final CloseReason[] REASONS = CloseReason.values();

    private final int reactorIndex;
    private final long connectionId;
    private final ConnActions actions;
    private final TransitionSink sink;
    private final boolean strict;

    private ConnState state;
    /** The reason this connection closes for, once a close has begun; NONE before. */
    private CloseReason closeReason = CloseReason.NONE;
    /** An event held by {@link ConnAction#DEFER_UNTIL_CONNECTED}, or null. */
    private ConnEvent deferredEvent;
    private boolean applying;
    private final byte[] pendingEvents = new byte[PENDING_CAPACITY];
    private final byte[] pendingReasons = new byte[PENDING_CAPACITY];
    private int pendingHead;
    private int pendingCount;

    /**
     * Creates the machine of one connection, in state {@code initial}.
     *
     * @param reactorIndex the owning reactor (for the transition records).
     * @param connectionId the connection's id.
     * @param initial      {@link ConnState#HANDED_OFF} or {@link ConnState#CONNECTING}: where connections are born.
     * @param actions      the side effects.
     * @param sink         receives a record of every state change.
     * @param strict       true: an illegal event throws (tests); false: counted and forced CLOSED (production).
     */
    public ConnStateMachine(
        final int reactorIndex,
        final long connectionId,
        final ConnState initial,
        final ConnActions actions,
        final TransitionSink sink,
        final boolean strict)
    {
        if (initial != ConnState.HANDED_OFF && initial != ConnState.CONNECTING)
        {
            throw new IllegalArgumentException("initial=" + initial + ": connections are born HANDED_OFF or CONNECTING");
        }
        this.reactorIndex = reactorIndex;
        this.connectionId = connectionId;
        this.state = initial;
        this.actions = actions;
        this.sink = sink;
        this.strict = strict;
    }

    /** {@return the current state} */
    public ConnState state()
    {
        return state;
    }

    /** {@return the reason the connection is closing or closed for; {@link CloseReason#NONE} while open} */
    public CloseReason closeReason()
    {
        return closeReason;
    }

    /** {@return the connection id} */
    public long connectionId()
    {
        return connectionId;
    }

    /**
     * Applies {@code event}; an outcome that records "the requested reason" records {@link CloseReason#LOCAL_CLOSE}.
     *
     * @param event what happened.
     * @param nowNs the reactor's clock for this cycle.
     */
    public void fire(final ConnEvent event, final long nowNs)
    {
        fire(event, CloseReason.LOCAL_CLOSE, nowNs);
    }

    /**
     * Applies {@code event} as the table says, or queues it if an event is being applied now.
     *
     * @param event     what happened.
     * @param requested the reason to record if the outcome records the requested reason and no close has begun yet
     *                  (for {@code close(reason)}).
     * @param nowNs     the reactor's clock for this cycle.
     */
    public void fire(final ConnEvent event, final CloseReason requested, final long nowNs)
    {
        if (applying)
        {
            enqueue(event, requested);
            return;
        }
        applying = true;
        try
        {
            apply(event, requested, nowNs);
            while (pendingCount > 0)
            {
                final ConnEvent next = EVENTS[pendingEvents[pendingHead]];
                final CloseReason nextReason = REASONS[pendingReasons[pendingHead]];
                pendingHead = (pendingHead + 1) % PENDING_CAPACITY;
                pendingCount--;
                apply(next, nextReason, nowNs);
            }
        }
        finally
        {
            applying = false;
            pendingCount = 0;
        }
    }

    private void enqueue(final ConnEvent event, final CloseReason requested)
    {
        if (pendingCount == PENDING_CAPACITY)
        {
            throw new IllegalStateException("connection " + connectionId + ": more than " + PENDING_CAPACITY +
                " events raised while applying one (state " + state + ", event " + event + "): a loop");
        }
        final int tail = (pendingHead + pendingCount) % PENDING_CAPACITY;
        pendingEvents[tail] = (byte)event.ordinal();
        pendingReasons[tail] = (byte)requested.ordinal();
        pendingCount++;
    }

    private void apply(final ConnEvent event, final CloseReason requested, final long nowNs)
    {
        final ConnState from = state;
        final Outcome outcome = ConnTransitions.outcome(from, event);
        switch (outcome.kind())
        {
            case STAY:
                final ConnAction action = outcome.action();
                if (action == ConnAction.DEFER_UNTIL_CONNECTED)
                {
                    deferredEvent = event;
                }
                else if (action != ConnAction.NONE)
                {
                    actions.onAction(from, action, nowNs);
                }
                return;

            case GO:
                final ConnState to = outcome.target();
                final CloseReason tableReason = outcome.reason();
                final CloseReason reason;
                if (tableReason != null)
                {
                    reason = tableReason;
                }
                else
                {
                    reason = closeReason != CloseReason.NONE ? closeReason : requested;
                }
                transition(from, to, event, reason, outcome.abortive(), nowNs);
                if (to == ConnState.ACTIVE && deferredEvent != null)
                {
                    final ConnEvent replay = deferredEvent;
                    deferredEvent = null;
                    enqueue(replay, CloseReason.LOCAL_CLOSE);
                }
                return;

            default:
                actions.onIllegal(from, event, nowNs);
                if (strict)
                {
                    throw new AssertionError("connection " + connectionId + ": illegal event " + event + " in state " +
                        from);
                }
                transition(from, ConnState.CLOSED, event, CloseReason.ILLEGAL_TRANSITION, true, nowNs);
        }
    }

    private void transition(
        final ConnState from,
        final ConnState to,
        final ConnEvent event,
        final CloseReason reason,
        final boolean abortive,
        final long nowNs)
    {
        state = to;
        if (to.isClosing() && closeReason == CloseReason.NONE || to == ConnState.CLOSED)
        {
            closeReason = reason;
        }
        if (to == ConnState.CLOSED)
        {
            deferredEvent = null;
        }
        sink.onTransition(reactorIndex, connectionId, from.code(), to.code(), event.code(), reason.code(), nowNs);
        actions.onEnter(from, to, event, reason, abortive, nowNs);
    }

    @Override
    public String toString()
    {
        return "ConnStateMachine{id=" + connectionId + ", state=" + state + ", closeReason=" + closeReason + "}";
    }
}
