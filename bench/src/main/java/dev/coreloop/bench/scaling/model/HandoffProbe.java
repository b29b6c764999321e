package dev.coreloop.bench.scaling.model;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.coreloop.affinity.ThreadPinner;
import dev.coreloop.bench.scaling.ServerCpuClock;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.ReactorService;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.examples.echo.EchoHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Measures the cost of a cross-reactor hand-off: a message-ring round trip between reactor-0 and reactor-1 of a real
 * two-reactor coreloop server ({@link ReactorContext#sendMessage} there, {@link ReactorService#onMessage} back). The
 * payload is {@value #PAYLOAD_BYTES} bytes each way, about a forwarded RESP GET and its reply. With a window of 1
 * message in flight each side parks between messages (the round trip includes two wake-ups: the low-load latency);
 * with a larger window the reactors stay busy and drain their rings in batches (the cost under load, which is what a
 * saturated sharded server pays per cross-shard request).
 *
 * <p><b>Threading:</b> {@link #measure} from one thread; the probe's services run on their reactors.
 */
public final class HandoffProbe
{
    /** Bytes of each message. */
    public static final int PAYLOAD_BYTES = 48;
    private static final int PING = 1;
    private static final int PONG = 2;

    /**
     * A round-trip measurement.
     *
     * @param window        messages in flight.
     * @param roundTrips    round trips completed.
     * @param wallNsPerTrip wall-clock nanoseconds per round trip (window 1: the latency).
     * @param cpuNsPerTrip  CPU nanoseconds of both reactors per round trip.
     */
    public record Result(int window, long roundTrips, double wallNsPerTrip, double cpuNsPerTrip)
    {
    }

    /**
     * The per-reactor service: reactor-0 sends pings and counts pongs; every reactor answers a ping with a pong.
     *
     * <p><b>Threading:</b> runs on its reactor; {@link #done} is the hand-off to the measuring thread.
     */
    static final class PingService implements ReactorService
    {
        final ReactorContext reactor;
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_BYTES]);
        long remainingToSend;
        long received;
        long target;
        long refused;
        CountDownLatch done;

        PingService(final ReactorContext reactor)
        {
            this.reactor = reactor;
        }

        /** Runs on reactor-0: starts a burst of {@code total} round trips with {@code window} in flight. */
        void start(final long total, final int window, final CountDownLatch latch)
        {
            done = latch;
            target = total;
            received = 0;
            remainingToSend = total;
            for (int i = 0; i < window && remainingToSend > 0; i++)
            {
                sendPing();
            }
        }

        private void sendPing()
        {
            if (reactor.sendMessage(1, PingService.class, PING, payload, 0, PAYLOAD_BYTES))
            {
                remainingToSend--;
            }
            else
            {
                refused++;
                reactor.execute(this::sendPing);
            }
        }

        @Override
        public void onMessage(final int sourceReactor, final int msgTypeId, final DirectBuffer buffer, final int offset,
            final int length)
        {
            if (msgTypeId == PING)
            {
                while (!reactor.sendMessage(sourceReactor, PingService.class, PONG, buffer, offset, length))
                {
                    refused++;
                    Thread.onSpinWait();
                }
                return;
            }
            received++;
            if (remainingToSend > 0)
            {
                sendPing();
            }
            if (received == target)
            {
                done.countDown();
            }
        }
    }

    private HandoffProbe()
    {
    }

    /**
     * Starts a two-reactor server, warms up, then measures.
     *
     * @param pinner     pins reactor-0 and reactor-1 (give them different cores).
     * @param window     messages in flight.
     * @param roundTrips round trips measured (the warm-up is as many again).
     * @return the measurement.
     * @throws IOException          if the server cannot start.
     * @throws InterruptedException if interrupted.
     */
    public static Result measure(final ThreadPinner pinner, final int window, final long roundTrips)
        throws IOException, InterruptedException
    {
        final PingService[] services = new PingService[2];
        final ServerContext ctx = new ServerContext().reactorCount(2).pinner(pinner)
            .reactorService(PingService.class, reactor ->
            {
                final PingService service = new PingService(reactor);
                services[reactor.index()] = service;
                return service;
            })
            .listen(new InetSocketAddress("127.0.0.1", 0), EchoHandler.FACTORY);
        final Server server = Server.start(ctx);
        try
        {
            burst(services[0], roundTrips, window);
            final long cpuBefore = ServerCpuClock.cpuNs(name -> name.startsWith("reactor-"));
            final long startNs = System.nanoTime();
            burst(services[0], roundTrips, window);
            final long wallNs = System.nanoTime() - startNs;
            final long cpuNs = ServerCpuClock.cpuNs(name -> name.startsWith("reactor-")) - cpuBefore;
            return new Result(window, roundTrips, (double)wallNs / roundTrips, (double)cpuNs / roundTrips);
        }
        finally
        {
            server.shutdown(5_000);
        }
    }

    private static void burst(final PingService pinger, final long roundTrips, final int window)
        throws InterruptedException
    {
        final CountDownLatch latch = new CountDownLatch(1);
        if (!pinger.reactor.execute(0, () -> pinger.start(roundTrips, window, latch)))
        {
            throw new IllegalStateException("reactor-0 refused the probe's start task");
        }
        if (!latch.await(60, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("the hand-off probe did not finish " + roundTrips + " round trips in 60 s");
        }
    }
}
