package dev.coreloop.core.conn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Set;

import dev.coreloop.core.CloseReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ConnTransitionsTest
{
    @Test
    void shouldHaveStableCodesEqualToOrdinals()
    {
        for (final ConnState state : ConnState.values())
        {
            assertThat(state.code()).isEqualTo(state.ordinal());
            assertThat(ConnState.fromCode(state.code())).isSameAs(state);
        }
        for (final ConnEvent event : ConnEvent.values())
        {
            assertThat(ConnEvent.fromCode(event.code())).isSameAs(event);
        }
    }

    @ParameterizedTest
    @EnumSource(ConnState.class)
    void shouldDefineAnOutcomeForEveryEventInEveryState(final ConnState state)
    {
        for (final ConnEvent event : ConnEvent.values())
        {
            final Outcome outcome = ConnTransitions.outcome(state, event);
            assertThat(outcome).as("%s x %s", state, event).isNotNull();
            assertThat(outcome.event()).isSameAs(event);
            if (outcome.kind() == Outcome.Kind.GO)
            {
                final ConnState target = outcome.target();
                assertThat(target).as("%s x %s", state, event).isNotNull().isNotEqualTo(state);
                assertThat(ConnTransitions.isAllowed(state, target)).as("%s x %s -> %s", state, event, target).isTrue();
                final CloseReason reason = outcome.reason();
                if (target.isClosing())
                {
                    assertThat(reason).as("a close names its reason (or uses the requested one)")
                        .isNotEqualTo(CloseReason.NONE);
                }
                else
                {
                    assertThat(reason).as("%s x %s: not a close", state, event).isEqualTo(CloseReason.NONE);
                    assertThat(outcome.abortive()).as("%s x %s: only closes reset", state, event).isFalse();
                }
            }
            else
            {
                assertThat(outcome.target()).isNull();
                assertThat(outcome.abortive()).isFalse();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ConnState.class)
    void shouldUseEveryAllowedTransitionAndNoOther(final ConnState from)
    {
        final Set<ConnState> reached = EnumSet.noneOf(ConnState.class);
        for (final ConnEvent event : ConnEvent.values())
        {
            final Outcome outcome = ConnTransitions.outcome(from, event);
            if (outcome.kind() == Outcome.Kind.GO)
            {
                reached.add(outcome.target());
            }
        }
        final Set<ConnState> allowed = EnumSet.noneOf(ConnState.class);
        for (final ConnState to : ConnState.values())
        {
            if (ConnTransitions.isAllowed(from, to))
            {
                allowed.add(to);
            }
        }
        assertThat(reached).as("targets reached from %s", from).isEqualTo(allowed);
    }

    @Test
    void shouldLetEveryOpenStateCloseAndNothingLeaveClosed()
    {
        for (final ConnState state : ConnState.values())
        {
            assertThat(ConnTransitions.isAllowed(state, ConnState.CLOSED)).isEqualTo(state != ConnState.CLOSED);
            assertThat(ConnTransitions.isAllowed(ConnState.CLOSED, state)).isFalse();
            assertThat(ConnTransitions.isAllowed(state, state)).as("self transition of %s", state).isFalse();
        }
        for (final ConnEvent event : ConnEvent.values())
        {
            assertThat(ConnTransitions.outcome(ConnState.CLOSED, event).kind()).isEqualTo(Outcome.Kind.STAY);
        }
    }

    @Test
    void shouldBoundEveryWaitingStateWithATimer()
    {
        for (final ConnState state : ConnState.values())
        {
            final String timers = ConnTransitions.timers(state);
            if (state == ConnState.HANDED_OFF || state == ConnState.CLOSED)
            {
                assertThat(timers).isEqualTo("none");
            }
            else
            {
                assertThat(timers).as("timers of %s", state).isNotEqualTo("none");
            }
        }
    }

    @Test
    void shouldCloseFromEveryOpenStateOnAbortAndShutdownDeadline()
    {
        for (final ConnState state : ConnState.values())
        {
            if (state != ConnState.CLOSED)
            {
                final Outcome deadline = ConnTransitions.outcome(state, ConnEvent.SHUTDOWN_DEADLINE);
                assertThat(deadline.target()).isEqualTo(ConnState.CLOSED);
                assertThat(deadline.abortive()).as("the shutdown deadline resets %s", state).isTrue();
                final Outcome failure = ConnTransitions.outcome(state, ConnEvent.REACTOR_FAILURE);
                assertThat(failure.target()).isEqualTo(ConnState.CLOSED);
                assertThat(failure.reason()).isEqualTo(CloseReason.REACTOR_FAILED);
                final Outcome error = ConnTransitions.outcome(state, ConnEvent.HANDLER_ERROR);
                assertThat(error.target()).as("any throw from user code closes %s", state).isEqualTo(ConnState.CLOSED);
                assertThat(error.reason()).isEqualTo(CloseReason.HANDLER_ERROR);
            }
            if (state != ConnState.CLOSED && state != ConnState.HANDED_OFF)
            {
                final Outcome abort = ConnTransitions.outcome(state, ConnEvent.HANDLER_ABORT);
                assertThat(abort.target()).isEqualTo(ConnState.CLOSED);
                assertThat(abort.reason()).isEqualTo(CloseReason.ABORTED);
                assertThat(abort.abortive()).isTrue();
            }
        }
    }
}
