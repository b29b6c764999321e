package dev.coreloop.core.it;

import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

import dev.coreloop.core.test.EchoTestServer;
import dev.coreloop.core.test.ServerThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The echo path allocates nothing in steady state: after a warm-up, the reactor thread's allocated-bytes
 * counter is measured over windows of thousands of echo round trips on several connections. Most windows must
 * be exactly zero and none may exceed a small one-off budget (see {@link #MAX_ONE_OFF_BYTES}); JMH
 * {@code -prof gc} on the echo benchmark gives the per-operation figure.
 */
class EchoAllocationIT extends EchoServerTestBase
{
    private static final int CONNECTIONS = 4;
    private static final int WARM_UP_ROUND_TRIPS = 20_000;
    private static final int WINDOWS = 12;
    private static final int WINDOW_ROUND_TRIPS = 5_000;
    /**
     * The JVM itself sometimes allocates a few hundred bytes on the reactor thread long after warm-up: a String
     * and its byte[] while re-running a method in the interpreter after a deoptimization, a constant resolved on
     * first use. They are one-offs; the smallest per-round-trip allocation (one 16-byte object) would be 80 KB
     * per window, and anything regular with a period under a window would leave no window at zero.
     */
    private static final long MAX_ONE_OFF_BYTES = 2_048;
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
            final long[] windows = new long[WINDOWS];
            for (int w = 0; w < WINDOWS; w++)
            {
                final long before = ServerThreads.allocatedBytes(reactor);
                roundTrips(channels, WINDOW_ROUND_TRIPS, request, response);
                windows[w] = ServerThreads.allocatedBytes(reactor) - before;
            }
            System.out.printf("reactor-0 allocated bytes per window of %d round trips: %s%n", WINDOW_ROUND_TRIPS,
                Arrays.toString(windows));

            int zeroWindows = 0;
            for (final long bytes : windows)
            {
                zeroWindows += bytes == 0 ? 1 : 0;
                assertThat(bytes).as("bytes allocated in one window of %d round trips: %s", WINDOW_ROUND_TRIPS,
                    Arrays.toString(windows)).isLessThanOrEqualTo(MAX_ONE_OFF_BYTES);
            }
            assertThat(zeroWindows).as("windows that allocated nothing: %s", Arrays.toString(windows))
                .isGreaterThanOrEqualTo(WINDOWS / 2);
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
