package dev.coreloop.core.test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import dev.coreloop.core.Connection;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.acceptor.AcceptLoop;
import dev.coreloop.core.status.ServerCounters;
import dev.coreloop.core.reactor.HandOff;
import dev.coreloop.core.reactor.ReactorAgent;

/**
 * Drives one {@link ReactorAgent} by hand on the test thread, with a {@link FakeClock} and a {@link RecordingSink}:
 * no reactor thread, no sleeps. Connections are real loopback sockets (the kernel moves loopback bytes
 * synchronously, so what a client writes is readable by the next {@code doWork()}); time moves only through
 * {@link #clock()}.
 *
 * <pre>{@code
 * try (ReactorHarness harness = new ReactorHarness(new ServerContext().listen(ANY, factory).idleTimeoutMs(1_000)))
 * {
 *     final SocketChannel client = harness.connect(0);
 *     final Connection conn = harness.awaitConnection();
 *     harness.doWorkUntil(() -> conn.state() == ConnState.CLOSED, 1_000_000, 2_000);
 * }
 * }</pre>
 *
 * <p><b>Threading:</b> everything runs on the thread that built the harness, which is the reactor's owner thread.
 */
public final class ReactorHarness implements AutoCloseable
{
    private final FakeClock clock = new FakeClock();
    private final RecordingSink sink = new RecordingSink();
    private final ServerContext ctx;
    private final ServerCounters counters;
    private final ReactorAgent agent;
    private final ServerSocketChannel listener;
    private final List<SocketChannel> clients = new ArrayList<>();

    /** A harness whose illegal transitions throw (strict, as tests want). */
    public ReactorHarness(final ServerContext ctx) throws IOException
    {
        this(ctx, true);
    }

    /**
     * @param ctx               not yet concluded: the harness sets its clock, its sink and one reactor.
     * @param strictTransitions false to see the production behaviour of an illegal transition.
     */
    public ReactorHarness(final ServerContext ctx, final boolean strictTransitions) throws IOException
    {
        this.ctx = ctx.reactorCount(1).nanoClock(clock).transitionSink(sink).conclude();
        this.counters = new ServerCounters(1);
        this.agent = new ReactorAgent(this.ctx, 0, counters, null, strictTransitions);
        this.agent.onStart();
        this.listener = ServerSocketChannel.open();
        this.listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    }

    /** @return the clock the reactor reads. */
    public FakeClock clock()
    {
        return clock;
    }

    /** @return the recorded transitions. */
    public RecordingSink sink()
    {
        return sink;
    }

    /** @return the reactor. */
    public ReactorAgent agent()
    {
        return agent;
    }

    /** @return what the reactor's handlers see as their reactor. */
    public dev.coreloop.core.ReactorContext reactor()
    {
        return agent.context();
    }

    /** @return the concluded context. */
    public ServerContext context()
    {
        return ctx;
    }

    /** @return the value of one of the reactor's counters. */
    public long counter(final ReactorCounter counter)
    {
        return counters.value(0, counter);
    }

    /** @return the address of the harness's own loopback listener (a target for outbound connects). */
    public InetSocketAddress listenerAddress() throws IOException
    {
        return (InetSocketAddress)listener.getLocalAddress();
    }

    /** Accepts one pending connection on the harness listener (blocking), e.g. after an outbound connect. */
    public SocketChannel acceptPeer() throws IOException
    {
        final SocketChannel peer = listener.accept();
        clients.add(peer);
        return peer;
    }

    /** One duty cycle at the current fake time. */
    public int doWork()
    {
        return agent.doWork();
    }

    /**
     * Runs duty cycles until {@code condition} holds, advancing the clock by {@code stepNs} after each cycle that
     * did not satisfy it.
     *
     * @return how many cycles ran.
     * @throws AssertionError after {@code maxCycles} cycles, with the transition log.
     */
    public int doWorkUntil(final BooleanSupplier condition, final long stepNs, final int maxCycles)
    {
        for (int cycle = 1; cycle <= maxCycles; cycle++)
        {
            agent.doWork();
            if (condition.getAsBoolean())
            {
                return cycle;
            }
            clock.advance(stepNs);
        }
        throw new AssertionError("condition not met after " + maxCycles + " cycles of " + stepNs +
            " ns; transitions:\n" + sink.dump());
    }

    /**
     * Opens a loopback connection: a blocking client socket (returned) and its server side, configured as the
     * acceptor would and handed to the reactor's inbox for {@code listenerIndex}. The next {@code doWork()} registers it.
     *
     * @param clientReceiveBufferBytes SO_RCVBUF of the client (0 = OS default), set before connecting.
     */
    public SocketChannel connect(final int listenerIndex, final int clientReceiveBufferBytes) throws IOException
    {
        final SocketChannel client = SocketChannel.open();
        if (clientReceiveBufferBytes > 0)
        {
            client.setOption(StandardSocketOptions.SO_RCVBUF, clientReceiveBufferBytes);
        }
        client.connect(listener.getLocalAddress());
        clients.add(client);
        final SocketChannel serverSide = listener.accept();
        AcceptLoop.configure(serverSide, ctx);
        if (!agent.proxy().handOff(new HandOff(serverSide, listenerIndex)))
        {
            throw new IllegalStateException("inbox full");
        }
        return client;
    }

    /**
     * Opens a loopback connection without handing it to the reactor.
     *
     * @return {@code [client, serverSide]}; the server side is configured as the acceptor would.
     */
    public SocketChannel[] openPair() throws IOException
    {
        final SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        clients.add(client);
        final SocketChannel serverSide = listener.accept();
        clients.add(serverSide);
        AcceptLoop.configure(serverSide, ctx);
        return new SocketChannel[] { client, serverSide };
    }

    /** As {@link #connect(int, int)} with the OS default receive buffer. */
    public SocketChannel connect(final int listenerIndex) throws IOException
    {
        return connect(listenerIndex, 0);
    }

    /** Runs one cycle and returns the connection registered most recently by it (after {@link #connect}). */
    public Connection awaitConnection()
    {
        agent.doWork();
        if (agent.connectionCount() == 0)
        {
            throw new AssertionError("no connection registered; transitions:\n" + sink.dump());
        }
        return agent.connectionAt(agent.connectionCount() - 1);
    }

    @Override
    public void close() throws IOException
    {
        agent.onClose();
        for (final SocketChannel client : clients)
        {
            client.close();
        }
        listener.close();
    }
}
