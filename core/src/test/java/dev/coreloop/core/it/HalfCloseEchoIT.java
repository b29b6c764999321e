package dev.coreloop.core.it;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.test.EchoTestServer;
import dev.coreloop.core.test.LoopbackClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Large echoes survive the client's half-close, and a reader that takes one byte at a time gets every byte
 * while the server goes into backpressure and out again.
 */
class HalfCloseEchoIT extends EchoServerTestBase
{
    @Test
    @Timeout(30)
    void oneMebibyteEchoIsFullyDeliveredAfterClientShutdownOutputThenClosed() throws Exception
    {
        server = EchoTestServer.start(2);
        final byte[] payload = randomBytes(1 << 20, 1);
        try (LoopbackClient client = server.connect())
        {
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() ->
            {
                try
                {
                    client.writeFully(payload);
                    client.shutdownOutput();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            final byte[] echoed = client.readUntilEof(20_000);
            writer.get(5, TimeUnit.SECONDS);

            assertThat(echoed.length).isEqualTo(payload.length);
            assertThat(echoed).isEqualTo(payload);
        }
        server.events().awaitClosed(1, 5_000);
        assertThat(server.events().inputClosed()).isEqualTo(1);
        assertThat(server.events().closed(CloseReason.PEER_CLOSED) + server.events().closed(CloseReason.LOCAL_CLOSE))
            .as("a clean close, not an error: %s", server.events().summary()).isEqualTo(1);
    }

    @Test
    @Timeout(30)
    void readerTakingOneByteAtATimeGetsEveryByteThroughBackpressure() throws Exception
    {
        server = EchoTestServer.start(1, false, ctx -> ctx
            .socketSendBufferBytes(8 * 1024)
            .highWatermarkBytes(16 * 1024)
            .lowWatermarkBytes(4 * 1024));
        final byte[] payload = randomBytes(192 * 1024, 2);
        try (LoopbackClient client = LoopbackClient.connect(server.address(), 10_000, 4 * 1024))
        {
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() ->
            {
                try
                {
                    client.writeFully(payload);
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            final ByteBuffer oneByte = ByteBuffer.allocate(1);
            for (int i = 0; i < payload.length; i++)
            {
                oneByte.clear();
                assertThat(client.readSome(oneByte, 10_000)).isEqualTo(1);
                if (oneByte.get(0) != payload[i])
                {
                    throw new AssertionError("byte " + i + " differs: " + oneByte.get(0) + " != " + payload[i]);
                }
            }
            writer.get(5, TimeUnit.SECONDS);
        }
        assertThat(server.events().becameUnwritable()).as("went into backpressure").isGreaterThanOrEqualTo(1);
        assertThat(server.events().becameWritable()).as("came out of backpressure").isGreaterThanOrEqualTo(1);
        assertThat(server.events().bytesEchoed()).isEqualTo(payload.length);
        server.events().awaitClosed(1, 5_000);
    }

    static byte[] randomBytes(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
