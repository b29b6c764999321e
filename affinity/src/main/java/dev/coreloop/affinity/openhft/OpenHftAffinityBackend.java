package dev.coreloop.affinity.openhft;

import java.nio.file.Path;
import java.util.Locale;

import dev.coreloop.affinity.AffinityBackend;
import dev.coreloop.affinity.CpuSet;
import dev.coreloop.affinity.topology.ProcStatusReader;
import net.openhft.affinity.Affinity;
import net.openhft.affinity.impl.LinuxHelper;

/**
 * The system-call backend over OpenHFT affinity ({@code net.openhft.affinity.Affinity}): sched_setaffinity,
 * sched_getaffinity, sched_getcpu and gettid. Only the static, stateless calls are used; OpenHFT's
 * {@code AffinityLock} inventory is not (coreloop keeps its own per-plan state and cross-process CPU claims).
 *
 * <p><b>Threading:</b> stateless; every method acts on the calling thread.
 */
public final class OpenHftAffinityBackend implements AffinityBackend
{
    private static final OpenHftAffinityBackend INSTANCE = new OpenHftAffinityBackend(Path.of("/"));

    private final Path root;
    private final boolean linux;

    private OpenHftAffinityBackend(final Path root)
    {
        this.root = root;
        this.linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    /** {@return the backend for this process (stateless, so one instance serves all)} */
    public static OpenHftAffinityBackend instance()
    {
        return INSTANCE;
    }

    @Override
    public boolean supported()
    {
        return linux && Affinity.isJNAAvailable();
    }

    @Override
    public CpuSet currentThreadAffinity()
    {
        return CpuSet.of(Affinity.getAffinity());
    }

    @Override
    public void setCurrentThreadAffinity(final CpuSet cpus)
    {
        Affinity.setAffinity(cpus.toBitSet());
    }

    @Override
    public int currentCpu()
    {
        return Affinity.getCpu();
    }

    @Override
    public int currentThreadId()
    {
        return Affinity.getThreadId();
    }

    @Override
    public CpuSet kernelThreadAffinity(final int threadId)
    {
        return linux && threadId > 0 ? ProcStatusReader.cpusAllowed(root, threadId) : null;
    }

    @Override
    public void setThreadAffinity(final int threadId, final CpuSet cpus)
    {
        if (!linux || threadId <= 0)
        {
            AffinityBackend.super.setThreadAffinity(threadId, cpus);
        }
        LinuxHelper.sched_setaffinity(threadId, cpus.toBitSet());
    }
}
