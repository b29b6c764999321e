package dev.coreloop.core;

import dev.coreloop.core.status.CountersSnapshot;
import dev.coreloop.core.status.ReactorCounter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.acceptor.AcceptorAgent;
import dev.coreloop.core.status.ServerCounters;
import dev.coreloop.core.reactor.ReactorAgent;
import dev.coreloop.core.reactor.SelectorIdleStrategy;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running server: N reactors ({@code reactor-0} … ) and, in {@link AcceptMode#ACCEPTOR_THREAD} mode, the
 * {@code acceptor} thread. {@link #start(ServerContext)} binds every listener (an {@link IOException} names the
 * address), starts and pins the threads and returns once every one of them runs (or, when one fails to start, once
 * all have ended again). {@link #shutdown(long)} returns only once every thread has ended: a server that returned
 * from it leaves no live thread behind.
 *
 * <p><b>Threading:</b> every method may be called from any thread except a reactor's own ({@link #shutdown} waits
 * for the reactors). The threads are daemon threads: a process keeps running only while something else (its main
 * thread) waits for the server.
 */
public final class Server implements AutoCloseable
{
    /**
     * The one JVM option a process that runs a server needs, with Agrona on the class path: Agrona 2 calls
     * {@code jdk.internal.misc.Unsafe}, and {@code java.base} exports that package to no one unless told to.
     * {@link #start} checks for it before anything else and names this option when it is missing. (With Agrona on the
     * module path, the target is its module, {@code org.agrona}, instead of {@code ALL-UNNAMED}.)
     */
    public static final String REQUIRED_JVM_OPTION = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    private static final String AGRONA_INTERNAL_PACKAGE = "jdk.internal.misc";
    private static final Logger LOG = LoggerFactory.getLogger(Server.class);
    private static final long START_TIMEOUT_MS = 30_000;
    private static final long SHUTDOWN_GRACE_MS = 2_000;
    /** How often a thread that has not ended is reported again (with its stack) while shutdown waits for it. */
    private static final long THREAD_EXIT_REPORT_INTERVAL_MS = 5_000;

    private final ServerContext ctx;
    private final ServerCounters counters;
    private final ReactorAgent[] reactors;
    private final AgentRunner[] reactorRunners;
    private final InetSocketAddress[] localAddresses;
    private final AcceptorAgent acceptor;
    private final AgentRunner acceptorRunner;
    private final List<Thread> threads;
    private boolean closed;

    private Server(
        final ServerContext ctx,
        final ServerCounters counters,
        final ReactorAgent[] reactors,
        final AgentRunner[] reactorRunners,
        final InetSocketAddress[] localAddresses,
        final AcceptorAgent acceptor,
        final AgentRunner acceptorRunner,
        final List<Thread> threads)
    {
        this.ctx = ctx;
        this.counters = counters;
        this.reactors = reactors;
        this.reactorRunners = reactorRunners;
        this.localAddresses = localAddresses;
        this.acceptor = acceptor;
        this.acceptorRunner = acceptorRunner;
        this.threads = threads;
    }

    /**
     * Concludes {@code ctx}, binds its listeners, starts the reactors (each pins itself) and the acceptor.
     *
     * @param ctx the configuration; it is concluded (validated and frozen) here.
     * @return the running server, every thread started and pinned; close it to stop.
     * @throws IOException if a listener cannot be bound; the message names the address.
     * @throws IllegalStateException before anything is bound or started, if the JVM lacks
     *                               {@link #REQUIRED_JVM_OPTION}; the message names the option to add. Also when a
     *                               thread fails to start (or does not within 30 s): then every thread the call
     *                               started has ended before it throws. Also when a reactor cannot be created (its
     *                               message ring's direct memory, typically): then the listeners are closed again
     *                               and the counters and the pinner's CPU claims released (as after a bind
     *                               failure), so a corrected start may bind the same port and claim the same CPUs.
     */
    public static Server start(final ServerContext ctx) throws IOException
    {
        checkAgronaAccess();
        ctx.conclude();
        final int reactorCount = ctx.reactorCount();
        final List<ServerContext.Listener> listeners = ctx.listeners();
        final InetSocketAddress[] localAddresses = new InetSocketAddress[listeners.size()];
        final ServerCounters counters;
        try
        {
            counters = ctx.countersDirectory() == null ? new ServerCounters(reactorCount) :
                ServerCounters.mapped(reactorCount, ctx.countersDirectory());
        }
        catch (final java.io.UncheckedIOException ex)
        {
            throw ex.getCause();
        }
        final ReactorAgent[] reactors = new ReactorAgent[reactorCount];
        final boolean reusePort = ctx.acceptMode() == AcceptMode.REUSE_PORT;
        ServerSocketChannel[] acceptorListeners = null;
        final ServerSocketChannel[][] reactorListeners = new ServerSocketChannel[reactorCount][];
        try
        {
            if (reusePort)
            {
                for (int r = 0; r < reactorCount; r++)
                {
                    reactorListeners[r] = new ServerSocketChannel[listeners.size()];
                    for (int l = 0; l < listeners.size(); l++)
                    {
                        final InetSocketAddress address = r == 0 ? listeners.get(l).address() : localAddresses[l];
                        reactorListeners[r][l] = bind(address, ctx, true);
                        if (r == 0)
                        {
                            localAddresses[l] = (InetSocketAddress)reactorListeners[r][l].getLocalAddress();
                        }
                    }
                }
            }
            else
            {
                acceptorListeners = new ServerSocketChannel[listeners.size()];
                for (int l = 0; l < listeners.size(); l++)
                {
                    acceptorListeners[l] = bind(listeners.get(l).address(), ctx, false);
                    localAddresses[l] = (InetSocketAddress)acceptorListeners[l].getLocalAddress();
                }
            }
        }
        catch (final IOException ex)
        {
            releaseBeforeThreads(ctx, acceptorListeners, reactorListeners, counters, ex);
            throw ex;
        }

        final boolean strict = Server.class.desiredAssertionStatus();
        for (int r = 0; r < reactorCount; r++)
        {
            try
            {
                reactors[r] = new ReactorAgent(ctx, r, counters, reusePort ? reactorListeners[r] : null, strict);
            }
            catch (final Throwable ex)
            {
                // Typically direct memory for the reactor's rings (messageRingBytes x reactorCount): release what was
                // made so far, so that the caller may fix the configuration and start again on the same port.
                for (final ReactorAgent built : reactors)
                {
                    if (built != null)
                    {
                        try
                        {
                            built.onClose();
                        }
                        catch (final Throwable secondary)
                        {
                            ex.addSuppressed(secondary);
                        }
                    }
                }
                releaseBeforeThreads(ctx, acceptorListeners, reactorListeners, counters, ex);
                throw new IllegalStateException("server failed to start: cannot create reactor-" + r + " (" + ex +
                    "); its message ring needs messageRingBytes=" + ctx.messageRingBytes() + " of direct memory", ex);
            }
        }
        for (final ReactorAgent reactor : reactors)
        {
            reactor.reactors(reactors);
        }

        final AgentRunner[] runners = new AgentRunner[reactorCount];
        for (int r = 0; r < reactorCount; r++)
        {
            final ReactorAgent reactor = reactors[r];
            runners[r] = new AgentRunner(idleStrategy(ctx.idleMode(), reactor), errorHandler(reactor.roleName()),
                null, reactor);
        }
        // From the first thread started on, a failure (a thread that cannot be created under memory pressure, one that
        // fails to start) ends in shutdown(0), which stops and joins every thread started so far.
        final List<Thread> threads = new java.util.ArrayList<>(reactorCount + 1);
        Throwable failure = null;
        for (int r = 0; r < reactorCount && failure == null; r++)
        {
            failure = startThread(runners[r], threads);
        }
        for (final ReactorAgent reactor : reactors)
        {
            if (failure == null)
            {
                failure = awaitStart(reactor.roleName(), reactor.startedLatch(), reactor::startFailure);
            }
        }
        AcceptorAgent acceptor = null;
        AgentRunner acceptorRunner = null;
        if (failure == null && !reusePort)
        {
            try
            {
                acceptor = new AcceptorAgent(ctx, acceptorListeners, reactors, counters);
                acceptorRunner = new AgentRunner(new SleepingMillisIdleStrategy(1),
                    errorHandler(AcceptorAgent.ROLE_NAME), null, acceptor);
            }
            catch (final Throwable ex)
            {
                acceptor = null;
                failure = ex;
            }
            if (acceptorRunner != null)
            {
                failure = startThread(acceptorRunner, threads);
                if (failure == null)
                {
                    failure = awaitStart(AcceptorAgent.ROLE_NAME, acceptor.startedLatch(), acceptor::startFailure);
                }
            }
        }
        final Server server = new Server(ctx, counters, reactors, runners, localAddresses, acceptor, acceptorRunner,
            List.copyOf(threads));
        if (failure != null)
        {
            closeAll(acceptorListeners);
            for (int r = Math.min(threads.size(), reactorCount); r < reactorCount; r++)
            {
                runners[r].close(); // never started: closes its reactor here, so shutdown has nothing to wait for
            }
            server.shutdown(0);
            throw new IllegalStateException("server failed to start: " + failure.getMessage(), failure);
        }
        LOG.info("coreloop started: {} reactors, {} listeners {}, {}{}", reactorCount, localAddresses.length,
            java.util.Arrays.stream(localAddresses).map(Server::hostPort).toList(), ctx.pinner().report(),
            counters.file() == null ? "" : ", counters in " + counters.file());
        return server;
    }

    /**
     * A start failed before any thread ran: close the listeners bound so far and the counters, and release the
     * pinner's CPU claims (as {@link #shutdown} would), so that a corrected start may bind and claim the same again.
     */
    private static void releaseBeforeThreads(final ServerContext ctx, final ServerSocketChannel[] acceptorListeners,
        final ServerSocketChannel[][] reactorListeners, final ServerCounters counters, final Throwable failure)
    {
        closeAll(acceptorListeners);
        for (final ServerSocketChannel[] channels : reactorListeners)
        {
            closeAll(channels);
        }
        counters.close();
        try
        {
            ctx.pinner().close();
        }
        catch (final Throwable secondary)
        {
            failure.addSuppressed(secondary);
        }
    }

    /**
     * {@return null once {@code runner}'s thread is started (and added to {@code threads}), or why it could not be}
     * A runner whose thread was not started is closed here (its agent's {@code onClose} runs on this thread), so that
     * the shutdown that follows the failure finds it closed.
     *
     * @param runner  the runner of a reactor or the acceptor.
     * @param threads the server's threads so far.
     */
    private static Throwable startThread(final AgentRunner runner, final List<Thread> threads)
    {
        final String role = runner.agent().roleName();
        try
        {
            threads.add(AgentRunner.startOnThread(runner, runnable -> newThread(runnable, role)));
            return null;
        }
        catch (final Throwable ex)
        {
            try
            {
                runner.close();
            }
            catch (final Throwable secondary)
            {
                ex.addSuppressed(secondary);
            }
            return new IllegalStateException("cannot start the " + role + " thread: " + ex, ex);
        }
    }

    /**
     * {@return null once a thread has run its {@code onStart}, or why it will not run: its start failure, a timeout,
     * or an interrupt of the starting thread (whose flag is then set again)}
     *
     * @param role         the thread's role, for the message.
     * @param started      released once {@code onStart} has run, successfully or not.
     * @param startFailure what made {@code onStart} fail, or null.
     */
    private static Throwable awaitStart(
        final String role, final java.util.concurrent.CountDownLatch started,
        final java.util.function.Supplier<Throwable> startFailure)
    {
        try
        {
            if (!started.await(START_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                return new IllegalStateException(role + " did not start within " + START_TIMEOUT_MS + " ms");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return ex;
        }
        return startFailure.get();
    }

    /**
     * Fails fast, and says how to fix it, where Agrona would otherwise throw a bare {@link IllegalAccessError} from a
     * reactor's first buffer (and leave its {@code UnsafeApi} class unusable for the rest of the process). Touches no
     * Agrona class that reaches {@code Unsafe}: {@code DirectBuffer} is an interface, loaded here, not initialised.
     */
    private static void checkAgronaAccess()
    {
        final Module agrona = DirectBuffer.class.getModule();
        if (!Object.class.getModule().isExported(AGRONA_INTERNAL_PACKAGE, agrona))
        {
            final String target = agrona.isNamed() ? agrona.getName() : "ALL-UNNAMED";
            final String option = "--add-exports=java.base/" + AGRONA_INTERNAL_PACKAGE + "=" + target;
            throw new IllegalStateException("coreloop cannot start: Agrona needs " + AGRONA_INTERNAL_PACKAGE +
                ".Unsafe, which java.base does not export to " +
                (agrona.isNamed() ? "module " + target : "the class path") + ". Add the JVM option " + option +
                " (on the java command line or in JDK_JAVA_OPTIONS; for java -jar, the manifest attribute" +
                " Add-Exports: java.base/" + AGRONA_INTERNAL_PACKAGE + " does it too).");
        }
    }

    private static ServerSocketChannel bind(
        final InetSocketAddress address, final ServerContext ctx, final boolean reusePort) throws IOException
    {
        final ServerSocketChannel channel = ServerSocketChannel.open();
        try
        {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (reusePort)
            {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            if (ctx.socketReceiveBufferBytes() > 0)
            {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, ctx.socketReceiveBufferBytes());
            }
            channel.bind(address, ctx.backlog());
            channel.configureBlocking(false);
            return channel;
        }
        catch (final IOException | UnsupportedOperationException ex)
        {
            channel.close();
            throw new IOException("cannot listen on " + hostPort(address) + (reusePort ? " with SO_REUSEPORT" : "") + ": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * {@return {@code 127.0.0.1:8080} or {@code [::1]:8080}: how addresses print in coreloop's messages (not
     * {@link InetSocketAddress#toString()}'s {@code /127.0.0.1:8080})}
     *
     * @param address an address, resolved or not.
     */
    public static String hostPort(final InetSocketAddress address)
    {
        if (address.getAddress() == null)
        {
            return address.getHostString() + ":" + address.getPort();
        }
        final String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" +
            address.getPort();
    }

    private static void closeAll(final ServerSocketChannel[] channels)
    {
        if (channels != null)
        {
            for (final ServerSocketChannel channel : channels)
            {
                if (channel != null)
                {
                    try
                    {
                        channel.close();
                    }
                    catch (final IOException ignore)
                    {
                        // start failed already; the first error is the one reported
                    }
                }
            }
        }
    }

    private static IdleStrategy idleStrategy(final IdleMode mode, final ReactorAgent reactor)
    {
        switch (mode)
        {
            case SPIN:
                return new BusySpinIdleStrategy();
            case BACKOFF:
                return new BackoffIdleStrategy();
            default:
                return new SelectorIdleStrategy(reactor);
        }
    }

    private static ErrorHandler errorHandler(final String role)
    {
        return throwable -> LOG.error("{}: uncaught error in duty cycle", role, throwable);
    }

    private static Thread newThread(final Runnable runnable, final String name)
    {
        final Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }

    /**
     * {@return the bound address of listener {@code listenerIndex} (the real port when it was 0)}
     *
     * @param listenerIndex the listener, in the order {@link ServerContext#listen} added them.
     */
    @AnyThread
    public InetSocketAddress localAddress(final int listenerIndex)
    {
        return localAddresses[listenerIndex];
    }

    /** {@return how many reactors run} */
    @AnyThread
    public int reactorCount()
    {
        return reactors.length;
    }

    /** {@return the pinning report (planned vs actual CPU per thread)} */
    @AnyThread
    public String pinningReport()
    {
        return ctx.pinner().report();
    }

    /** {@return the concluded context} */
    @AnyThread
    public ServerContext context()
    {
        return ctx;
    }

    /**
     * Runs {@code action} on the reactor that owns connection {@code connectionId}, in a safe context (as a task),
     * if the connection is still open then. The supported way to act on a connection from another thread: a
     * {@link Connection}'s own methods throw when called off its reactor.
     *
     * @param connectionId a {@link Connection#id()}.
     * @param action       what to do with the connection, on its reactor's thread.
     * @return false if no reactor could own that id, or its task queue is full or closed: the action will not run.
     * True means it was queued; it then runs unless the connection has closed meanwhile.
     */
    @AnyThread
    public boolean execute(final long connectionId, final java.util.function.Consumer<Connection> action)
    {
        if (action == null)
        {
            throw new IllegalArgumentException("action=null: must not be null");
        }
        final int reactorIndex = ReactorAgent.reactorIndexOf(connectionId);
        if (reactorIndex < 0 || reactorIndex >= reactors.length)
        {
            return false;
        }
        final ReactorContext reactor = reactors[reactorIndex].context();
        return reactors[reactorIndex].proxy().execute(() ->
        {
            final Connection connection = reactor.connection(connectionId);
            if (connection != null)
            {
                action.accept(connection);
            }
        });
    }

    /**
     * Whether the server can serve as planned: every reactor alive and none has lost its pin. A reactor whose thread
     * died of an error outside user code is reported here (with its cause), gets no more connections, and had its own
     * connections closed. A reactor whose pin a once-a-second sample found lost ({@code PinState.LOST}: its allowed
     * CPUs changed while running and were not restored) is reported too; it keeps serving.
     *
     * @param healthy true if every reactor is alive and none lost its pin.
     * @param reason  "ok", or which reactors died or lost their pins, and why.
     */
    public record Health(boolean healthy, String reason)
    {
    }

    /** {@return the server's health (see {@link Health})} */
    @AnyThread
    public Health health()
    {
        final StringBuilder dead = new StringBuilder();
        for (final ReactorAgent reactor : reactors)
        {
            final Throwable cause = reactor.deathCause();
            if (cause != null)
            {
                dead.append(dead.length() == 0 ? "" : "; ").append(reactor.roleName()).append(" died: ").append(cause);
            }
        }
        for (int r = 0; r < reactors.length; r++)
        {
            if (counters.value(r, ReactorCounter.PIN_STATUS) == dev.coreloop.core.status.PinState.LOST.code())
            {
                dead.append(dead.length() == 0 ? "" : "; ").append(reactors[r].roleName())
                    .append(" lost its pin (CPUs changed while running, now on CPU ")
                    .append(counters.value(r, ReactorCounter.CURRENT_CPU)).append(')');
            }
        }
        return dead.length() == 0 ? new Health(true, "ok") : new Health(false, dead.toString());
    }

    /** {@return the counters file this server writes, or null when its counters live in private memory} */
    @AnyThread
    public java.nio.file.Path countersFile()
    {
        return counters.file();
    }

    /** {@return the reader over the server's counters buffers (labels and values), read without locks} */
    @AnyThread
    public org.agrona.concurrent.status.CountersReader countersReader()
    {
        return counters.reader();
    }

    /** {@return a lock-free copy of every reactor's counters} */
    @AnyThread
    public CountersSnapshot counters()
    {
        return new CountersSnapshot(counters.snapshot());
    }

    /**
     * {@return the current value of one counter of one reactor (or of the acceptor), read without locks}
     *
     * @param reactorIndex the reactor, {@code 0 .. reactorCount() - 1}, or {@code reactorCount()} for the acceptor's
     *                     row (see {@link ReactorCounter#onAcceptorRow()}).
     * @param counter      which counter.
     */
    @AnyThread
    public long counter(final int reactorIndex, final ReactorCounter counter)
    {
        return counters.value(reactorIndex, counter);
    }

    /**
     * Graceful shutdown: stop accepting, ask every connection to close (drain: flush, FIN, lingering read), abort
     * what remains when {@code deadlineMs} has passed, stop the threads, then close the context's
     * {@link ServerContext#pinner()} (releasing its CPU claims, so another server may take those CPUs). Returns only
     * once every thread of the server has ended: it never returns with a reactor or the acceptor still alive. A thread
     * that has not ended 2 s after the connections' deadline (a handler that never returns, say) is logged as an error
     * with its stack, interrupted, and waited for still, with the report repeated every few seconds; an interrupt of
     * the calling thread does not cut the wait short (its flag is set again on return). Idempotent: a second call
     * returns at once.
     *
     * <p>Not on one of the server's own threads: it would wait for itself. Called from a handler or task on a reactor,
     * it throws (the reactor reports the throw and keeps serving); hand the call to another thread instead.
     *
     * @param deadlineMs how long connections get to finish, from now; 0 aborts them at once.
     * @throws IllegalStateException if called on a reactor or the acceptor of this server.
     */
    public void shutdown(final long deadlineMs)
    {
        // Before taking the lock: a reactor blocked on it while another thread's shutdown waits for that reactor to end
        // would never end.
        final Thread caller = Thread.currentThread();
        for (final Thread thread : threads)
        {
            if (thread == caller)
            {
                throw new IllegalStateException("Server.shutdown called on " + caller.getName() + ", one of the " +
                    "server's own threads: it would wait for itself to end; call it from another thread");
            }
        }
        shutdownFromOutside(deadlineMs);
    }

    private synchronized void shutdownFromOutside(final long deadlineMs)
    {
        if (closed)
        {
            return;
        }
        closed = true;
        counters.serverState(dev.coreloop.core.status.CountersFile.STATE_DRAINING);
        if (acceptor != null)
        {
            acceptor.requestStop();
            acceptorRunner.close((int)SHUTDOWN_GRACE_MS, Server::reportThreadNotEnded);
        }
        for (final ReactorAgent reactor : reactors)
        {
            reactor.proxy().requestShutdown(deadlineMs);
        }
        final long waitUntilNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs + SHUTDOWN_GRACE_MS);
        for (final ReactorAgent reactor : reactors)
        {
            try
            {
                final long leftNs = waitUntilNs - System.nanoTime();
                if (leftNs <= 0 || !reactor.drainedLatch().await(leftNs, TimeUnit.NANOSECONDS))
                {
                    LOG.warn("{}: connections still open after the shutdown deadline; closing the reactor",
                        reactor.roleName());
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (final AgentRunner runner : reactorRunners)
        {
            if (runner != null)
            {
                final ReactorAgent reactor = (ReactorAgent)runner.agent();
                final java.nio.channels.Selector selector = reactor.proxy().selector();
                if (selector != null)
                {
                    selector.wakeup();
                }
                runner.close((int)SHUTDOWN_GRACE_MS, Server::reportThreadNotEnded);
            }
        }
        // AgentRunner.close() may return before a thread has ended (see ThreadExit): wait for every one of them.
        final int overdue = new ThreadExit(org.agrona.concurrent.SystemNanoClock.INSTANCE, ThreadExit.THREAD_JOIN,
            TimeUnit.MILLISECONDS.toNanos(THREAD_EXIT_REPORT_INTERVAL_MS), LOG::error)
            .awaitAll(threads, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_GRACE_MS));
        if (overdue > 0)
        {
            LOG.error("{} server thread(s) ended late, after the error reports above; all have ended now", overdue);
        }
        try
        {
            ctx.pinner().close(); // the threads it pinned have stopped: release its CPU claims
        }
        catch (final Throwable ex)
        {
            LOG.warn("closing the pinner failed", ex);
        }
        final String leftBehind = counters.close();
        if (leftBehind != null)
        {
            LOG.warn("{}", leftBehind);
        }
    }

    /**
     * AgentRunner's report of a thread that has not stopped since it was asked to: every {@code SHUTDOWN_GRACE_MS}
     * while it runs on, or at once when the closing thread was interrupted. AgentRunner then interrupts the thread and
     * waits again.
     */
    private static void reportThreadNotEnded(final Thread thread)
    {
        LOG.error("{}", ThreadExit.describe(thread, "has not stopped yet (reported every " + SHUTDOWN_GRACE_MS +
            " ms since it was asked to); interrupting it and still waiting (a server's shutdown returns only once its" +
            " threads have ended)"));
    }

    /** {@link #shutdown(long)} with {@link ServerContext#shutdownDeadlineMs()}. */
    @Override
    public void close()
    {
        shutdown(ctx.shutdownDeadlineMs());
    }
}
