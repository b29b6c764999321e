package dev.coreloop.core.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.test.RecordingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The state machine without sockets, the way Aeron tests its {@code Election}: for every state and every event, a
 * machine is driven into the state by a fixed path of events, the event is applied, and the outcome must be exactly
 * the table's: the state entered, one transition record (from, to, event, reason), one entry action with the table's
 * "abortive" flag; nothing at all for {@code stay} (or the in-place action); an error for {@code n/a}.
 */
class ConnStateMachineTest
{
    private static final long NOW_NS = 1_000_000_000L;
    private static final long CONNECTION_ID = 42;

    /** How to reach each state from birth. */
    private static final Map<ConnState, List<ConnEvent>> PATHS = Map.of(
        ConnState.HANDED_OFF, List.of(),
        ConnState.CONNECTING, List.of(),
        ConnState.ACTIVE, List.of(ConnEvent.REGISTERED),
        ConnState.INPUT_CLOSED, List.of(ConnEvent.REGISTERED, ConnEvent.READ_EOF),
        ConnState.OUTPUT_SHUTDOWN, List.of(ConnEvent.REGISTERED, ConnEvent.HANDLER_SHUTDOWN_OUTPUT),
        ConnState.DRAINING, List.of(ConnEvent.REGISTERED, ConnEvent.HANDLER_CLOSE),
        ConnState.FLUSHING, List.of(ConnEvent.REGISTERED, ConnEvent.READ_EOF, ConnEvent.HANDLER_CLOSE),
        ConnState.LINGERING, List.of(ConnEvent.REGISTERED, ConnEvent.HANDLER_CLOSE, ConnEvent.WRITE_COMPLETE),
        ConnState.CLOSED, List.of(ConnEvent.REGISTERED, ConnEvent.HANDLER_ABORT));

    /** Records the side effects; optionally raises an event from an entry action. */
    static final class RecordingActions implements ConnActions
    {
        final List<String> calls = new ArrayList<>();
        ConnStateMachine machine;
        ConnState raiseOnEntering;
        ConnEvent raise;

        @Override
        public void onEnter(final ConnState from, final ConnState to, final ConnEvent event, final CloseReason reason,
            final boolean abortive, final long nowNs)
        {
            calls.add("enter " + from + "->" + to + " on " + event + " " + reason + (abortive ? " reset" : ""));
            if (to == raiseOnEntering)
            {
                machine.fire(raise, nowNs);
                calls.add("raised " + raise + " (state still " + machine.state() + ")");
            }
        }

        @Override
        public void onAction(final ConnState state, final ConnAction action, final long nowNs)
        {
            calls.add("action " + action + " in " + state);
        }

        @Override
        public void onIllegal(final ConnState state, final ConnEvent event, final long nowNs)
        {
            calls.add("illegal " + event + " in " + state);
        }
    }

    private static ConnStateMachine machineIn(
        final ConnState state, final RecordingActions actions, final RecordingSink sink, final boolean strict)
    {
        final ConnState birth = state == ConnState.CONNECTING ? ConnState.CONNECTING : ConnState.HANDED_OFF;
        final ConnStateMachine machine = new ConnStateMachine(0, CONNECTION_ID, birth, actions, sink, strict);
        actions.machine = machine;
        for (final ConnEvent event : PATHS.get(state))
        {
            machine.fire(event, NOW_NS);
        }
        assertThat(machine.state()).as("path to %s", state).isEqualTo(state);
        actions.calls.clear();
        sink.clear();
        return machine;
    }

    @ParameterizedTest
    @EnumSource(ConnState.class)
    void shouldApplyExactlyTheTableForEveryEvent(final ConnState state)
    {
        for (final ConnEvent event : ConnEvent.values())
        {
            final RecordingActions actions = new RecordingActions();
            final RecordingSink sink = new RecordingSink();
            final boolean strict = false;
            final ConnStateMachine machine = machineIn(state, actions, sink, strict);
            final Outcome outcome = ConnTransitions.outcome(state, event);
            final String cell = state + " x " + event;
            final CloseReason reasonBefore = machine.closeReason();

            machine.fire(event, CloseReason.PROTOCOL_ERROR, NOW_NS + 1);

            switch (outcome.kind())
            {
                case STAY:
                    assertThat(machine.state()).as(cell).isEqualTo(state);
                    assertThat(sink.size()).as(cell + ": no record").isZero();
                    if (outcome.action() == ConnAction.NONE || outcome.action() == ConnAction.DEFER_UNTIL_CONNECTED)
                    {
                        assertThat(actions.calls).as(cell).isEmpty();
                    }
                    else
                    {
                        assertThat(actions.calls).as(cell).containsExactly("action " + outcome.action() + " in " + state);
                    }
                    break;
                case GO:
                    final CloseReason expectedReason = outcome.reason() != null ? outcome.reason() :
                        reasonBefore != CloseReason.NONE ? reasonBefore : CloseReason.PROTOCOL_ERROR;
                    assertThat(machine.state()).as(cell).isEqualTo(outcome.target());
                    assertThat(sink.transitions()).as(cell).hasSize(1);
                    final RecordingSink.Transition record = sink.transitions().get(0);
                    assertThat(record.from()).as(cell).isEqualTo(state);
                    assertThat(record.to()).as(cell).isEqualTo(outcome.target());
                    assertThat(record.event()).as(cell).isEqualTo(event);
                    assertThat(record.connectionId()).isEqualTo(CONNECTION_ID);
                    assertThat(record.nowNs()).isEqualTo(NOW_NS + 1);
                    assertThat(record.reason()).as(cell).isEqualTo(expectedReason);
                    assertThat(actions.calls).as(cell).containsExactly("enter " + state + "->" + outcome.target() +
                        " on " + event + " " + expectedReason + (outcome.abortive() ? " reset" : ""));
                    break;
                default:
                    assertThat(machine.state()).as(cell + ": forced closed").isEqualTo(ConnState.CLOSED);
                    assertThat(machine.closeReason()).isEqualTo(CloseReason.ILLEGAL_TRANSITION);
                    assertThat(actions.calls).as(cell).containsExactly("illegal " + event + " in " + state,
                        "enter " + state + "->CLOSED on " + event + " ILLEGAL_TRANSITION reset");
                    final RecordingActions strictActions = new RecordingActions();
                    final ConnStateMachine strictMachine = machineIn(state, strictActions, new RecordingSink(), true);
                    assertThatThrownBy(() -> strictMachine.fire(event, NOW_NS)).as(cell).isInstanceOf(AssertionError.class)
                        .hasMessageContaining(event.name()).hasMessageContaining(state.name());
                    break;
            }
        }
    }

    @Test
    void shouldQueueAnEventRaisedByAnEntryActionInsteadOfReenteringItself()
    {
        final RecordingActions actions = new RecordingActions();
        final RecordingSink sink = new RecordingSink();
        final ConnStateMachine machine = machineIn(ConnState.ACTIVE, actions, sink, true);
        actions.raiseOnEntering = ConnState.DRAINING;
        actions.raise = ConnEvent.WRITE_COMPLETE; // an empty backlog at DRAINING's entry

        machine.fire(ConnEvent.HANDLER_CLOSE, CloseReason.PROTOCOL_ERROR, NOW_NS);

        assertThat(actions.calls).containsExactly(
            "enter ACTIVE->DRAINING on HANDLER_CLOSE PROTOCOL_ERROR",
            "raised WRITE_COMPLETE (state still DRAINING)",
            "enter DRAINING->LINGERING on WRITE_COMPLETE PROTOCOL_ERROR");
        assertThat(machine.state()).isEqualTo(ConnState.LINGERING);
        machine.fire(ConnEvent.READ_EOF, NOW_NS);
        assertThat(machine.state()).isEqualTo(ConnState.CLOSED);
        assertThat(machine.closeReason()).as("the requested reason is kept to the end").isEqualTo(CloseReason.PROTOCOL_ERROR);
    }

    @Test
    void shouldReplayAShutdownOutputRequestedWhileConnectingOnceConnected()
    {
        final RecordingActions actions = new RecordingActions();
        final RecordingSink sink = new RecordingSink();
        final ConnStateMachine machine = machineIn(ConnState.CONNECTING, actions, sink, true);

        machine.fire(ConnEvent.HANDLER_SHUTDOWN_OUTPUT, NOW_NS);
        assertThat(machine.state()).isEqualTo(ConnState.CONNECTING);
        machine.fire(ConnEvent.CONNECT_OK, NOW_NS);

        assertThat(sink.transitions()).extracting(RecordingSink.Transition::to)
            .containsExactly(ConnState.ACTIVE, ConnState.OUTPUT_SHUTDOWN);
    }

    @Test
    void shouldForgetADeferredShutdownWhenTheConnectFails()
    {
        final RecordingActions actions = new RecordingActions();
        final ConnStateMachine machine = machineIn(ConnState.CONNECTING, actions, new RecordingSink(), true);
        machine.fire(ConnEvent.HANDLER_SHUTDOWN_OUTPUT, NOW_NS);
        machine.fire(ConnEvent.CONNECT_FAILED, NOW_NS);
        assertThat(machine.state()).isEqualTo(ConnState.CLOSED);
        assertThat(machine.closeReason()).isEqualTo(CloseReason.CONNECT_FAILED);
    }

    @Test
    void shouldRecordPeerClosedWhenThePeersFinEndsAnOutputShutdown()
    {
        final RecordingActions actions = new RecordingActions();
        final ConnStateMachine machine = machineIn(ConnState.OUTPUT_SHUTDOWN, actions, new RecordingSink(), true);
        machine.fire(ConnEvent.READ_EOF, NOW_NS);
        assertThat(machine.state()).isEqualTo(ConnState.FLUSHING);
        machine.fire(ConnEvent.WRITE_COMPLETE, NOW_NS);
        assertThat(machine.state()).isEqualTo(ConnState.CLOSED);
        assertThat(machine.closeReason()).isEqualTo(CloseReason.PEER_CLOSED);
    }

    @Test
    void shouldRefuseToBeBornInAnyOtherState()
    {
        for (final ConnState state : ConnState.values())
        {
            if (state != ConnState.HANDED_OFF && state != ConnState.CONNECTING)
            {
                assertThatThrownBy(() -> new ConnStateMachine(0, 1, state, new RecordingActions(), new RecordingSink(),
                    true)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(state.name());
            }
        }
    }
}
