package dev.coreloop.core.test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds a server's threads by name ({@code reactor-N}, {@code acceptor}) and reads their CPU time and
 * allocation through {@link ThreadMXBean}, for integration tests that prove "no spin" and "no allocation".
 *
 * <p>Threads that {@link NoServerThreadLeaks} caught outliving the test that started them are set aside
 * ({@link #setAside}): that test failed for it, and the lookups here skip them, so that one leak fails one test
 * rather than every later test that looks for {@code reactor-0}.
 *
 * <p><b>Threading:</b> any thread; the set-aside threads are a concurrent map.
 */
public final class ServerThreads
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** Leaked threads, and the test that leaked each one. */
    private static final Map<Thread, String> SET_ASIDE = new ConcurrentHashMap<>();

    private ServerThreads()
    {
    }

    /** @return the live thread named {@code reactor-<index>}. */
    public static Thread reactor(final int index)
    {
        return byName("reactor-" + index);
    }

    /** @return the live acceptor thread. */
    public static Thread acceptor()
    {
        return byName("acceptor");
    }

    /**
     * @return the one live thread whose name is {@code name}, not counting threads set aside as leaked.
     * @throws AssertionError if there is none, or more than one (a server of an earlier test still running that
     *                        no {@link NoServerThreadLeaks} caught, or a second server of this test's own).
     */
    public static Thread byName(final String name)
    {
        Thread found = null;
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.isAlive() && name.equals(thread.getName()) && !SET_ASIDE.containsKey(thread))
            {
                if (found != null)
                {
                    throw new AssertionError("two live threads named " + name + "; did a server leak?" +
                        System.lineSeparator() + dumpStacks());
                }
                found = thread;
            }
        }
        if (found == null)
        {
            throw new AssertionError("no live thread named " + name + setAsideNote());
        }
        return found;
    }

    /**
     * @return the names of live threads that look like server threads (reactor-N, acceptor), not counting threads set
     * aside as leaked.
     */
    public static List<String> liveServerThreadNames()
    {
        final List<String> names = new ArrayList<>();
        for (final Thread thread : liveServerThreads())
        {
            names.add(thread.getName());
        }
        names.sort(null);
        return names;
    }

    /** @return the live threads that look like server threads, not counting threads set aside as leaked. */
    public static List<Thread> liveServerThreads()
    {
        final List<Thread> threads = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.isAlive() && isServerThread(thread.getName()) && !SET_ASIDE.containsKey(thread))
            {
                threads.add(thread);
            }
        }
        return threads;
    }

    /**
     * Sets {@code threads} aside as leaked by {@code test}: the lookups here skip them from now on.
     *
     * @param threads the leaked threads.
     * @param test    the test that leaked them, for messages.
     */
    public static void setAside(final List<Thread> threads, final String test)
    {
        for (final Thread thread : threads)
        {
            SET_ASIDE.put(thread, test);
        }
    }

    private static String setAsideNote()
    {
        SET_ASIDE.keySet().removeIf(thread -> !thread.isAlive());
        if (SET_ASIDE.isEmpty())
        {
            return "";
        }
        final StringBuilder sb = new StringBuilder(" (not counting leaked threads set aside:");
        SET_ASIDE.forEach((thread, test) -> sb.append(' ').append(thread.getName()).append(" of ").append(test));
        return sb.append(')').toString();
    }

    /** @return true if CPU time of other threads can be measured here. */
    public static boolean cpuTimeSupported()
    {
        return THREADS.isThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();
    }

    /** @return the thread's CPU time in nanoseconds, or -1 if unsupported or the thread ended. */
    @SuppressWarnings("deprecation") // Thread.getId(): threadId() needs Java 19; the library targets 17.
    public static long cpuTimeNs(final Thread thread)
    {
        return THREADS.getThreadCpuTime(thread.getId());
    }

    /** @return true if per-thread allocation can be measured here. */
    public static boolean allocationSupported()
    {
        return THREADS instanceof com.sun.management.ThreadMXBean &&
            ((com.sun.management.ThreadMXBean)THREADS).isThreadAllocatedMemorySupported() &&
            ((com.sun.management.ThreadMXBean)THREADS).isThreadAllocatedMemoryEnabled();
    }

    /** @return bytes allocated by the thread so far; call only when {@link #allocationSupported()}. */
    @SuppressWarnings("deprecation")
    public static long allocatedBytes(final Thread thread)
    {
        return ((com.sun.management.ThreadMXBean)THREADS).getThreadAllocatedBytes(thread.getId());
    }

    /** @return the stacks of every live server thread, for failure reports. */
    public static String dumpStacks()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet())
        {
            final Thread thread = entry.getKey();
            if (!isServerThread(thread.getName()))
            {
                continue;
            }
            final String leakedBy = SET_ASIDE.get(thread);
            sb.append('"').append(thread.getName()).append("\" ").append(thread.getState())
                .append(leakedBy == null ? "" : " (leaked by " + leakedBy + ")").append(System.lineSeparator());
            for (final StackTraceElement frame : entry.getValue())
            {
                sb.append("    at ").append(frame).append(System.lineSeparator());
            }
        }
        return sb.length() == 0 ? "(no live reactor or acceptor threads)" : sb.toString();
    }

    private static boolean isServerThread(final String name)
    {
        return name.startsWith("reactor-") || name.startsWith("acceptor");
    }
}
