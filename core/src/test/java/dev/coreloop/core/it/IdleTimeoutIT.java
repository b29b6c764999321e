package dev.coreloop.core.it;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.test.EchoTestServer;
import dev.coreloop.core.test.LoopbackClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A silent connection is closed after the idle timeout; a connection that keeps talking is not.
 */
class IdleTimeoutIT extends EchoServerTestBase
{
    private static final long IDLE_TIMEOUT_MS = 300;

    @Test
    @Timeout(20)
    void silentConnectionClosesAfterIdleTimeoutWhileATalkingOneStaysOpen() throws Exception
    {
        server = EchoTestServer.start(1, false, ctx -> ctx.idleTimeoutMs(IDLE_TIMEOUT_MS));
        final byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
        try (LoopbackClient silent = server.connect();
            LoopbackClient talking = server.connect())
        {
            assertThat(silent.roundTrip(ping)).isEqualTo(ping);
            final long lastActivityNs = System.nanoTime();

            // The talking client sends every third of the timeout, for well over three timeouts.
            final long talkUntilNs = lastActivityNs + TimeUnit.MILLISECONDS.toNanos(4 * IDLE_TIMEOUT_MS);
            while (System.nanoTime() - talkUntilNs < 0)
            {
                assertThat(talking.roundTrip(ping)).isEqualTo(ping);
                Thread.sleep(IDLE_TIMEOUT_MS / 3);
            }

            assertThat(silent.awaitEnd(5_000)).as("the silent connection ended with a FIN, not a reset").isTrue();
            assertThat(server.events().closed(CloseReason.IDLE_TIMEOUT)).as(server.events().summary()).isEqualTo(1);
            assertThat(server.events().closed()).isEqualTo(1);
            assertThat(talking.roundTrip(ping)).isEqualTo(ping);
        }
    }

    @Test
    @Timeout(20)
    void idleTimeoutDoesNotFireEarly() throws Exception
    {
        server = EchoTestServer.start(1, false, ctx -> ctx.idleTimeoutMs(IDLE_TIMEOUT_MS));
        final byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
        try (LoopbackClient silent = server.connect())
        {
            assertThat(silent.roundTrip(ping)).isEqualTo(ping);
            final long startNs = System.nanoTime();
            silent.awaitEnd(5_000);
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            // The reply left the server before the client saw it, so the server's idle clock started a little
            // earlier than ours: allow one timer-wheel tick of slack below the timeout.
            assertThat(elapsedMs).isGreaterThanOrEqualTo(IDLE_TIMEOUT_MS - 50);
        }
        server.events().awaitClosed(CloseReason.IDLE_TIMEOUT, 1, 5_000);
    }
}
