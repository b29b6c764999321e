package dev.coreloop.core.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.test.EchoTestServer;
import dev.coreloop.core.test.LoopbackClient;
import dev.coreloop.core.test.ServerThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client reset (SO_LINGER 0) is recorded as {@link CloseReason#PEER_RESET}, whether the connection was
 * quiet or had a backlog, and the reactor carries on serving.
 */
class PeerResetIT extends EchoServerTestBase
{
    @Test
    @Timeout(20)
    void resetOfAQuietConnectionIsRecordedAndTheReactorStaysHealthy() throws Exception
    {
        server = EchoTestServer.start(1);
        final byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        final LoopbackClient client = server.connect();
        assertThat(client.roundTrip(hello)).isEqualTo(hello);
        client.reset();

        server.events().awaitClosed(CloseReason.PEER_RESET, 1, 5_000);
        assertThat(server.events().closed()).isEqualTo(1);
        assertHealthy();
    }

    @Test
    @Timeout(20)
    void resetWithAnOutboundBacklogIsRecordedAndTheReactorStaysHealthy() throws Exception
    {
        server = EchoTestServer.start(1, false, ctx -> ctx.socketSendBufferBytes(16 * 1024));
        final LoopbackClient client = LoopbackClient.connect(server.address(), 10_000, 16 * 1024);
        final ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long sent = 0;
        while (sent < (1 << 20) && System.nanoTime() - deadlineNs < 0)
        {
            chunk.clear();
            sent += client.writeSome(chunk);
        }
        server.events().await(() -> server.events().bytesEchoed() > 64 * 1024, 5_000, "a backlog builds up");
        client.reset();

        server.events().awaitClosed(CloseReason.PEER_RESET, 1, 5_000);
        assertThat(server.events().closed()).as(server.events().summary()).isEqualTo(1);
        assertHealthy();
    }

    private void assertHealthy() throws Exception
    {
        assertThat(server.total(ReactorCounter.CLOSE_PEER_RESET)).isEqualTo(1);
        assertThat(server.total(ReactorCounter.HANDLER_ERRORS)).isZero();
        assertThat(server.total(ReactorCounter.ILLEGAL_TRANSITIONS)).isZero();
        assertThat(ServerThreads.reactor(0).isAlive()).isTrue();
        final byte[] again = "still there?".getBytes(StandardCharsets.US_ASCII);
        try (LoopbackClient next = server.connect())
        {
            for (int i = 0; i < 10; i++)
            {
                assertThat(next.roundTrip(again)).isEqualTo(again);
            }
        }
    }
}
