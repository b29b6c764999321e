package dev.coreloop.core.test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.UnaryOperator;

import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;

/**
 * A real coreloop server on {@code 127.0.0.1} and an ephemeral port, serving {@link RecordingEchoHandler},
 * for integration tests. The test adjusts the context (reactor count, limits, timeouts) before start; the
 * buffer pool is {@link #POOL_BYTES_PER_REACTOR} per reactor unless the test says otherwise.
 *
 * <p><b>Threading:</b> start, shut down and close from one thread at a time; {@link #events()} is readable from any
 * thread.
 */
public final class EchoTestServer implements AutoCloseable
{
    /** Graceful shutdown deadline used by {@link #close()}. */
    public static final long CLOSE_DEADLINE_MS = 2_000;

    /** Off-heap buffer pool per reactor: smaller than the default so several servers fit a test JVM. */
    public static final long POOL_BYTES_PER_REACTOR = 16L << 20;

    private final Server server;
    private final ServerEvents events;
    private final RecordingTransitionSink transitions;
    private boolean closed;

    private EchoTestServer(final Server server, final ServerEvents events, final RecordingTransitionSink transitions)
    {
        this.server = server;
        this.events = events;
        this.transitions = transitions;
    }

    /**
     * Starts a server.
     *
     * @param reactors          reactor count.
     * @param holdOnInputClosed whether handlers keep half-closed connections open.
     * @param config            further settings, applied to the context before start.
     */
    public static EchoTestServer start(final int reactors, final boolean holdOnInputClosed,
        final UnaryOperator<ServerContext> config) throws IOException
    {
        final ServerEvents events = new ServerEvents();
        final RecordingEchoHandler handler = new RecordingEchoHandler(events, holdOnInputClosed);
        final RecordingTransitionSink transitions = new RecordingTransitionSink();
        final ServerContext ctx = new ServerContext()
            .reactorCount(reactors)
            .bufferPoolBytesPerReactor(POOL_BYTES_PER_REACTOR)
            .transitionSink(transitions)
            .listen(new InetSocketAddress("127.0.0.1", 0), handler.factory());
        return new EchoTestServer(Server.start(config.apply(ctx)), events, transitions);
    }

    /** Starts a server with {@code reactors} reactors and default settings. */
    public static EchoTestServer start(final int reactors) throws IOException
    {
        return start(reactors, false, UnaryOperator.identity());
    }

    /** @return the running server. */
    public Server server()
    {
        return server;
    }

    /** @return what the handlers recorded. */
    public ServerEvents events()
    {
        return events;
    }

    /** @return the last connection transitions. */
    public RecordingTransitionSink transitions()
    {
        return transitions;
    }

    /** @return what to print when a test fails: handler events, counters and the tail of the transition log. */
    public String diagnostics()
    {
        return "events: " + events.summary() + System.lineSeparator() +
            "counters:" + System.lineSeparator() + server.counters() +
            transitions.dump(200);
    }

    /** @return the sum of {@code counter} over every reactor, read without locks. */
    public long total(final ReactorCounter counter)
    {
        return server.counters().total(counter);
    }

    /** @return the bound address. */
    public InetSocketAddress address()
    {
        return server.localAddress(0);
    }

    /** @return the bound port. */
    public int port()
    {
        return address().getPort();
    }

    /** @return a new client connected to this server. */
    public LoopbackClient connect() throws IOException
    {
        return LoopbackClient.connect(address(), LoopbackClient.DEFAULT_TIMEOUT_MS);
    }

    /** Shuts the server down gracefully (bounded by {@link #CLOSE_DEADLINE_MS}). Idempotent. */
    @Override
    public void close()
    {
        shutdown(CLOSE_DEADLINE_MS);
    }

    /** Shuts the server down gracefully, aborting what remains after {@code deadlineMs}. Only the first call acts. */
    public void shutdown(final long deadlineMs)
    {
        if (!closed)
        {
            closed = true;
            server.shutdown(deadlineMs);
        }
    }
}
