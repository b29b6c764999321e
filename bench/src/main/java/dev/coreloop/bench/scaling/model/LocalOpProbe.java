package dev.coreloop.bench.scaling.model;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import dev.coreloop.bench.TasksetPinner;
import dev.coreloop.bench.scaling.LoadClient;
import dev.coreloop.bench.scaling.Protocol;
import dev.coreloop.bench.scaling.ServerCpuClock;
import dev.coreloop.bench.scaling.ServerKind;

/**
 * Measures the CPU one reactor spends per operation when every operation is local: a one-reactor coreloop server
 * (RESP: every key is owned by the only shard) driven by one {@link LoadClient} on its own CPU; the server's CPU time
 * (reactor and acceptor threads) over the measured period divided by the responses.
 *
 * <p><b>Threading:</b> {@link #measure} from one thread; the load runs on a thread it starts and joins.
 */
public final class LocalOpProbe
{
    /**
     * @param protocol     the workload.
     * @param opsPerS      responses per second.
     * @param cpuNsPerOp   server CPU nanoseconds per response.
     * @param serverBusy   server CPU time / wall time (1.0: the reactor was saturated).
     */
    public record Result(Protocol protocol, double opsPerS, double cpuNsPerOp, double serverBusy)
    {
    }

    private LocalOpProbe()
    {
    }

    /**
     * @param protocol    the workload.
     * @param pinner      pins {@code reactor-0}, {@code acceptor} and {@code load-0}.
     * @param connections connections of the load.
     * @param durationMs  measured time (a warm-up as long runs first).
     * @return the measurement.
     * @throws Exception if the server or the load fails.
     */
    public static Result measure(final Protocol protocol, final TasksetPinner pinner, final int connections,
        final long durationMs) throws Exception
    {
        try (ServerKind.Running server = ServerKind.CORELOOP.start(protocol, 1, pinner))
        {
            final Result[] result = new Result[1];
            final Exception[] failure = new Exception[1];
            final Thread load = new Thread(() ->
            {
                pinner.pinCurrentThread("load-0");
                try (LoadClient client = new LoadClient(protocol, server.address(), connections, 11))
                {
                    client.open();
                    drive(client, durationMs);
                    final long cpuBefore = ServerCpuClock.cpuNs(server.serverThreads());
                    final long opsBefore = client.completed();
                    final long startNs = System.nanoTime();
                    drive(client, durationMs);
                    final long wallNs = System.nanoTime() - startNs;
                    final long ops = client.completed() - opsBefore;
                    final long cpuNs = ServerCpuClock.cpuNs(server.serverThreads()) - cpuBefore;
                    result[0] = new Result(protocol, ops * 1e9 / wallNs, (double)cpuNs / ops, (double)cpuNs / wallNs);
                }
                catch (final Exception ex)
                {
                    failure[0] = ex;
                }
            }, "local-op-load");
            load.start();
            load.join(2 * durationMs + 60_000);
            if (failure[0] != null)
            {
                throw failure[0];
            }
            if (result[0] == null)
            {
                throw new IOException("the local-op load did not finish");
            }
            return result[0];
        }
    }

    private static void drive(final LoadClient client, final long durationMs) throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(durationMs);
        while (System.nanoTime() - deadlineNs < 0)
        {
            for (int i = 0; i < 256; i++)
            {
                client.awaitResponse();
            }
        }
    }
}
