package dev.coreloop.core.timer;

import static dev.coreloop.core.timer.ReactorTimers.NULL_TIMER;
import static dev.coreloop.core.timer.ReactorTimers.TICKS_PER_WHEEL;
import static dev.coreloop.core.timer.ReactorTimers.TICK_RESOLUTION_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.agrona.collections.LongArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ReactorTimers}: ids that cannot go stale, expiry semantics after a stall, and no allocation per timer.
 * Every time is passed in as an argument; nothing sleeps.
 */
@Timeout(60)
class ReactorTimersTest
{
    private static final long START_NS = 1_000_000_000L;
    private static final long REVOLUTION_NS = TICKS_PER_WHEEL * TICK_RESOLUTION_NS;
    private static final int NO_LIMIT = Integer.MAX_VALUE;

    private final Object ownerA = new Object();
    private final Object ownerB = new Object();
    private final List<Object> firedOwners = new ArrayList<>();
    private final LongArrayList firedIds = new LongArrayList();
    private final ReactorTimers timers = new ReactorTimers(START_NS, this::record);

    private void record(final Object owner, final long timerId, final long nowNs)
    {
        firedOwners.add(owner);
        firedIds.addLong(timerId);
    }

    private static long ticks(final long count)
    {
        return count * TICK_RESOLUTION_NS;
    }

    private void assertConsistent(final long expectedCount)
    {
        assertThat(timers.timerCount()).as("timerCount").isEqualTo(expectedCount);
        assertThat(timers.wheelIdMapSize()).as("timer id -> wheel id entries").isEqualTo(expectedCount);
        assertThat(timers.timerIdMapSize()).as("wheel id -> timer id entries").isEqualTo(expectedCount);
        assertThat(timers.ownerMapSize()).as("timer id -> owner entries").isEqualTo(expectedCount);
    }

    @Test
    void shouldNotCancelAnythingWithAnIdWhoseTimerFiredEvenWhenTheSameOwnerReusesItsSlot()
    {
        final long deadlineANs = START_NS + ticks(10);
        final long timerA = timers.schedule(deadlineANs, ownerA);
        final long wheelIdA = timers.wheelId(timerA);

        assertThat(timers.poll(deadlineANs, NO_LIMIT)).isEqualTo(1);
        assertThat(firedIds.toLongArray()).containsExactly(timerA);

        // One revolution later is the same spoke; the slot A used is free again, so B gets it.
        final long deadlineBNs = deadlineANs + REVOLUTION_NS;
        final long timerB = timers.schedule(deadlineBNs, ownerA);
        assertThat(timers.wheelId(timerB)).as("B reuses A's wheel slot").isEqualTo(wheelIdA);

        assertThat(timers.cancel(timerA, ownerA)).as("cancel(stale A)").isFalse();
        assertThat(timers.owner(timerA)).as("owner(stale A)").isNull();
        assertThat(timers.owner(timerB)).isSameAs(ownerA);
        assertConsistent(1);

        assertThat(timers.poll(deadlineBNs, NO_LIMIT)).isEqualTo(1);
        assertThat(firedIds.toLongArray()).containsExactly(timerA, timerB);
        assertConsistent(0);
    }

    @Test
    void shouldNotCancelAnythingWithAnIdWhoseTimerWasCancelledEvenWhenItsSlotIsReused()
    {
        final long deadlineNs = START_NS + ticks(5);
        final long timerA = timers.schedule(deadlineNs, ownerA);
        final long wheelIdA = timers.wheelId(timerA);
        assertThat(timers.cancel(timerA, ownerA)).isTrue();

        final long timerB = timers.schedule(deadlineNs, ownerA);
        assertThat(timers.wheelId(timerB)).as("B reuses A's wheel slot").isEqualTo(wheelIdA);
        assertThat(timerB).isNotEqualTo(timerA);

        assertThat(timers.cancel(timerA, ownerA)).as("cancel(stale A)").isFalse();
        assertThat(timers.owner(timerA)).as("owner(stale A)").isNull();
        assertConsistent(1);

        assertThat(timers.poll(deadlineNs, NO_LIMIT)).isEqualTo(1);
        assertThat(firedIds.toLongArray()).containsExactly(timerB);
        assertConsistent(0);
    }

    @Test
    void shouldCancelOnlyOnce()
    {
        final long timerA = timers.schedule(START_NS + ticks(3), ownerA);
        final long timerB = timers.schedule(START_NS + ticks(3), ownerA);
        assertConsistent(2);

        assertThat(timers.cancel(timerA, ownerA)).isTrue();
        assertConsistent(1);
        assertThat(timers.cancel(timerA, ownerA)).isFalse();
        assertConsistent(1);

        assertThat(timers.poll(START_NS + ticks(3), NO_LIMIT)).isEqualTo(1);
        assertThat(firedIds.toLongArray()).containsExactly(timerB);
    }

    @Test
    void shouldNotCancelAnotherOwnersTimer()
    {
        final long timerA = timers.schedule(START_NS + ticks(2), ownerA);

        assertThat(timers.cancel(timerA, ownerB)).isFalse();
        assertThat(timers.cancel(timerA, null)).isFalse();
        assertThat(timers.owner(timerA)).isSameAs(ownerA);
        assertConsistent(1);
    }

    @Test
    void shouldTreatNullTimerAndNeverIssuedIdsAsNotArmed()
    {
        final long timerA = timers.schedule(START_NS + ticks(2), ownerA);

        assertThat(timerA).isNotEqualTo(NULL_TIMER);
        assertThat(timers.cancel(NULL_TIMER, ownerA)).isFalse();
        assertThat(timers.owner(NULL_TIMER)).isNull();
        assertThat(timers.cancel(timerA + 1, ownerA)).isFalse();
        assertThat(timers.owner(timerA + 1)).isNull();
        assertThat(timers.cancel(0, ownerA)).isFalse();
        assertConsistent(1);
    }

    @Test
    void shouldReturnNullOwnerForStaleIds()
    {
        final long fired = timers.schedule(START_NS + ticks(1), ownerA);
        final long cancelled = timers.schedule(START_NS + ticks(1), ownerB);
        assertThat(timers.owner(fired)).isSameAs(ownerA);
        assertThat(timers.owner(cancelled)).isSameAs(ownerB);

        assertThat(timers.cancel(cancelled, ownerB)).isTrue();
        timers.poll(START_NS + ticks(1), NO_LIMIT);

        assertThat(timers.owner(fired)).isNull();
        assertThat(timers.owner(cancelled)).isNull();
    }

    @Test
    void shouldReportTheScheduledIdAndOwnerOnExpiry()
    {
        final long timer1 = timers.schedule(START_NS + ticks(1), ownerA);
        final long timer2 = timers.schedule(START_NS + ticks(1), ownerB);
        final long timer3 = timers.schedule(START_NS + ticks(4), ownerA);

        assertThat(timers.poll(START_NS + ticks(4), NO_LIMIT)).isEqualTo(3);

        assertThat(firedIds.toLongArray()).containsExactlyInAnyOrder(timer1, timer2, timer3);
        for (int i = 0; i < firedIds.size(); i++)
        {
            final long timerId = firedIds.getLong(i);
            assertThat(firedOwners.get(i)).as("owner of %d", timerId).isSameAs(timerId == timer2 ? ownerB : ownerA);
        }
        assertConsistent(0);
    }

    @Test
    void shouldIssueIncreasingIdsThatAreNeverReused()
    {
        long previous = timers.schedule(START_NS + ticks(1), ownerA);
        for (int i = 0; i < 1000; i++)
        {
            timers.cancel(previous, ownerA);
            final long next = timers.schedule(START_NS + ticks(1), ownerA);
            assertThat(next).isGreaterThan(previous);
            previous = next;
        }
    }

    @Test
    void shouldForgetTheExpiringTimerBeforeItsHandlerRuns()
    {
        final long[] seen = new long[3];
        final ReactorTimers[] self = new ReactorTimers[1];
        final ReactorTimers reentrant = new ReactorTimers(START_NS, (owner, timerId, nowNs) ->
        {
            seen[0] = self[0].cancel(timerId, owner) ? 1 : 0;
            seen[1] = self[0].owner(timerId) == null ? 1 : 0;
            // The wheel has freed the expiring slot: a timer armed now may land in it, under a new id.
            seen[2] = self[0].schedule(nowNs, owner);
        });
        self[0] = reentrant;

        final long first = reentrant.schedule(START_NS + ticks(2), ownerA);
        assertThat(reentrant.poll(START_NS + ticks(2), 1)).isEqualTo(1);

        assertThat(seen[0]).as("cancel(expiring id) from its handler").isZero();
        assertThat(seen[1]).as("owner(expiring id) is null in its handler").isOne();
        assertThat(seen[2]).isNotEqualTo(first);
        assertThat(reentrant.timerCount()).isOne();
        assertThat(reentrant.owner(seen[2])).isSameAs(ownerA);
        assertThat(reentrant.owner(first)).isNull();
        assertThat(reentrant.ownerMapSize()).isOne();
    }

    @Test
    void shouldKeepTimerCountConsistentThroughScheduleCancelAndExpiry()
    {
        assertConsistent(0);
        final long a = timers.schedule(START_NS + ticks(1), ownerA);
        final long b = timers.schedule(START_NS + ticks(2), ownerA);
        final long c = timers.schedule(START_NS + ticks(3), ownerB);
        assertConsistent(3);

        timers.cancel(b, ownerA);
        assertConsistent(2);
        timers.poll(START_NS + ticks(1), NO_LIMIT);
        assertConsistent(1);
        timers.cancel(a, ownerA);
        assertConsistent(1);
        timers.poll(START_NS + ticks(3), NO_LIMIT);
        assertConsistent(0);
        assertThat(firedIds.toLongArray()).containsExactly(a, c);
    }

    @Test
    void shouldRespectThePollLimitAndFireTheRestLater()
    {
        for (int i = 0; i < 10; i++)
        {
            timers.schedule(START_NS + ticks(1), ownerA);
        }

        assertThat(timers.poll(START_NS + ticks(1), 4)).isEqualTo(4);
        assertConsistent(6);
        assertThat(timers.poll(START_NS + ticks(1), 4)).isEqualTo(4);
        assertThat(timers.poll(START_NS + ticks(1), 4)).isEqualTo(2);
        assertConsistent(0);
        assertThat(firedIds.size()).isEqualTo(10);
    }

    @Test
    void shouldFireEachTimerOnceAfterALongStallAndRearmAPeriodicTimerOnce()
    {
        final long periodNs = ticks(1);
        final Object periodic = new Object();
        final LongArrayList periodicFiredNs = new LongArrayList();
        final LongArrayList oneShotIds = new LongArrayList();
        final ReactorTimers[] self = new ReactorTimers[1];
        final ReactorTimers stalled = new ReactorTimers(START_NS, (owner, timerId, nowNs) ->
        {
            if (owner == periodic)
            {
                periodicFiredNs.addLong(nowNs);
                self[0].schedule(nowNs + periodNs, periodic);
            }
            else
            {
                oneShotIds.addLong(timerId);
            }
        });
        self[0] = stalled;

        stalled.schedule(START_NS + periodNs, periodic);
        final LongArrayList scheduled = new LongArrayList();
        for (int i = 0; i < 50; i++)
        {
            // Spread over three revolutions, so several share a spoke but lie in different revolutions.
            scheduled.addLong(stalled.schedule(START_NS + ticks(1 + (i * 61L) % (3 * TICKS_PER_WHEEL)), ownerA));
        }

        // A 10 s stall: about ten revolutions pass without a poll.
        final long afterStallNs = START_NS + 10 * REVOLUTION_NS;
        assertThat(stalled.poll(afterStallNs, NO_LIMIT)).isEqualTo(51);

        assertThat(oneShotIds.toLongArray()).containsExactlyInAnyOrder(scheduled.toLongArray());
        assertThat(periodicFiredNs.toLongArray()).containsExactly(afterStallNs);
        assertThat(stalled.timerCount()).as("only the re-armed periodic timer").isOne();

        assertThat(stalled.poll(afterStallNs, NO_LIMIT)).as("nothing more is due now").isZero();
        assertThat(stalled.poll(afterStallNs + periodNs, NO_LIMIT)).isOne();
        assertThat(periodicFiredNs.toLongArray()).containsExactly(afterStallNs, afterStallNs + periodNs);
    }

    @Test
    void shouldLeaveNothingBehindAfterManyTimersAreCancelled()
    {
        final int count = 10_000;
        final SplittableRandom random = new SplittableRandom(42);
        final long[] ids = new long[count];
        for (int i = 0; i < count; i++)
        {
            final long deadlineNs = START_NS + ticks(1 + random.nextInt(4 * TICKS_PER_WHEEL));
            ids[i] = timers.schedule(deadlineNs, i % 2 == 0 ? ownerA : ownerB);
        }
        assertConsistent(count);

        for (int i = count - 1; i >= 0; i--)
        {
            assertThat(timers.cancel(ids[i], i % 2 == 0 ? ownerA : ownerB)).as("cancel #%d", i).isTrue();
        }
        assertConsistent(0);
        assertThat(timers.poll(START_NS + 8 * REVOLUTION_NS, NO_LIMIT)).isZero();
        assertThat(firedIds.size()).isZero();
        assertThat(timers.earliestDeadlineNs(START_NS)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldLeaveNothingBehindAfterManyTimersAreScheduledCancelledAndFiredInterleaved()
    {
        final int count = 10_000;
        final SplittableRandom random = new SplittableRandom(7);
        final long[] ids = new long[count];
        long nowNs = START_NS;
        int cancelled = 0;
        for (int i = 0; i < count; i++)
        {
            ids[i] = timers.schedule(nowNs + ticks(random.nextInt(2 * TICKS_PER_WHEEL)), ownerA);
            if (random.nextInt(3) == 0)
            {
                // Any earlier id: some are armed, some fired, some cancelled already.
                if (timers.cancel(ids[random.nextInt(i + 1)], ownerA))
                {
                    cancelled++;
                }
            }
            nowNs += TICK_RESOLUTION_NS / 4;
            timers.poll(nowNs, NO_LIMIT);
        }
        timers.poll(nowNs + 3 * REVOLUTION_NS, NO_LIMIT);

        assertConsistent(0);
        assertThat(firedIds.size() + cancelled).isEqualTo(count);
        assertThat(firedIds.toLongArray()).doesNotHaveDuplicates();
    }

    @Test
    void shouldNotAllocateOnScheduleCancelAndPoll()
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads instanceof com.sun.management.ThreadMXBean, "no com.sun.management.ThreadMXBean");
        final com.sun.management.ThreadMXBean allocation = (com.sun.management.ThreadMXBean)threads;
        assumeTrue(allocation.isThreadAllocatedMemorySupported() && allocation.isThreadAllocatedMemoryEnabled(),
            "thread allocation counting unsupported");

        final AllocationWorkload workload = new AllocationWorkload();
        workload.run(300_000);

        final int measuredOps = 100_000;
        final int maxWindows = 5;
        long minAllocatedBytes = Long.MAX_VALUE;
        for (int window = 0; window < maxWindows && minAllocatedBytes != 0; window++)
        {
            final long beforeBytes = allocation.getCurrentThreadAllocatedBytes();
            workload.run(measuredOps);
            final long allocatedBytes = allocation.getCurrentThreadAllocatedBytes() - beforeBytes;
            minAllocatedBytes = Math.min(minAllocatedBytes, allocatedBytes);
        }

        assertThat(workload.expiredCount).as("the workload exercised expiry").isPositive();
        assertThat(workload.cancelledCount).as("the workload exercised cancel").isPositive();
        assertThat(workload.staleCancelCount).as("the workload exercised stale cancels").isPositive();
        assertThat(minAllocatedBytes).as("fewest bytes allocated over %d schedule/cancel/poll steps", measuredOps)
            .isZero();
    }

    /**
     * A steady state: a fixed ring of slots, each step cancels whatever id a slot holds (armed, or stale because it
     * fired) and arms a new timer in it, then polls. The clock advances a quarter tick per step.
     */
    private static final class AllocationWorkload
    {
        private static final int SLOTS = 1024;
        private static final int SLOT_MASK = SLOTS - 1;

        private final Object owner = new Object();
        private final long[] ids = new long[SLOTS];
        private final ReactorTimers timers;
        private long nowNs = START_NS;
        private long step;
        long expiredCount;
        long cancelledCount;
        long staleCancelCount;

        AllocationWorkload()
        {
            timers = new ReactorTimers(START_NS, this::onExpiry);
            for (int i = 0; i < SLOTS; i++)
            {
                ids[i] = NULL_TIMER;
            }
        }

        private void onExpiry(final Object timerOwner, final long timerId, final long expiryNs)
        {
            expiredCount++;
        }

        void run(final int steps)
        {
            for (int i = 0; i < steps; i++)
            {
                final int slot = (int)(step & SLOT_MASK);
                final long staleOrArmed = ids[slot];
                if (staleOrArmed != NULL_TIMER)
                {
                    if (timers.cancel(staleOrArmed, owner))
                    {
                        cancelledCount++;
                    }
                    else
                    {
                        staleCancelCount++;
                    }
                }
                // Deadlines 1..320 ticks ahead: about a third of the slots fire before they come round again.
                ids[slot] = timers.schedule(nowNs + (1 + (step * 37) % 320) * TICK_RESOLUTION_NS, owner);
                nowNs += TICK_RESOLUTION_NS / 4;
                timers.poll(nowNs, 64);
                step++;
            }
        }
    }
}
