package com.example.echo;

import java.io.IOException;
import java.net.InetSocketAddress;

import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ConnectionSettings;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;

/** An echo server on coreloop: the example of docs/embedding.md. */
public final class EmbeddedEcho
{
    /** Writes back what it reads; a refused write keeps the input, which comes back once there is room. */
    static final ConnectionHandler ECHO = (connection, buffer, offset, length) ->
        connection.write(buffer, offset, length) ? length : 0;

    /** Starts the server on {@code port} (0: any free port). */
    public static Server start(final int port) throws IOException
    {
        final ServerContext ctx = new ServerContext()
            .reactorCount(2)
            .listen(new InetSocketAddress("127.0.0.1", port), reactor -> ECHO,
                ConnectionSettings.INHERIT.idleTimeoutMs(30_000).outboundCapBytes(256 * 1024));
        return Server.start(ctx);
    }

    public static void main(final String[] args) throws Exception
    {
        final Server server = start(args.length > 0 ? Integer.parseInt(args[0]) : 7000);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println("echo listening on " + server.localAddress(0));
        Thread.currentThread().join(); // the server's threads are daemons: keep the JVM up until SIGTERM
    }
}
