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
 * Another reactor sends a message while this one goes to sleep: the reactor must either see the message (the ring's
 * size) or be woken. The sender's full fence orders its claim and commit before its load of the {@code sleeping} flag.
 *
 * <p>Result: (reactor decided to park, wake-ups issued, the message is in the ring).
 *
 * <p><b>Threading:</b> actor 1 is the sending reactor, actor 2 the receiving one, the arbiter looks after both
 * finished.
 */
@JCStressTest
@Description("ReactorProxy.sendMessage vs prepareToPark: no lost wake-up")
@Outcome(id = "true, 1, true", expect = ACCEPTABLE, desc = "The reactor parks and the sender wakes it.")
@Outcome(id = "false, 0, true", expect = ACCEPTABLE,
    desc = "The reactor sees the message and stays awake; no wake-up needed.")
@Outcome(id = "false, 1, true", expect = ACCEPTABLE_INTERESTING,
    desc = "The reactor sees the message and stays awake; the sender saw the flag in between: a spurious wake-up.")
@Outcome(id = "true, 0, true", expect = FORBIDDEN,
    desc = "Lost wake-up: the reactor parks on a ring that looked empty and the sender skipped the wake-up.")
@Outcome(expect = FORBIDDEN, desc = "The message was refused or lost.")
@State
public class MessageRingWakeupStress
{
    private final ReactorProxy proxy = StressProxies.newProxy();
    private final StressProxies.CountingWakeup wakeup = StressProxies.countingWakeup(proxy);

    /** The sending reactor: claim, copy, commit, then wake the receiver if it is parked. */
    @Actor
    public void sender()
    {
        proxy.sendMessage(StressProxies.SOURCE_REACTOR, StressProxies.SERVICE_INDEX, StressProxies.MSG_TYPE_ID,
            StressProxies.PAYLOAD, 0, StressProxies.PAYLOAD_LENGTH);
    }

    /** The receiving reactor, about to block in select. */
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
        r.r3 = StressProxies.readOneMessage(proxy);
    }
}
