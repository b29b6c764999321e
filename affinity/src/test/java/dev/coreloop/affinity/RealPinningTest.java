package dev.coreloop.affinity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.coreloop.affinity.openhft.OpenHftAffinityBackend;
import dev.coreloop.affinity.topology.ProcStatusReader;

/** Pins real threads on this machine and checks the kernel's view; skipped where the OS cannot pin. */
@Tag("pinning")
class RealPinningTest
{
    @TempDir
    Path claimDir;

    private static CpuTopology assumePinnable(final int cpu)
    {
        assumeTrue(System.getProperty("os.name", "").startsWith("Linux"), "pinning is only verified on Linux");
        assumeTrue(OpenHftAffinityBackend.instance().supported(), "OpenHFT affinity cannot pin here (no JNA)");
        final CpuTopology topology = CpuTopology.detect();
        assumeTrue(topology.allowed().contains(cpu), "CPU " + cpu + " is not in the allowed set " + topology.allowed());
        return topology;
    }

    private static Thread start(final Runnable body, final String name) throws InterruptedException
    {
        final Thread thread = new Thread(body, name);
        thread.start();
        thread.join(10_000);
        return thread;
    }

    @Test
    @Timeout(30)
    void shouldPinThreadToCpu1AsTheKernelSeesIt() throws InterruptedException
    {
        final CpuTopology topology = assumePinnable(1);
        final ResolvedPlan plan = PinningPlan.parse("acceptor=float reactors=1-1 mode=strict").resolve(topology);
        final AtomicReference<PinResult> result = new AtomicReference<>();
        final AtomicReference<CpuSet> kernelView = new AtomicReference<>();
        final AtomicReference<CpuSet> childView = new AtomicReference<>();
        final AtomicReference<CpuSet> helperView = new AtomicReference<>();
        try (ThreadPinner pinner = ThreadPinner.forPlan(plan, PinMode.STRICT, claimDir))
        {
            start(() ->
            {
                result.set(pinner.pinCurrentThread("reactor-0"));
                final int tid = OpenHftAffinityBackend.instance().currentThreadId();
                kernelView.set(ProcStatusReader.cpusAllowed(Path.of("/proc/self/task/" + tid + "/status")));
                pinner.sampleCpu("reactor-0");
                try
                {
                    // A plain thread started here inherits CPU 1; a helper thread is reset to the allowed set.
                    start(() -> childView.set(OpenHftAffinityBackend.instance().currentThreadAffinity()), "child");
                    final Thread helper = pinner.helperThreadFactory("helper").newThread(
                        () -> helperView.set(OpenHftAffinityBackend.instance().currentThreadAffinity()));
                    helper.start();
                    helper.join(10_000);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }, "reactor-0");

            System.out.println(pinner.report());
            assertThat(result.get()).isEqualTo(new PinResult("reactor-0", "1", "1", PinResult.Status.PINNED));
            assertThat(kernelView.get()).isEqualTo(CpuSet.of(1));
            assertThat(childView.get()).isEqualTo(CpuSet.of(1));
            assertThat(helperView.get()).isEqualTo(topology.allowed());
            final PinCounters counters = pinner.counters().get(0);
            assertThat(counters.lastCpu()).isEqualTo(1);
            assertThat(counters.cpuSamples()).isEqualTo(1);
        }
    }

    @Test
    @Timeout(30)
    void shouldResolveAutoOnThisMachineWithinTheAllowedSet()
    {
        final CpuTopology topology = assumePinnable(0);
        final ResolvedPlan plan = PinningPlan.parse("reactors=auto").resolve(topology);

        System.out.println(topology.describe() + "\n" + plan + "\n" + plan.warnings());
        assertThat(plan.reactorCount()).isBetween(1, topology.allowed().size());
        assertThat(topology.allowed()).isEqualTo(ProcStatusReader.cpusAllowed(Path.of("/proc/self/status"))
            .intersect(topology.online()));
        for (int i = 0; i < plan.reactorCount(); i++)
        {
            assertThat(topology.allowed().contains(plan.reactorCpu(i))).isTrue();
        }
        assertThat(plan.acceptorCpus()).isNotNull();
        assertThat(topology.allowed().containsAll(plan.acceptorCpus())).isTrue();
    }
}
