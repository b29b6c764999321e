package dev.coreloop.bench.scaling;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import java.util.function.Predicate;

import dev.coreloop.affinity.ThreadPinner;
import dev.coreloop.bench.peer.NettyPeer;
import dev.coreloop.bench.peer.ThreadPerConnectionServer;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.status.CountersSnapshot;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.examples.echo.EchoHandler;
import dev.coreloop.examples.http.HttpConfig;
import dev.coreloop.examples.http.HttpServer;
import dev.coreloop.examples.resp.RespConfig;
import dev.coreloop.examples.resp.RespServer;

/**
 * The servers a sweep compares, each started inside the benchmark JVM with N reactors (or the nearest thing) and
 * pinned through the same pinner.
 *
 * <ul>
 *   <li>{@code coreloop}: the examples' echo, HTTP and RESP servers on N reactors and one acceptor.</li>
 *   <li>{@code netty-nio}, {@code netty-epoll}: Netty 4.2, one boss loop and N worker loops.</li>
 *   <li>{@code vthreads}: one virtual thread per connection with blocking I/O (JDK 21+; the scheduler's carriers
 *   number N, {@code -Djdk.virtualThreadScheduler.parallelism}, set by the sweep).</li>
 *   <li>{@code blocking}: one platform thread per connection with blocking I/O.</li>
 * </ul>
 * The thread-per-connection servers are confined to the server's CPU set as a whole (their threads inherit the
 * acceptor's mask); the event-loop servers pin one loop per CPU.
 *
 * <p><b>Threading:</b> immutable.
 */
public enum ServerKind
{
    /** coreloop: acceptor + N reactors. */
    CORELOOP("coreloop"),
    /** Netty 4.2 on NIO. */
    NETTY_NIO("netty-nio"),
    /** Netty 4.2 on native epoll. */
    NETTY_EPOLL("netty-epoll"),
    /** A virtual thread per connection. */
    VTHREADS("vthreads"),
    /** A platform thread per connection. */
    BLOCKING("blocking");

    private static final String CLOSE_REASON_PREFIX = "CLOSE_";

    /** The note of a point a JVM before 21 cannot run. */
    public static final String NEEDS_JDK_21 = "skipped: needs JDK 21+";

    private final String id;

    ServerKind(final String id)
    {
        this.id = id;
    }

    /** {@return the name used in parameters, files and the CSV} */
    public String id()
    {
        return id;
    }

    /**
     * @param id a server id such as {@code netty-epoll}.
     * @return the kind.
     * @throws IllegalArgumentException naming the value and the choices.
     */
    public static ServerKind of(final String id)
    {
        for (final ServerKind kind : values())
        {
            if (kind.id.equals(id.trim().toLowerCase(Locale.ROOT)))
            {
                return kind;
            }
        }
        throw new IllegalArgumentException("server must be one of coreloop, netty-nio, netty-epoll, vthreads, blocking" +
            " but was '" + id + "'");
    }

    /** {@return null if this JVM can run this server, else the note that says why not ("skipped: ...")} */
    public String skipReason()
    {
        if (this == VTHREADS && !ThreadPerConnectionServer.virtualThreadsAvailable())
        {
            return NEEDS_JDK_21;
        }
        if (this == NETTY_EPOLL)
        {
            final String reason = NettyPeer.epollUnavailableReason();
            return reason == null ? null : "skipped: " + reason;
        }
        return null;
    }

    /**
     * A started server.
     *
     * <p><b>Threading:</b> start and close from one thread.
     */
    public interface Running extends AutoCloseable
    {
        /** {@return where it listens} */
        InetSocketAddress address();

        /** {@return which threads (by name) are the server's, for CPU accounting} */
        Predicate<String> serverThreads();

        /**
         * {@return messages the reactors have read from their message rings so far (coreloop; a RESP command
         * forwarded to its key's owner and its reply are one message each way), or -1 for servers without rings}
         */
        default long messagesReceived()
        {
            return -1;
        }

        /**
         * {@return how the server's connections ended so far, for a failed row's note (coreloop: connections the
         * acceptor accepted, the reactors registered, inbox rejections, EMFILE back-offs and every non-zero close
         * reason), or an empty string for servers without counters}
         */
        default String connectionReport()
        {
            return "";
        }

        /** Stops it. */
        @Override
        void close();
    }

    /**
     * Starts this server on 127.0.0.1, an ephemeral port.
     *
     * @param protocol the workload (its family picks the handler).
     * @param reactors reactors / event loops.
     * @param pinner   pins {@code reactor-K}, {@code acceptor} (event-loop servers) or {@code server}
     *                 (thread-per-connection servers).
     * @return the running server.
     * @throws IOException          if it cannot bind.
     * @throws InterruptedException if interrupted while starting.
     */
    public Running start(final Protocol protocol, final int reactors, final ThreadPinner pinner)
        throws IOException, InterruptedException
    {
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        switch (this)
        {
            case CORELOOP:
            {
                final ServerContext ctx = new ServerContext().reactorCount(reactors).pinner(pinner);
                switch (protocol.family())
                {
                    case "echo" -> ctx.listen(any, EchoHandler.FACTORY);
                    case "http" -> HttpServer.install(ctx, any, new HttpConfig());
                    default -> RespServer.install(ctx, any, new RespConfig());
                }
                final Server server = Server.start(ctx);
                final InetSocketAddress address = server.localAddress(0);
                return new Running()
                {
                    @Override
                    public InetSocketAddress address()
                    {
                        return address;
                    }

                    @Override
                    public Predicate<String> serverThreads()
                    {
                        return name -> name.equals("acceptor") || name.startsWith("reactor-");
                    }

                    @Override
                    public long messagesReceived()
                    {
                        long total = 0;
                        for (int r = 0; r < server.reactorCount(); r++)
                        {
                            total += server.counter(r, ReactorCounter.MESSAGES_RECEIVED);
                        }
                        return total;
                    }

                    @Override
                    public String connectionReport()
                    {
                        return coreloopConnectionReport(server.counters());
                    }

                    @Override
                    public void close()
                    {
                        server.shutdown(5_000);
                    }
                };
            }
            case NETTY_NIO:
            case NETTY_EPOLL:
            {
                final NettyPeer peer = NettyPeer.start(protocol.family(),
                    this == NETTY_NIO ? NettyPeer.Transport.NIO : NettyPeer.Transport.EPOLL, reactors, any, pinner);
                return running(peer.localAddress(),
                    name -> name.equals(NettyPeer.BOSS_THREAD_NAME) || name.startsWith(NettyPeer.LOOP_THREAD_PREFIX),
                    peer::close);
            }
            case VTHREADS:
            {
                final ThreadFactory factory = ThreadPerConnectionServer.virtualThreadFactory("vt-conn-");
                if (factory == null)
                {
                    throw new IllegalStateException(NEEDS_JDK_21);
                }
                final ThreadPerConnectionServer server = ThreadPerConnectionServer.start(protocol.family(), factory,
                    any, thread -> pinner.pinCurrentThread("server"));
                // Carriers of the default scheduler ("ForkJoinPool-N-worker-M", "ForkJoinPool-N-" as the kernel truncates
                // it) and the JDK's I/O poller threads.
                return running(server.localAddress(),
                    name -> name.equals(ThreadPerConnectionServer.ACCEPTOR_THREAD_NAME) ||
                        name.startsWith("ForkJoinPool-") || name.endsWith("Poller"),
                    server::close);
            }
            default:
            {
                final ThreadPerConnectionServer server = ThreadPerConnectionServer.start(protocol.family(),
                    ThreadPerConnectionServer.platformThreadFactory(ThreadPerConnectionServer.PLATFORM_THREAD_PREFIX),
                    any, thread -> pinner.pinCurrentThread("server"));
                return running(server.localAddress(),
                    name -> name.equals(ThreadPerConnectionServer.ACCEPTOR_THREAD_NAME) ||
                        name.startsWith(ThreadPerConnectionServer.PLATFORM_THREAD_PREFIX),
                    server::close);
            }
        }
    }

    /**
     * {@return the connection counters of a coreloop server in one line: "accepted A, registered R, inbox rejections
     * I, EMFILE back-offs E, closed: REASON n, ..." (close reasons only when non-zero)}
     *
     * @param counters a snapshot of the server's counters.
     */
    static String coreloopConnectionReport(final CountersSnapshot counters)
    {
        final StringBuilder sb = new StringBuilder()
            .append("accepted ").append(counters.acceptor(ReactorCounter.ACCEPTOR_ACCEPTED))
            .append(", registered ").append(counters.total(ReactorCounter.ACCEPTED))
            .append(", inbox rejections ").append(counters.total(ReactorCounter.INBOX_REJECTIONS))
            .append(", EMFILE back-offs ").append(counters.acceptor(ReactorCounter.EMFILE_BACKOFFS))
            .append(", closed:");
        boolean any = false;
        for (final ReactorCounter counter : ReactorCounter.values())
        {
            if (counter.name().startsWith(CLOSE_REASON_PREFIX) && counters.total(counter) != 0)
            {
                sb.append(any ? ", " : " ").append(counter.name().substring(CLOSE_REASON_PREFIX.length()))
                    .append(' ').append(counters.total(counter));
                any = true;
            }
        }
        return any ? sb.toString() : sb.append(" none").toString();
    }

    private static Running running(final InetSocketAddress address, final Predicate<String> threads,
        final Runnable close)
    {
        return new Running()
        {
            @Override
            public InetSocketAddress address()
            {
                return address;
            }

            @Override
            public Predicate<String> serverThreads()
            {
                return threads;
            }

            @Override
            public void close()
            {
                close.run();
            }
        };
    }
}
