package dev.coreloop.core.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.PlacementPolicy;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.test.EchoTestServer;
import dev.coreloop.core.test.LoopbackClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many connections land on every reactor as the placement policy says, and each echoes its own bytes.
 */
class ConnectionSpreadIT extends EchoServerTestBase
{
    private static final int REACTORS = 4;

    @Test
    @Timeout(30)
    void roundRobinSpreadsConcurrentConnectionsEvenlyAndEachEchoesItsOwnBytes() throws Exception
    {
        server = EchoTestServer.start(REACTORS, false, ctx -> ctx.placement(PlacementPolicy.roundRobin()));
        final int clientThreads = 4;
        final int connectionsPerThread = 50;
        final ExecutorService pool = Executors.newFixedThreadPool(clientThreads);
        try
        {
            final List<Future<List<LoopbackClient>>> futures = new ArrayList<>();
            for (int t = 0; t < clientThreads; t++)
            {
                final int thread = t;
                futures.add(pool.submit(() ->
                {
                    final List<LoopbackClient> clients = new ArrayList<>();
                    for (int i = 0; i < connectionsPerThread; i++)
                    {
                        clients.add(server.connect());
                    }
                    for (int i = 0; i < clients.size(); i++)
                    {
                        final byte[] message = ("client " + thread + "/" + i + " says hello")
                            .getBytes(StandardCharsets.US_ASCII);
                        assertThat(clients.get(i).roundTrip(message)).isEqualTo(message);
                    }
                    return clients;
                }));
            }
            final List<LoopbackClient> all = new ArrayList<>();
            for (final Future<List<LoopbackClient>> future : futures)
            {
                all.addAll(future.get(20, TimeUnit.SECONDS));
            }

            final int total = clientThreads * connectionsPerThread;
            assertThat(server.events().opened()).isEqualTo(total);
            for (int r = 0; r < REACTORS; r++)
            {
                assertThat(server.events().openedOn(r)).as("connections on reactor %d", r).isEqualTo(total / REACTORS);
                assertThat(server.server().counter(r, ReactorCounter.ACCEPTED)).as("ACCEPTED on reactor %d", r)
                    .isEqualTo(total / REACTORS);
            }

            for (final LoopbackClient client : all)
            {
                client.close();
            }
            server.events().awaitClosed(total, 10_000);
            assertThat(server.total(ReactorCounter.CLOSED)).isEqualTo(total);
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(30)
    void leastConnectionsPlacesEachNewConnectionOnAnEmptiestReactor() throws Exception
    {
        server = EchoTestServer.start(REACTORS, false, ctx -> ctx.placement(PlacementPolicy.leastConnections()));
        final List<LoopbackClient> clients = new ArrayList<>();
        try
        {
            final byte[] message = "x".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 3 * REACTORS; i++)
            {
                final LoopbackClient client = server.connect();
                clients.add(client);
                // The echo proves the connection is registered before the next one is placed.
                assertThat(client.roundTrip(message)).isEqualTo(message);
                final int round = i / REACTORS;
                for (int r = 0; r < REACTORS; r++)
                {
                    assertThat(server.events().openedOn(r)).as("reactor %d after %d connections", r, i + 1)
                        .isBetween(round, round + 1);
                }
            }
            for (int r = 0; r < REACTORS; r++)
            {
                assertThat(server.events().openedOn(r)).isEqualTo(3);
            }
        }
        finally
        {
            for (final LoopbackClient client : clients)
            {
                client.close();
            }
        }
        server.events().awaitClosed(3 * REACTORS, 10_000);
    }
}
