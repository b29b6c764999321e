package dev.coreloop.bench.scaling;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.function.Predicate;

/**
 * Sums the CPU time of a server's threads (those whose name matches) from {@link ThreadMXBean}. A thread that ends
 * between two readings takes its CPU time with it, which is why the sweep keeps its connections (and so every
 * thread-per-connection thread) open across the whole trial.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
public final class ServerCpuClock
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ServerCpuClock()
    {
    }

    /**
     * @param serverThreads which thread names belong to the server.
     * @return the CPU nanoseconds those threads have used so far (user + system), or -1 if unsupported.
     */
    public static long cpuNs(final Predicate<String> serverThreads)
    {
        if (!THREADS.isThreadCpuTimeSupported())
        {
            return -1;
        }
        if (!THREADS.isThreadCpuTimeEnabled())
        {
            THREADS.setThreadCpuTimeEnabled(true);
        }
        final long[] ids = THREADS.getAllThreadIds();
        final ThreadInfo[] infos = THREADS.getThreadInfo(ids, 0);
        long total = 0;
        for (int i = 0; i < ids.length; i++)
        {
            if (infos[i] != null && serverThreads.test(infos[i].getThreadName()))
            {
                final long ns = THREADS.getThreadCpuTime(ids[i]);
                if (ns > 0)
                {
                    total += ns;
                }
            }
        }
        return total;
    }

    /**
     * @param serverThreads which thread names belong to the server.
     * @return how many live platform threads match.
     */
    public static int threadCount(final Predicate<String> serverThreads)
    {
        int count = 0;
        for (final ThreadInfo info : THREADS.getThreadInfo(THREADS.getAllThreadIds(), 0))
        {
            if (info != null && serverThreads.test(info.getThreadName()))
            {
                count++;
            }
        }
        return count;
    }
}
