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
 * The server thread asks for a graceful shutdown while the reactor goes to sleep: the reactor must either see the
 * request or be woken (it could otherwise sleep up to {@link ReactorAgent#MAX_PARK_MS} before it starts draining).
 * Both sides use volatile accesses (the request and the flag), and the producer's fence does not hurt.
 *
 * <p>Result: (reactor decided to park, wake-ups issued, the request is visible).
 *
 * <p><b>Threading:</b> actor 1 is the server thread, actor 2 the reactor, the arbiter looks after both finished.
 */
@JCStressTest
@Description("ReactorProxy.requestShutdown vs prepareToPark: no lost wake-up")
@Outcome(id = "true, 1, true", expect = ACCEPTABLE, desc = "The reactor parks and the server thread wakes it.")
@Outcome(id = "false, 0, true", expect = ACCEPTABLE,
    desc = "The reactor sees the request and stays awake; no wake-up needed.")
@Outcome(id = "false, 1, true", expect = ACCEPTABLE_INTERESTING,
    desc = "The reactor sees the request and stays awake; the server saw the flag in between: a spurious wake-up.")
@Outcome(id = "true, 0, true", expect = FORBIDDEN,
    desc = "Lost wake-up: the reactor parks without seeing the request and the server thread skipped the wake-up.")
@Outcome(expect = FORBIDDEN, desc = "The request was lost.")
@State
public class ShutdownRequestWakeupStress
{
    private final ReactorProxy proxy = StressProxies.newProxy();
    private final StressProxies.CountingWakeup wakeup = StressProxies.countingWakeup(proxy);

    /** The server thread: store the request, then wake the reactor if it is parked. */
    @Actor
    public void server()
    {
        proxy.requestShutdown(1_000);
    }

    /** The reactor, about to block in select (it has not acted on a shutdown request yet). */
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
        r.r3 = proxy.shutdownRequestMs() == 1_000;
    }
}
