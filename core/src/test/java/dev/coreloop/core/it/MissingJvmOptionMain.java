package dev.coreloop.core.it;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;

/**
 * The child process of {@link MissingJvmOptionIT}: starts a one-reactor server on an ephemeral loopback port and
 * prints {@code STARTED} (then closes it) or {@code REFUSED <message>}, then {@code THREADS <names>}: the server
 * threads alive at that point ({@code reactor-*}, {@code acceptor}), space-separated.
 *
 * <p><b>Threading:</b> the main thread only.
 */
public final class MissingJvmOptionMain
{
    private MissingJvmOptionMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final ConnectionHandler closeAtOnce = (connection, buffer, offset, length) ->
        {
            connection.close();
            return length;
        };
        final ServerContext ctx = new ServerContext()
            .reactorCount(1)
            .bufferPoolBytesPerReactor(8 << 20) // the child runs with -Xmx64m: 64 MiB of direct memory
            .listen(new InetSocketAddress("127.0.0.1", 0), reactor -> closeAtOnce);
        Server server = null;
        try
        {
            server = Server.start(ctx);
            System.out.println("STARTED");
        }
        catch (final IllegalStateException ex)
        {
            System.out.println("REFUSED " + ex.getMessage());
        }
        final List<String> serverThreads = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().startsWith("reactor-") || thread.getName().equals("acceptor"))
            {
                serverThreads.add(thread.getName());
            }
        }
        System.out.println("THREADS " + String.join(" ", serverThreads));
        if (server != null)
        {
            server.close();
        }
        System.out.flush();
    }
}
