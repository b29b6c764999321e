package dev.coreloop.deploy;

import java.io.PrintWriter;

/**
 * What {@code coreloop serve} does once its settings are resolved and valid: {@link ServerRunner} in production,
 * a recording stand-in in the command-line tests.
 *
 * <p><b>Threading:</b> {@link #serve} is called once, on the main thread, and may block until the process should exit.
 */
@FunctionalInterface
public interface ServeAction
{
    /**
     * Runs the servers until they are told to stop.
     *
     * @return the process exit status: {@link Main#EXIT_OK}, {@link Main#EXIT_FAILURE} or {@link Main#EXIT_USAGE}.
     */
    int serve(LauncherSettings settings, PrintWriter out, PrintWriter err);
}
