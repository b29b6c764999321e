package dev.coreloop.affinity;

/**
 * What one {@link ThreadPinner#samplePin(String)} found for the calling thread: where it runs, whether it still has
 * the CPU set it was pinned to, and the role's running totals.
 *
 * <p><b>Threading:</b> immutable; any thread.
 *
 * @param cpu         the CPU the thread runs on now (sched_getcpu), or -1 when unknown.
 * @param plannedCpu  the CPU the plan gives the role when it is exactly one, else -1.
 * @param startStatus how pinning went at start, or null before the thread pinned.
 * @param lost        true while the thread's allowed CPU set differs from the one it was pinned to (and verified)
 *                    at start: a {@code taskset -p}, or a container runtime that shrank the cpuset.
 * @param migrations  samples so far that found the thread on another CPU than the sample before.
 * @param pinChanges  samples so far that found the pin lost (counted once per loss, not once per sample).
 * @param pinRestores lost pins re-applied so far (strict mode only).
 */
public record PinSample(
    int cpu,
    int plannedCpu,
    PinResult.Status startStatus,
    boolean lost,
    long migrations,
    long pinChanges,
    long pinRestores)
{
    /** The sample of a pinner that watches nothing (pinning off, or the unpinned pinner). */
    public static final PinSample NONE = new PinSample(-1, -1, null, false, 0, 0, 0);
}
