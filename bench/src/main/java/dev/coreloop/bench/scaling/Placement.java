package dev.coreloop.bench.scaling;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.coreloop.affinity.CpuSet;
import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.affinity.PinningException;
import dev.coreloop.affinity.PinningPlan;
import dev.coreloop.affinity.ResolvedPlan;

/**
 * Where one sweep point runs: the server's reactors on their own physical cores, the load threads on disjoint CPUs.
 *
 * <p>Rules ({@link #plan(List, CpuSet, int, int)}): the reactors take the highest {@code reactors} physical cores of
 * the allowed set, one reactor on the first CPU of each, and the whole of those cores (SMT siblings too) is the
 * server's CPU set; the acceptor (or Netty's boss loop) shares reactor-0's CPU. The load gets the CPUs left, one load
 * thread per CPU from the lowest. The point is <b>oversubscribed</b> when the load cannot have a CPU of its own per
 * load thread (it then shares the CPUs it has, or, with none left, floats over every allowed CPU, server's included),
 * or when there are more reactors than physical cores. The reactor part is checked by the {@code affinity} module
 * (a {@link PinningPlan} {@code reactors=<cpus> acceptor=<cpu> reserve=none}, resolved against the topology), whose
 * roles and warnings are what the threads are pinned to and what the results record.
 *
 * @param reactors       reactors (event loops) of the server.
 * @param reactorCpus    reactor K's CPU, or -1 when reactors are not pinned.
 * @param acceptorCpu    the acceptor's CPU, or -1.
 * @param serverCpus     CPUs reserved for the server (whole physical cores).
 * @param loadCpus       the load's CPUs (disjoint from {@code serverCpus} unless oversubscribed with none left).
 * @param loadThreads    load threads.
 * @param loadThreadCpus each load thread's CPU set.
 * @param oversubscribed whether the load could not get its own CPUs (or reactors share cores).
 * @param reason         why it is oversubscribed, or empty.
 * @param planText       the affinity module's resolved plan, or why there is none.
 * @param warnings       the plan's warnings.
 */
public record Placement(
    int reactors,
    int[] reactorCpus,
    int acceptorCpu,
    CpuSet serverCpus,
    CpuSet loadCpus,
    int loadThreads,
    CpuSet[] loadThreadCpus,
    boolean oversubscribed,
    String reason,
    String planText,
    List<String> warnings)
{
    /**
     * The largest reactor count that leaves at least as many physical cores for the load: the default top of a sweep.
     *
     * @param physicalCores physical cores in the allowed set.
     * @return at least 1.
     */
    public static int defaultMaxReactors(final int physicalCores)
    {
        return Math.max(1, physicalCores / 2);
    }

    /**
     * Plans a point on this machine (topology from sysfs, allowed set = this process's mask).
     *
     * @param topology    the machine, detected from an unpinned thread.
     * @param reactors    reactors of the server.
     * @param loadThreads load threads.
     * @return the placement, checked by the affinity module.
     */
    public static Placement plan(final CpuTopology topology, final int reactors, final int loadThreads)
    {
        final List<CpuSet> cores = new ArrayList<>(topology.physicalCores(topology.allowed()).values());
        cores.sort((a, b) -> Integer.compare(a.first(), b.first()));
        final Placement base = plan(cores, topology.allowed(), reactors, loadThreads);
        if (base.reactorCpus()[0] < 0)
        {
            return base;
        }
        final StringBuilder cpus = new StringBuilder();
        for (final int cpu : base.reactorCpus())
        {
            cpus.append(cpus.length() == 0 ? "" : ",").append(cpu);
        }
        final String list = reactors == 1 ? cpus + "-" + cpus : cpus.toString();
        final String spec = "reactors=" + list + " acceptor=" + base.acceptorCpu() + " reserve=none smt=allow";
        try
        {
            final ResolvedPlan resolved = PinningPlan.parse(spec).resolve(topology);
            for (int i = 0; i < reactors; i++)
            {
                if (resolved.reactorCpu(i) != base.reactorCpus()[i])
                {
                    throw new IllegalStateException("the affinity plan moved reactor-" + i + ": " + resolved);
                }
            }
            return new Placement(reactors, base.reactorCpus(), base.acceptorCpu(), base.serverCpus(), base.loadCpus(),
                loadThreads, base.loadThreadCpus(), base.oversubscribed(), base.reason(), resolved.toString(),
                resolved.warnings());
        }
        catch (final PinningException ex)
        {
            return new Placement(reactors, base.reactorCpus(), base.acceptorCpu(), base.serverCpus(), base.loadCpus(),
                loadThreads, base.loadThreadCpus(), base.oversubscribed(), base.reason(),
                "the affinity module refused '" + spec + "': " + ex.getMessage(), List.of());
        }
    }

    /**
     * The placement rules on their own (no sysfs), for tests and for the sweep runner's point list.
     *
     * @param coresAscending the allowed set's physical cores (each the set of its logical CPUs), lowest CPU first.
     * @param allowed        the allowed set.
     * @param reactors       reactors of the server (at least 1).
     * @param loadThreads    load threads (at least 1).
     * @return the placement, without the affinity module's check.
     */
    public static Placement plan(final List<CpuSet> coresAscending, final CpuSet allowed, final int reactors,
        final int loadThreads)
    {
        if (reactors < 1 || loadThreads < 1)
        {
            throw new IllegalArgumentException("reactors and loadThreads must be at least 1 but were " + reactors +
                " and " + loadThreads);
        }
        final int[] reactorCpus = new int[reactors];
        CpuSet server = CpuSet.empty();
        String reason = "";
        if (reactors <= coresAscending.size())
        {
            final List<CpuSet> serverCores = coresAscending.subList(coresAscending.size() - reactors, coresAscending.size());
            for (int i = 0; i < reactors; i++)
            {
                reactorCpus[i] = serverCores.get(i).first();
                server = server.union(serverCores.get(i));
            }
        }
        else if (reactors <= allowed.size())
        {
            final int[] all = allowed.toArray();
            for (int i = 0; i < reactors; i++)
            {
                reactorCpus[i] = all[all.length - reactors + i];
            }
            server = CpuSet.of(reactorCpus);
            reason = reactors + " reactors on " + coresAscending.size() + " physical cores: reactors share cores";
        }
        else
        {
            java.util.Arrays.fill(reactorCpus, -1);
            server = allowed;
            reason = reactors + " reactors for " + allowed.size() + " allowed CPUs: reactors unpinned";
        }
        final CpuSet load = allowed.minus(server);
        final CpuSet[] loadThreadCpus = new CpuSet[loadThreads];
        if (load.size() >= loadThreads)
        {
            final int[] cpus = load.toArray();
            for (int i = 0; i < loadThreads; i++)
            {
                loadThreadCpus[i] = CpuSet.of(cpus[i]);
            }
        }
        else
        {
            final CpuSet shared = load.isEmpty() ? allowed : load;
            java.util.Arrays.fill(loadThreadCpus, shared);
            final String loadReason = load.isEmpty() ?
                "no CPU left for " + loadThreads + " load thread(s): the load floats over " + allowed +
                    ", the server's CPUs included" :
                loadThreads + " load threads share " + load.size() + " CPU(s) " + load;
            reason = reason.isEmpty() ? loadReason : reason + "; " + loadReason;
        }
        return new Placement(reactors, reactorCpus, reactorCpus[0], server, load.isEmpty() ? allowed : load,
            loadThreads, loadThreadCpus, !reason.isEmpty(), reason, "not resolved", List.of());
    }

    /**
     * {@return the CPU set per role for the pinner: {@code reactor-K}, {@code acceptor}, {@code server} (the whole
     * server set, for thread-per-connection servers) and {@code load-K}}
     */
    public Map<String, CpuSet> roles()
    {
        final Map<String, CpuSet> roles = new LinkedHashMap<>();
        if (reactorCpus[0] >= 0)
        {
            for (int i = 0; i < reactors; i++)
            {
                roles.put("reactor-" + i, CpuSet.of(reactorCpus[i]));
            }
            roles.put("acceptor", CpuSet.of(acceptorCpu));
            roles.put("server", serverCpus);
        }
        for (int i = 0; i < loadThreads; i++)
        {
            roles.put("load-" + i, loadThreadCpus[i]);
        }
        return roles;
    }

    /** {@return one line for logs, the CSV and summary.md} */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(reactors).append(reactors == 1 ? " reactor on CPU " : " reactors on CPUs ");
        if (reactorCpus[0] < 0)
        {
            sb.append("(unpinned)");
        }
        else
        {
            for (int i = 0; i < reactors; i++)
            {
                sb.append(i == 0 ? "" : ",").append(reactorCpus[i]);
            }
        }
        sb.append(" (server set ").append(serverCpus).append("), ").append(loadThreads).append(" load thread(s) on ")
            .append(loadCpus);
        if (oversubscribed)
        {
            sb.append(" OVERSUBSCRIBED: ").append(reason);
        }
        return sb.toString();
    }
}
