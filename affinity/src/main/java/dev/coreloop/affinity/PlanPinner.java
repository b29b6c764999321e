package dev.coreloop.affinity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pins threads per a {@link ResolvedPlan}: each thread calls {@link #pinCurrentThread(String)} on itself as it
 * starts; the pinner sets the mask (sched_setaffinity), reads it back (sched_getaffinity) and, on Linux, reads the
 * kernel's view ({@code /proc/self/task/<tid>/status} Cpus_allowed_list), then records planned versus actual. A role
 * the plan does not name is reset to the process's allowed set, so a helper thread started from a pinned reactor
 * does not keep the reactor's CPU. At construction the reactor CPUs are claimed in a shared directory
 * ({@link CpuClaims}) so that a second server pinning the same CPUs is detected.
 *
 * <p><b>Threading:</b> constructed on the launcher thread. {@link #pinCurrentThread(String)} and
 * {@link #sampleCpu(String)} are called by the thread that has the role (one writer per role); the counters, the
 * report and {@link #close()} are safe from any thread. Each role's counters are written only by its own thread and
 * published through volatile fields and {@link AtomicLong}s, which readers read without locks.
 */
final class PlanPinner implements ThreadPinner
{
    private static final Logger LOG = LoggerFactory.getLogger(PlanPinner.class);

    /** One role's state; every field below is written only by the thread that has the role. */
    static final class RoleState
    {
        final String role;
        final CpuSet planned;
        // written by the role's thread; volatile: read by report/counter readers on any thread.
        volatile PinResult result;
        volatile int threadId = -1;
        volatile int lastCpu = -1;
        final AtomicLong cpuSamples = new AtomicLong();
        final AtomicLong migrations = new AtomicLong();
        final AtomicLong pinChanges = new AtomicLong();
        final AtomicLong pinRestores = new AtomicLong();
        // The set the thread was pinned to and verified on at start, or null: only such a pin can be lost.
        volatile CpuSet pinnedMask;
        volatile boolean lost;
        // Once per loss: the restore failure is logged at its first attempt only.
        boolean restoreFailureLogged;

        RoleState(final String role, final CpuSet planned)
        {
            this.role = role;
            this.planned = planned;
        }

        PinCounters snapshot()
        {
            final PinResult pin = result;
            return new PinCounters(
                role,
                planned == null ? "" : planned.toString(),
                pin == null ? "" : pin.actualCpus(),
                pin == null ? null : pin.status(),
                threadId,
                lastCpu,
                cpuSamples.get(),
                migrations.get());
        }
    }

    private final ResolvedPlan plan;
    private final PinMode mode;
    private final AffinityBackend backend;
    private final boolean active;
    private final CpuClaims claims;
    private final List<String> warnings;
    private final Map<String, RoleState> roles = new ConcurrentHashMap<>();
    private final List<String> roleOrder = Collections.synchronizedList(new ArrayList<>());

    PlanPinner(final ResolvedPlan plan, final PinMode mode, final AffinityBackend backend, final Path claimDirectory)
    {
        this.plan = plan;
        this.mode = mode;
        this.backend = backend;
        final List<String> allWarnings = new ArrayList<>(plan.warnings());
        // The mode given here wins over the spec's own mode= (the launcher may override it).
        boolean canPin = mode != PinMode.OFF;
        if (canPin && (!plan.placed() || !plan.topology().pinningSupported() || !backend.supported()))
        {
            if (mode == PinMode.STRICT)
            {
                throw new PinningException("mode=strict: this OS or JVM cannot pin threads (os.name=" +
                    System.getProperty("os.name") + "; OpenHFT affinity needs Linux and JNA)");
            }
            if (plan.placed())
            {
                allWarnings.add("this OS or JVM cannot pin threads: running unpinned");
            }
            canPin = false;
        }
        this.active = canPin;
        for (final Map.Entry<String, CpuSet> role : plan.roles().entrySet())
        {
            addRole(role.getKey(), role.getValue());
        }

        CpuClaims madeClaims = null;
        if (active && claimDirectory != null)
        {
            final Map<Integer, String> cpuRoles = new TreeMap<>();
            for (int i = 0; i < plan.reactorCount(); i++)
            {
                cpuRoles.put(plan.reactorCpu(i), ResolvedPlan.reactorRole(i));
            }
            madeClaims = CpuClaims.claim(claimDirectory, cpuRoles);
            if (!madeClaims.conflicts().isEmpty())
            {
                if (mode == PinMode.STRICT)
                {
                    madeClaims.close();
                    throw new PinningException("mode=strict: " + madeClaims.conflicts().get(0) +
                        (madeClaims.conflicts().size() > 1 ?
                        " (and " + (madeClaims.conflicts().size() - 1) + " more CPUs)" : ""));
                }
                for (final CpuClaims.Conflict conflict : madeClaims.conflicts())
                {
                    allWarnings.add(conflict.toString());
                }
            }
        }
        this.claims = madeClaims;
        this.warnings = List.copyOf(allWarnings);
        if (mode != PinMode.OFF)
        {
            for (final String warning : warnings)
            {
                LOG.warn("pinning: {}", warning);
            }
        }
    }

    private RoleState addRole(final String role, final CpuSet planned)
    {
        return roles.computeIfAbsent(role, r ->
        {
            roleOrder.add(r);
            return new RoleState(r, planned);
        });
    }

    private RoleState stateFor(final String role)
    {
        final RoleState state = roles.get(role);
        return state != null ? state : addRole(role, null);
    }

    @Override
    public PinResult pinCurrentThread(final String role)
    {
        final RoleState state = stateFor(role);
        final CpuSet planned = state.planned;
        if (!active)
        {
            final PinResult result = new PinResult(role, planned == null ? "" : planned.toString(), "",
                PinResult.Status.UNPINNED);
            state.result = result;
            return result;
        }
        final CpuSet target = planned != null ? planned : plan.allowed();
        final int threadId = backend.currentThreadId();
        state.threadId = threadId;
        final String plannedText = planned == null ? "" : planned.toString();
        try
        {
            backend.setCurrentThreadAffinity(target);
        }
        catch (final RuntimeException ex)
        {
            final String actual = String.valueOf(backend.currentThreadAffinity());
            final PinResult result = new PinResult(role, plannedText, actual, PinResult.Status.FAILED);
            state.result = result;
            final String message = role + ": sched_setaffinity to CPUs " + target + " failed: " + ex.getMessage();
            if (mode == PinMode.STRICT)
            {
                throw new PinningException("mode=strict: " + message, ex);
            }
            LOG.warn("pinning: {}", message);
            return result;
        }
        final CpuSet readBack = backend.currentThreadAffinity();
        final CpuSet kernel = backend.kernelThreadAffinity(threadId);
        final boolean verified = target.equals(readBack) && (kernel == null || target.equals(kernel));
        final CpuSet actual = kernel != null ? kernel : readBack;
        final PinResult.Status status = verified ?
            (planned == null ? PinResult.Status.UNPINNED : PinResult.Status.PINNED) : PinResult.Status.MISMATCH;
        final PinResult result = new PinResult(role, plannedText, actual.toString(), status);
        state.result = result;
        state.lastCpu = backend.currentCpu();
        state.pinnedMask = status == PinResult.Status.PINNED ? target : null;
        if (!verified)
        {
            final String message = role + ": planned CPUs " + target + " but sched_getaffinity reports " + readBack +
                (kernel == null ? "" : " and /proc/self/task/" + threadId + "/status Cpus_allowed_list " + kernel);
            if (mode == PinMode.STRICT)
            {
                throw new PinningException("mode=strict: " + message);
            }
            LOG.warn("pinning: {}", message);
        }
        return result;
    }

    /**
     * Reads the calling thread's current CPU and counts a migration when it differs from the previous sample.
     * The bookkeeping here is allocation-free after the role's first call (the JNA call behind
     * {@link AffinityBackend#currentCpu()} is not; see {@link ThreadPinner#sampleCpu(String)}).
     */
    @Override
    public void sampleCpu(final String role)
    {
        final RoleState state = stateFor(role);
        final int cpu = backend.currentCpu();
        final int previous = state.lastCpu;
        if (previous >= 0 && cpu != previous)
        {
            state.migrations.incrementAndGet();
        }
        state.lastCpu = cpu;
        state.cpuSamples.incrementAndGet();
    }

    @Override
    public PinSample samplePin(final String role)
    {
        final RoleState state = stateFor(role);
        sampleCpu(role);
        final CpuSet pinned = state.pinnedMask;
        if (active && pinned != null)
        {
            final CpuSet now = backend.currentThreadAffinity();
            if (!pinned.equals(now))
            {
                if (!state.lost)
                {
                    state.lost = true;
                    state.pinChanges.incrementAndGet();
                    state.restoreFailureLogged = false;
                    LOG.warn("pinning: {}: allowed CPUs changed from {} to {} while running (taskset -p, or the " +
                        "container runtime changed the cpuset); {}", role, pinned, now, mode == PinMode.STRICT ?
                        "mode=strict: re-applying the plan" : "best-effort: left as it is, reported by stat and /health");
                }
                if (mode == PinMode.STRICT)
                {
                    restore(state, role, pinned);
                }
            }
            else if (state.lost)
            {
                state.lost = false;
                LOG.info("pinning: {}: back on its planned CPUs {}", role, pinned);
            }
        }
        final PinResult result = state.result;
        final CpuSet planned = state.planned;
        return new PinSample(state.lastCpu, planned != null && planned.size() == 1 ? planned.first() : -1,
            result == null ? null : result.status(), state.lost, state.migrations.get(), state.pinChanges.get(),
            state.pinRestores.get());
    }

    /** Strict mode: sets the planned mask again and counts a restore when the read-back matches. */
    private void restore(final RoleState state, final String role, final CpuSet pinned)
    {
        String failure;
        try
        {
            backend.setCurrentThreadAffinity(pinned);
            final CpuSet readBack = backend.currentThreadAffinity();
            failure = pinned.equals(readBack) ? null : "sched_getaffinity reports " + readBack;
        }
        catch (final RuntimeException ex)
        {
            failure = "sched_setaffinity failed: " + ex.getMessage();
        }
        if (failure == null)
        {
            state.lost = false;
            state.pinRestores.incrementAndGet();
            LOG.warn("pinning: {}: re-applied CPUs {} (mode=strict)", role, pinned);
        }
        else if (!state.restoreFailureLogged)
        {
            state.restoreFailureLogged = true;
            LOG.error("pinning: {}: mode=strict cannot re-apply CPUs {}: {}; the reactor keeps serving, reported as " +
                "pin lost (stat, /metrics, /health answers 503); retried every second", role, pinned, failure);
        }
    }

    @Override
    public int plannedReactorCount()
    {
        return plan.reactorCount();
    }

    @Override
    public List<PinCounters> counters()
    {
        final List<PinCounters> result = new ArrayList<>();
        synchronized (roleOrder)
        {
            for (final String role : roleOrder)
            {
                // A role is listed just before computeIfAbsent publishes its state; skip it until then.
                final RoleState state = roles.get(role);
                if (state != null)
                {
                    result.add(state.snapshot());
                }
            }
        }
        return result;
    }

    @Override
    public String report()
    {
        return PinReport.table(this);
    }

    @Override
    public String reportJson()
    {
        return PinReport.json(this);
    }

    @Override
    public void close()
    {
        if (claims != null)
        {
            claims.close();
        }
    }

    ResolvedPlan plan()
    {
        return plan;
    }

    PinMode mode()
    {
        return mode;
    }

    boolean active()
    {
        return active;
    }

    CpuClaims claims()
    {
        return claims;
    }

    /** {@return the plan's warnings plus those met building the pinner (claim conflicts, unsupported OS)} */
    List<String> warnings()
    {
        return warnings;
    }

    Map<String, PinCounters> countersByRole()
    {
        final Map<String, PinCounters> result = new LinkedHashMap<>();
        for (final PinCounters counters : counters())
        {
            result.put(counters.role(), counters);
        }
        return result;
    }
}
