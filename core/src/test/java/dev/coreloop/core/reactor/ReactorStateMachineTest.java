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
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.conn.ConnEvent;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.conn.ConnAction;
import dev.coreloop.core.conn.ConnTransitions;
import dev.coreloop.core.conn.Outcome;
import dev.coreloop.core.test.RecordingSink;
import dev.coreloop.core.test.ReactorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The exhaustive (state x event) test on real sockets: for every pair, a real connection is driven into the state,
 * the event is raised, and the first transition recorded must be the one the table (and so the document) gives; no
 * transition for {@code stay}; a counted forced close with {@code ILLEGAL_TRANSITION} for {@code n/a}. Entry actions
 * are checked too: no read interest in INPUT_CLOSED and FLUSHING, read interest while discarding, a guard timer in
 * every waiting state, channel closed and timer gone in CLOSED. The pure twin of this test is
 * {@code ConnStateMachineTest}.
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
        final ReactorParts parts = harness.agent().parts();
        switch (state)
        {
            case HANDED_OFF:
                final ReactorConnection handedOff = new ReactorConnection(parts, parts.registry.nextId(),
                    harness.openPair()[1], 0, parts.settings.listenerLimits(0), ConnState.HANDED_OFF);
                handedOff.attach(SILENT); // as registration does before REGISTERED
                return handedOff;
            case CONNECTING:
                return (ReactorConnection)harness.reactor().connect(harness.listenerAddress(), SILENT, 10_000);
            default:
                break;
        }
        harness.connect(0);
        final ReactorConnection conn = (ReactorConnection)harness.awaitConnection();
        assertThat(conn.state()).isEqualTo(ConnState.ACTIVE);
        final byte[] pending = new byte[100];
        switch (state)
        {
            case INPUT_CLOSED:
                conn.fire(ConnEvent.READ_EOF);
                break;
            case OUTPUT_SHUTDOWN:
                conn.fire(ConnEvent.HANDLER_SHUTDOWN_OUTPUT);
                break;
            case DRAINING:
                conn.write(pending, 0, pending.length); // a backlog keeps it DRAINING until the flush phase
                conn.fire(ConnEvent.HANDLER_CLOSE);
                break;
            case FLUSHING:
                conn.fire(ConnEvent.READ_EOF);
                conn.write(pending, 0, pending.length);
                conn.fire(ConnEvent.HANDLER_CLOSE);
                break;
            case LINGERING:
                conn.fire(ConnEvent.HANDLER_CLOSE); // empty backlog: FIN at once
                break;
            case CLOSED:
                conn.fire(ConnEvent.HANDLER_ABORT);
                break;
            default:
                break;
        }
        assertThat(conn.state()).isEqualTo(state);
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
            final Outcome outcome = ConnTransitions.outcome(state, event);

            conn.fire(event);

            final List<RecordingSink.Transition> after = sink.transitions().subList(recordedBefore, sink.size());
            switch (outcome.kind())
            {
                case STAY:
                    if (outcome.action() == ConnAction.NONE || outcome.action() == ConnAction.DEFER_UNTIL_CONNECTED)
                    {
                        assertThat(conn.state()).as(cell).isEqualTo(state);
                        assertThat(after).as(cell).isEmpty();
                    }
                    break;
                case GO:
                    assertThat(after).as(cell).isNotEmpty();
                    assertThat(after.get(0).from()).as(cell).isEqualTo(state);
                    assertThat(after.get(0).to()).as(cell).isEqualTo(outcome.target());
                    assertThat(after.get(0).event()).as(cell).isEqualTo(event);
                    if (outcome.reason() != null)
                    {
                        assertThat(after.get(0).reason()).as(cell).isEqualTo(outcome.reason());
                    }
                    assertThat(harness.counter(ReactorCounter.ILLEGAL_TRANSITIONS)).as(cell).isEqualTo(illegalBefore);
                    break;
                default:
                    assertThat(conn.state()).as(cell).isEqualTo(ConnState.CLOSED);
                    assertThat(after).as(cell).hasSize(1);
                    assertThat(after.get(0).reason()).as(cell).isEqualTo(CloseReason.ILLEGAL_TRANSITION);
                    assertThat(harness.counter(ReactorCounter.ILLEGAL_TRANSITIONS)).as(cell).isEqualTo(illegalBefore + 1);
                    break;
            }
            assertEntryInvariants(conn, cell);
            if (conn.state() != ConnState.CLOSED)
            {
                conn.fire(ConnEvent.SHUTDOWN_DEADLINE);
            }
            harness.agent().parts().deferred.runAll();
        }
        assertThat(harness.agent().pool().chunksInUse()).as("every ring returned").isZero();
    }

    private static void assertEntryInvariants(final ReactorConnection conn, final String cell)
    {
        switch (conn.state())
        {
            case CLOSED:
                assertThat(conn.isGuardArmed()).as(cell).isFalse();
                assertThat(conn.channel() == null || !conn.channel().isOpen()).as(cell + ": channel closed").isTrue();
                break;
            case INPUT_CLOSED:
            case FLUSHING:
                assertThat(conn.interestOps() & SelectionKey.OP_READ).as(cell + ": no read interest").isZero();
                assertThat(conn.isGuardArmed()).as(cell + ": guard timer").isTrue();
                break;
            case DRAINING:
            case LINGERING:
                assertThat(conn.interestOps() & SelectionKey.OP_READ).as(cell + ": discarding reads").isNotZero();
                assertThat(conn.isGuardArmed()).as(cell + ": guard timer").isTrue();
                break;
            case HANDED_OFF:
                break;
            default:
                assertThat(conn.isGuardArmed()).as(cell + ": guard timer").isTrue();
                break;
        }
    }

    @Test
    void shouldThrowOnIllegalEventWhenStrict() throws IOException
    {
        try (ReactorHarness strict = new ReactorHarness(context(), true))
        {
            strict.connect(0);
            final ReactorConnection conn = (ReactorConnection)strict.awaitConnection();
            assertThatThrownBy(() -> conn.fire(ConnEvent.REGISTERED))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("REGISTERED in state ACTIVE");
            assertThat(strict.counter(ReactorCounter.ILLEGAL_TRANSITIONS)).isEqualTo(1);
        }
    }

    @Test
    void shouldCountAndForceClosedOnIllegalEventInProduction() throws IOException
    {
        final SocketChannel client = harness.connect(0);
        final ReactorConnection conn = (ReactorConnection)harness.awaitConnection();
        conn.fire(ConnEvent.CONNECT_OK);

        assertThat(conn.state()).isEqualTo(ConnState.CLOSED);
        assertThat(harness.counter(ReactorCounter.ILLEGAL_TRANSITIONS)).isEqualTo(1);
        assertThat(harness.counter(ReactorCounter.CLOSE_ILLEGAL_TRANSITION)).isEqualTo(1);
        assertThat(harness.sink().lastInto(conn.id(), ConnState.CLOSED).reason()).isEqualTo(CloseReason.ILLEGAL_TRANSITION);
        assertThat(harness.sink().lastInto(conn.id(), ConnState.CLOSED).from()).isEqualTo(ConnState.ACTIVE);
        harness.doWork(); // a channel registered with a selector is released at its next select
        assertThatThrownBy(() -> client.read(java.nio.ByteBuffer.allocate(1))).as("the peer sees a reset")
            .isInstanceOf(IOException.class);
    }
}
