package dev.coreloop.deploy;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code coreloop} command line (run by the {@code ./coreloop} script): {@code serve}, {@code topology},
 * {@code stat} and {@code check}.
 *
 * <p>Exit status: {@link #EXIT_OK} 0, {@link #EXIT_FAILURE} 1 when a server cannot start or run, {@link #EXIT_USAGE}
 * 2 for bad input, reported on one line that names the option and the value.
 *
 * <p><b>Threading:</b> runs on the main thread.
 */
@Command(
    name = "coreloop",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    usageHelpAutoWidth = true,
    description = {
        "Runs coreloop servers: one acceptor thread hands connections to N single-threaded reactors, each "
            + "pinned to its own CPU.",
        ""
    },
    commandListHeading = "%nCommands:%n",
    footerHeading = "%n",
    footer = {
        "Run 'coreloop <command> --help' for a command's options.",
        "Docs: docs/launcher.md (commands, config, signals), docs/pinning.md (the pinning spec)."
    })
public final class Main implements Callable<Integer>
{
    /** Normal exit. */
    public static final int EXIT_OK = 0;
    /** A server could not start or failed while running. */
    public static final int EXIT_FAILURE = 1;
    /** Bad input: unknown option, bad value, bad pinning spec. */
    public static final int EXIT_USAGE = 2;

    @Spec
    private CommandSpec spec;

    private Main()
    {
    }

    /** Entry point of the runnable jar. */
    public static void main(final String[] args)
    {
        final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        final PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        final int status = execute(args, out, err, System.getenv(), new ServerRunner());
        out.flush();
        err.flush();
        System.exit(status);
    }

    /**
     * Parses {@code args} and runs the command.
     *
     * @param env         the environment to read {@code CORELOOP_*} from.
     * @param serveAction what {@code serve} runs once its settings are valid.
     * @return the exit status.
     */
    public static int execute(final String[] args, final PrintWriter out, final PrintWriter err,
        final Map<String, String> env, final ServeAction serveAction)
    {
        final CommandLine commandLine = new CommandLine(new Main());
        commandLine.addSubcommand("serve", new ServeCommand(env, serveAction));
        commandLine.addSubcommand("topology", new TopologyCommand(env));
        commandLine.addSubcommand("stat", new StatCommand(env));
        commandLine.addSubcommand("check", new CheckCommand(env));
        commandLine.addSubcommand("help", new CommandLine.HelpCommand());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler(Main::onParameterException);
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) ->
        {
            err.println("coreloop: failed: " + ex);
            ex.printStackTrace(err);
            err.flush();
            return EXIT_FAILURE;
        });
        final int status = commandLine.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    @Override
    public Integer call()
    {
        return badInput(spec.commandLine().getErr(), spec, "missing command (serve, topology, stat, check or help)");
    }

    /**
     * Prints a one-line usage error for {@code command} and returns {@link #EXIT_USAGE}.
     */
    static int badInput(final PrintWriter err, final CommandSpec command, final String message)
    {
        err.println(command.qualifiedName() + ": " + message + " (see '" + command.qualifiedName() + " --help')");
        err.flush();
        return EXIT_USAGE;
    }

    private static int onParameterException(final ParameterException ex, final String[] args)
    {
        final CommandLine commandLine = ex.getCommandLine();
        String message = ex.getMessage();
        if (ex instanceof UnmatchedArgumentException unmatched)
        {
            final List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty())
            {
                message = message + "; did you mean " + String.join(" or ", suggestions) + "?";
            }
        }
        return badInput(commandLine.getErr(), commandLine.getCommandSpec(), message);
    }

    /** The version from the runnable jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"coreloop " + (null == version ? "(development build)" : version),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
