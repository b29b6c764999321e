package dev.coreloop.core.reactor;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZIZ_Result;

/**
 * A thread submits a task while the reactor closes: {@code execute} returning true must mean the task runs (on the
 * reactor thread, in its close), false that it never runs. Checking {@code closed} and then offering is not enough:
 * the reactor can close and drain between the two, leaving an accepted task in a queue nobody reads. The close gate
 * ({@link CloseGate}: producers counted in and out around check-and-offer; the reactor waits for them before it
 * drains) closes that window.
 *
 * <p>Result: (execute returned true, times the task ran, the task is still queued after the close).
 *
 * <p><b>Threading:</b> actor 1 is any producer thread, actor 2 the reactor closing, the arbiter looks after both
 * finished.
 */
@JCStressTest
@Description("ReactorProxy.execute vs closeAndDrain: a task is run or refused, never lost")
@Outcome(id = "true, 1, false", expect = ACCEPTABLE, desc = "Accepted, and run by the reactor's close.")
@Outcome(id = "false, 0, false", expect = ACCEPTABLE, desc = "Refused: the reactor had closed; the task never runs.")
@Outcome(id = "true, 0, true", expect = FORBIDDEN,
    desc = "Lost: accepted, but left in the queue after the reactor closed.")
@Outcome(id = "false, 1, .*", expect = FORBIDDEN, desc = "Refused, yet it ran.")
@Outcome(expect = FORBIDDEN, desc = "Run twice, or another impossible state.")
@State
public class TaskRunOrRefuseStress
{
    private final ReactorProxy proxy = StressProxies.newProxy();
    /** Times the task ran (plain: it runs only on the reactor actor's thread; the arbiter reads it after). */
    private int runs;
    private final Runnable task = () -> runs++;

    /** A producer thread. */
    @Actor
    public void producer(final ZIZ_Result r)
    {
        r.r1 = proxy.execute(task);
    }

    /** The reactor closing: closes the gate and runs what got through. */
    @Actor
    public void reactor()
    {
        proxy.closeAndDrain(StressProxies.IGNORE_HAND_OFF, Runnable::run);
    }

    /** After both. */
    @Arbiter
    public void arbiter(final ZIZ_Result r)
    {
        r.r2 = runs;
        r.r3 = proxy.pollTask() != null;
    }
}
