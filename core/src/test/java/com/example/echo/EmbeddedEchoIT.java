package com.example.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import dev.coreloop.core.Server;
import dev.coreloop.core.test.LoopbackClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The guide's example server answers on a real socket and stops when closed. */
@Timeout(30)
class EmbeddedEchoIT
{
    @Test
    void shouldEchoAndStop() throws Exception
    {
        final byte[] hello = "hello, coreloop\n".getBytes(StandardCharsets.US_ASCII);
        final byte[] big = new byte[1 << 20];
        for (int i = 0; i < big.length; i++)
        {
            big[i] = (byte)i;
        }
        final Server server = EmbeddedEcho.start(0);
        try (server; LoopbackClient client = LoopbackClient.connect(server.localAddress(0), 10_000))
        {
            assertThat(client.roundTrip(hello)).isEqualTo(hello);
            final int pieceBytes = 128 * 1024; // a megabyte in pieces, each read back before the next is sent
            for (int at = 0; at < big.length; at += pieceBytes)
            {
                final byte[] piece = java.util.Arrays.copyOfRange(big, at, at + pieceBytes);
                client.writeFully(piece);
                assertThat(client.readExactly(pieceBytes)).isEqualTo(piece);
            }
        }
        assertThat(server.health().healthy()).isTrue();
        try (LoopbackClient refused = LoopbackClient.connect(server.localAddress(0), 2_000))
        {
            assertThat(refused).as("nothing listens after close").isNull();
        }
        catch (final java.io.IOException expected)
        {
            assertThat(expected).hasMessageContaining("Connection refused");
        }
    }
}
