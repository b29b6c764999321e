package dev.coreloop.examples.resp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;

import dev.coreloop.core.IdleMode;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;

/**
 * The shared-nothing RESP server: installs the per-reactor {@link RespShard} service and a RESP listener on a
 * {@link ServerContext}, so that it can share reactors with other servers (the launcher runs echo, HTTP and RESP
 * together), and a standalone {@link #main}.
 *
 * <p>Limits: values and keys up to {@link RespConfig#maxBulkBytes()} (512 KiB by default); above it the client gets
 * {@code -ERR Protocol error: invalid bulk length} and the connection closes. Replies larger than the core's
 * outbound cap minus its high watermark are not supported (with the core defaults, 4 MiB and 1 MiB, any value up to
 * the limit fits).
 *
 * <p><b>Threading:</b> {@link #install} runs on the thread that configures the server, before it starts; it is
 * stateless.
 */
public final class RespServer
{
    /** Default port of {@link #main}. */
    public static final int PORT_DEFAULT = 6380;

    private RespServer()
    {
    }

    /**
     * Registers the {@link RespShard} reactor service and a RESP listener on {@code address}, whose connections idle
     * out after {@link RespConfig#idleTimeoutMs()} (one hour by default, for pooled clients) rather than the
     * context's {@code idleTimeoutMs}. Call once per context (a context holds one service per type).
     *
     * @param config concluded here if it was not already.
     */
    public static void install(final ServerContext ctx, final InetSocketAddress address,
        final RespConfig config)
    {
        config.conclude();
        ctx.reactorService(RespShard.class, reactor -> new RespShard(reactor, config));
        ctx.listen(address, reactor -> new RespConnectionHandler(reactor.service(RespShard.class)),
            config.idleTimeoutMs());
    }

    /**
     * {@code --port N} (default 6380; 0 picks a free port), {@code --reactors N} (default: the core's default),
     * {@code --bind ADDR} (default 127.0.0.1), {@code --idle-mode SELECT|BACKOFF|SPIN} (default: the core's),
     * {@code --max-value-bytes N} (default 524288). Runs until SIGINT or
     * SIGTERM, then shuts down gracefully.
     */
    public static void main(final String[] args) throws IOException, InterruptedException
    {
        int port = PORT_DEFAULT;
        int reactors = 0;
        String bind = "127.0.0.1";
        IdleMode idleMode = null;
        final RespConfig config = new RespConfig();
        for (int i = 0; i < args.length; i++)
        {
            final String option = args[i];
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException(usage("missing value after " + option));
            }
            final String value = args[++i];
            switch (option)
            {
                case "--port":
                    port = parse(option, value, 0, 65_535);
                    break;
                case "--reactors":
                    reactors = parse(option, value, 1, 4096);
                    break;
                case "--bind":
                    bind = value;
                    break;
                case "--idle-mode":
                    try
                    {
                        idleMode = IdleMode.valueOf(value.toUpperCase(java.util.Locale.ROOT));
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        throw new IllegalArgumentException(usage("--idle-mode must be one of " +
                            java.util.Arrays.toString(IdleMode.values()) + " but was '" + value + "'"), ex);
                    }
                    break;
                case "--max-value-bytes":
                    config.maxBulkBytes(parse(option, value, 1, Integer.MAX_VALUE / 4));
                    break;
                default:
                    throw new IllegalArgumentException(usage("unknown option " + option));
            }
        }
        final ServerContext ctx = new ServerContext();
        if (reactors > 0)
        {
            ctx.reactorCount(reactors);
        }
        if (idleMode != null)
        {
            ctx.idleMode(idleMode);
        }
        install(ctx, new InetSocketAddress(bind, port), config);
        final Server server = Server.start(ctx);
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            stopped.countDown();
        }, "resp-shutdown"));
        System.out.println(server.pinningReport());
        System.out.println("coreloop RESP listening on " + server.localAddress(0) + " with " + server.reactorCount() +
            " reactors; " + config);
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
            throw new IllegalArgumentException(usage(option + " must be an integer but was '" + value + "'"), ex);
        }
        if (parsed < min || parsed > max)
        {
            throw new IllegalArgumentException(usage(option + " must be in [" + min + ", " + max + "] but was " +
                parsed));
        }
        return parsed;
    }

    private static String usage(final String problem)
    {
        return problem + "; usage: RespServer [--port N] [--reactors N] [--bind ADDR] [--idle-mode SELECT|BACKOFF|SPIN] [--max-value-bytes N]";
    }
}
