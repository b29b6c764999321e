package dev.coreloop.affinity;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Places a {@link PinningPlan} on a {@link CpuTopology}; the rules are documented on
 * {@link PinningPlan#resolve(CpuTopology)}.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
final class PlanResolver
{
    /** {@code reserve=auto} keeps a core for the OS and the acceptor only from this many allowed physical cores. */
    static final int AUTO_RESERVE_MIN_CORES = 4;

    private PlanResolver()
    {
    }

    /** A physical core's candidate CPUs; {@code occupied} counts its siblings already kept for the OS or acceptor. */
    private record Core(int key, CpuSet cpus, int node, int typeRank, int isolatedRank, int occupied)
    {
    }

    static ResolvedPlan resolve(final PinningPlan plan, final CpuTopology topology)
    {
        if (!topology.hasDetails())
        {
            final int count = switch (plan.reactorsKind())
            {
                case COUNT -> plan.reactorCount();
                case CPUS -> plan.reactorCpus().length;
                default -> topology.cpuCount();
            };
            return new ResolvedPlan(plan, topology, false, false, count, new int[0], null, CpuSet.empty(), List.of());
        }

        final CpuSet allowed = topology.allowed();
        final List<String> warnings = new ArrayList<>();

        if (plan.acceptorKind() == PinningPlan.AcceptorKind.CPU && !allowed.contains(plan.acceptorCpu()))
        {
            throw new PinningException("acceptor=" + plan.acceptorCpu() + ": " + notAllowed(plan.acceptorCpu(), allowed));
        }
        final CpuSet acceptorCpu = plan.acceptorKind() == PinningPlan.AcceptorKind.CPU ?
            CpuSet.of(plan.acceptorCpu()) : CpuSet.empty();

        CpuSet reserved = reserve(plan, topology, allowed);
        final String reactorsField = "reactors=" + plan.reactorsText();
        int[] reactorCpus;
        switch (plan.reactorsKind())
        {
            case CPUS:
            {
                reactorCpus = plan.reactorCpus();
                final BitSet seen = new BitSet();
                for (final int cpu : reactorCpus)
                {
                    if (!allowed.contains(cpu))
                    {
                        throw new PinningException(reactorsField + ": " + notAllowed(cpu, allowed));
                    }
                    if (seen.get(cpu))
                    {
                        throw new PinningException(reactorsField + ": two reactors on CPU " + cpu);
                    }
                    seen.set(cpu);
                    if (reserved.contains(cpu))
                    {
                        throw new PinningException(reactorsField + ": CPU " + cpu + " is reserved by reserve=" +
                            plan.reserveText());
                    }
                }
                break;
            }
            case COUNT:
            {
                final int count = plan.reactorCount();
                if (count > allowed.size())
                {
                    throw new PinningException(reactorsField + ": " + count + " reactors for " + allowed.size() +
                        " allowed CPUs (allowed set " + allowed + ")");
                }
                CpuSet candidates = allowed.minus(reserved).minus(acceptorCpu);
                if (count > candidates.size() && plan.reserveKind() == PinningPlan.ReserveKind.AUTO)
                {
                    reserved = CpuSet.empty();
                    candidates = allowed.minus(acceptorCpu);
                }
                if (count > candidates.size())
                {
                    candidates = allowed.minus(reserved);
                }
                if (count > candidates.size())
                {
                    throw new PinningException(reactorsField + ": " + count + " reactors for " + candidates.size() +
                        " allowed CPUs outside reserve=" + plan.reserveText() + " (allowed set " + allowed + ")");
                }
                reactorCpus = place(plan, topology, candidates, count, preferredNode(topology, acceptorCpu, reserved),
                    reserved.union(acceptorCpu));
                break;
            }
            case NODE:
            {
                final CpuSet nodeCpus = topology.nodes().get(plan.reactorNode());
                if (nodeCpus == null)
                {
                    throw new PinningException(reactorsField + ": NUMA node " + plan.reactorNode() +
                        " does not exist (nodes " + CpuSet.of(topology.nodes().keySet().stream()
                        .mapToInt(Integer::intValue).toArray()) + ")");
                }
                CpuSet candidates = nodeCpus.intersect(allowed).minus(reserved).minus(acceptorCpu);
                if (candidates.isEmpty())
                {
                    candidates = nodeCpus.intersect(allowed).minus(reserved);
                }
                if (candidates.isEmpty())
                {
                    throw new PinningException(reactorsField + ": NUMA node " + plan.reactorNode() + " (CPUs " +
                        nodeCpus + ") has no CPU in the allowed set " + allowed + " outside the reserved CPUs " +
                        (reserved.isEmpty() ? "(none)" : reserved.toString()));
                }
                final CpuSet occupied = reserved.union(acceptorCpu);
                final CpuSet usable = autoCandidates(topology, candidates);
                reactorCpus = place(plan, topology, usable, autoCount(plan, topology, usable, occupied),
                    plan.reactorNode(), occupied);
                break;
            }
            default:
            {
                CpuSet candidates = allowed.minus(reserved).minus(acceptorCpu);
                if (candidates.isEmpty())
                {
                    candidates = allowed.minus(reserved);
                }
                final CpuSet occupied = reserved.union(acceptorCpu);
                final CpuSet usable = autoCandidates(topology, candidates);
                reactorCpus = place(plan, topology, usable, autoCount(plan, topology, usable, occupied),
                    preferredNode(topology, acceptorCpu, reserved), occupied);
                break;
            }
        }

        final CpuSet acceptorCpus = switch (plan.acceptorKind())
        {
            case CPU -> acceptorCpu;
            case FLOAT -> null;
            default -> reserved.isEmpty() ? CpuSet.of(housekeepingReactorCpu(topology, reactorCpus)) : reserved;
        };

        addWarnings(plan, topology, reactorCpus, acceptorCpus, reserved, warnings);
        final boolean pinned = topology.pinningSupported() && plan.mode() != PinMode.OFF;
        return new ResolvedPlan(
            plan, topology, true, pinned, reactorCpus.length, reactorCpus, acceptorCpus, reserved, warnings);
    }

    private static int housekeepingReactorCpu(final CpuTopology topology, final int[] reactorCpus)
    {
        int best = -1;
        for (final int cpu : reactorCpus)
        {
            if (!topology.isolated().contains(cpu) && (best < 0 || cpu < best))
            {
                best = cpu;
            }
        }
        return best >= 0 ? best : reactorCpus[0];
    }

    private static CpuSet reserve(final PinningPlan plan, final CpuTopology topology, final CpuSet allowed)
    {
        switch (plan.reserveKind())
        {
            case NONE:
                return CpuSet.empty();
            case CPUS:
            {
                final CpuSet reserve = plan.reserve();
                for (int cpu = reserve.first(); cpu >= 0; cpu = reserve.next(cpu))
                {
                    if (!allowed.contains(cpu))
                    {
                        throw new PinningException("reserve=" + plan.reserveText() + ": " + notAllowed(cpu, allowed));
                    }
                }
                if (reserve.containsAll(allowed))
                {
                    throw new PinningException("reserve=" + plan.reserveText() +
                        " leaves no allowed CPU for reactors (allowed set " + allowed + ")");
                }
                return reserve;
            }
            default:
            {
                final boolean applies = plan.reactorsKind() != PinningPlan.ReactorsKind.CPUS &&
                    plan.acceptorKind() != PinningPlan.AcceptorKind.CPU &&
                    topology.physicalCores(allowed).size() >= AUTO_RESERVE_MIN_CORES;
                if (!applies)
                {
                    return CpuSet.empty();
                }
                CpuSet housekeeping = allowed.minus(topology.isolated());
                if (housekeeping.isEmpty())
                {
                    housekeeping = allowed;
                }
                if (topology.hybrid())
                {
                    // The OS and the acceptor are well served by an efficiency core; keep performance cores for reactors.
                    final BitSet efficiency = new BitSet();
                    for (int cpu = housekeeping.first(); cpu >= 0; cpu = housekeeping.next(cpu))
                    {
                        final LogicalCpu logical = topology.cpu(cpu);
                        if (logical != null && logical.coreType() == CoreType.EFFICIENCY)
                        {
                            efficiency.set(cpu);
                        }
                    }
                    if (!efficiency.isEmpty())
                    {
                        housekeeping = CpuSet.of(efficiency);
                    }
                }
                final LogicalCpu lowest = topology.cpu(housekeeping.first());
                return lowest == null ? CpuSet.of(housekeeping.first()) : lowest.threadSiblings().intersect(allowed);
            }
        }
    }

    /** {@return the CPUs auto placement may use: on a hybrid processor only performance cores, if there are any} */
    private static CpuSet autoCandidates(final CpuTopology topology, final CpuSet candidates)
    {
        if (!topology.hybrid())
        {
            return candidates;
        }
        final BitSet performance = new BitSet();
        for (int cpu = candidates.first(); cpu >= 0; cpu = candidates.next(cpu))
        {
            final LogicalCpu logical = topology.cpu(cpu);
            if (logical != null && logical.coreType() != CoreType.EFFICIENCY)
            {
                performance.set(cpu);
            }
        }
        return performance.isEmpty() ? candidates : CpuSet.of(performance);
    }

    private static int autoCount(
        final PinningPlan plan, final CpuTopology topology, final CpuSet usable, final CpuSet occupied)
    {
        if (plan.smt() == PinningPlan.SmtPolicy.ALLOW)
        {
            return usable.size();
        }
        // smt=avoid: a core whose sibling runs the OS or the acceptor is not a free core.
        int freeCores = 0;
        for (final CpuSet core : topology.physicalCores(usable).values())
        {
            if (occupiedSiblings(topology, core, occupied) == 0)
            {
                freeCores++;
            }
        }
        return freeCores > 0 ? freeCores : topology.physicalCores(usable).size();
    }

    private static int occupiedSiblings(final CpuTopology topology, final CpuSet coreCpus, final CpuSet occupied)
    {
        final LogicalCpu first = topology.cpu(coreCpus.first());
        return first == null ? 0 : first.threadSiblings().minus(coreCpus).intersect(occupied).size();
    }

    private static int preferredNode(final CpuTopology topology, final CpuSet acceptorCpu, final CpuSet reserved)
    {
        final CpuSet anchor = acceptorCpu.isEmpty() ? reserved : acceptorCpu;
        final LogicalCpu cpu = anchor.isEmpty() ? null : topology.cpu(anchor.first());
        return cpu == null ? -1 : cpu.nodeId();
    }

    private static int[] place(
        final PinningPlan plan,
        final CpuTopology topology,
        final CpuSet candidates,
        final int count,
        final int preferredNode,
        final CpuSet occupied)
    {
        final List<Core> cores = new ArrayList<>();
        final Map<Integer, Integer> slotsPerNode = new TreeMap<>();
        for (final Map.Entry<Integer, CpuSet> entry : topology.physicalCores(candidates).entrySet())
        {
            final CpuSet cpus = entry.getValue();
            final LogicalCpu first = topology.cpu(cpus.first());
            final int node = first == null ? 0 : first.nodeId();
            final int typeRank = first != null && first.coreType() == CoreType.EFFICIENCY ? 1 : 0;
            final int isolatedRank = cpus.intersects(topology.isolated()) ? 0 : 1;
            final int busy = occupiedSiblings(topology, cpus, occupied);
            cores.add(new Core(entry.getKey(), cpus, node, typeRank, isolatedRank, busy));
            slotsPerNode.merge(node, plan.smt() == PinningPlan.SmtPolicy.ALLOW ? cpus.size() : (busy == 0 ? 1 : 0),
                Integer::sum);
        }

        // Keep the reactors on one NUMA node when they fit: the acceptor's node first, else the roomiest.
        int chosenNode = -1;
        if (slotsPerNode.getOrDefault(preferredNode, 0) >= count)
        {
            chosenNode = preferredNode;
        }
        else
        {
            int bestSlots = 0;
            for (final Map.Entry<Integer, Integer> node : slotsPerNode.entrySet())
            {
                if (node.getValue() >= count && node.getValue() > bestSlots)
                {
                    chosenNode = node.getKey();
                    bestSlots = node.getValue();
                }
            }
        }
        final int nodeForOrder = chosenNode;
        cores.sort(Comparator
            .comparingInt((Core core) -> core.node() == nodeForOrder ? 0 : 1)
            .thenComparingInt(Core::typeRank)
            .thenComparingInt(Core::isolatedRank)
            .thenComparingInt(Core::node)
            .thenComparingInt(Core::key));

        final int[] result = new int[count];
        int placed = 0;
        final int[][] coreCpus = new int[cores.size()][];
        final int[] firstRound = new int[cores.size()];
        for (int i = 0; i < cores.size(); i++)
        {
            coreCpus[i] = cores.get(i).cpus().toArray();
            firstRound[i] = cores.get(i).occupied();
        }
        // Round r takes the r-th thread of every core, so SMT siblings are used only once every core has a reactor;
        // a core whose first threads run the OS or the acceptor joins in the round of its first free thread.
        int maxRound = 0;
        for (int i = 0; i < coreCpus.length; i++)
        {
            maxRound = Math.max(maxRound, firstRound[i] + coreCpus[i].length);
        }
        for (int round = 0; placed < count; round++)
        {
            boolean any = false;
            for (int i = 0; i < coreCpus.length && placed < count; i++)
            {
                final int index = round - firstRound[i];
                if (index >= 0 && index < coreCpus[i].length)
                {
                    result[placed++] = coreCpus[i][index];
                    any = true;
                }
            }
            if (!any && round >= maxRound)
            {
                throw new PinningException("reactors=" + plan.reactorsText() + ": " + count + " reactors for " +
                    placed + " candidate CPUs " + candidates);
            }
        }
        return result;
    }

    private static void addWarnings(
        final PinningPlan plan,
        final CpuTopology topology,
        final int[] reactorCpus,
        final CpuSet acceptorCpus,
        final CpuSet reserved,
        final List<String> warnings)
    {
        if (plan.smt() == PinningPlan.SmtPolicy.AVOID)
        {
            for (int i = 0; i < reactorCpus.length; i++)
            {
                for (int j = i + 1; j < reactorCpus.length; j++)
                {
                    if (coreKey(topology, reactorCpus[i]) == coreKey(topology, reactorCpus[j]))
                    {
                        warnings.add("reactor-" + i + " (CPU " + reactorCpus[i] + ") and reactor-" + j + " (CPU " +
                            reactorCpus[j] + ") share a physical core (SMT siblings)");
                    }
                }
            }
        }
        if (acceptorCpus != null)
        {
            for (int i = 0; i < reactorCpus.length; i++)
            {
                if (acceptorCpus.contains(reactorCpus[i]))
                {
                    warnings.add("acceptor shares CPU " + reactorCpus[i] + " with reactor-" + i);
                }
            }
        }
        if (plan.smt() == PinningPlan.SmtPolicy.AVOID)
        {
            // CPUs running the OS or the acceptor but no reactor (an acceptor on a reactor's CPU is warned above).
            final CpuSet housekeeping = acceptorCpus == null ? reserved :
                reserved.union(acceptorCpus).minus(CpuSet.of(reactorCpus));
            for (int i = 0; i < reactorCpus.length; i++)
            {
                final LogicalCpu cpu = topology.cpu(reactorCpus[i]);
                final CpuSet shared = cpu == null ? CpuSet.empty() :
                    cpu.threadSiblings().minus(CpuSet.of(reactorCpus[i])).intersect(housekeeping);
                if (!shared.isEmpty())
                {
                    warnings.add("reactor-" + i + " (CPU " + reactorCpus[i] + ") shares a physical core with CPU " +
                        shared + ", kept for the OS and the acceptor");
                }
            }
        }
        if (topology.hybrid())
        {
            boolean anyPerformance = false;
            for (final int cpu : reactorCpus)
            {
                anyPerformance |= coreType(topology, cpu) != CoreType.EFFICIENCY;
            }
            for (int i = 0; i < reactorCpus.length && anyPerformance; i++)
            {
                if (coreType(topology, reactorCpus[i]) == CoreType.EFFICIENCY)
                {
                    warnings.add("reactor-" + i + " (CPU " + reactorCpus[i] +
                        ") runs on an efficiency core while other reactors run on performance cores");
                }
            }
        }
        final CpuQuota quota = topology.quota();
        if (quota != null && quota.cpus() < reactorCpus.length)
        {
            warnings.add(String.format(Locale.ROOT,
                "CFS quota of %.2f CPUs (%s) is below the %d planned reactors: under full load the cgroup is " +
                "throttled every %d us period", quota.cpus(), quota.source(), reactorCpus.length, quota.periodUs()));
        }
    }

    private static int coreKey(final CpuTopology topology, final int cpuId)
    {
        final LogicalCpu cpu = topology.cpu(cpuId);
        return cpu == null ? cpuId : cpu.physicalCoreKey();
    }

    private static CoreType coreType(final CpuTopology topology, final int cpuId)
    {
        final LogicalCpu cpu = topology.cpu(cpuId);
        return cpu == null ? CoreType.UNIFORM : cpu.coreType();
    }

    private static String notAllowed(final int cpu, final CpuSet allowed)
    {
        return "CPU " + cpu + " is not in the allowed set " + allowed;
    }
}
