package dev.coreloop.core.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ReactorCounter;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.conn.ConnEvent;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.conn.ConnTransitions;
import dev.coreloop.core.test.RecordingSink;
import dev.coreloop.core.test.ReactorHarness;
import dev.coreloop.core.timer.ReactorTimers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The exhaustive (state x event) test: for every pair, a real connection is driven into the state, the event is
 * fired, and the outcome must be the one the table (and so the document) gives: no change and no event for
 * {@code stay}; exactly the documented transition and reason for a transition; a counted forced close with
 * {@code ILLEGAL_TRANSITION} for {@code n/a}. Entry actions are checked too: no read interest while reads are
 * paused, a guard timer in every waiting state, channel closed and timer gone in CLOSED.
 */
@Timeout(60)
class ReactorStateMachineTest
{
    private static final ConnectionHandler SILENT = (connection, buffer, offset, length) -> 0;

    private ReactorHarness harness;

    @BeforeEach
    void setUp() throws IOException
    {
        harness = new ReactorHarness(context(), false);
    }

    @AfterEach
    void tearDown() throws IOException
    {
        harness.close();
    }

    private static ServerContext context()
    {
        return new ServerContext()
            .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), reactor -> SILENT)
            .bufferPoolBytesPerReactor(1 << 20)
            .bufferChunkBytes(4096)
            .inboundCapBytes(16 * 1024)
            .outboundCapBytes(64 * 1024)
            .highWatermarkBytes(32 * 1024)
            .lowWatermarkBytes(8 * 1024);
    }

    private ReactorConnection connectionIn(final ReactorHarness harness, final ConnState state) throws IOException
    {
        final ReactorAgent agent = harness.agent();
        final long nowNs = agent.nowNs();
        switch (state)
        {
            case HANDED_OFF:
                return agent.newHandedOff(new HandOff(harness.openPair()[1], 0));
            case CONNECTING:
                return (ReactorConnection)agent.connect(harness.listenerAddress(), SILENT, 10_000);
            default:
                break;
        }
        harness.connect(0);
        final ReactorConnection conn = (ReactorConnection)harness.awaitConnection();
        assertThat(conn.state).isEqualTo(ConnState.ACTIVE);
        switch (state)
        {
            case BACKPRESSURED:
                agent.fire(conn, ConnEvent.BACKLOG_ABOVE_HIGH, nowNs);
                break;
            case INPUT_CLOSED:
                agent.fire(conn, ConnEvent.READ_EOF, nowNs);
                break;
            case OUTPUT_SHUTDOWN:
                agent.fire(conn, ConnEvent.HANDLER_SHUTDOWN_OUTPUT, nowNs);
                break;
            case DRAINING:
                agent.fire(conn, ConnEvent.HANDLER_CLOSE, nowNs);
                break;
            case CLOSED:
                agent.fire(conn, ConnEvent.HANDLER_ABORT, nowNs);
                break;
            default:
                break;
        }
        assertThat(conn.state).isEqualTo(state);
        return conn;
    }

    @ParameterizedTest
    @EnumSource(ConnState.class)
    void shouldFollowTheTableForEveryEvent(final ConnState state) throws IOException
    {
        for (final ConnEvent event : ConnEvent.values())
        {
            final ReactorConnection conn = connectionIn(harness, state);
            final RecordingSink sink = harness.sink();
            final int recordedBefore = sink.size();
            final long illegalBefore = harness.counter(ReactorCounter.ILLEGAL_TRANSITIONS);
            final String cell = state + " x " + event;

            harness.agent().fire(conn, event, harness.agent().nowNs());

            final List<RecordingSink.Transition> after = sink.transitions().subList(recordedBefore, sink.size());
            switch (ConnTransitions.kind(state, event))
            {
                case STAY:
                    assertThat(conn.state).as(cell).isEqualTo(state);
                    assertThat(after).as(cell).isEmpty();
                    break;
                case GO:
                    final CloseReason tableReason = ConnTransitions.reason(state, event);
                    assertThat(after).as(cell).isNotEmpty();
                    assertThat(after.get(0).from()).as(cell).isEqualTo(state);
                    assertThat(after.get(0).to()).as(cell).isEqualTo(ConnTransitions.target(state, event));
                    assertThat(after.get(0).reason()).as(cell)
                        .isEqualTo(tableReason != null ? tableReason : CloseReason.LOCAL_CLOSE);
                    assertThat(harness.counter(ReactorCounter.ILLEGAL_TRANSITIONS)).as(cell).isEqualTo(illegalBefore);
                    break;
                default:
                    assertThat(conn.state).as(cell).isEqualTo(ConnState.CLOSED);
                    assertThat(after).as(cell).hasSize(1);
                    assertThat(after.get(0).reason()).as(cell).isEqualTo(CloseReason.ILLEGAL_TRANSITION);
                    assertThat(harness.counter(ReactorCounter.ILLEGAL_TRANSITIONS)).as(cell).isEqualTo(illegalBefore + 1);
                    break;
            }
            assertEntryInvariants(conn, cell);
            if (conn.state != ConnState.CLOSED)
            {
                harness.agent().fire(conn, ConnEvent.SHUTDOWN_DEADLINE, harness.agent().nowNs());
            }
        }
    }

    private static void assertEntryInvariants(final ReactorConnection conn, final String cell)
    {
        switch (conn.state)
        {
            case CLOSED:
                assertThat(conn.guardTimerId).as(cell).isEqualTo(ReactorTimers.NULL_TIMER);
                assertThat(conn.channel == null || !conn.channel.isOpen()).as(cell + ": channel closed").isTrue();
                break;
            case BACKPRESSURED:
            case INPUT_CLOSED:
                assertThat(conn.interestOps & SelectionKey.OP_READ).as(cell + ": no read interest").isZero();
                assertThat(conn.guardTimerId).as(cell + ": guard timer").isNotEqualTo(ReactorTimers.NULL_TIMER);
                break;
            case HANDED_OFF:
                break;
            default:
                assertThat(conn.guardTimerId).as(cell + ": guard timer").isNotEqualTo(ReactorTimers.NULL_TIMER);
                break;
        }
    }

    @Test
    void shouldThrowOnIllegalTransitionWhenStrict() throws IOException
    {
        try (ReactorHarness strict = new ReactorHarness(context(), true))
        {
            strict.connect(0);
            final ReactorConnection conn = (ReactorConnection)strict.awaitConnection();
            assertThatThrownBy(() -> strict.agent().transition(conn, ConnState.CONNECTING, CloseReason.NONE, 0))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ACTIVE -> CONNECTING");
            assertThatThrownBy(() -> strict.agent().fire(conn, ConnEvent.REGISTERED, 0))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("REGISTERED in state ACTIVE");
            assertThat(strict.counter(ReactorCounter.ILLEGAL_TRANSITIONS)).isEqualTo(2);
        }
    }

    @Test
    void shouldCountAndForceClosedOnIllegalTransitionInProduction() throws IOException
    {
        final SocketChannel client = harness.connect(0);
        final ReactorConnection conn = (ReactorConnection)harness.awaitConnection();
        harness.agent().transition(conn, ConnState.CONNECTING, CloseReason.NONE, harness.agent().nowNs());

        assertThat(conn.state).isEqualTo(ConnState.CLOSED);
        assertThat(harness.counter(ReactorCounter.ILLEGAL_TRANSITIONS)).isEqualTo(1);
        assertThat(harness.counter(ReactorCounter.CLOSE_ILLEGAL_TRANSITION)).isEqualTo(1);
        assertThat(harness.sink().lastInto(conn.id(), ConnState.CLOSED).reason()).isEqualTo(CloseReason.ILLEGAL_TRANSITION);
        assertThat(harness.sink().lastInto(conn.id(), ConnState.CLOSED).from()).isEqualTo(ConnState.ACTIVE);
        harness.doWork(); // a channel registered with a selector is released at its next select
        assertThatThrownBy(() -> client.read(java.nio.ByteBuffer.allocate(1))).as("the peer sees a reset")
            .isInstanceOf(IOException.class);
    }
}
