package dev.coreloop.examples.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

import dev.coreloop.core.ConnectionHandlerFactory;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;

/**
 * The HTTP/1.1 example server: wiring and a command line.
 *
 * <pre>
 * ServerContext ctx = new ServerContext().reactorCount(4);
 * HttpServer.install(ctx, new InetSocketAddress(8080), new HttpConfig());
 * Server server = Server.start(ctx);
 * </pre>
 *
 * {@link #install} registers the per-reactor {@link HttpDateService} and the listener in one call; call it
 * once per {@code ServerContext} (a second call fails: the service type is already registered). To serve HTTP
 * on more addresses, add {@code ctx.listen(address, HttpServer.handlerFactory(config))}: the handlers share the
 * reactor's service. Keep {@code maxRequestLineBytes + maxHeaderBytes} below the context's
 * {@code inboundCapBytes} (the defaults, 8 KiB + 16 KiB against 64 KiB, do), or an oversized head ends with
 * an inbound overflow instead of a 414/431 reply.
 *
 * <p><b>Threading:</b> static wiring, called on the thread that configures the server.
 */
public final class HttpServer
{
    /** Default HTTP port. */
    public static final int PORT_DEFAULT = 8080;

    private HttpServer()
    {
    }

    /**
     * @param config limits (copied and validated now; later changes to it have no effect).
     * @return a factory of {@link HttpHandler}s; it needs an {@link HttpDateService} on each reactor.
     */
    public static ConnectionHandlerFactory handlerFactory(final HttpConfig config)
    {
        final HttpConfig frozen = config.copy().validate();
        return reactor -> new HttpHandler(reactor, frozen);
    }

    /**
     * Registers {@link HttpDateService} on every reactor and an HTTP listener on {@code address}.
     *
     * @param ctx     the server's context, not yet started.
     * @param address where to listen (port 0: ephemeral; read it back with {@code Server#localAddress}).
     * @param config  limits and server name (copied and validated now).
     * @return {@code ctx}, for chaining.
     * @throws IllegalArgumentException if {@code config} is invalid (naming the field and value).
     */
    public static ServerContext install(final ServerContext ctx, final InetSocketAddress address, final HttpConfig config)
    {
        final HttpConfig frozen = config.copy().validate();
        ctx.reactorService(HttpDateService.class, reactor -> new HttpDateService(frozen));
        ctx.listen(address, handlerFactory(frozen));
        return ctx;
    }

    /**
     * {@code HttpServer [--port N] [--reactors N] [--bind ADDRESS]}: serves until SIGINT/SIGTERM, then shuts
     * down gracefully.
     */
    public static void main(final String[] args) throws IOException, InterruptedException
    {
        int port = PORT_DEFAULT;
        int reactors = 0;
        String bind = "0.0.0.0";
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if ("--help".equals(arg) || "-h".equals(arg))
            {
                System.out.println("usage: HttpServer [--port N (default 8080)] [--reactors N (default: auto)] " +
                    "[--bind ADDRESS (default 0.0.0.0)]");
                return;
            }
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("missing value after " + arg);
            }
            final String value = args[++i];
            switch (arg)
            {
                case "--port":
                    port = parse("--port", value, 0, 65_535);
                    break;
                case "--reactors":
                    reactors = parse("--reactors", value, 1, 4096);
                    break;
                case "--bind":
                    bind = value;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option: " + arg + " (use --port, --reactors, --bind)");
            }
        }

        final ServerContext ctx = new ServerContext();
        if (reactors > 0)
        {
            ctx.reactorCount(reactors);
        }
        install(ctx, new InetSocketAddress(bind, port), new HttpConfig());
        final Server server = Server.start(ctx);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            stopped.countDown();
        }, "http-shutdown"));
        System.out.println(server.pinningReport());
        System.out.println("coreloop http listening on " + server.localAddress(0) + " with " +
            server.reactorCount() + " reactors");
        stopped.await();
    }

    private static int parse(final String option, final String value, final int min, final int max)
    {
        final int parsed;
        try
        {
            parsed = Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " must be an integer: " + value, ex);
        }
        if (parsed < min || parsed > max)
        {
            throw new IllegalArgumentException(option + " must be in [" + min + ", " + max + "]: " + value);
        }
        return parsed;
    }
}
