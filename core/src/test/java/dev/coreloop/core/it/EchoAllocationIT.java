package dev.coreloop.core.it;

import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import dev.coreloop.core.test.EchoTestServer;
import dev.coreloop.core.test.ServerThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The echo path allocates nothing in steady state: after a warm-up, the reactor thread's allocated-bytes
 * counter does not move across thousands of echo round trips on several connections.
 */
class EchoAllocationIT extends EchoServerTestBase
{
    private static final int CONNECTIONS = 4;
    private static final int WARM_UP_ROUND_TRIPS = 20_000;
    private static final int MEASURED_ROUND_TRIPS = 20_000;
    private static final int MESSAGE_BYTES = 100;

    @Test
    @Timeout(60)
    void reactorAllocatesNothingPerEchoInSteadyState() throws Exception
    {
        assumeTrue(ServerThreads.allocationSupported(), "per-thread allocation counters are needed");
        server = EchoTestServer.start(1);
        final SocketChannel[] channels = new SocketChannel[CONNECTIONS];
        final ByteBuffer request = ByteBuffer.allocateDirect(MESSAGE_BYTES);
        final ByteBuffer response = ByteBuffer.allocateDirect(MESSAGE_BYTES);
        try
        {
            for (int i = 0; i < CONNECTIONS; i++)
            {
                channels[i] = SocketChannel.open(server.address());
                channels[i].setOption(StandardSocketOptions.TCP_NODELAY, true);
            }
            final Thread reactor = ServerThreads.reactor(0);

            roundTrips(channels, WARM_UP_ROUND_TRIPS, request, response);
            final long before = ServerThreads.allocatedBytes(reactor);
            roundTrips(channels, MEASURED_ROUND_TRIPS, request, response);
            final long after = ServerThreads.allocatedBytes(reactor);

            System.out.printf("reactor-0 allocated %d bytes over %d echo round trips%n", after - before,
                MEASURED_ROUND_TRIPS);
            assertThat(after - before).as("bytes allocated by reactor-0 over %d round trips", MEASURED_ROUND_TRIPS)
                .isZero();
        }
        finally
        {
            for (final SocketChannel channel : channels)
            {
                if (channel != null)
                {
                    channel.close();
                }
            }
        }
    }

    private static void roundTrips(final SocketChannel[] channels, final int count, final ByteBuffer request,
        final ByteBuffer response) throws Exception
    {
        for (int i = 0; i < count; i++)
        {
            final SocketChannel channel = channels[i % channels.length];
            request.clear();
            request.put(0, (byte)i);
            while (request.hasRemaining())
            {
                channel.write(request);
            }
            response.clear();
            while (response.hasRemaining())
            {
                if (channel.read(response) < 0)
                {
                    throw new AssertionError("server closed connection " + (i % channels.length));
                }
            }
            if (response.get(0) != (byte)i)
            {
                throw new AssertionError("wrong echo on round trip " + i);
            }
        }
    }
}
