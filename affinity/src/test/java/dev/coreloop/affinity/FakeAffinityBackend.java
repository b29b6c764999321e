package dev.coreloop.affinity;

/**
 * A scriptable {@link AffinityBackend}: keeps one mask (the test thread's), can refuse to set it, can report a
 * different read-back or kernel view, and replays a scripted sequence of current CPUs.
 *
 * <p><b>Threading:</b> used by one test thread.
 */
final class FakeAffinityBackend implements AffinityBackend
{
    boolean supported = true;
    CpuSet mask;
    RuntimeException refuseWith;
    CpuSet readBackOverride;
    CpuSet kernelOverride;
    boolean hasProcfs = true;
    int[] cpuSequence = { 0 };
    int cpuIndex;
    int setCalls;

    FakeAffinityBackend(final CpuSet initialMask)
    {
        this.mask = initialMask;
    }

    @Override
    public boolean supported()
    {
        return supported;
    }

    @Override
    public CpuSet currentThreadAffinity()
    {
        return readBackOverride != null ? readBackOverride : mask;
    }

    @Override
    public void setCurrentThreadAffinity(final CpuSet cpus)
    {
        setCalls++;
        if (refuseWith != null)
        {
            throw refuseWith;
        }
        mask = cpus;
    }

    @Override
    public int currentCpu()
    {
        final int cpu = cpuSequence[Math.min(cpuIndex, cpuSequence.length - 1)];
        cpuIndex++;
        return cpu;
    }

    @Override
    public int currentThreadId()
    {
        return 4242;
    }

    @Override
    public CpuSet kernelThreadAffinity(final int threadId)
    {
        if (!hasProcfs)
        {
            return null;
        }
        return kernelOverride != null ? kernelOverride : mask;
    }
}
