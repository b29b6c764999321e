package dev.coreloop.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ConnectionSettings;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.test.DumpServerThreadsOnFailure;
import dev.coreloop.core.test.LoopbackClient;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two listeners of one {@link Server}, and two outbound connects of one reactor, each with settings of their own: the
 * outbound cap and the idle timeout of each connection are its listener's (or its connect's), not the server-wide
 * ones.
 */
@ExtendWith(DumpServerThreadsOnFailure.class)
@Timeout(60)
class ConnectionSettingsIT
{
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final int BLOCK_BYTES = 4 * 1024;
    private static final int SMALL_CAP_BYTES = 32 * 1024;
    private static final long SHORT_IDLE_MS = 300;

    private Server server;

    @AfterEach
    void stopServer()
    {
        if (server != null)
        {
            server.close();
        }
    }

    /** Writes blocks as soon as it opens until the outbound ring refuses one; reports the bytes it took. */
    private static final class Flooder implements ConnectionHandler
    {
        final CompletableFuture<Integer> acceptedBytes = new CompletableFuture<>();
        final CompletableFuture<CloseReason> closed = new CompletableFuture<>();

        @Override
        public void onOpened(final Connection connection)
        {
            final byte[] block = new byte[BLOCK_BYTES];
            int accepted = 0;
            while (connection.write(block, 0, block.length))
            {
                accepted += block.length;
            }
            acceptedBytes.complete(accepted);
        }

        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            return length;
        }

        @Override
        public void onClosed(final Connection connection, final CloseReason reason)
        {
            closed.complete(reason);
        }
    }

    private static final ConnectionHandler ECHO = (connection, buffer, offset, length) ->
        connection.write(buffer, offset, length) ? length : 0;

    @Test
    void shouldCapEachListenersBacklogByItsOwnSettings() throws Exception
    {
        final Flooder small = new Flooder();
        final Flooder large = new Flooder();
        server = Server.start(new ServerContext().reactorCount(1)
            .listen(ANY, reactor -> small, ConnectionSettings.INHERIT.outboundCapBytes(SMALL_CAP_BYTES))
            .listen(ANY, reactor -> large));
        try (LoopbackClient smallClient = LoopbackClient.connect(server.localAddress(0), 10_000);
            LoopbackClient largeClient = LoopbackClient.connect(server.localAddress(1), 10_000))
        {
            assertThat(small.acceptedBytes.get(10, TimeUnit.SECONDS)).isEqualTo(SMALL_CAP_BYTES);
            assertThat(large.acceptedBytes.get(10, TimeUnit.SECONDS))
                .as("the second listener has the context's cap").isEqualTo(ServerContext.OUTBOUND_CAP_BYTES_DEFAULT);
            assertThat(smallClient.readExactly(SMALL_CAP_BYTES)).hasSize(SMALL_CAP_BYTES);
            assertThat(largeClient.readExactly(ServerContext.OUTBOUND_CAP_BYTES_DEFAULT))
                .hasSize(ServerContext.OUTBOUND_CAP_BYTES_DEFAULT);
        }
    }

    @Test
    void shouldIdleOutEachListenersConnectionsByItsOwnTimeout() throws Exception
    {
        server = Server.start(new ServerContext().reactorCount(1).idleTimeoutMs(60_000)
            .listen(ANY, reactor -> ECHO, ConnectionSettings.INHERIT.idleTimeoutMs(SHORT_IDLE_MS))
            .listen(ANY, reactor -> ECHO));
        final byte[] ping = {'p', 'i', 'n', 'g'};
        try (LoopbackClient shortIdle = LoopbackClient.connect(server.localAddress(0), 10_000);
            LoopbackClient longIdle = LoopbackClient.connect(server.localAddress(1), 10_000))
        {
            assertThat(shortIdle.roundTrip(ping)).isEqualTo(ping);
            assertThat(longIdle.roundTrip(ping)).isEqualTo(ping);
            final long startNs = System.nanoTime();
            assertThat(shortIdle.awaitEnd(10_000)).as("closed with a FIN").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)).isLessThan(10_000);
            assertThat(longIdle.roundTrip(ping)).as("silent as long, still open").isEqualTo(ping);
        }
    }

    @Test
    void shouldGiveAnOutboundConnectItsOwnSettings() throws Exception
    {
        try (ServerSocketChannel ownUpstream = ServerSocketChannel.open().bind(ANY);
            ServerSocketChannel inheritingUpstream = ServerSocketChannel.open().bind(ANY))
        {
            final InetSocketAddress ownAddress = (InetSocketAddress)ownUpstream.getLocalAddress();
            final InetSocketAddress inheritingAddress = (InetSocketAddress)inheritingUpstream.getLocalAddress();
            final Flooder own = new Flooder();
            final Flooder inheriting = new Flooder();
            final ConnectionSettings ownSettings = ConnectionSettings.INHERIT.outboundCapBytes(SMALL_CAP_BYTES)
                .idleTimeoutMs(SHORT_IDLE_MS);
            final ConnectionHandler trigger = new ConnectionHandler()
            {
                @Override
                public void onOpened(final Connection connection)
                {
                    connection.reactor().connect(ownAddress, own, 5_000, ownSettings);
                    connection.reactor().connect(inheritingAddress, inheriting, 5_000);
                }

                @Override
                public int onData(final Connection connection, final DirectBuffer buffer, final int offset,
                    final int length)
                {
                    return length;
                }
            };
            server = Server.start(new ServerContext().reactorCount(1).idleTimeoutMs(60_000)
                .listen(ANY, reactor -> trigger));
            try (LoopbackClient client = LoopbackClient.connect(server.localAddress(0), 10_000);
                SocketChannel ownPeer = ownUpstream.accept();
                SocketChannel inheritingPeer = inheritingUpstream.accept())
            {
                assertThat(own.acceptedBytes.get(10, TimeUnit.SECONDS)).isEqualTo(SMALL_CAP_BYTES);
                assertThat(inheriting.acceptedBytes.get(10, TimeUnit.SECONDS))
                    .isEqualTo(ServerContext.OUTBOUND_CAP_BYTES_DEFAULT);
                assertThat(readUntilEof(ownPeer)).as("its cap's worth, then a FIN at its idle timeout")
                    .isEqualTo(SMALL_CAP_BYTES);
                assertThat(own.closed.get(10, TimeUnit.SECONDS)).isEqualTo(CloseReason.IDLE_TIMEOUT);
                assertThat(inheriting.closed).as("the context's idle timeout is a minute").isNotDone();
                assertThat(client.channel().isOpen()).isTrue();
            }
        }
    }

    private static long readUntilEof(final SocketChannel peer) throws Exception
    {
        final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long total = 0;
        int read;
        while ((read = peer.read(buffer)) >= 0) // blocking: the server's idle timeout ends it
        {
            total += read;
            buffer.clear();
        }
        return total;
    }
}
