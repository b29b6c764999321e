package dev.coreloop.examples.proxy;

import java.util.List;

import dev.coreloop.core.ConnectionHandlerFactory;
import dev.coreloop.core.ServerContext;
import dev.coreloop.examples.ExampleMain;

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
    public static final long SHUTDOWN_DEADLINE_MS = ExampleMain.SHUTDOWN_DEADLINE_MS;

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
     * {@code ProxyServer --upstream HOST:PORT [--port N] [--bind ADDR] [--connect-timeout-ms MS] [--reactors N]}
     * ({@link ExampleMain}): relays until SIGINT/SIGTERM, then shuts down gracefully. Exits 2 on bad input (one line
     * naming it).
     */
    public static void main(final String[] args) throws InterruptedException
    {
        ExampleMain.main("proxy", USAGE, args, List.of("--upstream", "--connect-timeout-ms"), (ctx, options) ->
        {
            final ProxyConfig config = new ProxyConfig();
            config.bindHost(options.string("--bind", config.bindHost()))
                .port(options.integer("--port", config.port(), 0, 65_535))
                .connectTimeoutMs(options.integer("--connect-timeout-ms", (int)config.connectTimeoutMs(), 1,
                    Integer.MAX_VALUE));
            final String upstream = options.string("--upstream", null);
            if (upstream != null)
            {
                config.upstream(upstream);
            }
            install(ctx, config);
            return ", relaying to " + config.upstreamAddress();
        });
    }
}
