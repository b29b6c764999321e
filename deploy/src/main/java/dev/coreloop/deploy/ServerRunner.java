package dev.coreloop.deploy;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.coreloop.affinity.JvmThreadMover;
import dev.coreloop.affinity.PinningException;
import dev.coreloop.affinity.ThreadPinner;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.status.CountersFile;
import dev.coreloop.core.status.CountersSnapshot;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.examples.echo.EchoHandler;
import dev.coreloop.examples.http.HttpConfig;
import dev.coreloop.examples.http.HttpServer;
import dev.coreloop.examples.proxy.ProxyConfig;
import dev.coreloop.examples.proxy.ProxyServer;
import dev.coreloop.examples.resp.RespConfig;
import dev.coreloop.examples.resp.RespServer;

/**
 * {@code coreloop serve}: one {@link ServerContext} with the echo, HTTP and RESP listeners and their per-reactor
 * services, and the proxy listener when it is configured, so the protocols share one acceptor and one set of pinned
 * reactors. Prints the pinning report, a {@code listening} line per listener and a {@code ready} line, then waits for
 * SIGINT/SIGTERM and shuts down gracefully within the configured deadline.
 *
 * <p>Output lines (stable, tests and scripts read them): {@code coreloop: <name> listening on <host>:<port>}
 * (the proxy's line goes on with {@code , relaying to <host>:<port>}),
 * {@code coreloop: ready: ...}, {@code coreloop: <SIGNAL> received, shutting down ...}, {@code coreloop: stopped}.
 *
 * <p><b>Threading:</b> {@link #serve} runs on the main thread and blocks until the server has stopped. The
 * shutdown hook runs on its own thread, created here on the (unpinned) main thread; both go through
 * {@link #stopServer}, which shuts the server down once.
 */
public final class ServerRunner implements ServeAction
{
    /** Listener names, as printed. */
    static final String ECHO = "echo";
    static final String HTTP = "http";
    static final String RESP = "resp";
    static final String PROXY = "proxy";
    static final String METRICS = "metrics";

    /** How long the shutdown hook waits for a graceful stop already in progress, beyond its deadline. */
    private static final long HOOK_GRACE_MS = 3_000;

    /** @param detail printed after the listening address, or empty. */
    private record Listener(String name, int index, InetSocketAddress requested, String detail)
    {
    }

    private final AtomicBoolean stopStarted = new AtomicBoolean();
    private final CountDownLatch stopDone = new CountDownLatch(1);
    // What a second signal must still release before it halts the JVM; set on the main thread once they exist.
    private volatile ThreadPinner claimsToRelease;
    private volatile java.nio.file.Path countersFileToRemove;
    // Re-sweeps the JVM's threads once a second; stopped with the server.
    private volatile java.util.concurrent.ScheduledExecutorService jvmThreadSweeper;

    @Override
    public int serve(final LauncherSettings settings, final PrintWriter out, final PrintWriter err)
    {
        // Installed first: a SIGTERM during start-up is a stop request like any other (the server stops as soon as it
        // has started, exit 0), not the JVM's default death with status 143.
        final StopSignals signals = new StopSignals(() -> abort(err), () ->
        {
            err.println("coreloop: SIGHUP ignored: nothing here reloads live; restart to change settings");
            err.flush();
        });
        final boolean handled = signals.install();
        final PinSetup pins;
        final PinSetup.JvmThreads jvmThreads;
        try
        {
            pins = PinSetup.resolve(settings);
            jvmThreads = pins.jvmThreads(settings);
        }
        catch (final ConfigException ex)
        {
            err.println("coreloop serve: " + ex.getMessage() + " (see 'coreloop topology --help')");
            err.flush();
            return Main.EXIT_USAGE;
        }

        final ThreadPinner pinner;
        try
        {
            pinner = pins.newPinner();
            claimsToRelease = pinner;
        }
        catch (final PinningException ex)
        {
            err.println("coreloop: cannot start: " + ex.getMessage());
            err.flush();
            return Main.EXIT_FAILURE;
        }
        final long pid = ProcessHandle.current().pid();
        final long startedMs = System.currentTimeMillis();
        final ServerContext ctx = new ServerContext()
            .reactorCount(pins.reactorCount())
            .pinner(pinner)
            .shutdownDeadlineMs(settings.shutdownDeadlineMs())
            .idleTimeoutMs(settings.idleTimeoutMs())
            .writeStallTimeoutMs(settings.writeStallTimeoutMs())
            .drainTimeoutMs(settings.drainTimeoutMs())
            .bufferPoolBytesPerReactor(settings.bufferPoolBytes())
            .backlog(settings.backlog())
            .idleMode(settings.idleMode())
            .countersDirectory(settings.runDir() == null ? CountersFile.defaultDirectory(System.getenv(), pid) :
                settings.runDir().resolve(CountersFile.DIRECTORY_PREFIX + pid));
        final List<Listener> listeners = new ArrayList<>(3);
        if (settings.echoPort() != LauncherSettings.PORT_DISABLED)
        {
            final InetSocketAddress address = address(settings, settings.echoPort());
            listeners.add(new Listener(ECHO, ctx.listeners().size(), address, ""));
            ctx.listen(address, EchoHandler.FACTORY);
        }
        if (settings.httpPort() != LauncherSettings.PORT_DISABLED)
        {
            final InetSocketAddress address = address(settings, settings.httpPort());
            listeners.add(new Listener(HTTP, ctx.listeners().size(), address, ""));
            HttpServer.install(ctx, address, new HttpConfig());
        }
        if (settings.respPort() != LauncherSettings.PORT_DISABLED)
        {
            final InetSocketAddress address = address(settings, settings.respPort());
            listeners.add(new Listener(RESP, ctx.listeners().size(), address, ""));
            RespServer.install(ctx, address, settings.respConfig());
        }
        if (settings.proxyPort() != LauncherSettings.PORT_DISABLED)
        {
            final InetSocketAddress address = address(settings, settings.proxyPort());
            final ProxyConfig config = new ProxyConfig()
                .bindHost(settings.bindAddress().getHostAddress())
                .port(address.getPort())
                .upstreamHost(settings.proxyUpstream().host())
                .upstreamPort(settings.proxyUpstream().port());
            final String problem = concludeProxy(config);
            if (problem != null)
            {
                pinner.close();
                err.println("coreloop: cannot start: " + settings.value(Setting.PROXY_UPSTREAM).label() + ": '" +
                    settings.proxyUpstream() + "' " + problem);
                err.flush();
                return Main.EXIT_FAILURE;
            }
            final String given = settings.proxyUpstream().toString();
            final String resolved = hostPort(config.upstreamAddress());
            listeners.add(new Listener(PROXY, ctx.listeners().size(), address,
                ", relaying to " + given + (given.equals(resolved) ? "" : " (" + resolved + ")")));
            ProxyServer.install(ctx, config);
        }

        MetricsEndpoint metrics = null;
        if (settings.metricsPort() != LauncherSettings.PORT_DISABLED)
        {
            final InetSocketAddress address = address(settings, settings.metricsPort());
            listeners.add(new Listener(METRICS, ctx.listeners().size(), address, " (GET /metrics, GET /health)"));
            metrics = new MetricsEndpoint(pins.reactorCount());
            ctx.listen(address, metrics);
        }

        final Server server;
        try
        {
            server = Server.start(ctx);
        }
        catch (final IOException ex)
        {
            pinner.close();
            err.println("coreloop: cannot start: " + ex.getMessage() + listenerNamed(listeners, ex.getMessage()));
            err.flush();
            return Main.EXIT_FAILURE;
        }
        catch (final PinningException | IllegalStateException ex)
        {
            pinner.close();
            err.println("coreloop: cannot start: " + ex.getMessage());
            err.flush();
            return Main.EXIT_FAILURE;
        }

        if (metrics != null)
        {
            metrics.server(server);
        }
        countersFileToRemove = server.countersFile();
        Runtime.getRuntime().addShutdownHook(
            new Thread(() -> stopServer(server, pinner, settings.shutdownDeadlineMs()), "coreloop-shutdown-hook"));

        out.println(server.pinningReport());
        out.println("coreloop: jvm threads: " + moveJvmThreads(jvmThreads, pinner, pins, out));
        for (final Listener listener : listeners)
        {
            out.println("coreloop: " + listener.name() + " listening on " +
                hostPort(server.localAddress(listener.index())) + listener.detail());
        }
        out.println("coreloop: counters in " + server.countersFile() + " (watch with: coreloop stat " + pid + ")");
        out.println("coreloop: ready: " + server.reactorCount() + (server.reactorCount() == 1 ? " reactor" : " reactors") +
            ", pid " + pid + "; stop with Ctrl-C or SIGTERM");
        final String directMemory = DirectMemoryCheck.warning(server.reactorCount(),
            ctx.bufferPoolBytesPerReactor(), DirectMemoryCheck.jvmLimitBytes());
        if (directMemory != null)
        {
            err.println(directMemory);
        }
        if (!handled)
        {
            err.println("coreloop: warning: cannot handle SIGINT/SIGTERM in this JVM (-Xrs?); a stop still shuts" +
                " down gracefully from a shutdown hook but exits with the JVM's status");
        }
        out.flush();
        err.flush();

        final String reason;
        try
        {
            reason = signals.awaitStop();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            stopServer(server, pinner, settings.shutdownDeadlineMs());
            return Main.EXIT_FAILURE;
        }
        out.println("coreloop: " + reason + " received, shutting down (deadline " + settings.shutdownDeadlineMs() +
            " ms)");
        out.flush();
        final CountersSnapshot before = server.counters();
        final long stopStartNs = System.nanoTime();
        stopServer(server, pinner, settings.shutdownDeadlineMs());
        out.print(stopSummary(before, server.counters(), (System.nanoTime() - stopStartNs) / 1_000_000,
            System.currentTimeMillis() - startedMs));
        out.println("coreloop: stopped");
        out.flush();
        return Main.EXIT_OK;
    }

    /**
     * Moves the JVM's own threads onto the housekeeping CPUs (after start, so the reactors have pinned themselves) and
     * starts the once-a-second sweep that catches threads created later; its thread is created here, from the main
     * thread just moved, so it runs on the housekeeping CPUs itself.
     *
     * @return the start-up line's text.
     */
    private String moveJvmThreads(final PinSetup.JvmThreads jvmThreads, final ThreadPinner pinner, final PinSetup pins,
        final PrintWriter out)
    {
        if (jvmThreads.cpus() == null)
        {
            return "left where they are (" + jvmThreads.why() + ")";
        }
        if (!JvmThreadMover.supported())
        {
            return "left where they are (this OS or JVM cannot set another thread's CPUs)";
        }
        final JvmThreadMover mover = JvmThreadMover.forThisProcess(pinner, pins.plan().allowed(), jvmThreads.cpus());
        final JvmThreadMover.Sweep first = mover.sweep();
        final java.util.Set<String> reported = new java.util.HashSet<>(first.failures());
        final java.util.concurrent.ScheduledExecutorService sweeper =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(runnable ->
            {
                final Thread thread = new Thread(runnable, "coreloop-jvm-threads");
                thread.setDaemon(true);
                return thread;
            });
        jvmThreadSweeper = sweeper;
        sweeper.scheduleWithFixedDelay(() ->
        {
            try
            {
                final JvmThreadMover.Sweep sweep = mover.sweep();
                final boolean newFailure = !reported.containsAll(sweep.failures());
                reported.addAll(sweep.failures());
                if (sweep.moved() > 0 || newFailure)
                {
                    out.println("coreloop: jvm threads: " + sweep.describe(mover.target()) + " (" +
                        mover.movedTotal() + " moved since start)");
                    out.flush();
                }
            }
            catch (final Throwable ex)
            {
                out.println("coreloop: jvm threads: sweep failed: " + ex);
                out.flush();
            }
        }, 1, 1, TimeUnit.SECONDS);
        return first.describe(mover.target()) + " (" + jvmThreads.why() + "); re-checked every second";
    }

    /**
     * A second SIGINT/SIGTERM: no more waiting for connections, but the CPU claims and the counters file are still
     * removed (so the next server neither sees a live-looking claim nor a stale file), then the JVM halts with
     * {@link StopSignals#ABORT_EXIT_STATUS}.
     */
    private void abort(final PrintWriter err)
    {
        err.println("coreloop: second signal, aborting the graceful shutdown");
        err.flush();
        try
        {
            final ThreadPinner claims = claimsToRelease;
            if (claims != null)
            {
                claims.close();
            }
            final java.nio.file.Path file = countersFileToRemove;
            if (file != null)
            {
                java.nio.file.Files.deleteIfExists(file);
                java.nio.file.Files.deleteIfExists(file.getParent());
            }
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            err.println("coreloop: while aborting: " + ex);
            err.flush();
        }
        finally
        {
            Runtime.getRuntime().halt(StopSignals.ABORT_EXIT_STATUS);
        }
    }

    /**
     * Shuts the server down and then releases the pinner's CPU claims, once; a second caller waits (bounded) for the
     * first to finish.
     */
    private void stopServer(final Server server, final ThreadPinner pinner, final long deadlineMs)
    {
        if (stopStarted.compareAndSet(false, true))
        {
            try
            {
                server.shutdown(deadlineMs);
            }
            finally
            {
                final java.util.concurrent.ScheduledExecutorService sweeper = jvmThreadSweeper;
                if (sweeper != null)
                {
                    sweeper.shutdownNow();
                }
                pinner.close();
                stopDone.countDown();
            }
        }
        else
        {
            try
            {
                stopDone.await(deadlineMs + HOOK_GRACE_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The stop summary: how the drain went (open connections when the stop began, how many finished, how many were
     * aborted at the deadline) and the final totals.
     */
    static String stopSummary(final CountersSnapshot before, final CountersSnapshot after, final long stopMs,
        final long upMs)
    {
        long open = 0;
        for (final ReactorCounter counter : ReactorCounter.values())
        {
            if (counter.name().startsWith("STATE_"))
            {
                open += before.total(counter);
            }
        }
        final long aborted = after.total(ReactorCounter.SHUTDOWN_ABORTED) - before.total(ReactorCounter.SHUTDOWN_ABORTED);
        return String.format(java.util.Locale.ROOT,
            "coreloop: drained %d of %d open connections in %d ms, %d aborted at the deadline%n" +
            "coreloop: totals: %d connections accepted, %d closed (%d idle timeouts, %d protocol errors, %d resets)," +
            " %s read in %d calls, %s written in %d calls, %d handler errors, %d inbox rejections, %d stalls," +
            " %d lost pins; up %d s%n",
            Math.max(0, open - aborted), open, stopMs, aborted,
            after.total(ReactorCounter.ACCEPTED), after.total(ReactorCounter.CLOSED),
            after.total(ReactorCounter.CLOSE_IDLE_TIMEOUT), after.total(ReactorCounter.CLOSE_PROTOCOL_ERROR),
            after.total(ReactorCounter.CLOSE_PEER_RESET),
            bytes(after.total(ReactorCounter.BYTES_READ)), after.total(ReactorCounter.READ_CALLS),
            bytes(after.total(ReactorCounter.BYTES_WRITTEN)), after.total(ReactorCounter.WRITE_CALLS),
            after.total(ReactorCounter.HANDLER_ERRORS), after.total(ReactorCounter.INBOX_REJECTIONS),
            after.total(ReactorCounter.STALLS), after.total(ReactorCounter.PIN_CHANGES), upMs / 1000);
    }

    private static String bytes(final long bytes)
    {
        return bytes >= 1L << 30 ? String.format(java.util.Locale.ROOT, "%.2f GiB", bytes / (double)(1L << 30)) :
            bytes >= 1L << 20 ? String.format(java.util.Locale.ROOT, "%.2f MiB", bytes / (double)(1L << 20)) :
            bytes + " bytes";
    }

    private static InetSocketAddress address(final LauncherSettings settings, final int port)
    {
        return new InetSocketAddress(settings.bindAddress(), port);
    }

    /**
     * Resolves the proxy's upstream (once, at start: never on a reactor) and concludes its config.
     *
     * @return null, or why the proxy cannot start.
     */
    private static String concludeProxy(final ProxyConfig config)
    {
        if (new InetSocketAddress(config.upstreamHost(), config.upstreamPort()).isUnresolved())
        {
            return "does not resolve to an address";
        }
        try
        {
            config.conclude();
            return null;
        }
        catch (final IllegalArgumentException ex)
        {
            return "is not usable: " + ex.getMessage();
        }
    }

    /** @return {@code " (http)"} when the message names a listener's requested address, else empty. */
    private static String listenerNamed(final List<Listener> listeners, final String message)
    {
        if (message != null)
        {
            for (final Listener listener : listeners)
            {
                if (listener.requested().getPort() != 0 && message.contains(Server.hostPort(listener.requested())))
                {
                    return " (the " + listener.name() + " listener; choose another port with --" + listener.name() +
                        "-port)";
                }
            }
        }
        return "";
    }

    /** @return {@code 127.0.0.1:8080} or {@code [::1]:8080}. */
    static String hostPort(final InetSocketAddress address)
    {
        return Server.hostPort(address);
    }
}
