package dev.coreloop.affinity;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A pinning plan placed on a machine: role ({@code acceptor}, {@code reactor-0} …) to CPU set, the reserved CPUs
 * and the warnings about poor placements. A plan with {@link #placed()} false places nothing (the topology is
 * unsupported) but still says how many reactors to run.
 *
 * <p><b>Threading:</b> immutable; any thread.
 */
public final class ResolvedPlan
{
    /** The acceptor thread's role. */
    public static final String ACCEPTOR_ROLE = "acceptor";
    /** Reactor roles are this prefix and the reactor index. */
    public static final String REACTOR_ROLE_PREFIX = "reactor-";

    private final PinningPlan plan;
    private final CpuTopology topology;
    private final boolean placed;
    private final boolean pinned;
    private final int reactorCount;
    private final int[] reactorCpus;
    private final CpuSet acceptorCpus;
    private final CpuSet reserved;
    private final Map<String, CpuSet> roles;
    private final List<String> warnings;

    ResolvedPlan(
        final PinningPlan plan,
        final CpuTopology topology,
        final boolean placed,
        final boolean pinned,
        final int reactorCount,
        final int[] reactorCpus,
        final CpuSet acceptorCpus,
        final CpuSet reserved,
        final List<String> warnings)
    {
        this.plan = plan;
        this.topology = topology;
        this.placed = placed;
        this.pinned = pinned;
        this.reactorCount = reactorCount;
        this.reactorCpus = reactorCpus.clone();
        this.acceptorCpus = acceptorCpus;
        this.reserved = reserved;
        final Map<String, CpuSet> map = new LinkedHashMap<>();
        if (placed)
        {
            if (acceptorCpus != null)
            {
                map.put(ACCEPTOR_ROLE, acceptorCpus);
            }
            for (int i = 0; i < reactorCpus.length; i++)
            {
                map.put(reactorRole(i), CpuSet.of(reactorCpus[i]));
            }
        }
        this.roles = Collections.unmodifiableMap(map);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * {@return the role name of reactor {@code index}: {@code reactor-<index>}}
     *
     * @param index the reactor index, from 0.
     */
    public static String reactorRole(final int index)
    {
        return REACTOR_ROLE_PREFIX + index;
    }

    /** {@return the spec this plan was resolved from} */
    public PinningPlan plan()
    {
        return plan;
    }

    /** {@return the machine this plan was placed on} */
    public CpuTopology topology()
    {
        return topology;
    }

    /** {@return the mode the spec asks for} */
    public PinMode mode()
    {
        return plan.mode();
    }

    /** {@return true when roles are placed on CPUs; false when the topology is count-only (non-Linux)} */
    public boolean placed()
    {
        return placed;
    }

    /** {@return true when the roles are placed, pinning is supported and the spec's mode is not {@code off}} */
    public boolean pinned()
    {
        return pinned;
    }

    /** {@return how many reactors the plan places} */
    public int reactorCount()
    {
        return reactorCount;
    }

    /**
     * {@return the CPU of reactor {@code index}, or -1 when the plan is not placed}
     *
     * @param index the reactor index, from 0.
     */
    public int reactorCpu(final int index)
    {
        return placed ? reactorCpus[index] : -1;
    }

    /** {@return the acceptor's CPUs, or null when it floats (or the plan is not placed)} */
    public CpuSet acceptorCpus()
    {
        return placed ? acceptorCpus : null;
    }

    /** {@return the CPUs kept for the OS and the acceptor (possibly empty)} */
    public CpuSet reserved()
    {
        return reserved;
    }

    /** {@return the process's allowed set, which roles outside the plan are reset to} */
    public CpuSet allowed()
    {
        return topology.allowed();
    }

    /** {@return role to planned CPUs, acceptor first then reactors in index order; empty when not placed} */
    public Map<String, CpuSet> roles()
    {
        return roles;
    }

    /**
     * {@return the CPUs planned for {@code role}, or null when the plan does not place it}
     *
     * @param role a thread role, {@code acceptor} or {@code reactor-<index>}.
     */
    public CpuSet cpusFor(final String role)
    {
        return roles.get(role);
    }

    /** {@return warnings about this placement that hold whatever the reactors' idle mode} */
    public List<String> warnings()
    {
        return warnings;
    }

    /**
     * {@return {@link #warnings()} plus the CFS-quota warning when it applies}
     *
     * @param busySpinning true when the reactors' idle mode spins (never blocks in select).
     */
    public List<String> warnings(final boolean busySpinning)
    {
        final String quotaWarning = quotaWarning(busySpinning);
        if (quotaWarning == null)
        {
            return warnings;
        }
        final List<String> all = new ArrayList<>(warnings);
        all.add(quotaWarning);
        return Collections.unmodifiableList(all);
    }

    /**
     * {@return the warning that busy-spinning reactors will be throttled by the cgroup's CFS quota, or null when there
     * is no quota or the reactors do not spin}
     *
     * @param busySpinning true when the reactors' idle mode spins.
     */
    public String quotaWarning(final boolean busySpinning)
    {
        final CpuQuota quota = topology.quota();
        if (quota == null || !busySpinning)
        {
            return null;
        }
        return String.format(Locale.ROOT,
            "CFS quota of %.2f CPUs (%s) with %d busy-spinning reactors: each spinning reactor burns a whole CPU, " +
            "so the cgroup is throttled every %d us period; use a blocking idle mode (SELECT or BACKOFF) or raise " +
            "the quota to at least %d CPUs",
            quota.cpus(), quota.source(), reactorCount, quota.periodUs(), reactorCount + 1);
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("plan '").append(plan.spec()).append("': ");
        if (!placed)
        {
            return sb.append(reactorCount).append(" reactors, not placed").toString();
        }
        boolean first = true;
        if (!pinned)
        {
            sb.append("(not pinned) ");
        }
        for (final Map.Entry<String, CpuSet> role : roles.entrySet())
        {
            sb.append(first ? "" : ", ").append(role.getKey()).append("->").append(role.getValue());
            first = false;
        }
        if (acceptorCpus == null)
        {
            sb.append(", acceptor floats on ").append(topology.allowed());
        }
        return sb.toString();
    }
}
