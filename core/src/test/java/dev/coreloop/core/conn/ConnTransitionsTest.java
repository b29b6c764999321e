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
            final ConnTransitions.Kind kind = ConnTransitions.kind(state, event);
            assertThat(kind).as("%s x %s", state, event).isNotNull();
            if (kind == ConnTransitions.Kind.GO)
            {
                final ConnState target = ConnTransitions.target(state, event);
                assertThat(target).as("%s x %s", state, event).isNotNull().isNotEqualTo(state);
                assertThat(ConnTransitions.isAllowed(state, target)).as("%s x %s -> %s", state, event, target).isTrue();
                final CloseReason reason = ConnTransitions.reason(state, event);
                if (target == ConnState.CLOSED)
                {
                    assertThat(reason).as("a close names its reason (or uses the requested one)")
                        .isNotEqualTo(CloseReason.NONE);
                }
                else if (target != ConnState.DRAINING)
                {
                    assertThat(reason).as("%s x %s: not a close", state, event).isEqualTo(CloseReason.NONE);
                }
            }
            else
            {
                assertThat(ConnTransitions.target(state, event)).isNull();
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
            if (ConnTransitions.kind(from, event) == ConnTransitions.Kind.GO)
            {
                reached.add(ConnTransitions.target(from, event));
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
            assertThat(ConnTransitions.kind(ConnState.CLOSED, event)).isEqualTo(ConnTransitions.Kind.STAY);
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
                assertThat(ConnTransitions.target(state, ConnEvent.SHUTDOWN_DEADLINE)).isEqualTo(ConnState.CLOSED);
            }
            if (state != ConnState.CLOSED && state != ConnState.HANDED_OFF)
            {
                assertThat(ConnTransitions.target(state, ConnEvent.HANDLER_ABORT)).isEqualTo(ConnState.CLOSED);
                assertThat(ConnTransitions.reason(state, ConnEvent.HANDLER_ABORT)).isEqualTo(CloseReason.ABORTED);
            }
        }
    }
}
