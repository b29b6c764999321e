package dev.coreloop.examples.resp;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.List;

import dev.coreloop.core.ServerContext;
import dev.coreloop.examples.ExampleMain;

/**
 * The shared-nothing RESP server: installs the per-reactor {@link RespShard} service and a RESP listener on a
 * {@link ServerContext}, so that it can share reactors with other servers (the launcher runs echo, HTTP and RESP
 * together), and a standalone {@link #main}.
 *
 * <p>Limits: bulk strings up to {@link RespConfig#protoMaxBulkLen()} (64 MiB by default, up to 512 MiB); above it the
 * client gets {@code -ERR Protocol error: invalid bulk length} and the connection closes. Values above
 * {@link RespConfig#largeValueThresholdBytes()} stream in and out without touching the core's buffer caps. The
 * keyspace of all shards is bounded by {@link RespConfig#maxmemory()} (half the JVM's maximum heap by default):
 * writes then get redis's {@code -OOM}.
 *
 * <p><b>Threading:</b> {@link #install} runs on the thread that configures the server, before it starts; it is
 * stateless.
 */
public final class RespServer
{
    /** Default port of {@link #main}. */
    public static final int PORT_DEFAULT = 6380;

    private static final List<String> OPTIONS = List.of("--proto-max-bulk-len", "--maxmemory");
    private static final String USAGE = "usage: RespServer [--port N] [--reactors N] [--bind ADDR]" +
        " [--idle-mode SELECT|BACKOFF|SPIN] [--proto-max-bulk-len BYTES] [--maxmemory BYTES]";

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
        final RespKeyspace keyspace = new RespKeyspace(config);
        ctx.reactorService(RespShard.class, reactor -> new RespShard(reactor, config, keyspace));
        ctx.listen(address, reactor -> new RespConnectionHandler(reactor.service(RespShard.class)),
            config.idleTimeoutMs());
    }

    /**
     * {@code --port N} (default 6380; 0 picks a free port), {@code --reactors N} (default: the core's default),
     * {@code --bind ADDR} (default 127.0.0.1), {@code --idle-mode SELECT|BACKOFF|SPIN} (default: the core's),
     * {@code --proto-max-bulk-len BYTES} (default 64 MiB, at most 512 MiB), {@code --maxmemory BYTES} (default: half the JVM's maximum heap;
     * 0 for no limit) ({@link ExampleMain}). Runs until SIGINT or SIGTERM, then shuts
     * down gracefully.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        ExampleMain.main("RESP", USAGE, args, OPTIONS, RespServer::install);
    }

    /** As {@link #main}, reporting to {@code out}/{@code err}; returns the exit status, or -1 after a run. */
    static int run(final String[] args, final PrintStream out, final PrintStream err) throws InterruptedException
    {
        return ExampleMain.run("RESP", USAGE, args, OPTIONS, RespServer::install, out, err);
    }

    private static String install(final ServerContext ctx, final ExampleMain.Options options)
    {
        final RespConfig config = new RespConfig();
        config.protoMaxBulkLen(options.integer("--proto-max-bulk-len", config.protoMaxBulkLen(), 1,
            RespConfig.PROTO_MAX_BULK_LEN_MAX));
        config.maxmemory(options.longInteger("--maxmemory", config.maxmemory(), 0, Long.MAX_VALUE / 4));
        install(ctx, options.address("127.0.0.1", PORT_DEFAULT), config);
        return " (" + config + ")";
    }
}
