package dev.coreloop.affinity;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import dev.coreloop.affinity.openhft.OpenHftAffinityBackend;

/**
 * Pins threads to the CPUs a plan gives their role, verifies each pin and records planned versus actual.
 * This is the only affinity type the core module needs; {@link #unpinned()} lets a server run with no
 * pinning at all.
 *
 * <p>Roles are thread names: {@code acceptor}, {@code reactor-0} … {@code reactor-N}.
 *
 * <p>Typical use by a launcher:
 * <pre>{@code
 * CpuTopology topology = CpuTopology.detect();
 * ResolvedPlan plan = PinningPlan.parse(System.getenv(PinningPlan.SPEC_ENV_NAME)).resolve(topology);
 * ThreadPinner pinner = ThreadPinner.forPlan(plan, plan.mode());
 * // ... each thread: pinner.pinCurrentThread("reactor-3"); once a second: pinner.sampleCpu("reactor-3");
 * System.out.println(pinner.report());
 * pinner.close();   // at shutdown: releases the CPU claims
 * }</pre>
 *
 * <p><b>Threading:</b> {@link #pinCurrentThread(String)} and {@link #sampleCpu(String)} are called by each thread on
 * itself; every other method is safe to call from any thread.
 */
public interface ThreadPinner extends AutoCloseable
{
    /**
     * Pins the calling thread to the CPU(s) planned for {@code role}, reads the affinity back and records the
     * outcome for the report. A role the plan does not name is left on the process's allowed set (never on the
     * mask it inherited from a pinned parent thread).
     *
     * @param role the calling thread's role, {@code acceptor} or {@code reactor-<index>}.
     * @return what happened.
     * @throws PinningException in strict mode, when the pin could not be applied or verified.
     */
    PinResult pinCurrentThread(String role);

    /**
     * {@return how many reactors the plan places, or {@code -1} when the plan leaves the count to the caller
     * (for instance the unpinned pinner)}
     */
    int plannedReactorCount();

    /** {@return the startup report: one row per role, planned CPU, actual CPU set, verified or not} */
    String report();

    /**
     * Samples the CPU the calling thread runs on now (sched_getcpu) and counts a migration when it differs from
     * the previous sample for {@code role}. A reactor calls this about once a second from its own thread (for
     * example from a periodic timer). coreloop's own bookkeeping does not allocate after the first call for a
     * role, but the sched_getcpu call through OpenHFT/JNA allocates about 16 bytes per call (measured with
     * ThreadMXBean#getThreadAllocatedBytes on JDK 17), which is why this is a once-a-second sample and not a
     * per-cycle check. The counts are in {@link #counters()}. The default does nothing.
     *
     * @param role the calling thread's role.
     */
    default void sampleCpu(final String role)
    {
    }

    /**
     * Watches the calling thread's pin while it runs; a reactor calls it about once a second from its own thread.
     * Samples the CPU (as {@link #sampleCpu(String)} does, counting migrations) and the thread's allowed CPU set
     * (sched_getaffinity). When a thread that was pinned and verified at start is found with another set (a
     * {@code taskset -p}, or a container runtime that shrank the cpuset), the pin is lost: counted once and logged once
     * per loss. Then in strict mode the pinner re-applies the planned set at once and counts a restore if it holds
     * (else the pin stays lost, logged as an error once, and the next sample tries again); best-effort mode leaves the
     * thread where it is and keeps reporting the loss, until a sample finds the planned set again. The JNA calls
     * allocate, and so does the returned record: this is a once-a-second sample. The default returns
     * {@link PinSample#NONE}.
     *
     * @param role the calling thread's role.
     * @return what the sample found.
     */
    default PinSample samplePin(final String role)
    {
        return PinSample.NONE;
    }

    /**
     * {@return a snapshot of every role's pin status and migration counters, in the order roles were planned or seen}
     */
    default List<PinCounters> counters()
    {
        return List.of();
    }

    /** {@return the report as one JSON object (see docs/pinning.md for its fields)} */
    default String reportJson()
    {
        return "{\"mode\":\"off\",\"pinned\":false,\"roles\":[],\"warnings\":[]}";
    }

    /**
     * A factory for helper threads (loggers, schedulers, blocking work) that may be created from a pinned thread:
     * each thread first calls {@link #pinCurrentThread(String)} with its own name, which a plan does not place, so
     * it runs on the process's allowed set instead of the creating reactor's CPU.
     *
     * @param namePrefix thread names are {@code namePrefix-1}, {@code namePrefix-2} …
     * @return the factory (daemon threads).
     */
    default ThreadFactory helperThreadFactory(final String namePrefix)
    {
        final AtomicInteger sequence = new AtomicInteger();
        return runnable ->
        {
            final String name = namePrefix + "-" + sequence.incrementAndGet();
            final Thread thread = new Thread(() ->
            {
                pinCurrentThread(name);
                runnable.run();
            }, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Releases what the pinner holds (the cross-process CPU claims). Threads keep their masks. */
    @Override
    default void close()
    {
    }

    /** {@return a pinner that pins nothing; it logs one warning on first use and reports "unpinned"} */
    static ThreadPinner unpinned()
    {
        return UnpinnedPinner.INSTANCE;
    }

    /**
     * A pinner for a resolved plan, claiming its reactor CPUs in {@link CpuClaims#defaultDirectory()}.
     *
     * @param plan the placement.
     * @param mode strict, best-effort or off (usually {@code plan.mode()}).
     * @return the pinner; close it at shutdown to release the claims.
     * @throws PinningException in strict mode when pinning is unsupported or another server claimed a CPU.
     */
    static ThreadPinner forPlan(final ResolvedPlan plan, final PinMode mode)
    {
        return forPlan(plan, mode, CpuClaims.defaultDirectory());
    }

    /**
     * A pinner for a resolved plan.
     *
     * @param plan           the placement.
     * @param mode           strict, best-effort or off.
     * @param claimDirectory where CPU claims are shared with other servers, or null to skip the check.
     * @return the pinner; close it at shutdown to release the claims.
     * @throws PinningException in strict mode when pinning is unsupported or another server claimed a CPU.
     */
    static ThreadPinner forPlan(final ResolvedPlan plan, final PinMode mode, final Path claimDirectory)
    {
        return new PlanPinner(plan, mode, OpenHftAffinityBackend.instance(), claimDirectory);
    }
}
