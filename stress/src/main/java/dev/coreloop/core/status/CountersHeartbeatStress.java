package dev.coreloop.core.status;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.JJ_Result;

/**
 * The heartbeat and a counter value written by their one owner (reactor-0) with release, read by another process
 * with acquire: a reader that sees the newer heartbeat also sees the counter value stored before it (so a fresh
 * heartbeat never comes with counts older than it), and two reads in a row never go back in time.
 *
 * <p>Result: (heartbeat seen, counter value seen after it).
 *
 * <p><b>Threading:</b> actor 1 is reactor-0, actor 2 a reader such as {@code coreloop stat}.
 */
@JCStressTest
@Description("Heartbeat after counters: a newer heartbeat brings the counter values stored before it")
@Outcome(id = "1, 0", expect = ACCEPTABLE, desc = "Old heartbeat, old value.")
@Outcome(id = "1, 7", expect = ACCEPTABLE, desc = "Old heartbeat, new value (read later than the heartbeat).")
@Outcome(id = "2, 7", expect = ACCEPTABLE, desc = "New heartbeat, new value.")
@Outcome(id = "2, 0", expect = FORBIDDEN, desc = "New heartbeat but the value stored before it is missing.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class CountersHeartbeatStress
{
    private static final int VALUE_OFFSET = CountersFile.HEADER_LENGTH;

    private final UnsafeBuffer file = new UnsafeBuffer(ByteBuffer.allocateDirect(CountersFile.HEADER_LENGTH + 64));

    {
        CountersFile.heartbeat(file, 1);
    }

    /** Reactor-0: a counter (release, as ReactorStats stores it), then the heartbeat (release). */
    @Actor
    public void reactor()
    {
        file.putLongRelease(VALUE_OFFSET, 7);
        CountersFile.heartbeat(file, 2);
    }

    /** A reader: the heartbeat (acquire), then the counter (acquire, as CountersReader reads it). */
    @Actor
    public void reader(final JJ_Result r)
    {
        r.r1 = CountersFile.heartbeatMs(file);
        r.r2 = file.getLongAcquire(VALUE_OFFSET);
    }
}
