package dev.coreloop.core.test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds a server's threads by name ({@code reactor-N}, {@code acceptor}) and reads their CPU time and
 * allocation through {@link ThreadMXBean}, for integration tests that prove "no spin" and "no allocation".
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
public final class ServerThreads
{
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

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
     * @return the one live thread whose name is {@code name}.
     * @throws AssertionError if there is none, or more than one (a server of an earlier test still running).
     */
    public static Thread byName(final String name)
    {
        Thread found = null;
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.isAlive() && name.equals(thread.getName()))
            {
                if (found != null)
                {
                    throw new AssertionError("two live threads named " + name + "; did a server leak?");
                }
                found = thread;
            }
        }
        if (found == null)
        {
            throw new AssertionError("no live thread named " + name);
        }
        return found;
    }

    /** @return the names of live threads that look like server threads (reactor-N, acceptor). */
    public static List<String> liveServerThreadNames()
    {
        final List<String> names = new ArrayList<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.isAlive() && isServerThread(thread.getName()))
            {
                names.add(thread.getName());
            }
        }
        names.sort(null);
        return names;
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
            sb.append('"').append(thread.getName()).append("\" ").append(thread.getState())
                .append(System.lineSeparator());
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
