package dev.coreloop.affinity;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

import dev.coreloop.affinity.openhft.OpenHftAffinityBackend;
import dev.coreloop.affinity.topology.ProcStatusReader;

/**
 * Keeps the JVM's own threads (GC workers, JIT compilers, the VM thread, the signal dispatcher, the main thread, an
 * unplaced acceptor, helper threads) off the reactors' CPUs: a {@link #sweep()} lists the process's threads
 * ({@code /proc/self/task/<tid>}) and moves each one whose CPU mask is still the process-wide default onto the
 * housekeeping CPUs with sched_setaffinity on its thread id (what {@code taskset -p -c CPUS TID} does).
 *
 * <p>What is never moved: a reactor thread (its thread id comes from the pinner, so even a reactor whose pin failed
 * and kept the default mask stays where it is), and any thread whose mask is not the default one: it was placed on
 * purpose (the pinned acceptor, a user thread that pinned itself, a thread started from a reactor that inherited its
 * CPU). Those are counted as "left pinned".
 *
 * <p>Threads created later inherit the mask of their creator, so once the JVM's threads are moved, new ones (a JIT
 * compiler thread the JVM adds under load, a GC thread) start on the housekeeping CPUs too. A thread created in the
 * window of a sweep from a thread not yet moved is caught by the next sweep: call {@link #sweep()} periodically (the
 * launcher does, once a second, from a thread of its own).
 *
 * <p><b>Threading:</b> {@link #sweep()} from one thread at a time; {@link #movedTotal()} from any thread.
 */
public final class JvmThreadMover
{
    /** Sets a thread's mask by thread id. */
    @FunctionalInterface
    public interface MaskSetter
    {
        /**
         * Sets the mask of thread {@code threadId} of this process.
         *
         * @param threadId the kernel thread id.
         * @param cpus     the CPUs to allow.
         */
        void set(int threadId, CpuSet cpus);
    }

    /**
     * What one sweep did.
     *
     * @param moved         threads moved onto the housekeeping CPUs by this sweep.
     * @param alreadyThere  threads already on exactly the housekeeping CPUs.
     * @param leftPinned    names of the threads left where they are (reactors, and threads with a mask of their own).
     * @param failures      threads that could not be moved, with the reason.
     */
    public record Sweep(int moved, int alreadyThere, List<String> leftPinned, List<String> failures)
    {
        /**
         * {@return the start-up line: {@code moved N JVM threads to CPUs X; left M pinned threads (a, b)}}
         *
         * @param target the housekeeping CPUs.
         */
        public String describe(final CpuSet target)
        {
            return "moved " + moved + (moved == 1 ? " JVM thread" : " JVM threads") + " to CPUs " + target +
                (alreadyThere > 0 ? " (" + alreadyThere + " already there)" : "") + "; left " + leftPinned.size() +
                (leftPinned.size() == 1 ? " pinned thread" : " pinned threads") +
                (leftPinned.isEmpty() ? "" : " (" + String.join(", ", leftPinned) + ")") +
                (failures.isEmpty() ? "" : "; could not move " + failures.size() + ": " + String.join("; ", failures));
        }
    }

    private final Path taskDirectory;
    private final CpuSet defaultMask;
    private final CpuSet target;
    private final Supplier<int[]> reactorThreadIds;
    private final MaskSetter setter;
    private final AtomicLong movedTotal = new AtomicLong();

    /**
     * A mover over a procfs tree.
     *
     * @param taskDirectory    {@code /proc/self/task}, or a fixture tree in tests.
     * @param defaultMask      the process's default mask (the plan's allowed set): only threads with this mask move.
     * @param target           the housekeeping CPUs.
     * @param reactorThreadIds the reactors' thread ids, asked at every sweep (ids not known yet may be absent).
     * @param setter           sets a thread's mask.
     */
    public JvmThreadMover(final Path taskDirectory, final CpuSet defaultMask, final CpuSet target,
        final Supplier<int[]> reactorThreadIds, final MaskSetter setter)
    {
        if (target.isEmpty())
        {
            throw new IllegalArgumentException("no housekeeping CPU to move JVM threads to");
        }
        this.taskDirectory = taskDirectory;
        this.defaultMask = defaultMask;
        this.target = target;
        this.reactorThreadIds = reactorThreadIds;
        this.setter = setter;
    }

    /**
     * {@return a mover for this process: threads on {@code defaultMask} go to {@code target}; the reactors are the
     * {@code reactor-N} roles of {@code pinner}}
     *
     * @param pinner      the server's pinner (its reactor roles' thread ids are never moved).
     * @param defaultMask the process's default mask, usually {@code plan.allowed()}.
     * @param target      the housekeeping CPUs.
     */
    public static JvmThreadMover forThisProcess(final ThreadPinner pinner, final CpuSet defaultMask,
        final CpuSet target)
    {
        return new JvmThreadMover(Path.of("/proc/self/task"), defaultMask, target, () -> reactorThreadIds(pinner),
            OpenHftAffinityBackend.instance()::setThreadAffinity);
    }

    /** {@return true when this OS and JVM can move threads by id (Linux with procfs and JNA)} */
    public static boolean supported()
    {
        return OpenHftAffinityBackend.instance().supported() && Files.isDirectory(Path.of("/proc/self/task"));
    }

    /** {@return the thread ids of the pinner's {@code reactor-N} roles that have started} */
    static int[] reactorThreadIds(final ThreadPinner pinner)
    {
        return pinner.counters().stream()
            .filter(c -> c.role().startsWith(ResolvedPlan.REACTOR_ROLE_PREFIX) && c.threadId() > 0)
            .mapToInt(PinCounters::threadId)
            .toArray();
    }

    /** {@return the housekeeping CPUs} */
    public CpuSet target()
    {
        return target;
    }

    /** {@return how many threads all sweeps moved so far} */
    public long movedTotal()
    {
        return movedTotal.get();
    }

    /**
     * Moves every thread still on the default mask, except the reactors, onto the housekeeping CPUs, and reads each
     * moved thread's mask back.
     *
     * @return what it did.
     */
    public Sweep sweep()
    {
        final TreeSet<Integer> reactors = new TreeSet<>();
        for (final int tid : reactorThreadIds.get())
        {
            reactors.add(tid);
        }
        int moved = 0;
        int alreadyThere = 0;
        final List<String> left = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        for (final int tid : threadIds())
        {
            final CpuSet mask = ProcStatusReader.cpusAllowed(taskDirectory.resolve(tid + "/status"));
            if (mask == null)
            {
                continue; // exited since the listing
            }
            if (reactors.contains(tid) || (!mask.equals(defaultMask) && !mask.equals(target)))
            {
                left.add(name(tid));
                continue;
            }
            if (mask.equals(target))
            {
                alreadyThere++;
                continue;
            }
            try
            {
                setter.set(tid, target);
                final CpuSet readBack = ProcStatusReader.cpusAllowed(taskDirectory.resolve(tid + "/status"));
                if (readBack == null || readBack.equals(target))
                {
                    moved += readBack == null ? 0 : 1;
                }
                else
                {
                    failures.add(name(tid) + ": Cpus_allowed_list is " + readBack);
                }
            }
            catch (final RuntimeException ex)
            {
                if (Files.isDirectory(taskDirectory.resolve(Integer.toString(tid))))
                {
                    failures.add(name(tid) + ": " + ex.getMessage());
                }
            }
        }
        movedTotal.addAndGet(moved);
        return new Sweep(moved, alreadyThere, List.copyOf(left), List.copyOf(failures));
    }

    private int[] threadIds()
    {
        try (Stream<Path> tasks = Files.list(taskDirectory))
        {
            return tasks.map(p -> p.getFileName().toString())
                .filter(n -> !n.isEmpty() && n.chars().allMatch(Character::isDigit))
                .mapToInt(Integer::parseInt)
                .sorted()
                .toArray();
        }
        catch (final IOException ex)
        {
            return new int[0];
        }
    }

    /** {@return {@code name/tid} from the thread's {@code comm} (the kernel keeps 15 characters of a name)} */
    private String name(final int tid)
    {
        try
        {
            return new String(Files.readAllBytes(taskDirectory.resolve(tid + "/comm")), StandardCharsets.UTF_8).trim() +
                "/" + tid;
        }
        catch (final IOException ex)
        {
            return Integer.toString(tid);
        }
    }
}
