package dev.coreloop.core.reactor;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZIZ_Result;

/**
 * A thread submits a task while the reactor goes to sleep: the reactor must either see the task or be woken. The
 * producer's full fence orders the task's publication before its load of the {@code sleeping} flag; the task queue's
 * own CAS on its tail would also do it today, but the protocol must not depend on a queue's insides.
 *
 * <p>Result: (reactor decided to park, wake-ups issued, the entry is in the task queue).
 *
 * <p><b>Threading:</b> actor 1 is any producer thread, actor 2 the reactor, the arbiter looks after both finished.
 */
@JCStressTest
@Description("ReactorProxy.execute vs prepareToPark: no lost wake-up")
@Outcome(id = "true, 1, true", expect = ACCEPTABLE, desc = "The reactor parks and the producer wakes it.")
@Outcome(id = "false, 0, true", expect = ACCEPTABLE,
    desc = "The reactor sees the entry and stays awake; no wake-up needed.")
@Outcome(id = "false, 1, true", expect = ACCEPTABLE_INTERESTING,
    desc = "The reactor sees the entry and stays awake; the producer saw the flag in between: a spurious wake-up.")
@Outcome(id = "true, 0, true", expect = FORBIDDEN,
    desc = "Lost wake-up: the reactor parks on a task queue that looked empty and the producer skipped the wake-up.")
@Outcome(expect = FORBIDDEN, desc = "The task was refused or lost.")
@State
public class TaskQueueWakeupStress
{
    private final ReactorProxy proxy = StressProxies.newProxy();
    private final StressProxies.CountingWakeup wakeup = StressProxies.countingWakeup(proxy);

    /** A producer thread: offer, then wake the reactor if it is parked. */
    @Actor
    public void producer()
    {
        proxy.execute(StressProxies.NOOP_TASK);
    }

    /** The reactor, about to block in select. */
    @Actor
    public void reactor(final ZIZ_Result r)
    {
        r.r1 = proxy.prepareToPark(false);
    }

    /** After both. */
    @Arbiter
    public void arbiter(final ZIZ_Result r)
    {
        r.r2 = wakeup.count;
        r.r3 = proxy.pollTask() != null;
    }
}
