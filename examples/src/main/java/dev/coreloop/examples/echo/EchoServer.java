package dev.coreloop.examples.echo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.List;

import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.examples.ExampleMain;

/**
 * A TCP echo server on coreloop's public API: {@code EchoServer [--host ADDR] [--port N] [--reactors N]}.
 *
 * <p>Run it with {@code java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp ...} (Agrona uses
 * {@code jdk.internal.misc.Unsafe}; without it {@link Server#start} refuses and names the option). It prints the bound address, serves until SIGINT or SIGTERM, then shuts
 * down gracefully: it stops accepting, lets open connections flush what they owe for up to
 * {@link #SHUTDOWN_DEADLINE_MS}, and aborts what remains.
 *
 * <p><b>Threading:</b> {@link #main} runs on the main thread, which waits until the shutdown hook has
 * closed the server; the server's own threads do the work.
 */
public final class EchoServer
{
    /** Default port. */
    public static final int DEFAULT_PORT = 7007;

    /** Default bind address: loopback, so a demo does not open a port to the network by accident. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    /** How long a shutdown waits for connections to finish before aborting them. */
    public static final long SHUTDOWN_DEADLINE_MS = ExampleMain.SHUTDOWN_DEADLINE_MS;

    static final String USAGE = String.join(System.lineSeparator(),
        "usage: EchoServer [--host ADDR] [--port N] [--reactors N] [--idle-mode SELECT|BACKOFF|SPIN]",
        "  --host ADDR    address to bind (default " + DEFAULT_HOST + "; --bind is the same)",
        "  --port N       TCP port, 0..65535; 0 picks a free one (default " + DEFAULT_PORT + ")",
        "  --reactors N   number of reactor threads, >= 1 (default: one per available CPU)",
        "  --idle-mode M  what an idle reactor does: SELECT (default), BACKOFF or SPIN",
        "  --help         print this text");

    private EchoServer()
    {
    }

    /**
     * Parsed command line.
     *
     * @param host     bind address.
     * @param port     bind port, 0 for an ephemeral one.
     * @param reactors reactor count, or 0 for the server's default.
     * @param help     true if {@code --help} was given.
     */
    public record Options(String host, int port, int reactors, boolean help)
    {
    }

    /**
     * Parses the command line ({@link ExampleMain.Options}).
     *
     * @throws IllegalArgumentException naming the option and the bad value.
     */
    public static Options parse(final String... args)
    {
        final ExampleMain.Options line = ExampleMain.Options.parse(args);
        return new Options(line.string("--bind", DEFAULT_HOST), line.integer("--port", DEFAULT_PORT, 0, 65_535),
            line.integer("--reactors", 0, 1, 4_096), line.help());
    }

    /**
     * Starts an echo server.
     *
     * @throws IOException if the address cannot be bound (the message names it).
     */
    public static Server start(final Options options) throws IOException
    {
        final ServerContext ctx = new ServerContext()
            .listen(new InetSocketAddress(options.host(), options.port()), EchoHandler.FACTORY);
        if (options.reactors() > 0)
        {
            ctx.reactorCount(options.reactors());
        }
        return Server.start(ctx);
    }

    /** Entry point ({@link ExampleMain}); exits with 2 on a usage error and 1 if the server cannot start. */
    public static void main(final String[] args) throws InterruptedException
    {
        ExampleMain.main("echo", USAGE, args, List.of(), EchoServer::install);
    }

    /**
     * Runs the server until the JVM is asked to stop.
     *
     * @return an exit status when the server did not run (0 after --help, 1 start failure, 2 usage error), or
     * -1 after a normal run ended by a signal.
     */
    static int run(final String[] args, final PrintStream out, final PrintStream err) throws InterruptedException
    {
        return ExampleMain.run("echo", USAGE, args, List.of(), EchoServer::install, out, err);
    }

    private static String install(final ServerContext ctx, final ExampleMain.Options options)
    {
        ctx.listen(options.address(DEFAULT_HOST, DEFAULT_PORT), EchoHandler.FACTORY);
        return "";
    }
}
