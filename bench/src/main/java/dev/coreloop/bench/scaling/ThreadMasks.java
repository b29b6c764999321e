package dev.coreloop.bench.scaling;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

import dev.coreloop.affinity.CpuSet;

/**
 * Checks where a server's threads may run, from the kernel's view of every thread of this process
 * ({@code /proc/self/task/<tid>/comm} and {@code Cpus_allowed_list} of its {@code status}). It covers the threads no
 * pinner touched: a thread-per-connection server's connection threads and the virtual-thread scheduler's carriers,
 * which inherit the mask of the thread that started them. The kernel keeps only the first 15 characters of a thread's
 * name, so the name predicate sees them truncated.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
public final class ThreadMasks
{
    private ThreadMasks()
    {
    }

    /**
     * Counts, among the threads whose (truncated) name matches, how many are allowed to run outside {@code cpus}.
     *
     * @param names which names to check.
     * @param cpus  the set they should be confined to.
     * @return {checked, outside}; {0, 0} where /proc is not there.
     */
    public static int[] countOutside(final Predicate<String> names, final CpuSet cpus)
    {
        int checked = 0;
        int outside = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task")))
        {
            for (final Path task : tasks)
            {
                try
                {
                    final String comm = Files.readString(task.resolve("comm"), StandardCharsets.UTF_8).trim();
                    if (!names.test(comm))
                    {
                        continue;
                    }
                    for (final String line : Files.readAllLines(task.resolve("status"), StandardCharsets.UTF_8))
                    {
                        if (line.startsWith("Cpus_allowed_list:"))
                        {
                            checked++;
                            if (!cpus.containsAll(CpuSet.parse(line.substring(line.indexOf(':') + 1).trim())))
                            {
                                outside++;
                            }
                        }
                    }
                }
                catch (final IOException | RuntimeException ended)
                {
                    // the thread ended while we looked
                }
            }
        }
        catch (final IOException | RuntimeException notLinux)
        {
            return new int[] {0, 0};
        }
        return new int[] {checked, outside};
    }
}
