package dev.coreloop.affinity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JvmThreadMoverTest
{
    private static final CpuSet ALLOWED = CpuSet.parse("0-3");
    private static final CpuSet HOUSEKEEPING = CpuSet.of(0);

    @TempDir
    Path tasks;

    private final List<String> setCalls = new ArrayList<>();
    private int[] reactors = { 13, 14 };

    private void thread(final int tid, final String name, final String cpus) throws IOException
    {
        Files.createDirectories(tasks.resolve(Integer.toString(tid)));
        Files.writeString(tasks.resolve(tid + "/comm"), name + "\n");
        status(tid, cpus);
    }

    private void status(final int tid, final String cpus) throws IOException
    {
        Files.writeString(tasks.resolve(tid + "/status"),
            "Name:\tx\nCpus_allowed:\tf\nCpus_allowed_list:\t" + cpus + "\nMems_allowed_list:\t0\n");
    }

    /** Like the kernel: the status file shows the new mask. */
    private final JvmThreadMover.MaskSetter setter = (tid, cpus) ->
    {
        setCalls.add(tid + "->" + cpus);
        try
        {
            status(tid, cpus.toString());
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    };

    private JvmThreadMover mover(final JvmThreadMover.MaskSetter maskSetter)
    {
        return new JvmThreadMover(tasks, ALLOWED, HOUSEKEEPING, () -> reactors, maskSetter);
    }

    @BeforeEach
    void jvm() throws IOException
    {
        thread(10, "java", "0-3");
        thread(11, "GC Thread#0", "0-3");
        thread(12, "C2 CompilerThre", "0-3");
        thread(13, "reactor-0", "2");
        thread(14, "reactor-1", "0-3"); // its pin failed: it kept the default mask, and stays
        thread(15, "acceptor", "1");
        thread(16, "user-pinned", "3");
    }

    @Test
    void shouldMoveOnlyNonReactorThreadsOnTheDefaultMask() throws IOException
    {
        final JvmThreadMover mover = mover(setter);
        final JvmThreadMover.Sweep sweep = mover.sweep();

        assertThat(setCalls).containsExactly("10->0", "11->0", "12->0");
        assertThat(sweep.moved()).isEqualTo(3);
        assertThat(sweep.leftPinned()).containsExactly("reactor-0/13", "reactor-1/14", "acceptor/15",
            "user-pinned/16");
        assertThat(sweep.failures()).isEmpty();
        assertThat(sweep.describe(HOUSEKEEPING)).isEqualTo("moved 3 JVM threads to CPUs 0; left 4 pinned threads " +
            "(reactor-0/13, reactor-1/14, acceptor/15, user-pinned/16)");
        assertThat(Files.readString(tasks.resolve("14/status"))).contains("Cpus_allowed_list:\t0-3");
        assertThat(mover.movedTotal()).isEqualTo(3);
    }

    @Test
    void shouldCatchThreadsCreatedAfterTheFirstSweepAndNotTouchTheOthersAgain() throws IOException
    {
        final JvmThreadMover mover = mover(setter);
        mover.sweep();
        setCalls.clear();
        thread(17, "C1 CompilerThre", "0-3");
        thread(18, "inherited", "0");

        final JvmThreadMover.Sweep sweep = mover.sweep();
        assertThat(setCalls).containsExactly("17->0");
        assertThat(sweep.moved()).isEqualTo(1);
        assertThat(sweep.alreadyThere()).isEqualTo(4);
        assertThat(sweep.describe(HOUSEKEEPING)).startsWith("moved 1 JVM thread to CPUs 0 (4 already there); left 4");
        assertThat(mover.movedTotal()).isEqualTo(4);
    }

    @Test
    void shouldNeverMoveAReactorWhoseThreadIdIsKnownOnlyLater() throws IOException
    {
        reactors = new int[0];
        thread(14, "reactor-1", "2");
        final JvmThreadMover mover = mover(setter);
        mover.sweep();
        assertThat(setCalls).doesNotContain("14->0");
    }

    @Test
    void shouldReportAThreadTheKernelRefusesAndSkipOneThatExited() throws IOException
    {
        final JvmThreadMover.Sweep sweep = mover((tid, cpus) ->
        {
            if (tid == 11)
            {
                throw new IllegalStateException("sched_setaffinity failed; errno=22");
            }
            if (tid == 12)
            {
                try
                {
                    Files.delete(tasks.resolve("12/status"));
                    Files.delete(tasks.resolve("12/comm"));
                    Files.delete(tasks.resolve("12"));
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
                throw new IllegalStateException("sched_setaffinity failed; errno=3");
            }
            setter.set(tid, cpus);
        }).sweep();

        assertThat(sweep.moved()).isEqualTo(1);
        assertThat(sweep.failures()).containsExactly("GC Thread#0/11: sched_setaffinity failed; errno=22");
        assertThat(sweep.describe(HOUSEKEEPING)).endsWith("; could not move 1: GC Thread#0/11: sched_setaffinity " +
            "failed; errno=22");
    }

    @Test
    void shouldRefuseAnEmptyTarget()
    {
        assertThatThrownBy(() -> new JvmThreadMover(tasks, ALLOWED, CpuSet.empty(), () -> reactors, setter))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldMoveARealThreadOfThisProcessWhenTheOsCanPin() throws Exception
    {
        final AffinityBackend backend = dev.coreloop.affinity.openhft.OpenHftAffinityBackend.instance();
        org.junit.jupiter.api.Assumptions.assumeTrue(backend.supported() && Files.isDirectory(Path.of("/proc/self/task")));
        final CpuSet allowed = backend.currentThreadAffinity();
        org.junit.jupiter.api.Assumptions.assumeTrue(allowed.size() >= 2);
        final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
        final int[] tid = { -1 };
        final Thread thread = new Thread(() ->
        {
            tid[0] = backend.currentThreadId();
            started.countDown();
            try
            {
                stop.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "mover-test");
        thread.start();
        started.await();
        try
        {
            final CpuSet target = CpuSet.of(allowed.first());
            // Only that thread counts as "not a reactor": every other thread of this JVM is declared a reactor.
            final int[] others = Files.list(Path.of("/proc/self/task")).map(p -> p.getFileName().toString())
                .mapToInt(Integer::parseInt).filter(t -> t != tid[0]).toArray();
            final JvmThreadMover mover = new JvmThreadMover(Path.of("/proc/self/task"), allowed, target,
                () -> others, backend::setThreadAffinity);
            final JvmThreadMover.Sweep sweep = mover.sweep();
            assertThat(sweep.failures()).isEmpty();
            assertThat(backend.kernelThreadAffinity(tid[0])).isEqualTo(target);
        }
        finally
        {
            stop.countDown();
            thread.join();
        }
    }
}
