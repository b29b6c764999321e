package dev.coreloop.core.it;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.coreloop.core.test.EchoTestServer;
import dev.coreloop.core.test.LoopbackClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fairness: while one connection floods its reactor (writing and reading as fast as it can), a light
 * client on the same reactor keeps getting its round trips. Only a generous bound is asserted (no round trip
 * above one second), never a latency target.
 */
class FloodFairnessIT extends EchoServerTestBase
{
    private static final long MAX_ROUND_TRIP_MS = 1_000;

    @Test
    @Timeout(30)
    void lightClientKeepsBoundedRoundTripsWhileAnotherConnectionFloods() throws Exception
    {
        server = EchoTestServer.start(1);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong floodEchoed = new AtomicLong();
        // Two dedicated threads: the common pool may have a single worker (2 CPUs), and the writer blocks
        // until the reader drains, so sharing one worker would deadlock the client, not the server.
        final ExecutorService floodThreads = Executors.newFixedThreadPool(2);
        try (LoopbackClient light = server.connect();
            LoopbackClient flood = server.connect())
        {
            final CompletableFuture<Void> floodWriter = CompletableFuture.runAsync(() ->
            {
                final ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
                try
                {
                    while (!stop.get())
                    {
                        chunk.clear();
                        flood.writeFully(chunk);
                    }
                }
                catch (final Exception ex)
                {
                    throw new IllegalStateException(ex);
                }
            }, floodThreads);
            final CompletableFuture<Void> floodReader = CompletableFuture.runAsync(() ->
            {
                final ByteBuffer sink = ByteBuffer.allocateDirect(256 * 1024);
                try
                {
                    while (!stop.get())
                    {
                        sink.clear();
                        floodEchoed.addAndGet(Math.max(0, flood.readSome(sink, 2_000)));
                    }
                }
                catch (final Exception ex)
                {
                    if (!stop.get())
                    {
                        throw new IllegalStateException(ex);
                    }
                }
            }, floodThreads);

            server.events().await(() -> floodEchoed.get() > 4L << 20, 10_000, "the flood is under way");
            final byte[] ping = "light client ping".getBytes(StandardCharsets.US_ASCII);
            long maxRoundTripNs = 0;
            final int roundTrips = 200;
            for (int i = 0; i < roundTrips; i++)
            {
                final long startNs = System.nanoTime();
                assertThat(light.roundTrip(ping)).isEqualTo(ping);
                maxRoundTripNs = Math.max(maxRoundTripNs, System.nanoTime() - startNs);
            }
            final long floodedDuringTest = floodEchoed.get();
            stop.set(true);

            System.out.printf("light client: max round trip %.3f ms over %d, while the flood echoed %d MiB%n",
                maxRoundTripNs / 1e6, roundTrips, floodedDuringTest >> 20);
            assertThat(TimeUnit.NANOSECONDS.toMillis(maxRoundTripNs)).isLessThan(MAX_ROUND_TRIP_MS);
            assertThat(floodReader.isCompletedExceptionally() || floodWriter.isCompletedExceptionally())
                .as("flood threads failed while the light client ran").isFalse();
            flood.reset();
            floodWriter.handle((ok, ex) -> null).get(5, TimeUnit.SECONDS);
            floodReader.handle((ok, ex) -> null).get(5, TimeUnit.SECONDS);
        }
        finally
        {
            stop.set(true);
            floodThreads.shutdownNow();
        }
    }
}
