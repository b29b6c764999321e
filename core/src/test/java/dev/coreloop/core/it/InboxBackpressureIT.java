package dev.coreloop.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.test.DumpServerThreadsOnFailure;
import dev.coreloop.core.test.LoopbackClient;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A full reactor inbox is backpressure, not a reason to close a connection: a reactor that cannot drain its inbox
 * for a while (here: held inside a handler; in the field: short of CPU while a burst of connections arrives) must not
 * make the acceptor close connections the server will serve a moment later. The acceptor hands the connection to
 * another reactor with room or, when every inbox is full, holds it and stops accepting, so the rest wait in the
 * kernel's listen queue. The old acceptor closed them at once (counted as {@code INBOX_REJECTIONS}); their clients
 * saw EOF, which is how a 10,000-connection run of {@code ThreadsComparison} failed.
 */
@ExtendWith(DumpServerThreadsOnFailure.class)
@Timeout(60)
class InboxBackpressureIT
{
    private static final long AWAIT_MS = 10_000;
    private static final int INBOX_CAPACITY = 2;
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);
    private static final byte BLOCK = 'B';

    /** Opened connections per reactor index. */
    private final AtomicIntegerArray openedOn = new AtomicIntegerArray(2);
    private final CountDownLatch handlerBlocked = new CountDownLatch(1);
    private final CountDownLatch unblock = new CountDownLatch(1);
    private final List<LoopbackClient> clients = new ArrayList<>();
    private Server server;

    /** Echoes; a lone {@link #BLOCK} byte holds the reactor inside onData until the test releases it (bounded). */
    private final class BlockingEchoHandler implements ConnectionHandler
    {
        @Override
        public void onOpened(final Connection connection)
        {
            openedOn.incrementAndGet(connection.reactor().index());
        }

        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            if (length == 1 && buffer.getByte(offset) == BLOCK)
            {
                handlerBlocked.countDown();
                try
                {
                    unblock.await(AWAIT_MS * 3, TimeUnit.MILLISECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                return 1;
            }
            return connection.write(buffer, offset, length) ? length : 0;
        }
    }

    @AfterEach
    void tearDown() throws IOException
    {
        unblock.countDown();
        for (final LoopbackClient client : clients)
        {
            client.close();
        }
        if (server != null)
        {
            server.shutdown(0);
        }
    }

    @Test
    void shouldHoldAcceptingWhileEveryInboxIsFullAndServeEveryConnectionOnceTheReactorDrains() throws Exception
    {
        server = start(1);
        final LoopbackClient blocker = blockReactor();
        final List<LoopbackClient> waiting = connect(8 * INBOX_CAPACITY); // the kernel completes the handshakes
        // The inbox holds INBOX_CAPACITY, the acceptor one more in hand; the old acceptor went on and closed the rest.
        final long inHand = 1 + INBOX_CAPACITY + 1;
        await(() -> accepted() >= inHand, "the acceptor accepted the blocker, a full inbox and one more");

        unblock.countDown();
        for (int i = 0; i < waiting.size(); i++)
        {
            assertThat(waiting.get(i).roundTrip(PING)).as("round trip on waiting connection %d", i).isEqualTo(PING);
        }
        assertThat(blocker.roundTrip(PING)).isEqualTo(PING);
        assertThat(server.counters().total(ReactorCounter.INBOX_REJECTIONS)).as("connections closed at a full inbox")
            .isZero();
        assertThat(accepted()).isEqualTo(1 + waiting.size());
        assertThat(server.counter(server.reactorCount(), ReactorCounter.ACCEPT_HOLDS)).as("holds counted")
            .isPositive();
    }

    @Test
    void shouldPlaceAConnectionOnAnotherReactorWhenTheChosenReactorsInboxIsFull() throws Exception
    {
        server = start(2);
        blockReactor(); // round robin: the first connection goes to reactor-0
        assertThat(openedOn.get(0)).isEqualTo(1);
        final int more = 6 * INBOX_CAPACITY;
        final List<LoopbackClient> others = connect(more);
        // While reactor-0 is held, everything beyond its inbox goes to reactor-1, none waits in the acceptor's hand.
        await(() -> openedOn.get(1) >= more - INBOX_CAPACITY, "reactor-1 opened the connections reactor-0 had no room for");
        assertThat(accepted()).isEqualTo(1 + more);

        unblock.countDown();
        for (int i = 0; i < more; i++)
        {
            assertThat(others.get(i).roundTrip(PING)).as("round trip on connection %d", i).isEqualTo(PING);
        }
        assertThat(server.counters().total(ReactorCounter.INBOX_REJECTIONS)).isZero();
        assertThat(openedOn.get(0) + openedOn.get(1)).isEqualTo(1 + more);
    }

    private Server start(final int reactors) throws IOException
    {
        return Server.start(new ServerContext()
            .reactorCount(reactors)
            .inboxCapacity(INBOX_CAPACITY)
            .bufferPoolBytesPerReactor(16L << 20)
            .listen(new InetSocketAddress("127.0.0.1", 0), reactor -> new BlockingEchoHandler()));
    }

    private List<LoopbackClient> connect(final int count) throws IOException
    {
        final List<LoopbackClient> opened = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final LoopbackClient client = LoopbackClient.connect(server.localAddress(0), AWAIT_MS);
            clients.add(client);
            opened.add(client);
        }
        return opened;
    }

    /** Opens a connection, checks it echoes, then holds its reactor inside onData. */
    private LoopbackClient blockReactor() throws Exception
    {
        final LoopbackClient blocker = LoopbackClient.connect(server.localAddress(0), AWAIT_MS);
        clients.add(blocker);
        assertThat(blocker.roundTrip(PING)).isEqualTo(PING);
        blocker.writeFully(new byte[] {BLOCK});
        assertThat(handlerBlocked.await(AWAIT_MS, TimeUnit.MILLISECONDS)).as("the reactor is held in onData").isTrue();
        return blocker;
    }

    private long accepted()
    {
        return server.counter(server.reactorCount(), ReactorCounter.ACCEPTOR_ACCEPTED);
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
}
