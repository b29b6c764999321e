package dev.coreloop.affinity;

/**
 * A snapshot of one role's pin status and CPU-migration counters.
 *
 * <p><b>Threading:</b> immutable; any thread.
 *
 * @param role        the thread's role.
 * @param plannedCpus the planned CPUs in list form, or "" when the role is not in the plan.
 * @param actualCpus  the mask read back after pinning (the kernel's view on Linux), or "" before the thread pinned.
 * @param status      the pin outcome, or null before the thread pinned.
 * @param threadId    the kernel thread id, or -1 before the thread pinned.
 * @param lastCpu     the CPU seen by the latest {@link ThreadPinner#sampleCpu(String)}, or -1 before any sample.
 * @param cpuSamples  how many times the CPU was sampled.
 * @param migrations  how many samples saw a different CPU from the previous sample.
 */
public record PinCounters(
    String role,
    String plannedCpus,
    String actualCpus,
    PinResult.Status status,
    int threadId,
    int lastCpu,
    long cpuSamples,
    long migrations)
{
}
