package dev.coreloop.examples.echo;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;

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
    public static final long SHUTDOWN_DEADLINE_MS = 5_000;

    static final String USAGE = String.join(System.lineSeparator(),
        "usage: EchoServer [--host ADDR] [--port N] [--reactors N]",
        "  --host ADDR    address to bind (default " + DEFAULT_HOST + ")",
        "  --port N       TCP port, 0..65535; 0 picks a free one (default " + DEFAULT_PORT + ")",
        "  --reactors N   number of reactor threads, >= 1 (default: one per available CPU)",
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
     * Parses the command line.
     *
     * @throws IllegalArgumentException naming the option and the bad value.
     */
    public static Options parse(final String... args)
    {
        String host = DEFAULT_HOST;
        int port = DEFAULT_PORT;
        int reactors = 0;
        boolean help = false;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--help":
                case "-h":
                    help = true;
                    break;
                case "--host":
                    host = value(args, i++);
                    break;
                case "--port":
                    port = intValue(args, i++, 0, 65_535);
                    break;
                case "--reactors":
                    reactors = intValue(args, i++, 1, 4_096);
                    break;
                default:
                    throw new IllegalArgumentException("unknown option: " + arg);
            }
        }
        return new Options(host, port, reactors, help);
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

    /** Entry point; exits with 2 on a usage error and 1 if the server cannot start. */
    public static void main(final String[] args) throws InterruptedException
    {
        final int status = run(args, System.out, System.err);
        if (status >= 0)
        {
            System.exit(status);
        }
    }

    /**
     * Runs the server until the JVM is asked to stop.
     *
     * @return an exit status when the server did not run (0 after --help, 1 start failure, 2 usage error), or
     * -1 after a normal run ended by a signal.
     */
    static int run(final String[] args, final PrintStream out, final PrintStream err) throws InterruptedException
    {
        final Options options;
        try
        {
            options = parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("error: " + ex.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (options.help())
        {
            out.println(USAGE);
            return 0;
        }

        final Server server;
        try
        {
            server = start(options);
        }
        catch (final IOException | RuntimeException ex)
        {
            err.println("error: cannot start the echo server: " + ex.getMessage());
            return 1;
        }

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            try
            {
                out.println("echo server stopping: finishing open connections (at most " + SHUTDOWN_DEADLINE_MS +
                    " ms)");
                server.shutdown(SHUTDOWN_DEADLINE_MS);
                out.println("echo server stopped");
            }
            finally
            {
                stopped.countDown();
            }
        }, "echo-shutdown"));

        out.println("echo server listening on " + server.localAddress(0) + " with " + server.reactorCount() +
            " reactor(s); Ctrl-C to stop");
        out.println(server.pinningReport());
        stopped.await();
        return -1;
    }

    private static String value(final String[] args, final int optionIndex)
    {
        if (optionIndex + 1 >= args.length)
        {
            throw new IllegalArgumentException(args[optionIndex] + " needs a value");
        }
        return args[optionIndex + 1];
    }

    private static int intValue(final String[] args, final int optionIndex, final int min, final int max)
    {
        final String text = value(args, optionIndex);
        final int value;
        try
        {
            value = Integer.parseInt(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(args[optionIndex] + " must be an integer: " + text, ex);
        }
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(
                args[optionIndex] + " must be in " + min + ".." + max + ": " + value);
        }
        return value;
    }
}
