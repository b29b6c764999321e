package dev.coreloop.deploy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import sun.misc.Signal;

/**
 * Turns SIGINT and SIGTERM into a stop request (and, when asked, SIGHUP into a logged no-op) that the main thread waits for, so that {@code coreloop serve} can
 * shut down gracefully on the main thread and exit 0. A JVM left to its default handling runs shutdown hooks and
 * exits with 128 + signal, which systemd and Kubernetes would log as a failure of a stop they asked for.
 *
 * <p>{@code sun.misc.Signal} lives in the {@code jdk.unsupported} module, which is exported for exactly this kind
 * of use; no reflection is involved. If the handlers cannot be installed (a JVM run with {@code -Xrs}, or a
 * platform without these signals), {@link #install()} says so and the caller relies on its shutdown hook alone.
 *
 * <p><b>Threading:</b> {@link #install()} and {@link #awaitStop()} on the main thread; {@link #onSignal(String)}
 * runs on the JVM's short-lived signal-dispatch threads, any number of times, concurrently with the others.
 */
final class StopSignals
{
    /** Process exit status when a second signal aborts the graceful stop. */
    static final int ABORT_EXIT_STATUS = Main.EXIT_FAILURE;

    private static final String[] SIGNALS = {"INT", "TERM"};

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final Runnable onSecondSignal;
    private final Runnable onHangup;

    // The first reason wins; set before the count-down, so a thread that returns from await sees it.
    private final AtomicReference<String> reason = new AtomicReference<>();

    /**
     * @param onSecondSignal what to do when a signal arrives after the stop was already requested (the launcher
     *                       prints a line and halts the JVM).
     */
    StopSignals(final Runnable onSecondSignal)
    {
        this(onSecondSignal, null);
    }

    /**
     * @param onSecondSignal what to do when a signal arrives after the stop was already requested (the launcher
     *                       prints a line, releases its CPU claims and halts the JVM).
     * @param onHangup       what to do on SIGHUP instead of the JVM's default (exit): null leaves SIGHUP alone.
     */
    StopSignals(final Runnable onSecondSignal, final Runnable onHangup)
    {
        this.onSecondSignal = onSecondSignal;
        this.onHangup = onHangup;
    }

    /** @return true if both handlers are installed; false if this JVM does not allow it. */
    boolean install()
    {
        try
        {
            for (final String name : SIGNALS)
            {
                Signal.handle(new Signal(name), signal -> onSignal("SIG" + signal.getName()));
            }
        }
        catch (final IllegalArgumentException | UnsupportedOperationException ex)
        {
            return false;
        }
        if (onHangup != null)
        {
            try
            {
                Signal.handle(new Signal("HUP"), signal -> onHangup.run());
            }
            catch (final IllegalArgumentException | UnsupportedOperationException ex)
            {
                // no SIGHUP on this platform, or -Xrs: the JVM's default applies
            }
        }
        return true;
    }

    /** Requests the stop; {@code name} is reported as its reason. The second and later requests call the abort. */
    void onSignal(final String name)
    {
        if (stopRequested.getCount() == 0)
        {
            onSecondSignal.run();
            return;
        }
        reason.compareAndSet(null, name);
        stopRequested.countDown();
    }

    /**
     * Blocks until a stop is requested.
     *
     * @return the reason, e.g. {@code SIGTERM}.
     */
    String awaitStop() throws InterruptedException
    {
        stopRequested.await();
        return reason.get();
    }

    /**
     * Waits at most {@code timeoutMs} for a stop request.
     *
     * @return the reason, or null if none came in time.
     */
    String awaitStop(final long timeoutMs) throws InterruptedException
    {
        return stopRequested.await(timeoutMs, TimeUnit.MILLISECONDS) ? reason.get() : null;
    }
}
