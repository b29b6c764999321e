package dev.coreloop.core.conn;

import dev.coreloop.core.CloseReason;

/**
 * One cell of the transition table: what an event does in a state.
 *
 * <p><b>Threading:</b> immutable; any thread.
 */
public final class Outcome
{
    /** The kind of an outcome. */
    public enum Kind
    {
        /** Handled in place; no state change (possibly with an in-place {@link ConnAction}). */
        STAY,
        /** Change state. */
        GO,
        /** Cannot happen in this state: a bug, counted, and the connection is forced CLOSED. */
        ILLEGAL
    }

    private final ConnEvent event;
    private final Kind kind;
    private final ConnState target;
    private final CloseReason reason;
    private final boolean abortive;
    private final ConnAction action;

    private Outcome(
        final ConnEvent event,
        final Kind kind,
        final ConnState target,
        final CloseReason reason,
        final boolean abortive,
        final ConnAction action)
    {
        this.event = event;
        this.kind = kind;
        this.target = target;
        this.reason = reason;
        this.abortive = abortive;
        this.action = action;
    }

    static Outcome go(final ConnEvent event, final ConnState target, final CloseReason reason, final boolean abortive)
    {
        return new Outcome(event, Kind.GO, target, reason, abortive, ConnAction.NONE);
    }

    static Outcome stay(final ConnEvent event, final ConnAction action)
    {
        return new Outcome(event, Kind.STAY, null, null, false, action);
    }

    static Outcome illegal(final ConnEvent event)
    {
        return new Outcome(event, Kind.ILLEGAL, null, null, false, ConnAction.NONE);
    }

    /** {@return the event this cell is for} */
    public ConnEvent event()
    {
        return event;
    }

    /** {@return the kind of outcome} */
    public Kind kind()
    {
        return kind;
    }

    /** {@return the state entered by a {@link Kind#GO} outcome, else null} */
    public ConnState target()
    {
        return target;
    }

    /**
     * {@return the close reason a {@link Kind#GO} outcome records, or null when it records the reason the close was
     * requested with ({@code close(reason)}, carried by the machine); null for other kinds}
     */
    public CloseReason reason()
    {
        return reason;
    }

    /** {@return true if the outcome closes with a reset (SO_LINGER 0), discarding the backlog} */
    public boolean abortive()
    {
        return abortive;
    }

    /** {@return the in-place action of a {@link Kind#STAY} outcome} */
    public ConnAction action()
    {
        return action;
    }

    /**
     * {@return the cell as the document writes it: {@code stay}, {@code stay, SEND_FIN}, {@code n/a}, {@code ACTIVE},
     * {@code CLOSED (PEER_RESET)}, {@code DRAINING (requested)}, {@code CLOSED (ABORTED), reset}}
     */
    public String describe()
    {
        switch (kind)
        {
            case STAY:
                return action == ConnAction.NONE ? "stay" : "stay, " + action;
            case ILLEGAL:
                return "n/a";
            default:
                final String cell;
                if (reason == null)
                {
                    cell = target + " (requested)";
                }
                else
                {
                    cell = reason == CloseReason.NONE ? target.name() : target + " (" + reason + ")";
                }
                return abortive ? cell + ", reset" : cell;
        }
    }

    @Override
    public String toString()
    {
        return event + ": " + describe();
    }
}
