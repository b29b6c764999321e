package dev.coreloop.affinity.topology;

import java.nio.file.Path;

import dev.coreloop.affinity.CpuSet;

/**
 * Reads the kernel's view of a thread's CPU mask: the {@code Cpus_allowed_list} line of
 * {@code /proc/self/task/<tid>/status}.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
public final class ProcStatusReader
{
    private static final String CPUS_ALLOWED_LIST = "Cpus_allowed_list:";

    private ProcStatusReader()
    {
    }

    /**
     * {@return the thread's allowed CPUs, or null when the file or the line is missing}
     *
     * @param root     the root directory ({@code /} on a live machine).
     * @param threadId the kernel thread id (tid).
     */
    public static CpuSet cpusAllowed(final Path root, final int threadId)
    {
        return cpusAllowed(root.resolve("proc/self/task/" + threadId + "/status"));
    }

    /**
     * {@return the {@code Cpus_allowed_list} it holds, or null when the file or the line is missing}
     *
     * @param statusFile a {@code status} file of procfs.
     */
    public static CpuSet cpusAllowed(final Path statusFile)
    {
        final String text = SysfsFiles.readTrimmed(statusFile);
        if (text == null)
        {
            return null;
        }
        for (final String line : text.split("\n"))
        {
            if (line.startsWith(CPUS_ALLOWED_LIST))
            {
                return CpuSet.parse(line.substring(CPUS_ALLOWED_LIST.length()).trim());
            }
        }
        return null;
    }
}
