package dev.coreloop.core.test;

import java.util.ArrayList;
import java.util.List;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.conn.ConnEvent;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.conn.TransitionSink;

/**
 * A {@link TransitionSink} that keeps every transition, for assertions.
 *
 * <p><b>Threading:</b> synchronized; usable from several reactors in integration tests.
 */
public final class RecordingSink implements TransitionSink
{
    /** One recorded transition. */
    public record Transition(
        int reactorIndex, long connectionId, ConnState from, ConnState to, ConnEvent event, CloseReason reason, long nowNs)
    {
        @Override
        public String toString()
        {
            return "reactor-" + reactorIndex + " conn " + connectionId + " " + from + " -> " + to + " on " + event +
                (reason == CloseReason.NONE ? "" : " (" + reason + ")") + " at " + nowNs;
        }
    }

    private final List<Transition> transitions = new ArrayList<>();

    @Override
    public synchronized void onTransition(
        final int reactorIndex,
        final long connectionId,
        final int fromCode,
        final int toCode,
        final int eventCode,
        final int reasonCode,
        final long nowNs)
    {
        transitions.add(new Transition(reactorIndex, connectionId, ConnState.fromCode(fromCode),
            ConnState.fromCode(toCode), ConnEvent.fromCode(eventCode), CloseReason.fromCode(reasonCode), nowNs));
    }

    /** @return a copy of every transition so far. */
    public synchronized List<Transition> transitions()
    {
        return new ArrayList<>(transitions);
    }

    /** @return a copy of the transitions of one connection. */
    public synchronized List<Transition> transitionsOf(final long connectionId)
    {
        final List<Transition> result = new ArrayList<>();
        for (final Transition transition : transitions)
        {
            if (transition.connectionId() == connectionId)
            {
                result.add(transition);
            }
        }
        return result;
    }

    /** @return the last transition of a connection into {@code to}, or null. */
    public synchronized Transition lastInto(final long connectionId, final ConnState to)
    {
        for (int i = transitions.size() - 1; i >= 0; i--)
        {
            final Transition transition = transitions.get(i);
            if (transition.connectionId() == connectionId && transition.to() == to)
            {
                return transition;
            }
        }
        return null;
    }

    /** @return how many transitions were recorded. */
    public synchronized int size()
    {
        return transitions.size();
    }

    /** Forgets everything. */
    public synchronized void clear()
    {
        transitions.clear();
    }

    /** @return one line per transition. */
    public synchronized String dump()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Transition transition : transitions)
        {
            sb.append(transition).append('\n');
        }
        return sb.toString();
    }
}
