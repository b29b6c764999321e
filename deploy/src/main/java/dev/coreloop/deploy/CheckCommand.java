package dev.coreloop.deploy;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.affinity.JsonStrings;
import dev.coreloop.core.ServerContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code coreloop check}: inspects the host for what hurts a pinned server (IRQs, RPS/XPS, isolation, governor, THP,
 * somaxconn, open-file limit, CFS quota, direct memory) against the plan {@code serve} would run with the same
 * settings, and prints one line per finding with the command that fixes it.
 *
 * <p><b>Threading:</b> picocli fills the fields and calls {@link #call()} on the main thread.
 */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    header = "Check this host for what stands between it and the pinning plan: pass, warn or fail per finding.",
    synopsisHeading = "%nUsage: ",
    description = {
        "%nResolves the same settings as 'serve' (flags, CORELOOP_* environment, --config FILE) to the same plan, "
            + "then checks: cpu-isolation (isolcpus / nohz_full / rcu_nocbs on the kernel command line, or a cgroup "
            + "cpuset), irq-affinity (/proc/irq/*), rps-xps (/sys/class/net/*/queues), cpu-governor (cpufreq), "
            + "transparent-hugepages, somaxconn vs --backlog, nofile (the open-file limit) vs the connection limit "
            + "(reactors x " + ServerContext.MAX_CONNECTIONS_PER_REACTOR_DEFAULT + "), cfs-quota under --idle-mode, "
            + "direct-memory (reactors x --buffer-pool-bytes vs this JVM's MaxDirectMemorySize, so run it with the "
            + "server's JAVA_OPTS). Each finding that is not a pass names the command that fixes it.",
        ""
    },
    footerHeading = "%n",
    footer = {
        "Exit status: 0 when every finding passes (or is skipped: the check does not apply here); 1 when one warns"
            + " (the server runs, but slower or with a lower ceiling than configured); 2 when one fails (the server"
            + " will not run as planned) or for bad input (unknown option, bad value, bad pinning spec).",
        "With --warn-only every finding is printed but the status is 0 unless the input is bad (2): for systemd's"
            + " ExecStartPre, so a host that is not tuned still starts the server.",
        "",
        "Examples:",
        "  coreloop check",
        "  coreloop check --pin 'acceptor=1 reactors=2-7' --idle-mode spin",
        "  coreloop check --warn-only --config /etc/coreloop/coreloop.conf",
        "  coreloop check --json"
    })
public final class CheckCommand implements Callable<Integer>
{
    /** Every finding passed or was skipped. */
    public static final int EXIT_PASS = 0;
    /** At least one finding warns and none fails. */
    public static final int EXIT_WARN = 1;
    /** At least one finding fails (also the status of bad input, {@link Main#EXIT_USAGE}). */
    public static final int EXIT_FAIL = 2;

    @Spec
    private CommandSpec spec;

    @Option(names = "--reactors", paramLabel = "N|auto", order = 1, description = "As for serve.")
    private String reactors;

    @Option(names = "--pin", paramLabel = "SPEC", order = 2, description = "As for serve: whose reactor CPUs to check.")
    private String pin;

    @Option(names = "--pin-mode", paramLabel = "MODE", order = 3, description = "As for serve.")
    private String pinMode;

    @Option(names = "--backlog", paramLabel = "N", order = 4, description = "As for serve: compared with somaxconn.")
    private String backlog;

    @Option(names = "--buffer-pool-bytes", paramLabel = "BYTES", order = 5,
        description = "As for serve: reactors x this is compared with MaxDirectMemorySize.")
    private String bufferPoolBytes;

    @Option(names = "--idle-mode", paramLabel = "MODE", order = 6,
        description = "As for serve: spin under a CFS quota fails.")
    private String idleMode;

    @Option(names = "--config", paramLabel = "FILE", order = 7, description = "The config file serve uses.")
    private Path configFile;

    @Option(names = "--warn-only", order = 8,
        description = "Print every finding but exit 0 whatever they say (2 still for bad input).")
    private boolean warnOnly;

    @Option(names = "--json", order = 9,
        description = "Print one JSON object instead of the table: plan, mode, reactorCpus, findings (name, status,"
            + " message, fix or null), result and exitStatus. The exit status is the same.")
    private boolean json;

    @Option(names = "--root", paramLabel = "DIR", order = 10,
        description = "Read /proc and /sys below DIR instead of / (a copied tree, a test fixture); the allowed set"
            + " is then the cgroup cpuset there, not this process's affinity. Default: /.")
    private Path root;

    private final Map<String, String> env;

    /** @param env the process environment (a map in tests). */
    public CheckCommand(final Map<String, String> env)
    {
        this.env = env;
    }

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final LauncherSettings settings;
        final PinSetup pins;
        if (root != null && !Files.isDirectory(root))
        {
            return Main.badInput(err, spec, "--root: '" + root + "' is not a directory");
        }
        try
        {
            settings = resolveSettings();
            pins = PinSetup.resolve(settings, null == root ? CpuTopology.detect() : CpuTopology.detect(root));
        }
        catch (final ConfigException ex)
        {
            return Main.badInput(err, spec, ex.getMessage());
        }
        final HostCheck.Plan plan = new HostCheck.Plan(pins.plan(), pins.mode(), settings.idleMode(),
            settings.backlog(), (long)pins.reactorCount() * ServerContext.MAX_CONNECTIONS_PER_REACTOR_DEFAULT,
            settings.bufferPoolBytes(), DirectMemoryCheck.jvmLimitBytes());
        final HostCheck check = new HostCheck(null == root ? Path.of("/") : root, plan);
        final List<HostCheck.Finding> findings = check.run();
        final HostCheck.Status worst = HostCheck.worst(findings);
        final int exitStatus = warnOnly ? EXIT_PASS : switch (worst)
        {
            case PASS, SKIP -> EXIT_PASS;
            case WARN -> EXIT_WARN;
            case FAIL -> EXIT_FAIL;
        };
        if (json)
        {
            out.println(json(pins, check, findings, worst, exitStatus));
        }
        else
        {
            out.print(report(pins, check, findings));
            out.println("result: " + worst.label() + (warnOnly && worst != HostCheck.Status.PASS ?
                " (--warn-only: exit 0)" : ""));
        }
        out.flush();
        return exitStatus;
    }

    /** {@return the findings as one JSON object, for deploy tooling: what {@link #report} prints, and the verdict} */
    static String json(final PinSetup pins, final HostCheck check, final List<HostCheck.Finding> findings,
        final HostCheck.Status worst, final int exitStatus)
    {
        final StringBuilder sb = new StringBuilder("{\"plan\":");
        JsonStrings.append(sb, String.valueOf(pins.plan()));
        sb.append(",\"mode\":");
        JsonStrings.append(sb, pins.mode().specName());
        sb.append(",\"reactorCpus\":");
        JsonStrings.append(sb, check.reactorCpus().isEmpty() ? "" : check.reactorCpus().toString());
        sb.append(",\"findings\":[");
        for (int i = 0; i < findings.size(); i++)
        {
            final HostCheck.Finding finding = findings.get(i);
            sb.append(i == 0 ? "" : ",").append("{\"name\":");
            JsonStrings.append(sb, finding.name());
            sb.append(",\"status\":");
            JsonStrings.append(sb, finding.status().label());
            sb.append(",\"message\":");
            JsonStrings.append(sb, finding.message());
            sb.append(",\"fix\":");
            JsonStrings.append(sb, finding.fix()).append('}'); // null: the literal null
        }
        sb.append("],\"result\":");
        JsonStrings.append(sb, worst.label());
        return sb.append(",\"exitStatus\":").append(exitStatus).append('}').toString();
    }

    static String report(final PinSetup pins, final HostCheck check, final List<HostCheck.Finding> findings)
    {
        final StringBuilder out = new StringBuilder();
        out.append("plan: ").append(pins.plan()).append("; mode ").append(pins.mode().specName())
            .append("; reactor CPUs ").append(check.reactorCpus().isEmpty() ? "none" : check.reactorCpus())
            .append('\n');
        for (final HostCheck.Finding finding : findings)
        {
            out.append(String.format(Locale.ROOT, "%-4s  %-21s %s%n", finding.status().label(), finding.name(),
                finding.message()));
            if (finding.fix() != null)
            {
                out.append(String.format(Locale.ROOT, "      %-21s fix: %s%n", "", finding.fix()));
            }
        }
        return out.toString();
    }

    private LauncherSettings resolveSettings()
    {
        final Map<Setting, String> flags = new EnumMap<>(Setting.class);
        putIfGiven(flags, Setting.REACTORS, reactors);
        putIfGiven(flags, Setting.PIN, pin);
        putIfGiven(flags, Setting.PIN_MODE, pinMode);
        putIfGiven(flags, Setting.BACKLOG, backlog);
        putIfGiven(flags, Setting.BUFFER_POOL_BYTES, bufferPoolBytes);
        putIfGiven(flags, Setting.IDLE_MODE, idleMode);
        final ConfigFile file = null == configFile ? null : ConfigFile.read(configFile);
        return LauncherSettings.resolve(flags, env, file);
    }

    private static void putIfGiven(final Map<Setting, String> flags, final Setting setting, final String value)
    {
        if (value != null)
        {
            flags.put(setting, value);
        }
    }
}
