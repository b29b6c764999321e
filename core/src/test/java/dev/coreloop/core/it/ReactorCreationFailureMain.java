package dev.coreloop.core.it;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;

/**
 * The child process of {@link ReactorCreationFailureIT}, run with a small {@code -XX:MaxDirectMemorySize}: starts a
 * server whose reactors' message rings need more direct memory than that, on a port it found free, with a counters
 * directory. Prints {@code FAILED <exception>: <message>} (or {@code STARTED}), then {@code REBIND ok} or
 * {@code REBIND <error>} for a bind of the same port, {@code COUNTERS <present|absent>} for the counters directory, and
 * {@code THREADS <names>} for the server threads alive.
 *
 * <p><b>Threading:</b> the main thread only.
 */
public final class ReactorCreationFailureMain
{
    private ReactorCreationFailureMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int port;
        try (ServerSocketChannel probe = ServerSocketChannel.open())
        {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress)probe.getLocalAddress()).getPort();
        }
        final Path counters = Files.createTempDirectory("reactor-creation-failure").resolve("run");
        final ConnectionHandler closeAtOnce = (connection, buffer, offset, length) ->
        {
            connection.close();
            return length;
        };
        final ServerContext ctx = new ServerContext()
            .reactorCount(4)
            .messageRingBytes(Integer.parseInt(args[0]))
            .bufferPoolBytesPerReactor(4 << 20)
            .countersDirectory(counters)
            .listen(new InetSocketAddress("127.0.0.1", port), reactor -> closeAtOnce);
        try (Server server = Server.start(ctx))
        {
            System.out.println("STARTED");
        }
        catch (final Throwable ex)
        {
            System.out.println("FAILED " + ex.getClass().getName() + ": " + ex.getMessage());
        }
        try (ServerSocketChannel again = ServerSocketChannel.open())
        {
            again.bind(new InetSocketAddress("127.0.0.1", port));
            System.out.println("REBIND ok");
        }
        catch (final Exception ex)
        {
            System.out.println("REBIND " + ex);
        }
        System.out.println("COUNTERS " + (Files.exists(counters) ? "present" : "absent"));
        final List<String> serverThreads = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.isAlive() && (thread.getName().startsWith("reactor-") || thread.getName().equals("acceptor")))
            {
                serverThreads.add(thread.getName());
            }
        }
        System.out.println("THREADS " + String.join(" ", serverThreads));
        System.out.flush();
    }
}
