package dev.coreloop.core.reactor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.test.ReactorHarness;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The steady-state echo cycle allocates nothing: 100k request/response round trips through a real loopback
 * socket, with the reactor's duty cycle on this thread, measured with
 * {@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}. The client side (blocking NIO with direct
 * buffers) runs on the same thread and is included in the figure, so the figure is an upper bound for the reactor.
 */
@Timeout(60)
class EchoAllocationTest
{
    private static final int WARM_UP_CYCLES = 50_000;
    private static final int MEASURED_CYCLES = 100_000;
    private static final int MESSAGE_BYTES = 64;
    /**
     * A one-off allocation outside the echo path (the JIT replacing a method, a JDK-internal lazy structure) can land
     * in a window: up to this many windows are measured, each must stay below one byte per cycle, and one must be 0.
     */
    private static final int MAX_WINDOWS = 3;

    /** Echoes what fits; allocates nothing. */
    private static final ConnectionHandler ECHO = new ConnectionHandler()
    {
        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            return connection.write(buffer, offset, length) ? length : 0;
        }
    };

    @Test
    void shouldNotAllocateOnTheEchoCycle() throws IOException
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean, "no com.sun.management.ThreadMXBean");
        final com.sun.management.ThreadMXBean allocation = (com.sun.management.ThreadMXBean)threads;
        assumeTrue(allocation.isThreadAllocatedMemorySupported() && allocation.isThreadAllocatedMemoryEnabled(),
            "thread allocation counting unsupported");

        try (ReactorHarness harness = new ReactorHarness(new ServerContext()
            .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), reactor -> ECHO)
            .bufferChunkBytes(4096).bufferPoolBytesPerReactor(1 << 20)
            .outboundCapBytes(256 * 1024).highWatermarkBytes(128 * 1024).lowWatermarkBytes(32 * 1024)))
        {
            final SocketChannel client = harness.connect(0);
            harness.awaitConnection();
            final ByteBuffer request = ByteBuffer.allocateDirect(MESSAGE_BYTES);
            final ByteBuffer response = ByteBuffer.allocateDirect(MESSAGE_BYTES);

            roundTrips(harness, client, request, response, WARM_UP_CYCLES);
            long allocatedBytes = Long.MAX_VALUE;
            for (int window = 0; window < MAX_WINDOWS && allocatedBytes != 0; window++)
            {
                final long beforeBytes = allocation.getCurrentThreadAllocatedBytes();
                roundTrips(harness, client, request, response, MEASURED_CYCLES);
                allocatedBytes = allocation.getCurrentThreadAllocatedBytes() - beforeBytes;
                assertThat(allocatedBytes).as("bytes allocated over %d echo cycles (window %d): per-cycle allocation",
                    MEASURED_CYCLES, window).isLessThan(MEASURED_CYCLES);
            }

            assertThat(allocatedBytes).as("bytes allocated over %d echo cycles", MEASURED_CYCLES).isZero();
        }
    }

    private static void roundTrips(
        final ReactorHarness harness,
        final SocketChannel client,
        final ByteBuffer request,
        final ByteBuffer response,
        final int count) throws IOException
    {
        for (int i = 0; i < count; i++)
        {
            request.clear();
            request.putLong(0, i);
            while (request.hasRemaining())
            {
                client.write(request);
            }
            harness.doWork();
            response.clear();
            while (response.hasRemaining())
            {
                client.read(response);
            }
            if (response.getLong(0) != i)
            {
                throw new AssertionError("echo mismatch at " + i);
            }
        }
    }
}
