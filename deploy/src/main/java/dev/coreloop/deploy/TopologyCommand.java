package dev.coreloop.deploy;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.coreloop.affinity.CpuSet;
import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.affinity.JsonStrings;
import dev.coreloop.affinity.LogicalCpu;
import dev.coreloop.affinity.PinningException;
import dev.coreloop.affinity.PinningPlan;
import dev.coreloop.affinity.ResolvedPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code coreloop topology}: the machine's CPUs as coreloop sees them and the plan a spec resolves to on it.
 *
 * <p><b>Threading:</b> picocli fills the fields and calls {@link #call()} on the main thread.
 */
@Command(
    name = "topology",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    header = "Print this machine's CPU topology and the plan a pinning spec resolves to.",
    synopsisHeading = "%nUsage: ",
    description = {
        "%nReads the topology from sysfs (online CPUs, cores, sockets, NUMA nodes, SMT siblings, isolated and "
            + "nohz_full CPUs), the process's allowed set (sched_getaffinity and the cgroup cpuset) and any CFS "
            + "quota, then resolves the spec against it: role -> CPU, with warnings for poor placements. Run it "
            + "under the same restriction as the server (taskset, CPUAffinity=, a container) to see what the "
            + "server will get.",
        ""
    },
    footerHeading = "%n",
    footer = {
        "Exit status: 0; 2 if the spec does not parse or cannot be placed on this machine.",
        "",
        "Examples:",
        "  coreloop topology",
        "  coreloop topology --pin 'acceptor=0 reactors=2-5'",
        "  taskset -c 1-3 coreloop topology --json"
    })
public final class TopologyCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Option(names = "--pin", paramLabel = "SPEC", order = 1,
        description = "The pinning spec to resolve (docs/pinning.md). Default: $CORELOOP_PIN if set, else '"
            + Setting.PIN_DEFAULT + "'.")
    private String pin;

    @Option(names = "--json", order = 2, description = "Print one JSON object instead of tables.")
    private boolean json;

    private final Map<String, String> env;

    /** @param env the process environment (a map in tests). */
    public TopologyCommand(final Map<String, String> env)
    {
        this.env = env;
    }

    @Override
    public Integer call()
    {
        final String envPin = env.get(Setting.PIN.envName());
        final String label;
        final String pinSpec;
        if (pin != null)
        {
            label = Setting.PIN.optionName();
            pinSpec = pin;
        }
        else if (envPin != null && !envPin.isBlank())
        {
            label = Setting.PIN.envName();
            pinSpec = envPin.strip();
        }
        else
        {
            label = Setting.PIN.key() + " (default)";
            pinSpec = Setting.PIN_DEFAULT;
        }
        return run(CpuTopology.detect(), label, pinSpec);
    }

    int run(final CpuTopology topology, final String label, final String pinSpec)
    {
        final ResolvedPlan plan;
        try
        {
            plan = PinningPlan.parse(pinSpec).resolve(topology);
        }
        catch (final PinningException ex)
        {
            return Main.badInput(spec.commandLine().getErr(), spec, label + ": " + ex.getMessage());
        }
        final PrintWriter out = spec.commandLine().getOut();
        out.print(json ? json(topology, plan) : table(topology, plan));
        out.flush();
        return Main.EXIT_OK;
    }

    static String table(final CpuTopology topology, final ResolvedPlan plan)
    {
        final StringBuilder out = new StringBuilder();
        out.append(topology.describe()).append('\n');
        for (final String warning : topology.warnings())
        {
            out.append("warning: ").append(warning).append('\n');
        }
        out.append('\n');
        if (topology.hasDetails())
        {
            out.append(String.format(Locale.ROOT, "%4s %5s %6s %5s %-9s %-7s %-8s %-9s %s%n",
                "CPU", "core", "socket", "node", "siblings", "allowed", "isolated", "nohz_full", "role"));
            for (final LogicalCpu cpu : topology.cpus())
            {
                out.append(String.format(Locale.ROOT, "%4d %5d %6d %5d %-9s %-7s %-8s %-9s %s%n",
                    cpu.id(), cpu.coreId(), cpu.packageId(), cpu.nodeId(), cpu.threadSiblings(),
                    yesNo(topology.allowed().contains(cpu.id())), yesNo(cpu.isolated()), yesNo(cpu.nohzFull()),
                    rolesOn(plan, cpu.id())));
            }
            out.append('\n');
        }
        out.append(plan).append('\n');
        out.append("reactors: ").append(plan.reactorCount()).append(", mode: ").append(plan.mode().specName());
        if (!plan.reserved().isEmpty())
        {
            out.append(", reserved for the OS and the acceptor: ").append(plan.reserved());
        }
        out.append('\n');
        for (final String warning : plan.warnings(false))
        {
            out.append("warning: ").append(warning).append('\n');
        }
        return out.toString();
    }

    static String json(final CpuTopology topology, final ResolvedPlan plan)
    {
        final StringBuilder out = new StringBuilder(1024);
        out.append("{\n  \"topology\": {\n");
        out.append("    \"source\": ").append(quote(topology.source())).append(",\n");
        out.append("    \"pinningSupported\": ").append(topology.pinningSupported()).append(",\n");
        out.append("    \"cpuCount\": ").append(topology.cpuCount()).append(",\n");
        out.append("    \"online\": ").append(quote(topology.online())).append(",\n");
        out.append("    \"allowed\": ").append(quote(topology.allowed())).append(",\n");
        out.append("    \"isolated\": ").append(quote(topology.isolated())).append(",\n");
        out.append("    \"nohzFull\": ").append(quote(topology.nohzFull())).append(",\n");
        out.append("    \"quotaCpus\": ").append(null == topology.quota() ? "null" :
            String.format(Locale.ROOT, "%.2f", topology.quota().cpus())).append(",\n");
        out.append("    \"cpus\": [");
        final List<LogicalCpu> cpus = topology.hasDetails() ? topology.cpus() : List.of();
        for (int i = 0; i < cpus.size(); i++)
        {
            final LogicalCpu cpu = cpus.get(i);
            out.append(i == 0 ? "\n" : ",\n").append(String.format(Locale.ROOT,
                "      {\"cpu\": %d, \"core\": %d, \"socket\": %d, \"node\": %d, \"siblings\": %s, " +
                "\"coreType\": %s, \"allowed\": %b, \"isolated\": %b, \"nohzFull\": %b}",
                cpu.id(), cpu.coreId(), cpu.packageId(), cpu.nodeId(), quote(cpu.threadSiblings()),
                quote(String.valueOf(cpu.coreType()).toLowerCase(Locale.ROOT)), topology.allowed().contains(cpu.id()),
                cpu.isolated(), cpu.nohzFull()));
        }
        out.append(cpus.isEmpty() ? "]\n" : "\n    ]\n");
        out.append("  },\n  \"plan\": {\n");
        out.append("    \"spec\": ").append(quote(plan.plan().spec())).append(",\n");
        out.append("    \"mode\": ").append(quote(plan.mode().specName())).append(",\n");
        out.append("    \"pinned\": ").append(plan.pinned()).append(",\n");
        out.append("    \"reactors\": ").append(plan.reactorCount()).append(",\n");
        out.append("    \"reserved\": ").append(quote(plan.reserved())).append(",\n");
        out.append("    \"roles\": {");
        boolean first = true;
        for (final Map.Entry<String, CpuSet> role : plan.roles().entrySet())
        {
            out.append(first ? "" : ",").append(' ').append(quote(role.getKey())).append(": ")
                .append(quote(role.getValue()));
            first = false;
        }
        out.append(first ? "},\n" : " },\n");
        out.append("    \"warnings\": [");
        final List<String> warnings = new ArrayList<>(topology.warnings());
        warnings.addAll(plan.warnings(false));
        for (int i = 0; i < warnings.size(); i++)
        {
            out.append(i == 0 ? "" : ", ").append(quote(warnings.get(i)));
        }
        out.append("]\n  }\n}\n");
        return out.toString();
    }

    private static String rolesOn(final ResolvedPlan plan, final int cpuId)
    {
        final StringBuilder roles = new StringBuilder();
        for (final Map.Entry<String, CpuSet> role : plan.roles().entrySet())
        {
            if (role.getValue().contains(cpuId))
            {
                roles.append(roles.length() == 0 ? "" : ", ").append(role.getKey());
            }
        }
        if (roles.length() == 0 && plan.reserved().contains(cpuId))
        {
            roles.append("(reserved)");
        }
        return roles.length() == 0 ? "-" : roles.toString();
    }

    private static String yesNo(final boolean value)
    {
        return value ? "yes" : "no";
    }

    private static String quote(final Object value)
    {
        return JsonStrings.quote(null == value ? null : value.toString());
    }
}
