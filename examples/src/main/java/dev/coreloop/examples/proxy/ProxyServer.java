package dev.coreloop.examples.proxy;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;

import dev.coreloop.core.ConnectionHandlerFactory;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;

/**
 * A TCP relay (layer-4 proxy) on coreloop's public API: every accepted connection is relayed, both ways, to one
 * upstream {@code HOST:PORT}, with backpressure and half-close ({@link ProxyRelay} has the rules).
 *
 * <pre>
 * ServerContext ctx = new ServerContext();
 * ProxyStats stats = ProxyServer.install(ctx, new ProxyConfig().port(6000).upstream("127.0.0.1:6379"));
 * Server server = Server.start(ctx);
 * </pre>
 *
 * {@link #install} adds one listener and may be called several times on one context (one relay listener per
 * upstream). Memory per relay is what the kit bounds for its two connections: {@code inboundCapBytes} and
 * {@code outboundCapBytes} each, read from the context when the server runs; the relay buffers nothing itself.
 * Idle relays end after the context's {@code idleTimeoutMs}, a side whose backlog does not move after its
 * {@code writeStallTimeoutMs}.
 *
 * <p><b>Threading:</b> static wiring, called on the thread that configures the server; {@link #main} runs on the
 * main thread until SIGINT/SIGTERM.
 */
public final class ProxyServer
{
    /** The largest single write into a partner: smaller than the cap so that a nearly full backlog is still used. */
    public static final int WRITE_CHUNK_BYTES_MAX = 16 * 1024;

    /** How long a shutdown of {@link #main} waits for open relays. */
    public static final long SHUTDOWN_DEADLINE_MS = 5_000;

    private static final String USAGE =
        "usage: ProxyServer --upstream HOST:PORT [--port N] [--bind ADDR] [--connect-timeout-ms MS] [--reactors N]";

    private ProxyServer()
    {
    }

    /**
     * Adds a relay listener on {@link ProxyConfig#listenAddress()} to {@code ctx}.
     *
     * @param config concluded here if it was not already (which resolves the upstream host).
     * @return the counters of this listener's relays.
     * @throws IllegalArgumentException naming the invalid field of {@code config}.
     */
    public static ProxyStats install(final ServerContext ctx, final ProxyConfig config)
    {
        config.conclude();
        final ProxyStats stats = new ProxyStats();
        ctx.listen(config.listenAddress(), handlerFactory(ctx, config, stats));
        return stats;
    }

    /**
     * @return a factory of relays to {@code config}'s upstream; each relay sizes its writes from {@code ctx}'s
     * outbound cap, read when the relay is created (the context is concluded by then).
     */
    public static ConnectionHandlerFactory handlerFactory(
        final ServerContext ctx, final ProxyConfig config, final ProxyStats stats)
    {
        config.conclude();
        return reactor -> new ProxyRelay(config.upstreamAddress(), config.connectTimeoutMs(),
            Math.min(WRITE_CHUNK_BYTES_MAX, ctx.outboundCapBytes()), stats);
    }

    /**
     * {@code ProxyServer --upstream HOST:PORT [--port N] [--bind ADDR] [--connect-timeout-ms MS] [--reactors N]}:
     * relays until SIGINT/SIGTERM, then shuts down gracefully. Exits 2 on bad input (one line naming it).
     */
    public static void main(final String[] args) throws InterruptedException
    {
        final ProxyConfig config = new ProxyConfig();
        final ServerContext ctx = new ServerContext();
        try
        {
            for (int i = 0; i < args.length; i += 2)
            {
                final String option = args[i];
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                final String value = args[i + 1];
                switch (option)
                {
                    case "--upstream" -> config.upstream(value);
                    case "--port" -> config.port(parseInt(option, value));
                    case "--bind" -> config.bindHost(value);
                    case "--connect-timeout-ms" -> config.connectTimeoutMs(parseInt(option, value));
                    case "--reactors" -> ctx.reactorCount(parseInt(option, value));
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            install(ctx, config);
            ctx.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("error: " + ex.getMessage() + "; " + USAGE);
            System.exit(2);
            return;
        }

        final Server server;
        try
        {
            server = Server.start(ctx);
        }
        catch (final IOException | RuntimeException ex)
        {
            System.err.println("error: cannot start the proxy: " + ex.getMessage());
            System.exit(1);
            return;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.shutdown(SHUTDOWN_DEADLINE_MS);
            stopped.countDown();
        }, "proxy-shutdown"));
        System.out.println(server.pinningReport());
        System.out.println("proxy listening on " + server.localAddress(0) + ", relaying to " +
            config.upstreamAddress() + " with " + server.reactorCount() + " reactor(s); Ctrl-C to stop");
        stopped.await();
    }

    private static int parseInt(final String option, final String value)
    {
        try
        {
            return Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " must be an integer but was '" + value + "'", ex);
        }
    }
}
