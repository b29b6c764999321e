package dev.coreloop.affinity;

/**
 * The system calls pinning needs, for the calling thread. The production implementation is
 * {@link dev.coreloop.affinity.openhft.OpenHftAffinityBackend}; tests substitute their own.
 *
 * <p><b>Threading:</b> every method acts on the calling thread; implementations are stateless or thread-safe.
 */
public interface AffinityBackend
{
    /** {@return true when this backend can set and read CPU masks on this OS} */
    boolean supported();

    /** {@return the calling thread's CPU mask (sched_getaffinity)} */
    CpuSet currentThreadAffinity();

    /**
     * Sets the calling thread's CPU mask (sched_setaffinity).
     *
     * @param cpus the CPUs to allow.
     * @throws RuntimeException when the kernel refuses (for instance a CPU outside the cgroup cpuset).
     */
    void setCurrentThreadAffinity(CpuSet cpus);

    /** {@return the CPU the calling thread runs on now (sched_getcpu), or -1 when unknown} */
    int currentCpu();

    /** {@return the calling thread's kernel thread id, or -1 when unknown} */
    int currentThreadId();

    /**
     * {@return the kernel's view of that thread's mask ({@code /proc/self/task/<tid>/status} Cpus_allowed_list), or
     * null when the OS has no such file}
     *
     * @param threadId a kernel thread id of this process.
     */
    CpuSet kernelThreadAffinity(int threadId);

    /**
     * Sets another thread's CPU mask (sched_setaffinity on its kernel thread id), as {@code taskset -p} does. The
     * default cannot: it throws {@link UnsupportedOperationException}.
     *
     * @param threadId a kernel thread id of this process.
     * @param cpus     the CPUs to allow.
     * @throws RuntimeException when the kernel refuses or the thread is gone.
     */
    default void setThreadAffinity(final int threadId, final CpuSet cpus)
    {
        throw new UnsupportedOperationException("this backend cannot set another thread's CPU mask");
    }
}
