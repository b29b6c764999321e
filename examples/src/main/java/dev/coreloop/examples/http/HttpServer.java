package dev.coreloop.examples.http;

import java.net.InetSocketAddress;
import java.util.List;

import dev.coreloop.core.ConnectionHandlerFactory;
import dev.coreloop.core.ServerContext;
import dev.coreloop.examples.ExampleMain;

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

    private static final String USAGE = "usage: HttpServer [--port N (default 8080; 0 picks a free one)]" +
        " [--reactors N (default: auto)] [--bind ADDRESS (default 0.0.0.0)] [--idle-mode SELECT|BACKOFF|SPIN]";

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
     * {@code HttpServer [--port N] [--reactors N] [--bind ADDRESS] [--idle-mode M]} ({@link ExampleMain}): serves
     * until SIGINT/SIGTERM, then shuts down gracefully.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        ExampleMain.main("http", USAGE, args, List.of(), (ctx, options) ->
        {
            install(ctx, options.address("0.0.0.0", PORT_DEFAULT), new HttpConfig());
            return "";
        });
    }
}
