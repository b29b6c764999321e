package dev.coreloop.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import dev.coreloop.core.AcceptMode;
import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.test.DumpServerThreadsOnFailure;
import dev.coreloop.core.test.LoopbackClient;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.NanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An {@link Error} outside user code (here: from the clock the reactor reads every cycle) kills only its reactor, and
 * cleanly: its connections are closed (their peers see EOF or a reset), the server reports itself unhealthy and names
 * the reactor, and new connections go to the live reactors only (the acceptor skips a dead reactor; in REUSE_PORT mode
 * the dead reactor's own listener is closed, so the kernel stops routing connections to it). In the old code the reactor thread
 * just ended: its connections stayed open and silent, and the acceptor kept handing it new ones that were never
 * served.
 */
@ExtendWith(DumpServerThreadsOnFailure.class)
@Timeout(60)
class ReactorDeathIT
{
    private static final long AWAIT_MS = 5_000;
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    /** Reads the system clock; once {@link #failReactor1} is set, throws an {@link Error} on reactor-1's thread. */
    private static final class FailingClock implements NanoClock
    {
        final AtomicBoolean failReactor1 = new AtomicBoolean();

        @Override
        public long nanoTime()
        {
            if (failReactor1.get() && "reactor-1".equals(Thread.currentThread().getName()))
            {
                throw new Error("injected");
            }
            return System.nanoTime();
        }
    }

    private final FailingClock clock = new FailingClock();
    /** Client port (the connection's remote port) to the index of the reactor that opened it. */
    private final Map<Integer, Integer> reactorByClientPort = new ConcurrentHashMap<>();
    private final Queue<CloseReason> closes = new ConcurrentLinkedQueue<>();
    private final List<LoopbackClient> clients = new ArrayList<>();
    private Server server;

    @AfterEach
    void tearDown() throws IOException
    {
        for (final LoopbackClient client : clients)
        {
            client.close();
        }
        if (server != null)
        {
            server.shutdown(0);
        }
    }

    private final class EchoHandler implements ConnectionHandler
    {
        @Override
        public void onOpened(final Connection connection)
        {
            reactorByClientPort.put(connection.remoteAddress().getPort(), connection.reactor().index());
        }

        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            return connection.write(buffer, offset, length) ? length : 0;
        }

        @Override
        public void onClosed(final Connection connection, final CloseReason reason)
        {
            closes.add(reason);
        }
    }

    private LoopbackClient connect() throws IOException
    {
        final LoopbackClient client = LoopbackClient.connect(server.localAddress(0), AWAIT_MS);
        clients.add(client);
        return client;
    }

    /** @return the reactor that opened {@code client}'s connection (after a round trip, so it has been opened). */
    private int reactorOf(final LoopbackClient client) throws IOException
    {
        assertThat(client.roundTrip(PING)).isEqualTo(PING);
        final Integer reactor = reactorByClientPort.get(client.localPort());
        assertThat(reactor).as("reactor of client port %d", client.localPort()).isNotNull();
        return reactor;
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AWAIT_MS);
        while (!condition.getAsBoolean())
        {
            assertThat(System.nanoTime() - deadlineNs).as("waiting for: " + what).isNegative();
            LockSupport.parkNanos(1_000_000L);
        }
    }

    @ParameterizedTest
    @EnumSource(AcceptMode.class)
    void shouldCloseTheDeadReactorsConnectionsReportItAndPlaceNewConnectionsOnTheLiveOne(final AcceptMode mode)
        throws IOException
    {
        server = Server.start(new ServerContext()
            .reactorCount(2)
            .acceptMode(mode)
            .bufferPoolBytesPerReactor(16L << 20)
            .nanoClock(clock)
            .listen(new InetSocketAddress("127.0.0.1", 0), reactor -> new EchoHandler()));
        final List<LoopbackClient> onReactor0 = new ArrayList<>();
        final List<LoopbackClient> onReactor1 = new ArrayList<>();
        // Round robin (ACCEPTOR_THREAD) alternates; the kernel's hash (REUSE_PORT) needs a few tries to hit both.
        for (int i = 0; i < 32 && (i < 4 || onReactor0.isEmpty() || onReactor1.isEmpty()); i++)
        {
            final LoopbackClient client = connect();
            (reactorOf(client) == 0 ? onReactor0 : onReactor1).add(client);
        }
        assertThat(onReactor1).as("connections placed on reactor-1").isNotEmpty();
        assertThat(onReactor0).isNotEmpty();

        clock.failReactor1.set(true);
        onReactor1.get(0).writeFully(PING); // wakes reactor-1 at once rather than at its next timer

        for (final LoopbackClient client : onReactor1)
        {
            client.awaitEnd(AWAIT_MS); // EOF or reset; SocketTimeoutException if the connection stays open
        }
        await(() -> !server.health().healthy(), "server.health() reports the dead reactor");
        final Server.Health health = server.health();
        assertThat(health.reason()).contains("reactor-1").contains("injected").doesNotContain("reactor-0");
        assertThat(server.counter(1, ReactorCounter.DEAD)).isEqualTo(1);
        assertThat(server.counter(0, ReactorCounter.DEAD)).isZero();
        await(() -> closes.size() >= onReactor1.size(), "onClosed of every connection of reactor-1");
        assertThat(closes).as("only reactor-1's connections closed")
            .hasSize(onReactor1.size()).containsOnly(CloseReason.REACTOR_FAILED);

        for (final LoopbackClient client : onReactor0)
        {
            assertThat(client.roundTrip(PING)).as("a connection of the live reactor").isEqualTo(PING);
        }
        for (int i = 0; i < 16; i++)
        {
            final LoopbackClient client = connect();
            assertThat(reactorOf(client)).as("new connection %d is placed on the live reactor", i).isZero();
        }
        assertThat(server.counter(1, ReactorCounter.INBOX_REJECTIONS)).isZero();

        final long closeStartNs = System.nanoTime();
        server.close();
        server = null;
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStartNs)).as("server.close() returns")
            .isLessThan(ServerContext.SHUTDOWN_DEADLINE_MS_DEFAULT + 3_000);
    }
}
