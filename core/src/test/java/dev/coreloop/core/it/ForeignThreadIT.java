package dev.coreloop.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.ReadPausePolicy;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.TimerHandler;
import dev.coreloop.core.test.DumpServerThreadsOnFailure;
import dev.coreloop.core.test.LoopbackClient;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@link Connection} (and its {@link ReactorContext}) used from a thread that is not its reactor's throws an
 * {@link IllegalStateException} naming the method and both threads, always (not only with assertions on), before it
 * touches anything: the connection keeps working. The supported way in from another thread is
 * {@link Server#execute(long, java.util.function.Consumer)}. The old code only asserted the owner thread, so without
 * {@code -ea} a foreign write raced the reactor on the outbound ring, and with {@code -ea} it threw an
 * {@link AssertionError}; there was no by-id way in.
 */
@ExtendWith(DumpServerThreadsOnFailure.class)
@Timeout(30)
class ForeignThreadIT
{
    private static final long AWAIT_MS = 5_000;
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    private final Map<Integer, Connection> connectionByClientPort = new ConcurrentHashMap<>();
    private final Queue<CloseReason> closes = new ConcurrentLinkedQueue<>();
    private Server server;

    @BeforeEach
    void startServer() throws IOException
    {
        server = Server.start(new ServerContext()
            .reactorCount(1)
            .bufferPoolBytesPerReactor(16L << 20)
            .listen(new InetSocketAddress("127.0.0.1", 0), reactor -> new ConnectionHandler()
            {
                @Override
                public void onOpened(final Connection connection)
                {
                    connectionByClientPort.put(connection.remoteAddress().getPort(), connection);
                }

                @Override
                public int onData(final Connection connection, final DirectBuffer buffer, final int offset,
                    final int length)
                {
                    return connection.write(buffer, offset, length) ? length : 0;
                }

                @Override
                public void onClosed(final Connection connection, final CloseReason reason)
                {
                    closes.add(reason);
                }
            }));
    }

    @AfterEach
    void stopServer()
    {
        server.shutdown(0);
    }

    private LoopbackClient connect() throws IOException
    {
        return LoopbackClient.connect(server.localAddress(0), AWAIT_MS);
    }

    /** @return the server side of {@code client}'s connection (after a round trip, so it has been opened). */
    private Connection connectionOf(final LoopbackClient client) throws IOException
    {
        assertThat(client.roundTrip(PING)).isEqualTo(PING);
        final Connection connection = connectionByClientPort.get(client.localPort());
        assertThat(connection).isNotNull();
        return connection;
    }

    /** A call from the wrong thread, and the method its message must name. */
    private record Call(String method, Runnable action)
    {
    }

    @Test
    void shouldThrowNamingTheMethodAndBothThreadsWhenAConnectionIsUsedFromAnotherThread() throws IOException
    {
        try (LoopbackClient client = connect())
        {
            final Connection conn = connectionOf(client);
            final ReactorContext reactor = conn.reactor();
            final byte[] bytes = "from the wrong thread".getBytes(StandardCharsets.US_ASCII);
            final TimerHandler timerHandler = (timerId, nowNs) -> { };
            final List<Call> calls = List.of(
                new Call("Connection.write", () -> conn.write(bytes, 0, bytes.length)),
                new Call("Connection.write", () -> conn.write(new UnsafeBuffer(bytes), 0, bytes.length)),
                new Call("Connection.write", () -> conn.write(ByteBuffer.wrap(bytes))),
                new Call("Connection.flush", conn::flush),
                new Call("Connection.isWritable", conn::isWritable),
                new Call("Connection.outboundBytes", conn::outboundBytes),
                new Call("Connection.remoteAddress", conn::remoteAddress),
                new Call("Connection.pauseReading", conn::pauseReading),
                new Call("Connection.resumeReading", conn::resumeReading),
                new Call("Connection.readPausePolicy", () -> conn.readPausePolicy(ReadPausePolicy.MANUAL)),
                new Call("Connection.readPausePolicy", conn::readPausePolicy),
                new Call("Connection.scheduleTimer", () -> conn.scheduleTimer(0)),
                new Call("Connection.cancelTimer", () -> conn.cancelTimer(1)),
                new Call("Connection.shutdownOutput", conn::shutdownOutput),
                new Call("Connection.close", conn::close),
                new Call("Connection.close", () -> conn.close(CloseReason.PROTOCOL_ERROR)),
                new Call("Connection.abort", conn::abort),
                new Call("ReactorContext.scheduleTimer", () -> reactor.scheduleTimer(0, timerHandler)),
                new Call("ReactorContext.cancelTimer", () -> reactor.cancelTimer(1)),
                new Call("ReactorContext.connection", () -> reactor.connection(conn.id())),
                new Call("ReactorContext.connect",
                    () -> reactor.connect(server.localAddress(0), swallowingHandler(), 1_000)));

            final String testThread = Thread.currentThread().getName();
            for (final Call call : calls)
            {
                assertThatThrownBy(call.action()::run).as(call.method())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(call.method())
                    .hasMessageContaining("'" + testThread + "'")
                    .hasMessageContaining("'reactor-0'");
            }

            for (int i = 0; i < 20; i++)
            {
                assertThat(client.roundTrip(PING)).as("the connection still echoes, nothing was written or closed")
                    .isEqualTo(PING);
            }
            assertThat(closes).isEmpty();
            assertThat(server.counter(0, ReactorCounter.HANDLER_ERRORS)).isZero();
            assertThat(server.counter(0, ReactorCounter.TIMERS_FIRED)).isZero();
        }
    }

    @Test
    void shouldRejectStateFromAnotherThreadAsTheContractSays() throws IOException
    {
        try (LoopbackClient client = connect())
        {
            final Connection conn = connectionOf(client);
            assertThatThrownBy(conn::state).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Connection.state");
            assertThat(client.roundTrip(PING)).isEqualTo(PING);
        }
    }

    private static ConnectionHandler swallowingHandler()
    {
        return (connection, buffer, offset, length) -> length;
    }

    @Test
    void shouldRunAnActionOnTheOwningReactorThroughServerExecute() throws IOException
    {
        try (LoopbackClient client = connect())
        {
            final Connection conn = connectionOf(client);
            final byte[] pushed = "pushed by another thread".getBytes(StandardCharsets.US_ASCII);
            final AtomicReference<String> ranOn = new AtomicReference<>();

            assertThat(server.execute(conn.id(), c ->
            {
                ranOn.set(Thread.currentThread().getName());
                assertThat(c.write(pushed, 0, pushed.length)).isTrue();
            })).isTrue();

            assertThat(client.readExactly(pushed.length)).isEqualTo(pushed);
            assertThat(ranOn.get()).isEqualTo("reactor-0");
            assertThat(client.roundTrip(PING)).isEqualTo(PING);

            final long onReactor5 = (6L << 40) | 1;
            assertThat(server.execute(onReactor5, c -> ranOn.set("never"))).as("unknown reactor index").isFalse();
            assertThat(server.execute(0L, c -> ranOn.set("never"))).as("no reactor owns id 0").isFalse();
            assertThat(ranOn.get()).isEqualTo("reactor-0");
        }
    }

    @Test
    void shouldNotRunAnActionForAConnectionThatHasClosed() throws Exception
    {
        try (LoopbackClient closing = connect(); LoopbackClient open = connect())
        {
            final long closedId = connectionOf(closing).id();
            final long openId = connectionOf(open).id();
            closing.close();
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AWAIT_MS);
            while (closes.isEmpty())
            {
                assertThat(System.nanoTime() - deadlineNs).as("the closed client's connection closes").isNegative();
                LockSupport.parkNanos(1_000_000L);
            }

            final AtomicReference<Connection> ranFor = new AtomicReference<>();
            final CountDownLatch laterTaskRan = new CountDownLatch(1);
            assertThat(server.execute(closedId, ranFor::set)).as("queued: a reactor owns the id").isTrue();
            assertThat(server.execute(openId, c -> laterTaskRan.countDown())).isTrue();

            assertThat(laterTaskRan.await(AWAIT_MS, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(ranFor.get()).as("the action for the closed connection did not run").isNull();
        }
    }
}
