package dev.coreloop.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.coreloop.core.IdleMode;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;

/**
 * The {@code main} of every example server, so that each example's own is a few lines: parse
 * {@code --name value} options (the common ones, {@code --bind}, {@code --port}, {@code --reactors},
 * {@code --idle-mode}, and the example's own), let the example install its listener and services on a
 * {@link ServerContext}, start the {@link Server}, print the pinning report and one line saying where it listens, and
 * on SIGINT or SIGTERM shut it down gracefully (connections get {@link #SHUTDOWN_DEADLINE_MS} to finish).
 *
 * <p>Exit status: 0 after {@code --help}, {@link #EXIT_USAGE} for a bad command line (one line naming the option and
 * the value, then the usage), {@link #EXIT_START_FAILED} when the server cannot start (the message names the cause).
 * Run it with {@code --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED}, as every coreloop server.
 *
 * <p><b>Threading:</b> {@link #run} runs on the calling thread and waits there until the shutdown hook has closed the
 * server; the server's own threads do the work.
 */
public final class ExampleMain
{
    /** How long a shutdown waits for connections to finish before aborting them. */
    public static final long SHUTDOWN_DEADLINE_MS = 5_000;
    /** Exit status when the server cannot start. */
    public static final int EXIT_START_FAILED = 1;
    /** Exit status for a bad command line. */
    public static final int EXIT_USAGE = 2;
    /** The options every example takes. */
    public static final List<String> COMMON_OPTIONS = List.of("--bind", "--port", "--reactors", "--idle-mode");

    /**
     * Installs one example on a context.
     */
    @FunctionalInterface
    public interface Installer
    {
        /**
         * Adds the example's listener(s) and services to {@code ctx}.
         *
         * @param ctx     the context, with {@code --reactors} and {@code --idle-mode} applied.
         * @param options the parsed command line.
         * @return what the "listening" line says after the address (e.g. {@code ", relaying to host:port"}), or "".
         * @throws IllegalArgumentException naming the option and the value when one is bad.
         */
        String install(ServerContext ctx, Options options);
    }

    /**
     * A parsed command line: {@code --name value} pairs and {@code --help}.
     */
    public static final class Options
    {
        private final Map<String, String> values;
        private final boolean help;

        private Options(final Map<String, String> values, final boolean help)
        {
            this.values = values;
            this.help = help;
        }

        /**
         * Parses {@code args}.
         *
         * @param args       the command line.
         * @param ownOptions the example's options beside {@link #COMMON_OPTIONS} (and {@code --host}, a synonym of
         *                   {@code --bind}).
         * @return the options.
         * @throws IllegalArgumentException naming an unknown option, or one without a value.
         */
        public static Options parse(final String[] args, final String... ownOptions)
        {
            final List<String> known = new java.util.ArrayList<>(COMMON_OPTIONS);
            known.add("--host");
            known.addAll(Arrays.asList(ownOptions));
            final Map<String, String> values = new HashMap<>();
            boolean help = false;
            for (int i = 0; i < args.length; i++)
            {
                final String option = args[i];
                if ("--help".equals(option) || "-h".equals(option))
                {
                    help = true;
                    continue;
                }
                if (!known.contains(option))
                {
                    throw new IllegalArgumentException("unknown option: " + option);
                }
                if (i + 1 >= args.length)
                {
                    throw new IllegalArgumentException(option + " needs a value");
                }
                values.put("--host".equals(option) ? "--bind" : option, args[++i]);
            }
            return new Options(values, help);
        }

        /** {@return true if {@code --help} or {@code -h} was given} */
        public boolean help()
        {
            return help;
        }

        /**
         * {@return the value of {@code option}, or {@code defaultValue} if it was not given}
         *
         * @param option       e.g. {@code "--upstream"}.
         * @param defaultValue what an absent option means.
         */
        public String string(final String option, final String defaultValue)
        {
            return values.getOrDefault(option, defaultValue);
        }

        /**
         * {@return the value of {@code option} as an int in {@code min..max}, or {@code defaultValue}}
         *
         * @param option       e.g. {@code "--port"}.
         * @param defaultValue what an absent option means (not range-checked).
         * @param min          the least value accepted.
         * @param max          the largest value accepted.
         * @throws IllegalArgumentException naming the option and the value when it is not such an int.
         */
        public int integer(final String option, final int defaultValue, final int min, final int max)
        {
            final String text = values.get(option);
            if (text == null)
            {
                return defaultValue;
            }
            final int value;
            try
            {
                value = Integer.parseInt(text);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(option + " must be an integer: " + text, ex);
            }
            if (value < min || value > max)
            {
                throw new IllegalArgumentException(option + " must be in " + min + ".." + max + ": " + value);
            }
            return value;
        }

        /**
         * {@return the value of {@code option} as a long in {@code min..max}, or {@code defaultValue}}
         *
         * @param option       e.g. {@code "--maxmemory"}.
         * @param defaultValue what an absent option means (not range-checked).
         * @param min          the least value accepted.
         * @param max          the largest value accepted.
         * @throws IllegalArgumentException naming the option and the value when it is not such a long.
         */
        public long longInteger(final String option, final long defaultValue, final long min, final long max)
        {
            final String text = values.get(option);
            if (text == null)
            {
                return defaultValue;
            }
            final long value;
            try
            {
                value = Long.parseLong(text);
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException(option + " must be an integer: " + text, ex);
            }
            if (value < min || value > max)
            {
                throw new IllegalArgumentException(option + " must be in " + min + ".." + max + ": " + value);
            }
            return value;
        }

        /**
         * {@return the address of {@code --bind} (or {@code --host}) and {@code --port}}
         *
         * @param defaultHost the bind address when none was given.
         * @param defaultPort the port when none was given; 0 picks a free one.
         */
        public InetSocketAddress address(final String defaultHost, final int defaultPort)
        {
            return new InetSocketAddress(string("--bind", defaultHost), integer("--port", defaultPort, 0, 65_535));
        }

        /** {@return a context with {@code --reactors} (1..4096; default: the core's) and {@code --idle-mode} applied} */
        public ServerContext context()
        {
            final ServerContext ctx = new ServerContext();
            final int reactors = integer("--reactors", 0, 1, 4_096);
            if (reactors > 0)
            {
                ctx.reactorCount(reactors);
            }
            final String idleMode = values.get("--idle-mode");
            if (idleMode != null)
            {
                try
                {
                    ctx.idleMode(IdleMode.valueOf(idleMode.toUpperCase(Locale.ROOT)));
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IllegalArgumentException("--idle-mode must be one of " +
                        Arrays.toString(IdleMode.values()) + ": " + idleMode, ex);
                }
            }
            return ctx;
        }
    }

    private ExampleMain()
    {
    }

    /**
     * Runs an example until the JVM is asked to stop, then exits; for an example's {@code main}.
     *
     * @param name       the example's name in messages ("echo").
     * @param usage      the usage text, printed by {@code --help} and after a usage error.
     * @param args       the command line.
     * @param ownOptions the example's options beside {@link #COMMON_OPTIONS}.
     * @param installer  installs the example on the context.
     * @throws InterruptedException if interrupted while serving.
     */
    public static void main(final String name, final String usage, final String[] args, final List<String> ownOptions,
        final Installer installer) throws InterruptedException
    {
        final int status = run(name, usage, args, ownOptions, installer, System.out, System.err);
        if (status >= 0)
        {
            System.exit(status);
        }
    }

    /**
     * As {@link #main}, reporting to {@code out} and {@code err} and returning instead of exiting.
     *
     * @param name       the example's name in messages ("echo").
     * @param usage      the usage text.
     * @param args       the command line.
     * @param ownOptions the example's options beside {@link #COMMON_OPTIONS}.
     * @param installer  installs the example on the context.
     * @param out        where the usage, the report and the listening line go.
     * @param err        where errors go.
     * @return an exit status when the server did not run (0 after {@code --help}, {@link #EXIT_START_FAILED},
     * {@link #EXIT_USAGE}), or -1 after a run that a signal ended.
     * @throws InterruptedException if interrupted while serving.
     */
    public static int run(final String name, final String usage, final String[] args, final List<String> ownOptions,
        final Installer installer, final PrintStream out, final PrintStream err) throws InterruptedException
    {
        final Options options;
        final ServerContext ctx;
        final String detail;
        try
        {
            options = Options.parse(args, ownOptions.toArray(new String[0]));
            if (options.help())
            {
                out.println(usage);
                return 0;
            }
            ctx = options.context();
            detail = installer.install(ctx, options);
            ctx.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("error: " + ex.getMessage());
            err.println(usage);
            return EXIT_USAGE;
        }

        final Server server;
        try
        {
            server = Server.start(ctx);
        }
        catch (final IOException | RuntimeException ex)
        {
            err.println("error: cannot start the " + name + " server: " + ex.getMessage());
            return EXIT_START_FAILED;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            try
            {
                out.println(name + " server stopping: finishing open connections (at most " + SHUTDOWN_DEADLINE_MS +
                    " ms)");
                server.shutdown(SHUTDOWN_DEADLINE_MS);
                out.println(name + " server stopped");
            }
            finally
            {
                stopped.countDown();
            }
        }, name + "-shutdown"));
        out.println(server.pinningReport());
        out.println(name + " server listening on " + server.localAddress(0) + detail + " with " +
            server.reactorCount() + (server.reactorCount() == 1 ? " reactor" : " reactors") + "; Ctrl-C to stop");
        stopped.await();
        return -1;
    }
}
