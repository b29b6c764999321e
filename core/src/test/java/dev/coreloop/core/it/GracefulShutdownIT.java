package dev.coreloop.core.it;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.test.EchoTestServer;
import dev.coreloop.core.test.LoopbackClient;
import dev.coreloop.core.test.ServerThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Graceful shutdown with open connections: clients receive the replies already owed to them and then EOF;
 * the listener stops accepting; what cannot finish is aborted at the deadline and shutdown returns.
 */
class GracefulShutdownIT extends EchoServerTestBase
{
    private static final int BACKLOG_BYTES = 512 * 1024;

    @Test
    @Timeout(30)
    void openConnectionsGetTheirInFlightRepliesThenEof() throws Exception
    {
        server = EchoTestServer.start(2, false, ctx -> ctx.socketSendBufferBytes(16 * 1024));
        final byte[] payload = HalfCloseEchoIT.randomBytes(BACKLOG_BYTES, 3);
        final byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
        try (LoopbackClient owed = LoopbackClient.connect(server.address(), 10_000, 16 * 1024);
            LoopbackClient quiet = server.connect();
            LoopbackClient answered = server.connect())
        {
            assertThat(answered.roundTrip(ping)).isEqualTo(ping);
            // "owed" sends half a MiB and reads nothing yet: most of the echo waits in the server's rings.
            owed.writeFully(payload);
            server.events().await(() -> server.events().bytesEchoed() == BACKLOG_BYTES + ping.length, 10_000,
                "the whole payload is in the server's outbound ring or on the wire");

            final long startNs = System.nanoTime();
            final CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> server.shutdown(10_000));

            final byte[] echoed = owed.readUntilEof(10_000);
            assertThat(echoed.length).isEqualTo(payload.length);
            assertThat(echoed).isEqualTo(payload);
            assertThat(quiet.awaitEnd(10_000)).as("idle connection ends with EOF").isTrue();
            assertThat(answered.awaitEnd(10_000)).as("answered connection ends with EOF").isTrue();

            shutdown.get(15, TimeUnit.SECONDS);
            System.out.printf("graceful shutdown took %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
            assertThat(server.events().closed()).isEqualTo(3);
            assertThat(ServerThreads.liveServerThreadNames()).as("server threads after shutdown").isEmpty();
        }
        assertThatThrownBy(() -> LoopbackClient.connect(server.address(), 2_000).close())
            .as("the listener is closed").isInstanceOf(ConnectException.class);
    }

    @Test
    @Timeout(30)
    void connectionThatCannotFinishIsAbortedAtTheDeadline() throws Exception
    {
        server = EchoTestServer.start(1, false, ctx -> ctx.socketSendBufferBytes(16 * 1024));
        final byte[] payload = new byte[BACKLOG_BYTES];
        try (LoopbackClient neverReads = LoopbackClient.connect(server.address(), 10_000, 16 * 1024))
        {
            neverReads.writeFully(ByteBuffer.wrap(payload));
            server.events().await(() -> server.events().bytesEchoed() == BACKLOG_BYTES, 10_000, "payload echoed");

            final long deadlineMs = 500;
            final long startNs = System.nanoTime();
            server.shutdown(deadlineMs);
            final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

            assertThat(tookMs).as("shutdown returns soon after its deadline").isLessThan(deadlineMs + 3_000);
            assertThat(server.events().closed()).as(server.events().summary()).isEqualTo(1);
            assertThat(ServerThreads.liveServerThreadNames()).isEmpty();
            try
            {
                neverReads.awaitEnd(5_000);
            }
            catch (final IOException ex)
            {
                throw new AssertionError("the aborted client should see an end (EOF or reset)", ex);
            }
        }
    }
}
