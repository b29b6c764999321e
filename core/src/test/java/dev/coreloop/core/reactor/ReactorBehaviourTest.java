package dev.coreloop.core.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.ReactorService;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.TimerHandler;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.test.RecordingSink;
import dev.coreloop.core.test.ReactorHarness;
import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deterministic reactor tests: one {@link ReactorAgent} driven by hand with a fake clock (1 ms steps unless said),
 * real loopback sockets, assertions on the recorded transitions. No sleeps.
 */
@Timeout(60)
class ReactorBehaviourTest
{
    private static final long MS = 1_000_000L;
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final TestHandler handler = new TestHandler();
    private ReactorHarness harness;

    @AfterEach
    void tearDown() throws IOException
    {
        if (harness != null)
        {
            harness.close();
        }
    }

    private ServerContext context()
    {
        return new ServerContext()
            .listen(ANY, reactor -> handler)
            .bufferChunkBytes(4096)
            .bufferPoolBytesPerReactor(8 << 20);
    }

    private Connection open(final ServerContext ctx, final int clientReceiveBufferBytes, final SocketChannel[] clientOut)
        throws IOException
    {
        harness = new ReactorHarness(ctx);
        clientOut[0] = harness.connect(0, clientReceiveBufferBytes);
        final Connection conn = harness.awaitConnection();
        assertThat(conn.state()).isEqualTo(ConnState.ACTIVE);
        assertThat(handler.opened).isEqualTo(1);
        return conn;
    }

    private long enteredNs(final Connection conn, final ConnState state)
    {
        final RecordingSink.Transition transition = harness.sink().lastInto(conn.id(), state);
        assertThat(transition).as("a transition into " + state + "\n" + harness.sink().dump()).isNotNull();
        return transition.nowNs();
    }

    private static void write(final SocketChannel client, final String text) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (buffer.hasRemaining())
        {
            client.write(buffer);
        }
    }

    @Test
    void shouldCloseIdleConnectionAfterExactlyIdleTimeout() throws IOException
    {
        final SocketChannel[] client = new SocketChannel[1];
        final Connection conn = open(context().idleTimeoutMs(1_000), 0, client);
        final long activeNs = enteredNs(conn, ConnState.ACTIVE);

        harness.doWorkUntil(() -> conn.state() == ConnState.CLOSED, MS, 2_000);

        final RecordingSink.Transition closed = harness.sink().lastInto(conn.id(), ConnState.CLOSED);
        assertThat(closed.reason()).isEqualTo(CloseReason.IDLE_TIMEOUT);
        assertThat(closed.nowNs() - activeNs).isEqualTo(1_000 * MS);
        assertThat(handler.closedWith).isEqualTo(CloseReason.IDLE_TIMEOUT);
        assertThat(harness.counter(ReactorCounter.CLOSE_IDLE_TIMEOUT)).isEqualTo(1);
        harness.doWork(); // a channel registered with a selector is released at its next select
        assertThat(client[0].read(ByteBuffer.allocate(1))).isEqualTo(-1);
    }

    @Test
    void shouldCommitPoolMemoryOnUseAndGiveItBackAfterATrimIntervalWithoutUse() throws IOException
    {
        final SocketChannel[] client = new SocketChannel[1];
        open(context().bufferTrimIntervalMs(1_000), 0, client);
        final dev.coreloop.buffers.BufferPool pool = harness.agent().pool();
        assertThat(pool.segmentsAllocated()).as("an open, silent connection holds no memory").isZero();

        client[0].write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
        harness.doWorkUntil(() -> handler.bytesSeen == 4, MS, 1_000);
        final long usedNs = harness.clock().nanoTime();
        assertThat(pool.segmentsAllocated()).as("the read committed one segment").isEqualTo(1);
        assertThat(pool.chunksInUse()).as("and gave its chunk back at once").isZero();

        harness.doWorkUntil(() -> pool.segmentsAllocated() == 0, MS, 3_000);
        final long freedAfterNs = harness.clock().nanoTime() - usedNs;
        assertThat(freedAfterNs).as("kept for one whole interval without use, freed within two")
            .isGreaterThanOrEqualTo(1_000 * MS).isLessThanOrEqualTo(2_000 * MS + 2 * MS);
        assertThat(pool.segmentReleases()).isEqualTo(1);
        assertThat(handler.connection.state()).isEqualTo(ConnState.ACTIVE);

        final long timersBefore = harness.counter(ReactorCounter.TIMERS_FIRED);
        for (int i = 0; i < 5_000; i++)
        {
            harness.clock().advance(MS);
            harness.doWork();
        }
        // 5 s of fake time: only the reactor's own once-a-second housekeeping fires (the connection's idle guard is
        // 60 s away), no trim timer while the pool is empty.
        final long housekeepingTicks = 5_000 * MS / ReactorHousekeeping.INTERVAL_NS;
        assertThat(harness.counter(ReactorCounter.TIMERS_FIRED) - timersBefore)
            .as("no trim timer while the pool is empty").isEqualTo(housekeepingTicks);
    }

    @Test
    void shouldCloseEachListenersConnectionsAfterItsOwnIdleTimeout() throws IOException
    {
        final TestHandler pooled = new TestHandler();
        harness = new ReactorHarness(context().idleTimeoutMs(1_000).listen(ANY, reactor -> pooled, 5_000));
        harness.connect(0);
        final Connection plain = harness.awaitConnection();
        harness.connect(1);
        final Connection patient = harness.awaitConnection();
        assertThat(pooled.connection).isSameAs(patient);
        final long activeNs = enteredNs(patient, ConnState.ACTIVE);

        harness.doWorkUntil(() -> patient.state() == ConnState.CLOSED, MS, 6_000);

        assertThat(harness.sink().lastInto(plain.id(), ConnState.CLOSED).nowNs() - enteredNs(plain, ConnState.ACTIVE))
            .as("the context's idle timeout").isEqualTo(1_000 * MS);
        final RecordingSink.Transition closed = harness.sink().lastInto(patient.id(), ConnState.CLOSED);
        assertThat(closed.reason()).isEqualTo(CloseReason.IDLE_TIMEOUT);
        assertThat(closed.nowNs() - activeNs).as("the listener's own idle timeout").isEqualTo(5_000 * MS);
    }

    @Test
    void shouldRestartIdleTimeoutOnTraffic() throws IOException
    {
        final SocketChannel[] client = new SocketChannel[1];
        final Connection conn = open(context().idleTimeoutMs(1_000), 0, client);
        final long activeNs = enteredNs(conn, ConnState.ACTIVE);
        harness.doWorkUntil(() -> harness.clock().nanoTime() - activeNs >= 600 * MS, MS, 1_000);
        write(client[0], "ping");
        harness.doWork();
        final long trafficNs = harness.clock().nanoTime();
        assertThat(handler.bytesSeen).isEqualTo(4);

        harness.doWorkUntil(() -> conn.state() == ConnState.CLOSED, MS, 2_000);

        assertThat(harness.sink().lastInto(conn.id(), ConnState.CLOSED).nowNs() - trafficNs).isEqualTo(1_000 * MS);
    }

    @Test
    void shouldPollIoBeforeTimersAfterAStall() throws IOException
    {
        final SocketChannel[] client = new SocketChannel[1];
        final Connection conn = open(context().idleTimeoutMs(1_000), 0, client);
        write(client[0], "arrived during the stall");
        harness.clock().advanceMs(5_000);

        harness.doWork();

        assertThat(conn.state()).as(harness.sink().dump()).isEqualTo(ConnState.ACTIVE);
        assertThat(handler.bytesSeen).isEqualTo(24);
        assertThat(harness.counter(ReactorCounter.STALLS)).isEqualTo(1);
        final long stallEndNs = harness.clock().nanoTime();
        harness.doWorkUntil(() -> conn.state() == ConnState.CLOSED, MS, 2_000);
        assertThat(harness.sink().lastInto(conn.id(), ConnState.CLOSED).nowNs() - stallEndNs).isEqualTo(1_000 * MS);
    }

    @Test
    void shouldFirePeriodicTimerOnceAfterAStall() throws IOException
    {
        harness = new ReactorHarness(context());
        final ReactorContext reactor = harness.reactor();
        final long[] fires = new long[1];
        final TimerHandler periodic = new TimerHandler()
        {
            @Override
            public void onTimer(final long timerId, final long nowNs)
            {
                fires[0]++;
                reactor.scheduleTimer(nowNs + 100 * MS, this);
            }
        };
        reactor.scheduleTimer(harness.clock().nanoTime() + 100 * MS, periodic);
        harness.doWorkUntil(() -> fires[0] == 3, MS, 1_000);

        harness.clock().advanceMs(10_000);
        harness.doWork();
        assertThat(fires[0]).isEqualTo(4);
        harness.doWork();
        harness.clock().advanceMs(99);
        harness.doWork();
        assertThat(fires[0]).isEqualTo(4);
        harness.clock().advanceMs(1);
        harness.doWork();
        assertThat(fires[0]).isEqualTo(5);
    }

    @Test
    void shouldGiveUpLingeringAtTheDrainDeadline() throws IOException
    {
        final SocketChannel[] client = new SocketChannel[1];
        final Connection conn = open(context().drainTimeoutMs(500), 0, client);
        assertThat(conn.write("ERR bad request\n".getBytes(StandardCharsets.US_ASCII), 0, 16)).isTrue();
        conn.close(CloseReason.PROTOCOL_ERROR);
        assertThat(conn.state()).isEqualTo(ConnState.DRAINING);
        harness.doWork();

        final ByteBuffer reply = ByteBuffer.allocate(64);
        while (client[0].read(reply) >= 0)
        {
            assertThat(reply.position()).isLessThanOrEqualTo(16);
        }
        assertThat(new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII)).isEqualTo("ERR bad request\n");
        write(client[0], "more input is discarded");
        final long drainingNs = enteredNs(conn, ConnState.DRAINING);

        harness.doWorkUntil(() -> conn.state() == ConnState.CLOSED, MS, 1_000);

        final RecordingSink.Transition closed = harness.sink().lastInto(conn.id(), ConnState.CLOSED);
        assertThat(closed.reason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
        assertThat(closed.nowNs() - drainingNs).isEqualTo(500 * MS);
        assertThat(handler.bytesSeen).as("input while draining is discarded").isZero();
    }

    @Test
    void shouldAbortADrainWhoseBacklogStallsForTheWriteStallTimeout() throws IOException
    {
        final SocketChannel[] client = new SocketChannel[1];
        final Connection conn = open(context().writeStallTimeoutMs(300).drainTimeoutMs(50).socketSendBufferBytes(4096)
            .outboundCapBytes(4 << 20).highWatermarkBytes(3 << 20).lowWatermarkBytes(1 << 20), 4096, client);
        final byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < 32; i++)
        {
            assertThat(conn.write(chunk, 0, chunk.length)).isTrue();
        }
        conn.close();
        final long drainingNs = enteredNs(conn, ConnState.DRAINING);

        harness.doWorkUntil(() -> conn.state() == ConnState.CLOSED, MS, 1_000);

        final RecordingSink.Transition closed = harness.sink().lastInto(conn.id(), ConnState.CLOSED);
        assertThat(closed.reason()).isEqualTo(CloseReason.WRITE_STALL_TIMEOUT);
        assertThat(closed.from()).isEqualTo(ConnState.DRAINING);
        assertThat(closed.nowNs() - drainingNs).as("the stall, not the (shorter) linger time, bounds a flush")
            .isBetween(300 * MS, 310 * MS);
    }

    @Test
    void shouldCrossWatermarksBothWaysWithEventsOnlyOnRealChanges() throws IOException
    {
        final SocketChannel[] client = new SocketChannel[1];
        final int highBytes = 64 * 1024;
        final int lowBytes = 16 * 1024;
        final Connection conn = open(context().socketSendBufferBytes(4096).outboundCapBytes(1 << 20)
            .highWatermarkBytes(highBytes).lowWatermarkBytes(lowBytes), 4096, client);
        final byte[] chunk = new byte[10 * 1024];
        for (int i = 0; i < 12; i++)
        {
            assertThat(conn.write(chunk, 0, chunk.length)).isTrue();
        }
        assertThat(conn.state()).as("writability is not a lifecycle state").isEqualTo(ConnState.ACTIVE);
        assertThat(conn.isWritable()).isFalse();
        harness.doWork();
        assertThat(handler.writabilityChanges).containsExactly(false);

        client[0].configureBlocking(false);
        final ByteBuffer sink = ByteBuffer.allocateDirect(1024);
        long received = 0;
        boolean sawHysteresisBand = false;
        for (int cycle = 0; cycle < 100_000 && (received < 120 * 1024); cycle++)
        {
            sink.clear();
            final int n = client[0].read(sink);
            received += Math.max(0, n);
            harness.doWork();
            final int backlogBytes = conn.outboundBytes();
            if (backlogBytes >= lowBytes && backlogBytes < highBytes)
            {
                sawHysteresisBand = true;
                assertThat(conn.isWritable()).as("between the watermarks on the way down").isFalse();
            }
        }
        assertThat(received).isEqualTo(120 * 1024);
        assertThat(sawHysteresisBand).isTrue();
        assertThat(conn.isWritable()).isTrue();
        assertThat(handler.writabilityChanges).containsExactly(false, true);

        final List<ConnState> path = new ArrayList<>();
        for (final RecordingSink.Transition transition : harness.sink().transitionsOf(conn.id()))
        {
            path.add(transition.to());
        }
        assertThat(path).as("no lifecycle change for flow control").containsExactly(ConnState.ACTIVE);
    }

    @Test
    void shouldCloseAfterWriteStallTimeout() throws IOException
    {
        final SocketChannel[] client = new SocketChannel[1];
        final Connection conn = open(context().writeStallTimeoutMs(300).idleTimeoutMs(60_000).socketSendBufferBytes(4096)
            .outboundCapBytes(1 << 20).highWatermarkBytes(64 * 1024).lowWatermarkBytes(16 * 1024), 4096, client);
        final byte[] chunk = new byte[100 * 1024];
        final long backpressuredNs = harness.clock().nanoTime();
        assertThat(conn.write(chunk, 0, chunk.length)).isTrue();

        harness.doWorkUntil(() -> conn.state() == ConnState.CLOSED, MS, 1_000);

        final RecordingSink.Transition closed = harness.sink().lastInto(conn.id(), ConnState.CLOSED);
        assertThat(closed.reason()).isEqualTo(CloseReason.WRITE_STALL_TIMEOUT);
        assertThat(closed.nowNs() - backpressuredNs).isBetween(300 * MS, 310 * MS);
    }

    @Test
    void shouldFinishTheResponseAfterPeerHalfClose() throws IOException
    {
        final SocketChannel[] client = new SocketChannel[1];
        final Connection conn = open(context(), 0, client);
        write(client[0], "hello");
        client[0].shutdownOutput();

        harness.doWorkUntil(() -> conn.state() == ConnState.CLOSED, MS, 100);

        final ByteBuffer reply = ByteBuffer.allocate(16);
        while (client[0].read(reply) >= 0)
        {
            assertThat(reply.position()).isLessThanOrEqualTo(5);
        }
        assertThat(new String(reply.array(), 0, reply.position(), StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(handler.inputClosed).isEqualTo(1);
        final List<ConnState> path = new ArrayList<>();
        for (final RecordingSink.Transition transition : harness.sink().transitionsOf(conn.id()))
        {
            path.add(transition.to());
        }
        assertThat(path).containsExactly(ConnState.ACTIVE, ConnState.INPUT_CLOSED, ConnState.FLUSHING, ConnState.CLOSED);
        assertThat(handler.closedWith).isEqualTo(CloseReason.PEER_CLOSED);
    }

    @Test
    void shouldCloseWithInboundOverflowWhenAFrameCannotFit() throws IOException
    {
        final List<CloseReason> reasons = new ArrayList<>();
        harness = new ReactorHarness(new ServerContext()
            .listen(ANY, reactor -> new dev.coreloop.core.ConnectionHandler()
            {
                @Override
                public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
                {
                    return 0; // waits for a frame that can never fit
                }

                @Override
                public void onClosed(final Connection connection, final CloseReason reason)
                {
                    reasons.add(reason);
                }
            })
            .bufferChunkBytes(4096).bufferPoolBytesPerReactor(1 << 20).inboundCapBytes(8 * 1024)
            .outboundCapBytes(256 * 1024).highWatermarkBytes(128 * 1024).lowWatermarkBytes(32 * 1024));
        final SocketChannel client = harness.connect(0);
        final Connection conn = harness.awaitConnection();
        client.write(ByteBuffer.allocate(12 * 1024));

        harness.doWorkUntil(() -> conn.state() == ConnState.CLOSED, MS, 100);

        assertThat(reasons).containsExactly(CloseReason.INBOUND_OVERFLOW);
        assertThat(harness.agent().pool().chunksInUse()).as("rings returned to the pool").isZero();
    }

    @Test
    void shouldRefuseTasksWhenTheQueueIsFull() throws IOException
    {
        harness = new ReactorHarness(context().taskQueueCapacity(4));
        final int[] ran = new int[1];
        final Runnable task = () -> ran[0]++;
        for (int i = 0; i < 4; i++)
        {
            assertThat(harness.reactor().execute(task)).isTrue();
        }
        assertThat(harness.reactor().execute(task)).isFalse();
        assertThat(harness.reactor().execute(0, task)).isFalse();
        assertThat(harness.counter(ReactorCounter.TASK_QUEUE_REJECTIONS)).isEqualTo(2);

        harness.doWork();

        assertThat(ran[0]).isEqualTo(4);
        assertThat(harness.counter(ReactorCounter.TASKS_RUN)).isEqualTo(4);
        assertThat(harness.reactor().execute(task)).isTrue();
    }

    /** Records messages. */
    static final class Inbox implements ReactorService
    {
        final List<String> received = new ArrayList<>();

        @Override
        public void onMessage(final int sourceReactor, final int msgTypeId, final DirectBuffer buffer, final int offset,
            final int length)
        {
            received.add(sourceReactor + ":" + msgTypeId + ":" + buffer.getInt(offset) + ":" + length);
        }
    }

    @Test
    void shouldRefuseMessagesWhenTheRingIsFull() throws IOException
    {
        harness = new ReactorHarness(context().messageRingBytes(1024).reactorService(Inbox.class, reactor -> new Inbox()));
        final ReactorContext reactor = harness.reactor();
        final UnsafeBuffer message = new UnsafeBuffer(new byte[100]);
        final int recordBytes = BitUtil.align(RecordDescriptor.HEADER_LENGTH + 8 + 100, RecordDescriptor.ALIGNMENT);
        final int fits = 1024 / recordBytes;
        for (int i = 0; i < fits; i++)
        {
            message.putInt(0, i);
            assertThat(reactor.sendMessage(0, Inbox.class, 7, message, 0, 100)).as("message %d", i).isTrue();
        }
        assertThat(reactor.sendMessage(0, Inbox.class, 7, message, 0, 100)).isFalse();
        assertThat(harness.counter(ReactorCounter.MESSAGE_RING_REJECTIONS)).isEqualTo(1);

        harness.doWork();

        final List<String> expected = new ArrayList<>();
        for (int i = 0; i < fits; i++)
        {
            expected.add("0:7:" + i + ":100");
        }
        assertThat(reactor.service(Inbox.class).received).isEqualTo(expected);
        assertThat(reactor.sendMessage(0, Inbox.class, 7, message, 0, 100)).isTrue();
    }

    @Test
    void shouldConnectOutboundAndOpenTheHandler() throws IOException
    {
        harness = new ReactorHarness(context());
        final TestHandler outbound = new TestHandler();
        final Connection conn = harness.reactor().connect(harness.listenerAddress(), outbound, 1_000);
        assertThat(conn.state()).isEqualTo(ConnState.CONNECTING);
        assertThat(conn.write("queued".getBytes(StandardCharsets.US_ASCII), 0, 6)).isTrue();
        final SocketChannel peer = harness.acceptPeer();

        harness.doWorkUntil(() -> conn.state() == ConnState.ACTIVE && conn.outboundBytes() == 0, MS, 100);

        assertThat(outbound.opened).isEqualTo(1);
        final ByteBuffer received = ByteBuffer.allocate(6);
        while (received.hasRemaining())
        {
            peer.read(received);
        }
        assertThat(new String(received.array(), StandardCharsets.US_ASCII)).isEqualTo("queued");
    }

    @Test
    void shouldReportConnectFailure() throws IOException
    {
        harness = new ReactorHarness(context());
        final int closedPort;
        try (SocketChannel probe = SocketChannel.open())
        {
            probe.bind(ANY);
            closedPort = ((InetSocketAddress)probe.getLocalAddress()).getPort();
        }
        final TestHandler outbound = new TestHandler();
        final Connection conn = harness.reactor().connect(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort), outbound, 1_000);

        harness.doWorkUntil(() -> conn.state() == ConnState.CLOSED, MS, 100);

        assertThat(outbound.closedWith).isEqualTo(CloseReason.CONNECT_FAILED);
        assertThat(outbound.opened).isZero();
    }

    @Test
    void shouldTimeOutAConnectThatNeverCompletes() throws IOException
    {
        harness = new ReactorHarness(context());
        final List<SocketChannel> fillers = new ArrayList<>();
        try (java.nio.channels.ServerSocketChannel full = java.nio.channels.ServerSocketChannel.open())
        {
            // A listener that never accepts, its accept queue filled: the kernel drops further SYNs, so a connect
            // stays pending until our timeout.
            full.bind(ANY, 1);
            for (int i = 0; i < 4; i++)
            {
                final SocketChannel filler = SocketChannel.open();
                filler.configureBlocking(false);
                filler.connect(full.getLocalAddress());
                fillers.add(filler);
            }
            final TestHandler outbound = new TestHandler();
            final Connection conn = harness.reactor().connect((InetSocketAddress)full.getLocalAddress(), outbound, 250);
            final long startNs = harness.clock().nanoTime();

            harness.doWorkUntil(() -> conn.state() == ConnState.CLOSED, MS, 1_000);

            org.junit.jupiter.api.Assumptions.assumeTrue(outbound.closedWith == CloseReason.CONNECT_TIMEOUT,
                "the kernel completed or refused the connect (" + outbound.closedWith + "): no pending connect to time out");
            assertThat(harness.sink().lastInto(conn.id(), ConnState.CLOSED).nowNs() - startNs).isEqualTo(250 * MS);
            assertThat(outbound.opened).isZero();
        }
        finally
        {
            for (final SocketChannel filler : fillers)
            {
                filler.close();
            }
        }
    }

    @Test
    void shouldAbortWithAReset() throws IOException
    {
        final SocketChannel[] client = new SocketChannel[1];
        final Connection conn = open(context(), 0, client);
        client[0].setOption(StandardSocketOptions.SO_LINGER, 0);
        conn.abort();
        assertThat(conn.state()).isEqualTo(ConnState.CLOSED);
        harness.doWork(); // onClosed runs at the next safe point; the channel is released at its next select
        assertThat(handler.closedWith).isEqualTo(CloseReason.ABORTED);
        boolean reset = false;
        try
        {
            client[0].read(ByteBuffer.allocate(1));
        }
        catch (final IOException ex)
        {
            reset = true;
        }
        assertThat(reset).isTrue();
    }
}
