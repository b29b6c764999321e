package dev.coreloop.bench.scaling.model;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

import dev.coreloop.affinity.ThreadPinner;
import dev.coreloop.bench.TasksetPinner;
import dev.coreloop.bench.scaling.ServerCpuClock;
import dev.coreloop.core.AcceptMode;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.examples.echo.EchoHandler;

/**
 * Measures connection placement: how many connections per second a coreloop echo server takes in (accept, place,
 * register, one 1-byte echo, close) with one acceptor thread ({@link AcceptMode#ACCEPTOR_THREAD}) or with each reactor
 * accepting on its own {@code SO_REUSEPORT} listener ({@link AcceptMode#REUSE_PORT}), and the CPU the acceptor and the
 * reactors spend per connection. The client closes with {@code SO_LINGER 0} (a reset), so no TIME_WAIT piles up on
 * the loopback's ephemeral ports during the run.
 *
 * <p><b>Threading:</b> {@link #measure} from one thread; it starts {@code clientThreads} client threads and joins
 * them.
 */
public final class AcceptRateProbe
{
    /**
     * A connection-rate measurement.
     *
     * @param mode                   the accept mode.
     * @param reactors               reactors.
     * @param connections            connections completed.
     * @param connectionsPerS        connections per second.
     * @param acceptorCpuNsPerConn   CPU of the acceptor thread per connection (0 with REUSE_PORT).
     * @param reactorCpuNsPerConn    CPU of all reactors per connection.
     */
    public record Result(AcceptMode mode, int reactors, long connections, double connectionsPerS,
        double acceptorCpuNsPerConn, double reactorCpuNsPerConn)
    {
    }

    private AcceptRateProbe()
    {
    }

    /**
     * @param mode          one acceptor or REUSE_PORT.
     * @param reactors      reactors.
     * @param serverPinner  pins the reactors and the acceptor.
     * @param clientPinner  pins client thread K as {@code load-K}.
     * @param clientThreads client threads.
     * @param durationMs    measured time (a warm-up of half as long runs first).
     * @return the measurement.
     * @throws IOException          if the server cannot start.
     * @throws InterruptedException if interrupted.
     */
    public static Result measure(final AcceptMode mode, final int reactors, final ThreadPinner serverPinner,
        final TasksetPinner clientPinner, final int clientThreads, final long durationMs)
        throws IOException, InterruptedException
    {
        final Server server = Server.start(new ServerContext().reactorCount(reactors).pinner(serverPinner)
            .acceptMode(mode).listen(new InetSocketAddress("127.0.0.1", 0), EchoHandler.FACTORY));
        try
        {
            final InetSocketAddress address = server.localAddress(0);
            run(address, clientPinner, clientThreads, durationMs / 2);
            final long acceptorBefore = ServerCpuClock.cpuNs("acceptor"::equals);
            final long reactorsBefore = ServerCpuClock.cpuNs(name -> name.startsWith("reactor-"));
            final long connections = run(address, clientPinner, clientThreads, durationMs);
            final double acceptor = ServerCpuClock.cpuNs("acceptor"::equals) - acceptorBefore;
            final double reactorCpu = ServerCpuClock.cpuNs(name -> name.startsWith("reactor-")) - reactorsBefore;
            return new Result(mode, reactors, connections, connections * 1000.0 / durationMs,
                connections == 0 ? Double.NaN : acceptor / connections,
                connections == 0 ? Double.NaN : reactorCpu / connections);
        }
        finally
        {
            server.shutdown(5_000);
        }
    }

    private static long run(final InetSocketAddress address, final TasksetPinner pinner, final int threads,
        final long durationMs) throws InterruptedException
    {
        final long[] counts = new long[threads];
        final Thread[] clients = new Thread[threads];
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs);
        for (int t = 0; t < threads; t++)
        {
            final int index = t;
            clients[t] = new Thread(() ->
            {
                pinner.pinCurrentThread("load-" + index);
                final ByteBuffer one = ByteBuffer.allocateDirect(1);
                while (System.nanoTime() - deadlineNs < 0)
                {
                    try (SocketChannel channel = SocketChannel.open())
                    {
                        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                        channel.connect(address);
                        one.clear().put((byte)'x').flip();
                        channel.write(one);
                        one.clear();
                        if (channel.read(one) == 1)
                        {
                            counts[index]++;
                        }
                    }
                    catch (final IOException ex)
                    {
                        // refused under overload: counted by what did not complete
                    }
                }
            }, "accept-client-" + t);
            clients[t].start();
        }
        long total = 0;
        for (int t = 0; t < threads; t++)
        {
            clients[t].join(durationMs + 30_000);
            total += counts[t];
        }
        return total;
    }
}
