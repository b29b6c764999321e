package dev.coreloop.core.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.test.EchoTestServer;
import dev.coreloop.core.test.LoopbackClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client that sends and never reads: the server's backlog for it stays under the per-connection cap, the
 * connection ends after the write-stall timeout, and another client on the same reactor is served throughout.
 */
class SlowConsumerIT extends EchoServerTestBase
{
    private static final int OUTBOUND_CAP_BYTES = 256 * 1024;
    private static final long WRITE_STALL_TIMEOUT_MS = 600;

    @Test
    @Timeout(30)
    void clientThatNeverReadsStaysUnderTheCapIsClosedAfterWriteStallAndOthersAreServed() throws Exception
    {
        server = EchoTestServer.start(1, false, ctx -> ctx
            .socketSendBufferBytes(16 * 1024)
            .outboundCapBytes(OUTBOUND_CAP_BYTES)
            .highWatermarkBytes(64 * 1024)
            .lowWatermarkBytes(16 * 1024)
            .writeStallTimeoutMs(WRITE_STALL_TIMEOUT_MS)
            .idleTimeoutMs(60_000));
        final byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);

        try (LoopbackClient other = server.connect();
            LoopbackClient stuck = LoopbackClient.connect(server.address(), 10_000, 16 * 1024))
        {
            assertThat(other.roundTrip(ping)).isEqualTo(ping);

            // Send until the server stops reading and TCP flow control blocks us (bounded in bytes and time).
            final ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
            long sent = 0;
            long lastProgressNs = System.nanoTime();
            final long startNs = System.nanoTime();
            while (sent < (16L << 20) && System.nanoTime() - lastProgressNs < TimeUnit.MILLISECONDS.toNanos(200) &&
                System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(10))
            {
                chunk.clear();
                final int n = stuck.writeSome(chunk);
                if (n > 0)
                {
                    sent += n;
                    lastProgressNs = System.nanoTime();
                }
                else
                {
                    // The other client is served while the stuck one fills every buffer on the way.
                    assertThat(other.roundTrip(ping)).isEqualTo(ping);
                }
            }
            assertThat(sent).as("the server stopped reading long before 16 MiB").isLessThan(16L << 20);
            assertThat(server.events().becameUnwritable()).as("backpressure engaged: %s", server.events().summary())
                .isGreaterThanOrEqualTo(1);
            assertThat(server.events().maxOutboundBytes()).as("outbound backlog of the stuck connection")
                .isLessThanOrEqualTo(OUTBOUND_CAP_BYTES);
            assertThat(server.total(ReactorCounter.UNWRITABLE)).as("connections now unwritable").isEqualTo(1);
            assertThat(server.total(ReactorCounter.STATE_ACTIVE)).as("backpressure is not a lifecycle state")
                .isEqualTo(2);

            // No progress from now on: the write-stall timer ends the connection.
            server.events().awaitClosed(CloseReason.WRITE_STALL_TIMEOUT, 1, 10_000);
            stuck.awaitEnd(5_000); // throws unless EOF or a reset arrives
            assertThat(server.events().closed()).as("only the stuck connection closed").isEqualTo(1);
            assertThat(server.total(ReactorCounter.CLOSE_WRITE_STALL_TIMEOUT)).isEqualTo(1);
            assertThat(server.total(ReactorCounter.UNWRITABLE)).isZero();

            for (int i = 0; i < 20; i++)
            {
                assertThat(other.roundTrip(ping)).isEqualTo(ping);
            }
        }
        server.events().awaitClosed(2, 5_000);
    }
}
