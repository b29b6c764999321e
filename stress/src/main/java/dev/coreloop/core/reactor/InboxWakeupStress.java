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
 * The acceptor hands a channel to the inbox while the reactor goes to sleep: the reactor must either see the entry
 * or be woken. The inbox publishes with a release store only, so without the producer's full fence the load of the
 * {@code sleeping} flag can pass that store (StoreLoad) and both sides miss each other.
 *
 * <p>Result: (reactor decided to park, wake-ups issued, the entry is in the inbox).
 *
 * <p><b>Threading:</b> actor 1 is the acceptor, actor 2 the reactor, the arbiter looks after both finished.
 */
@JCStressTest
@Description("ReactorProxy.handOff vs prepareToPark: no lost wake-up")
@Outcome(id = "true, 1, true", expect = ACCEPTABLE, desc = "The reactor parks and the acceptor wakes it.")
@Outcome(id = "false, 0, true", expect = ACCEPTABLE,
    desc = "The reactor sees the entry and stays awake; no wake-up needed.")
@Outcome(id = "false, 1, true", expect = ACCEPTABLE_INTERESTING,
    desc = "The reactor sees the entry and stays awake; the acceptor saw the flag in between: a spurious wake-up.")
@Outcome(id = "true, 0, true", expect = FORBIDDEN,
    desc = "Lost wake-up: the reactor parks on an inbox that looked empty and the acceptor skipped the wake-up.")
@Outcome(expect = FORBIDDEN, desc = "The hand-off was refused or lost.")
@State
public class InboxWakeupStress
{
    private final ReactorProxy proxy = StressProxies.newProxy();
    private final StressProxies.CountingWakeup wakeup = StressProxies.countingWakeup(proxy);

    /** The acceptor: offer, then wake the reactor if it is parked. */
    @Actor
    public void acceptor()
    {
        proxy.handOff(StressProxies.HAND_OFF);
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
        r.r3 = proxy.pollInbox() != null;
    }
}
