package dev.coreloop.examples.resp;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * The {@link LargeValueExchange} hand-off between reactors, without the message ring that normally carries the handle
 * (so the slot's own ordering is what is tested): a value taken from a slot is complete, and a producer never reuses
 * a slot whose value has not been taken.
 *
 * <p><b>Threading:</b> each actor plays one reactor.
 */
public final class LargeValueExchangeStress
{
    private LargeValueExchangeStress()
    {
    }

    /**
     * Publication: reactor 0 fills a value and parks it (the first put of a fresh exchange lands in slot 0, handle 0);
     * reactor 1 takes handle 0. It finds nothing yet, or every byte of the value.
     *
     * <p>Result: 0 nothing taken, 1 a complete value with the right bytes, 2 a value seen incomplete or wrong.
     */
    @JCStressTest
    @Description("LargeValueExchange.put vs take: a taken value is complete")
    @Outcome(id = "0", expect = ACCEPTABLE, desc = "Taken before it was parked: nothing.")
    @Outcome(id = "1", expect = ACCEPTABLE, desc = "Taken after: complete, every byte right.")
    @Outcome(id = "2", expect = FORBIDDEN, desc = "Taken incomplete: the slot published before the bytes.")
    @State
    public static class Publication
    {
        private final LargeValueExchange exchange = new LargeValueExchange(2, 1);
        private final UnsafeBuffer source = new UnsafeBuffer(new byte[]{1, 2, 3, 4, 5, 6, 7, 8});

        /** Reactor 0: fills and parks. */
        @Actor
        public void producer()
        {
            final LargeValue value = new LargeValue(8);
            value.append(source, 0, 8);
            exchange.put(0, value);
        }

        /** Reactor 1: takes handle 0. */
        @Actor
        public void consumer(final I_Result r)
        {
            final LargeValue value = exchange.take(0L);
            if (value == null)
            {
                r.r1 = 0;
                return;
            }
            boolean right = value.isComplete();
            for (int i = 0; i < 8 && right; i++)
            {
                right = value.byteAt(i) == i + 1;
            }
            r.r1 = right ? 1 : 2;
        }
    }

    /**
     * Reuse: every slot of reactor 0's partition is full; reactor 1 takes the value in slot 5 while reactor 0 parks a
     * new one. The put succeeds only into the slot just freed, and the taker always gets the old value.
     *
     * <p>Result: (the handle the put returned: -1 or 5, what the taker got: 1 the old value, 2 the new one, 0 none).
     */
    @JCStressTest
    @Description("LargeValueExchange.put vs take: a slot is reused only after its value was taken")
    @Outcome(id = "-1, 1", expect = ACCEPTABLE, desc = "The put found every slot full; the old value was taken.")
    @Outcome(id = "5, 1", expect = ACCEPTABLE, desc = "The put reused the slot the taker had just freed.")
    @Outcome(expect = FORBIDDEN, desc = "A value overwritten before it was taken, or lost.")
    @State
    public static class Reuse
    {
        private static final int SLOT = 5;
        private final LargeValueExchange exchange = new LargeValueExchange(2, 1);
        private final LargeValue old = new LargeValue(1);
        private final LargeValue fresh = new LargeValue(2);

        public Reuse()
        {
            for (int i = 0; i < exchange.slotsPerPartition(); i++)
            {
                exchange.put(0, i == SLOT ? old : new LargeValue(3));
            }
        }

        /** Reactor 0: parks a new value. */
        @Actor
        public void producer(final II_Result r)
        {
            r.r1 = (int)exchange.put(0, fresh);
        }

        /** Reactor 1: takes the old value. */
        @Actor
        public void consumer(final II_Result r)
        {
            final LargeValue taken = exchange.take(SLOT);
            r.r2 = taken == old ? 1 : taken == fresh ? 2 : 0;
        }

        /** After both: the new value, if parked, is where the put said. */
        @Arbiter
        public void arbiter(final II_Result r)
        {
            if (r.r1 >= 0 && exchange.take(r.r1) != fresh)
            {
                r.r2 = 0;
            }
        }
    }
}
