package dev.coreloop.core.reactor;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.util.function.Consumer;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.ZIZ_Result;

/**
 * The acceptor hands a channel off while the reactor closes: {@code handOff} returning true must mean the reactor
 * takes the channel (registers or closes it), false that the acceptor keeps it (and closes it). A channel accepted
 * but never taken would leak its file descriptor. Same close gate as {@link TaskRunOrRefuseStress}.
 *
 * <p>Result: (handOff returned true, times the reactor took the channel, the channel is still queued after the close).
 *
 * <p><b>Threading:</b> actor 1 is the acceptor, actor 2 the reactor closing, the arbiter looks after both finished.
 */
@JCStressTest
@Description("ReactorProxy.handOff vs closeAndDrain: a channel is taken or refused, never lost")
@Outcome(id = "true, 1, false", expect = ACCEPTABLE, desc = "Accepted, and taken by the reactor's close.")
@Outcome(id = "false, 0, false", expect = ACCEPTABLE, desc = "Refused: the reactor had closed; the acceptor closes it.")
@Outcome(id = "true, 0, true", expect = FORBIDDEN,
    desc = "Lost: accepted, but left in the inbox after the reactor closed.")
@Outcome(id = "false, 1, .*", expect = FORBIDDEN, desc = "Refused, yet the reactor took it.")
@Outcome(expect = FORBIDDEN, desc = "Taken twice, or another impossible state.")
@State
public class HandOffRegisterOrRefuseStress
{
    private final ReactorProxy proxy = StressProxies.newProxy();
    /** Times the reactor took the channel (plain: only the reactor actor writes it; the arbiter reads it after). */
    private int taken;
    private final Consumer<HandOff> onHandOff = handOff -> taken++;

    /** The acceptor. */
    @Actor
    public void acceptor(final ZIZ_Result r)
    {
        r.r1 = proxy.handOff(StressProxies.HAND_OFF);
    }

    /** The reactor closing: closes the gate and takes what got through. */
    @Actor
    public void reactor()
    {
        proxy.closeAndDrain(onHandOff, Runnable::run);
    }

    /** After both. */
    @Arbiter
    public void arbiter(final ZIZ_Result r)
    {
        r.r2 = taken;
        r.r3 = proxy.pollInbox() != null;
    }
}
