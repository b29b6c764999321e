package dev.coreloop.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.coreloop.affinity.CpuSet;
import dev.coreloop.affinity.PinResult;
import dev.coreloop.affinity.ThreadPinner;

/**
 * Pins the calling thread to one CPU (or one CPU set) per role with the {@code taskset} tool, for benchmarks that
 * must place client threads and server threads on different CPUs inside one JVM.
 *
 * <p>The kernel thread id comes from {@code /proc/thread-self} (a link to {@code <pid>/task/<tid>}), so no
 * native code and no JDK internals are involved. The pin is read back from
 * {@code /proc/thread-self/status} ({@code Cpus_allowed_list}) and reported as planned versus actual.
 * Roles without a CPU are left alone ({@link PinResult.Status#UNPINNED}). A failure never throws: the
 * benchmark runs on and the report says the numbers are unpinned.
 *
 * <p><b>Threading:</b> {@link #pinCurrentThread(String)} may be called by any thread on itself; results are
 * kept in a concurrent map.
 */
public final class TasksetPinner implements ThreadPinner
{
    private static final long TASKSET_TIMEOUT_MS = 5_000;

    private final Map<String, CpuSet> cpusByRole;
    private final Map<String, PinResult> results = new ConcurrentHashMap<>();

    /** @param cpuByRole the CPU for each role, e.g. {@code reactor-0 -> 1, client -> 0}. */
    public TasksetPinner(final Map<String, Integer> cpuByRole)
    {
        this(singleCpuSets(cpuByRole));
    }

    private TasksetPinner(final SortedMap<String, CpuSet> cpusByRole)
    {
        this.cpusByRole = Collections.unmodifiableSortedMap(cpusByRole);
    }

    /**
     * @param cpusByRole the CPU set for each role, e.g. {@code reactor-0 -> 1, load-0 -> 0,2}; a thread started later
     *                   by a pinned thread inherits its set.
     * @return a pinner for those roles.
     */
    public static TasksetPinner ofCpuSets(final Map<String, CpuSet> cpusByRole)
    {
        return new TasksetPinner(new TreeMap<>(cpusByRole));
    }

    private static SortedMap<String, CpuSet> singleCpuSets(final Map<String, Integer> cpuByRole)
    {
        final SortedMap<String, CpuSet> sets = new TreeMap<>();
        cpuByRole.forEach((role, cpu) -> sets.put(role, CpuSet.of(cpu)));
        return sets;
    }

    @Override
    public PinResult pinCurrentThread(final String role)
    {
        final CpuSet cpu = cpusByRole.get(role);
        final PinResult result;
        if (cpu == null || cpu.isEmpty())
        {
            result = new PinResult(role, "", readAllowedCpus(), PinResult.Status.UNPINNED);
        }
        else
        {
            result = pin(role, cpu);
        }
        results.put(role, result);
        return result;
    }

    @Override
    public int plannedReactorCount()
    {
        return -1;
    }

    @Override
    public String report()
    {
        final StringBuilder sb = new StringBuilder("pinning (taskset):");
        final List<String> roles = new ArrayList<>(results.keySet());
        roles.sort(null);
        for (final String role : roles)
        {
            final PinResult r = results.get(role);
            sb.append(System.lineSeparator()).append("  ").append(role)
                .append(" planned=").append(r.plannedCpus().isEmpty() ? "-" : r.plannedCpus())
                .append(" actual=").append(r.actualCpus())
                .append(' ').append(r.status());
        }
        return sb.toString();
    }

    /** @return true if every pin attempted so far was verified. */
    public boolean allPinned()
    {
        for (final PinResult r : results.values())
        {
            if (!r.plannedCpus().isEmpty() && r.status() != PinResult.Status.PINNED)
            {
                return false;
            }
        }
        return !results.isEmpty();
    }

    private static PinResult pin(final String role, final CpuSet cpus)
    {
        final String planned = cpus.toString();
        try
        {
            final String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();
            final String tid = link.substring(link.lastIndexOf('/') + 1);
            final Process process = new ProcessBuilder("taskset", "-p", "-c", planned, tid)
                .redirectErrorStream(true)
                .start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(TASKSET_TIMEOUT_MS, TimeUnit.MILLISECONDS) || process.exitValue() != 0)
            {
                process.destroy();
                System.err.println("taskset failed for " + role + " (tid " + tid + "): " + output.trim());
                return new PinResult(role, planned, readAllowedCpus(), PinResult.Status.FAILED);
            }
            final String actual = readAllowedCpus();
            return new PinResult(role, planned, actual,
                sameCpus(cpus, actual) ? PinResult.Status.PINNED : PinResult.Status.MISMATCH);
        }
        catch (final IOException | RuntimeException ex)
        {
            System.err.println("cannot pin " + role + " to CPUs " + planned + ": " + ex);
            return new PinResult(role, planned, "", PinResult.Status.FAILED);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new PinResult(role, planned, "", PinResult.Status.FAILED);
        }
    }

    private static boolean sameCpus(final CpuSet planned, final String actual)
    {
        try
        {
            return planned.equals(CpuSet.parse(actual));
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    private static String readAllowedCpus()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/thread-self/status")))
            {
                if (line.startsWith("Cpus_allowed_list:"))
                {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // not Linux: reported as unknown
        }
        return "";
    }
}
