package dev.coreloop.core.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.test.EchoTestServer;
import dev.coreloop.core.test.FileDescriptors;
import dev.coreloop.core.test.LoopbackClient;
import dev.coreloop.core.test.ServerThreads;

/**
 * The child process of {@link EmfileIT}: an echo server meant to run under a low open-files limit. It prints
 * {@code READY port=P fds=N} once serving, then every 100 ms
 * {@code STAT acceptorCpuNs=C opened=O closed=X fds=N emfileBackoffs=B}; it shuts down and exits when stdin says {@code
 * quit} or closes.
 *
 * <p><b>Threading:</b> the main thread reads stdin; a scheduler thread prints the stats; the server runs its
 * own threads.
 */
public final class EmfileServerMain
{
    /** The acceptor's pause after EMFILE, configured for the child. */
    static final long EMFILE_BACKOFF_MS = 100;

    private EmfileServerMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final EchoTestServer server = EchoTestServer.start(1, false, ctx -> ctx.emfileBackoffMs(EMFILE_BACKOFF_MS));
        // One echo of our own, so that every class and jar the serving path needs is loaded before the
        // descriptors run out.
        try (LoopbackClient self = server.connect())
        {
            self.roundTrip(new byte[]{1, 2, 3});
        }
        server.events().awaitClosed(1, 5_000);
        final Thread acceptor = ServerThreads.acceptor();
        System.out.println("READY port=" + server.port() + " fds=" + FileDescriptors.count());
        System.out.flush();

        final ScheduledExecutorService stats = Executors.newSingleThreadScheduledExecutor();
        stats.scheduleAtFixedRate(() ->
        {
            int fds;
            try
            {
                fds = FileDescriptors.count();
            }
            catch (final Exception ex)
            {
                fds = -1; // listing /proc/self/fd needs a descriptor too; none may be left
            }
            System.out.println("STAT acceptorCpuNs=" + ServerThreads.cpuTimeNs(acceptor) +
                " opened=" + server.events().opened() + " closed=" + server.events().closed() + " fds=" + fds +
                " emfileBackoffs=" + server.total(ReactorCounter.EMFILE_BACKOFFS));
            System.out.flush();
        }, 0, 100, TimeUnit.MILLISECONDS);

        try (BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)))
        {
            String line;
            do
            {
                line = stdin.readLine();
            }
            while (line != null && !"quit".equals(line.trim()));
        }
        stats.shutdownNow();
        server.close();
        System.out.println("BYE");
        System.out.flush();
    }
}
