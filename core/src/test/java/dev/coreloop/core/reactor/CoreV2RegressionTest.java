package dev.coreloop.core.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.ReadPausePolicy;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.test.ReactorHarness;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Deterministic regression tests for defects that core v2 fixed: one {@link ReactorAgent} driven by hand with a fake
 * clock (1 ms steps), real loopback sockets, no sleeps. Each test names the old behaviour it guards against.
 */
@Timeout(60)
class CoreV2RegressionTest
{
    private static final long MS = 1_000_000L;
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final int TINY_SOCKET_BUFFER_BYTES = 4096;

    /** Handlers given out in order, one per registered connection. */
    private final ArrayDeque<ConnectionHandler> handlers = new ArrayDeque<>();
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
            .listen(ANY, reactor ->
            {
                final ConnectionHandler next = handlers.poll();
                if (next == null)
                {
                    throw new AssertionError("the test planned no handler for this connection");
                }
                return next;
            })
            .bufferChunkBytes(4096)
            .bufferPoolBytesPerReactor(8 << 20);
    }

    private static void writeFully(final SocketChannel client, final String text) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (buffer.hasRemaining())
        {
            client.write(buffer);
        }
    }

    /** Reads whatever the non-blocking {@code client} has now. @return bytes read. */
    private static long drainSome(final SocketChannel client, final ByteBuffer scratch) throws IOException
    {
        long total = 0;
        int n;
        do
        {
            scratch.clear();
            n = client.read(scratch);
            total += Math.max(0, n);
        }
        while (n > 0);
        return total;
    }

    // ================================================================================================================
    // Defect 3: a connection in OUTPUT_SHUTDOWN that held input while unwritable was read every cycle (busy spin).

    /** Holds all input; on the first bytes writes far above the high watermark, then shuts its output down. */
    private static final class HoldingShutdownHandler implements ConnectionHandler
    {
        final ReadPausePolicy policy;
        final int responseBytes;
        Connection connection;
        int onDataCalls;
        int lastLength;

        HoldingShutdownHandler(final ReadPausePolicy policy, final int responseBytes)
        {
            this.policy = policy;
            this.responseBytes = responseBytes;
        }

        @Override
        public void onOpened(final Connection connection)
        {
            this.connection = connection;
            connection.readPausePolicy(policy);
        }

        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            lastLength = length;
            if (onDataCalls++ == 0)
            {
                final byte[] response = new byte[responseBytes];
                assertThat(connection.write(response, 0, response.length)).isTrue();
                connection.shutdownOutput();
            }
            return 0; // holds input: it cannot answer while its output is stuck
        }
    }

    @ParameterizedTest
    @EnumSource(ReadPausePolicy.class)
    void shouldNotSpinInOutputShutdownWhileHoldingInputOnAnUnwritableConnection(final ReadPausePolicy policy)
        throws IOException
    {
        final HoldingShutdownHandler handler = new HoldingShutdownHandler(policy, 256 * 1024);
        handlers.add(handler);
        harness = new ReactorHarness(context()
            .socketSendBufferBytes(TINY_SOCKET_BUFFER_BYTES).socketReceiveBufferBytes(TINY_SOCKET_BUFFER_BYTES)
            .inboundCapBytes(16 * 1024)
            .outboundCapBytes(1 << 20).highWatermarkBytes(64 * 1024).lowWatermarkBytes(16 * 1024)
            .writeStallTimeoutMs(60_000).idleTimeoutMs(120_000));
        final SocketChannel client = harness.connect(0, TINY_SOCKET_BUFFER_BYTES);
        final Connection conn = harness.awaitConnection();
        writeFully(client, "go");
        harness.doWork();
        assertThat(conn.state()).as(harness.sink().dump()).isEqualTo(ConnState.OUTPUT_SHUTDOWN);
        assertThat(conn.isWritable()).isFalse();

        // The client never reads and keeps sending: the socket stays readable for the whole test.
        client.configureBlocking(false);
        final ByteBuffer request = ByteBuffer.allocateDirect(64 * 1024);
        long sentBytes = 0;
        for (int i = 0; i < 64; i++)
        {
            request.clear();
            sentBytes += client.write(request);
            harness.doWork();
            harness.clock().advanceMs(1);
        }
        assertThat(sentBytes).as("the client got bytes into the socket").isGreaterThan(16 * 1024);

        final long readCallsBefore = harness.counter(ReactorCounter.READ_CALLS);
        final int onDataBefore = handler.onDataCalls;
        long work = 0;
        final int cycles = 1_000;
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            request.clear();
            client.write(request);
            work += harness.doWork();
            harness.clock().advanceMs(1);
        }

        assertThat(conn.state()).as(harness.sink().dump()).isEqualTo(ConnState.OUTPUT_SHUTDOWN);
        assertThat(conn.outboundBytes()).as("the backlog cannot drain: the client does not read").isPositive();
        assertThat(work).as("work over %d cycles of a connection that cannot progress (policy %s)", cycles, policy)
            .isLessThanOrEqualTo(5);
        assertThat(harness.counter(ReactorCounter.READ_CALLS) - readCallsBefore)
            .as("socket reads over %d cycles (policy %s)", cycles, policy).isLessThanOrEqualTo(2);
        assertThat(handler.onDataCalls - onDataBefore).as("held input presented again without a reason").isZero();
        assertThat(handler.lastLength).as("held input (policy %s)", policy)
            .isEqualTo(policy == ReadPausePolicy.MANUAL ? 16 * 1024 : 2); // MANUAL reads on until the ring is full
    }

    // ================================================================================================================
    // Defect 5: a handler acting on another connection of the same reactor ran that connection's callbacks nested
    // inside its own.

    /** Records callbacks of two connections A and B into one log, noting whether A's onData was on the stack. */
    private static final class CallbackLog
    {
        final List<String> entries = new ArrayList<>();
        boolean insideAOnData;
        Connection a;
        Connection b;

        void add(final String entry)
        {
            entries.add(entry + (insideAOnData ? " [inside A.onData]" : ""));
        }
    }

    /** A handler that logs under a name and lets a test decide what its callbacks do. */
    private static class LoggingHandler implements ConnectionHandler
    {
        final String name;
        final CallbackLog log;
        int closedCount;
        CloseReason closedWith;

        LoggingHandler(final String name, final CallbackLog log)
        {
            this.name = name;
            this.log = log;
        }

        @Override
        public void onOpened(final Connection connection)
        {
            log.add(name + ".onOpened");
        }

        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            log.add(name + ".onData");
            return length;
        }

        @Override
        public void onWritabilityChanged(final Connection connection, final boolean writable)
        {
            log.add(name + ".onWritabilityChanged(" + writable + ")");
        }

        @Override
        public void onClosed(final Connection connection, final CloseReason reason)
        {
            closedCount++;
            closedWith = reason;
            log.add(name + ".onClosed(" + reason + ")");
        }
    }

    /** A's handler: its onData runs {@code action} between two log entries, with the "inside" flag set. */
    private static final class ActingHandler extends LoggingHandler
    {
        Runnable action = () -> { };

        ActingHandler(final CallbackLog log)
        {
            super("A", log);
        }

        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            log.add("A.onData begin");
            log.insideAOnData = true;
            try
            {
                action.run();
            }
            finally
            {
                log.insideAOnData = false;
            }
            log.add("A.onData end");
            return length;
        }
    }

    /** Opens A then B (registered in that order) and clears the log of their onOpened entries. */
    private SocketChannel[] openAAndB(final CallbackLog log, final ServerContext ctx, final ConnectionHandler a,
        final ConnectionHandler b, final int clientReceiveBufferBytes) throws IOException
    {
        handlers.add(a);
        handlers.add(b);
        harness = new ReactorHarness(ctx);
        final SocketChannel clientA = harness.connect(0);
        log.a = harness.awaitConnection();
        final SocketChannel clientB = harness.connect(0, clientReceiveBufferBytes);
        log.b = harness.awaitConnection();
        assertThat(log.entries).containsExactly("A.onOpened", "B.onOpened");
        log.entries.clear();
        return new SocketChannel[] { clientA, clientB };
    }

    @Test
    void shouldRunTheOnClosedOfAConnectionAbortedByAnotherAfterTheAbortingCallbackReturned() throws IOException
    {
        final CallbackLog log = new CallbackLog();
        final ActingHandler a = new ActingHandler(log);
        final LoggingHandler b = new LoggingHandler("B", log);
        final SocketChannel[] clients = openAAndB(log, context(), a, b, 0);
        a.action = () -> log.b.abort();

        writeFully(clients[0], "abort B");
        harness.doWork();

        assertThat(log.entries).as("B.onClosed must not run nested inside A.onData")
            .containsExactly("A.onData begin", "A.onData end", "B.onClosed(ABORTED)");
        assertThat(log.a.state()).isEqualTo(ConnState.ACTIVE);
        assertThat(harness.counter(ReactorCounter.HANDLER_ERRORS)).isZero();
    }

    @Test
    void shouldCloseTheAbortingConnectionCleanlyWhenTheAbortedOneAbortsItBackFromOnClosed() throws IOException
    {
        final CallbackLog log = new CallbackLog();
        final ActingHandler a = new ActingHandler(log);
        final LoggingHandler b = new LoggingHandler("B", log)
        {
            @Override
            public void onClosed(final Connection connection, final CloseReason reason)
            {
                super.onClosed(connection, reason);
                log.a.abort(); // B's onClosed aborts A, whose onData started all this
            }
        };
        final SocketChannel[] clients = openAAndB(log, context(), a, b, 0);
        final int[] chunksInUseDuringAOnData = new int[1];
        a.action = () ->
        {
            chunksInUseDuringAOnData[0] = harness.agent().pool().chunksInUse();
            log.b.abort();
        };

        writeFully(clients[0], "abort B");
        harness.doWork();
        harness.doWork();

        assertThat(log.entries).as("no callback nested in another")
            .containsExactly("A.onData begin", "A.onData end", "B.onClosed(ABORTED)", "A.onClosed(ABORTED)");
        assertThat(a.closedCount).as("A.onClosed exactly once").isEqualTo(1);
        assertThat(b.closedCount).as("B.onClosed exactly once").isEqualTo(1);
        assertThat(log.a.state()).isEqualTo(ConnState.CLOSED);
        assertThat(harness.counter(ReactorCounter.HANDLER_ERRORS)).as("no exception from the kit or a handler")
            .isZero();
        assertThat(harness.counter(ReactorCounter.ILLEGAL_TRANSITIONS)).isZero();
        assertThat(chunksInUseDuringAOnData[0]).as("A's input was in a ring while A.onData ran").isPositive();
        assertThat(harness.agent().pool().chunksInUse()).as("both connections' rings back in the pool").isZero();
        assertThat(harness.agent().connectionCount()).isZero();
    }

    @Test
    void shouldNotNestTheWritabilityAndOpenCallbacksThatOneConnectionCausesOnAnother() throws IOException
    {
        final CallbackLog log = new CallbackLog();
        final ActingHandler a = new ActingHandler(log);
        final LoggingHandler b = new LoggingHandler("B", log);
        final LoggingHandler c = new LoggingHandler("C", log);
        final SocketChannel[] clients = openAAndB(log, context()
            .socketSendBufferBytes(TINY_SOCKET_BUFFER_BYTES)
            .outboundCapBytes(256 * 1024).highWatermarkBytes(32 * 1024).lowWatermarkBytes(8 * 1024),
            a, b, TINY_SOCKET_BUFFER_BYTES);
        final byte[] chunk = new byte[48 * 1024];
        a.action = () ->
        {
            // Above B's high watermark: B turns unwritable. Then a write refused at B's cap. Then a new outbound
            // connection C, which (on loopback) may connect at once.
            assertThat(log.b.write(chunk, 0, chunk.length)).isTrue();
            log.b.flush();
            while (log.b.write(chunk, 0, chunk.length))
            {
                log.b.flush();
            }
            try
            {
                harness.reactor().connect(harness.listenerAddress(), c, 1_000);
            }
            catch (final IOException ex)
            {
                throw new AssertionError(ex);
            }
        };

        writeFully(clients[0], "fill B, connect C");
        harness.doWorkUntil(() -> log.entries.contains("C.onOpened"), MS, 100);

        assertThat(log.entries).as("callbacks A's action caused on B and C run after A.onData returned")
            .containsExactly("A.onData begin", "A.onData end", "B.onWritabilityChanged(false)", "C.onOpened");
        assertThat(harness.counter(ReactorCounter.HANDLER_ERRORS)).isZero();
    }

    // ================================================================================================================
    // Defect 8: a write refused at the outbound cap while the backlog was below the high watermark led to no callback
    // at all, so a handler that held its input waiting for room waited forever.

    /** Tries to answer each request with a large response; holds the request while the write is refused. */
    private static final class LargeResponseHandler implements ConnectionHandler
    {
        final byte[] response;
        final List<String> log = new ArrayList<>();
        final List<Boolean> writabilityChanges = new ArrayList<>();
        int refusedWrites;

        LargeResponseHandler(final int responseBytes)
        {
            this.response = new byte[responseBytes];
        }

        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            log.add("onData(" + buffer.getStringWithoutLengthAscii(offset, length) + ")");
            if (refusedWrites == 0 && !connection.write(response, 0, response.length))
            {
                refusedWrites++;
                log.add("refused");
                return 0; // holds the request until there is room
            }
            return length;
        }

        @Override
        public void onWritabilityChanged(final Connection connection, final boolean writable)
        {
            writabilityChanges.add(writable);
            log.add("onWritabilityChanged(" + writable + ")");
        }
    }

    @Test
    void shouldFollowAWriteRefusedAtTheCapBelowTheHighWatermarkWithWritabilityCallbacksAndRedelivery()
        throws IOException
    {
        final LargeResponseHandler handler = new LargeResponseHandler(50 * 1024);
        handlers.add(handler);
        harness = new ReactorHarness(context()
            .socketSendBufferBytes(TINY_SOCKET_BUFFER_BYTES)
            .outboundCapBytes(64 * 1024).highWatermarkBytes(48 * 1024).lowWatermarkBytes(16 * 1024));
        final SocketChannel client = harness.connect(0, TINY_SOCKET_BUFFER_BYTES);
        final Connection conn = harness.awaitConnection();

        // A backlog of about 20 KiB (below the high watermark) that cannot drain: the client does not read.
        final byte[] filler = new byte[1024];
        for (int i = 0; i < 1_000 && conn.outboundBytes() < 20 * 1024; i++)
        {
            assertThat(conn.write(filler, 0, filler.length)).isTrue();
            harness.doWork();
        }
        assertThat(conn.outboundBytes()).isBetween(20 * 1024, 48 * 1024 - 1);
        assertThat(conn.isWritable()).as("below the high watermark").isTrue();

        writeFully(client, "GET big");
        harness.doWork();
        assertThat(handler.log).as("(false) follows the refusal at the next safe point, after onData returned")
            .containsExactly("onData(GET big)", "refused", "onWritabilityChanged(false)");

        for (int cycle = 0; cycle < 100; cycle++)
        {
            harness.doWork();
            harness.clock().advanceMs(1);
        }
        assertThat(handler.writabilityChanges).as("a refused write turns the connection unwritable")
            .containsExactly(false);
        assertThat(handler.log).as("nothing more while the client does not read")
            .containsExactly("onData(GET big)", "refused", "onWritabilityChanged(false)");

        client.configureBlocking(false);
        final ByteBuffer scratch = ByteBuffer.allocateDirect(64 * 1024);
        final long[] received = new long[1];
        harness.doWorkUntil(() ->
        {
            try
            {
                received[0] += drainSome(client, scratch);
            }
            catch (final IOException ex)
            {
                throw new AssertionError(ex);
            }
            return handler.log.size() >= 5;
        }, MS, 2_000);

        assertThat(handler.writabilityChanges).containsExactly(false, true);
        assertThat(handler.log).as("the held request is presented again, without the client sending anything")
            .containsExactly("onData(GET big)", "refused", "onWritabilityChanged(false)", "onWritabilityChanged(true)",
                "onData(GET big)");
        assertThat(harness.counter(ReactorCounter.WRITES_REFUSED)).isEqualTo(1);
        assertThat(conn.state()).isEqualTo(ConnState.ACTIVE);
    }

    // Defect 8, continued: the promise must also hold when the backlog drains below the mark before the deferred
    // callback runs (a flush() by the handler, or the OP_WRITE half of the ready key whose read refused the write).

    /** Answers the first request with a header and a body that is refused; flushes; holds the request. */
    private static final class FlushAfterRefusalHandler implements ConnectionHandler
    {
        final List<String> log = new ArrayList<>();
        boolean answered;

        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            log.add("onData(" + buffer.getStringWithoutLengthAscii(offset, length) + ")");
            if (answered)
            {
                return length;
            }
            final byte[] header = new byte[20 * 1024];
            final byte[] body = new byte[50 * 1024];
            if (!connection.write(header, 0, header.length))
            {
                return 0;
            }
            if (!connection.write(body, 0, body.length))
            {
                log.add("refused");
                connection.flush(); // push the header out now; the body waits for the promised callback
                answered = true;
                return 0;
            }
            answered = true;
            return length;
        }

        @Override
        public void onWritabilityChanged(final Connection connection, final boolean writable)
        {
            log.add("onWritabilityChanged(" + writable + ")");
        }
    }

    @Test
    void shouldPresentHeldInputAgainWhenARefusedWritesBacklogDrainsBeforeTheCallbackRuns() throws IOException
    {
        final FlushAfterRefusalHandler handler = new FlushAfterRefusalHandler();
        handlers.add(handler);
        harness = new ReactorHarness(context()
            .outboundCapBytes(64 * 1024).highWatermarkBytes(48 * 1024).lowWatermarkBytes(16 * 1024));
        final SocketChannel client = harness.connect(0);
        final Connection conn = harness.awaitConnection();

        writeFully(client, "GET big");
        harness.doWork();
        assertThat(handler.log).startsWith("onData(GET big)", "refused");
        assertThat(conn.outboundBytes()).as("flush() wrote the header: the socket had room").isZero();

        for (int cycle = 0; cycle < 100 && handler.log.size() < 5; cycle++)
        {
            harness.doWork();
            harness.clock().advanceMs(1);
        }

        assertThat(handler.log).as("a refused write is followed by (false), (true) and the held request again")
            .containsExactly("onData(GET big)", "refused", "onWritabilityChanged(false)", "onWritabilityChanged(true)",
                "onData(GET big)");
    }

    @Test
    void shouldPresentHeldInputAgainWhenTheSocketDrainsTheBacklogInTheDispatchOfTheRefusal() throws IOException
    {
        final LargeResponseHandler handler = new LargeResponseHandler(50 * 1024);
        handlers.add(handler);
        harness = new ReactorHarness(context()
            .socketSendBufferBytes(TINY_SOCKET_BUFFER_BYTES)
            .outboundCapBytes(64 * 1024).highWatermarkBytes(48 * 1024).lowWatermarkBytes(16 * 1024));
        final SocketChannel client = harness.connect(0, TINY_SOCKET_BUFFER_BYTES);
        final Connection conn = harness.awaitConnection();
        final byte[] filler = new byte[1024];
        for (int i = 0; i < 1_000 && conn.outboundBytes() < 20 * 1024; i++)
        {
            assertThat(conn.write(filler, 0, filler.length)).isTrue();
            harness.doWork();
        }
        assertThat(conn.outboundBytes()).isBetween(20 * 1024, 48 * 1024 - 1);

        // The client reads what reached it (the server's socket turns writable) and sends a request: one ready key
        // with READ and WRITE. The read refuses the response; the write then drains the backlog below the mark.
        client.configureBlocking(false);
        final long received = drainSome(client, ByteBuffer.allocateDirect(64 * 1024));
        assertThat(received).isPositive();
        writeFully(client, "GET big");
        harness.doWork();
        assertThat(handler.log).startsWith("onData(GET big)", "refused");

        for (int cycle = 0; cycle < 100 && handler.log.size() < 5; cycle++)
        {
            harness.doWork();
            harness.clock().advanceMs(1);
        }

        assertThat(handler.log).as("backlog now %d bytes; a refused write is followed by (false), (true) and the " +
            "held request again", conn.outboundBytes())
            .containsExactly("onData(GET big)", "refused", "onWritabilityChanged(false)", "onWritabilityChanged(true)",
                "onData(GET big)");
    }
}
