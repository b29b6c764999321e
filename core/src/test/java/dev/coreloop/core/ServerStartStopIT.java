package dev.coreloop.core;

import dev.coreloop.core.status.CountersSnapshot;
import dev.coreloop.core.status.ReactorCounter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import dev.coreloop.affinity.PinResult;
import dev.coreloop.affinity.ThreadPinner;
import dev.coreloop.core.test.RecordingSink;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The server's own lifecycle on real threads and loopback sockets: start, echo through every reactor in both accept
 * modes, counters, graceful shutdown with open connections, a bind failure that names the address.
 */
@Timeout(60)
class ServerStartStopIT
{
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private static final ConnectionHandlerFactory ECHO = reactor -> new ConnectionHandler()
    {
        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            return connection.write(buffer, offset, length) ? length : 0;
        }
    };

    @Test
    void shouldRefuseAShutdownCalledOnItsOwnReactorAndKeepServing() throws Exception
    {
        // A handler that shuts the server down from its own reactor would wait for itself to end: shutdown throws
        // instead (the handler sees it here), the reactor keeps serving, and a shutdown from outside still works.
        final java.util.concurrent.atomic.AtomicReference<Server> self = new java.util.concurrent.atomic.AtomicReference<>();
        final java.util.concurrent.CompletableFuture<Throwable> refusal = new java.util.concurrent.CompletableFuture<>();
        final ConnectionHandlerFactory stopper = reactor -> new ConnectionHandler()
        {
            @Override
            public int onData(final Connection connection, final DirectBuffer buffer, final int offset,
                final int length)
            {
                try
                {
                    self.get().shutdown(0);
                    refusal.complete(null);
                }
                catch (final Throwable ex)
                {
                    refusal.complete(ex);
                }
                return connection.write(buffer, offset, length) ? length : 0;
            }
        };
        final Server server = Server.start(new ServerContext().reactorCount(1).listen(ANY, stopper)
            .bufferPoolBytesPerReactor(8 << 20));
        try
        {
            self.set(server);
            try (SocketChannel client = SocketChannel.open(server.localAddress(0)))
            {
                client.write(ByteBuffer.wrap(new byte[] {42}));
                final ByteBuffer echo = ByteBuffer.allocate(1);
                while (echo.hasRemaining())
                {
                    assertThat(client.read(echo)).isNotNegative();
                }
                assertThat(echo.get(0)).isEqualTo((byte)42);
            }
            assertThat(refusal.get(10, java.util.concurrent.TimeUnit.SECONDS))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Server.shutdown called on reactor-0");
            assertThat(server.health().healthy()).isTrue();
        }
        finally
        {
            server.shutdown(0);
        }
        assertThat(dev.coreloop.core.test.ServerThreads.liveServerThreadNames()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(AcceptMode.class)
    void shouldEchoOnEveryReactorAndShutDownGracefully(final AcceptMode mode) throws IOException
    {
        final RecordingSink sink = new RecordingSink();
        final Server server = Server.start(new ServerContext()
            .reactorCount(2).acceptMode(mode).listen(ANY, ECHO).transitionSink(sink)
            .bufferPoolBytesPerReactor(16 << 20));
        final List<SocketChannel> clients = new ArrayList<>();
        try
        {
            for (int i = 0; i < 16; i++)
            {
                final SocketChannel client = SocketChannel.open(server.localAddress(0));
                clients.add(client);
                final ByteBuffer request = ByteBuffer.allocate(1000);
                for (int b = 0; b < 1000; b++)
                {
                    request.put((byte)(i + b));
                }
                request.flip();
                while (request.hasRemaining())
                {
                    client.write(request);
                }
                final ByteBuffer response = ByteBuffer.allocate(1000);
                while (response.hasRemaining())
                {
                    assertThat(client.read(response)).isNotNegative();
                }
                assertThat(response.flip()).isEqualTo(request.flip());
            }
            final CountersSnapshot counters = server.counters();
            assertThat(counters.total(ReactorCounter.ACCEPTED)).isEqualTo(16);
            assertThat(counters.total(ReactorCounter.BYTES_READ)).isEqualTo(16_000);
            if (mode == AcceptMode.ACCEPTOR_THREAD)
            {
                assertThat(counters.value(0, ReactorCounter.ACCEPTED)).isEqualTo(8);
                assertThat(counters.value(1, ReactorCounter.ACCEPTED)).isEqualTo(8);
            }
        }
        finally
        {
            server.shutdown(2_000);
        }
        for (final SocketChannel client : clients)
        {
            assertThat(client.read(ByteBuffer.allocate(1))).as("FIN after the graceful shutdown").isEqualTo(-1);
            client.close();
        }
        assertThat(server.counters().total(ReactorCounter.CLOSE_SERVER_SHUTDOWN)).isEqualTo(16);
    }

    @Test
    void shouldNameTheAddressWhenBindFails() throws IOException
    {
        try (Server first = Server.start(new ServerContext().reactorCount(1).listen(ANY, ECHO)))
        {
            final InetSocketAddress taken = first.localAddress(0);
            // A start that wrongly succeeds is closed at once, so this test cannot leak its threads.
            assertThatThrownBy(() -> Server.start(new ServerContext().reactorCount(1).listen(taken, ECHO)).close())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getPort() + ": ");
        }
    }

    @Test
    void shouldCloseThePinnerOnceItsThreadsHaveStopped() throws IOException
    {
        final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        final ThreadPinner unpinned = ThreadPinner.unpinned();
        final List<Thread> pinned = new java.util.concurrent.CopyOnWriteArrayList<>();
        final ThreadPinner counting = new ThreadPinner()
        {
            @Override
            public PinResult pinCurrentThread(final String role)
            {
                pinned.add(Thread.currentThread());
                return unpinned.pinCurrentThread(role);
            }

            @Override
            public int plannedReactorCount()
            {
                return 0;
            }

            @Override
            public String report()
            {
                return unpinned.report();
            }

            @Override
            public void close()
            {
                events.add("close, pinned threads alive=" + pinned.stream().anyMatch(Thread::isAlive));
            }
        };
        final Server server = Server.start(new ServerContext().reactorCount(1).pinner(counting).listen(ANY, ECHO));
        try
        {
            assertThat(events).isEmpty();
            assertThat(pinned).as("start returns once every thread runs, pinned: acceptor and reactor-0").hasSize(2);
        }
        finally
        {
            server.close();
        }
        server.close();
        assertThat(events).containsExactly("close, pinned threads alive=false");
    }

    /**
     * The contract the tests after this one rely on: once {@code Server.start} returned, every thread runs, and once
     * {@code shutdown} returned, none is alive, right away (no waiting). Repeated because losing it is a race:
     * {@code AgentRunner.close()} can return before a thread that has not run yet, or that closed itself, has ended.
     */
    @ParameterizedTest
    @EnumSource(AcceptMode.class)
    void shouldLeaveNoThreadAliveOnceShutdownReturns(final AcceptMode mode) throws IOException
    {
        final List<String> before = dev.coreloop.core.test.ServerThreads.liveServerThreadNames();
        for (int i = 0; i < 20; i++)
        {
            final Server server = Server.start(new ServerContext().reactorCount(2).acceptMode(mode).listen(ANY, ECHO));
            try
            {
                assertThat(dev.coreloop.core.test.ServerThreads.liveServerThreadNames()).as("round %d", i)
                    .containsAll(mode == AcceptMode.ACCEPTOR_THREAD ?
                        List.of("acceptor", "reactor-0", "reactor-1") : List.of("reactor-0", "reactor-1"));
            }
            finally
            {
                server.shutdown(i % 2 == 0 ? 0 : 1_000);
            }
            assertThat(dev.coreloop.core.test.ServerThreads.liveServerThreadNames()).as("round %d", i)
                .isEqualTo(before);
        }
    }
}
