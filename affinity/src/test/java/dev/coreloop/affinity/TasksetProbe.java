package dev.coreloop.affinity;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child JVM of {@link TasksetPinningIT}: detects the topology, resolves {@code reactors=auto} in strict mode,
 * pins one thread per role, and prints {@code key=value} lines for the parent to check.
 */
public final class TasksetProbe
{
    private TasksetProbe()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final CpuTopology topology = CpuTopology.detect();
        System.out.println("allowed=" + topology.allowed());
        System.out.println("threadAffinity=" + topology.threadAffinity());
        try
        {
            PinningPlan.parse("reactors=0-1").resolve(topology);
            System.out.println("error=none");
        }
        catch (final PinningException ex)
        {
            System.out.println("error=" + ex.getMessage());
        }
        final ResolvedPlan plan = PinningPlan.parse("reactors=auto mode=strict").resolve(topology);
        System.out.println("reactorCount=" + plan.reactorCount());
        try (ThreadPinner pinner = ThreadPinner.forPlan(plan, plan.mode(), Path.of(args[0])))
        {
            for (final String role : plan.roles().keySet())
            {
                final AtomicReference<PinResult> result = new AtomicReference<>();
                final Thread thread = new Thread(() -> result.set(pinner.pinCurrentThread(role)), role);
                thread.start();
                thread.join(10_000);
                final PinResult pin = result.get();
                System.out.println("pin." + role + "=" + pin.plannedCpus() + "/" + pin.actualCpus() + "/" + pin.status());
            }
            System.out.println("report.json=" + pinner.reportJson());
        }
    }
}
