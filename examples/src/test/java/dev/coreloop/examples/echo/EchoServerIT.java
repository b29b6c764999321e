package dev.coreloop.examples.echo;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.Server;
import dev.coreloop.core.test.LoopbackClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The echo example over real sockets: several connections on several reactors, a large payload whose reader
 * starts late (the handler must respect backpressure and lose nothing), and a half-close.
 */
class EchoServerIT
{
    private Server server;

    @AfterEach
    void stop()
    {
        if (server != null)
        {
            server.shutdown(2_000);
        }
    }

    @Test
    @Timeout(30)
    void echoesOnEveryConnectionAcrossReactors() throws Exception
    {
        server = EchoServer.start(EchoServer.parse("--port", "0", "--reactors", "2"));
        assertThat(server.reactorCount()).isEqualTo(2);
        final List<LoopbackClient> clients = new ArrayList<>();
        try
        {
            for (int i = 0; i < 8; i++)
            {
                clients.add(LoopbackClient.connect(server.localAddress(0).getPort()));
            }
            for (int round = 0; round < 10; round++)
            {
                for (int i = 0; i < clients.size(); i++)
                {
                    final byte[] message = ("round " + round + " client " + i).getBytes();
                    assertThat(clients.get(i).roundTrip(message)).isEqualTo(message);
                }
            }
        }
        finally
        {
            for (final LoopbackClient client : clients)
            {
                client.close();
            }
        }
    }

    @Test
    @Timeout(30)
    void largePayloadWithALateReaderArrivesWholeAndHalfCloseEndsIt() throws Exception
    {
        server = EchoServer.start(EchoServer.parse("--port", "0", "--reactors", "1"));
        final byte[] payload = new byte[8 << 20];
        new Random(7).nextBytes(payload);
        try (LoopbackClient client = LoopbackClient.connect(server.localAddress(0), 20_000, 64 * 1024))
        {
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() ->
            {
                try
                {
                    client.writeFully(ByteBuffer.wrap(payload));
                    client.shutdownOutput();
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            // Read nothing for a while: the server's backlog for us passes the high watermark, so it stops
            // reading (and may refuse writes at the cap); the handler must lose nothing on the way.
            Thread.sleep(300);

            final byte[] echoed = client.readUntilEof(20_000);
            writer.get(5, TimeUnit.SECONDS);
            assertThat(echoed.length).isEqualTo(payload.length);
            assertThat(echoed).isEqualTo(payload);
        }
    }
}
