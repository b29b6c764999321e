package dev.coreloop.core.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

import dev.coreloop.affinity.PinResult;
import dev.coreloop.affinity.PinSample;
import dev.coreloop.affinity.ThreadPinner;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.status.PinState;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.test.ReactorHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The reactor's own once-a-second timer (heartbeat, pin watch) and the gauges it samples each cycle, on a fake clock. */
class ReactorHousekeepingTest
{
    private static final long MS = 1_000_000L;

    /** A pinner that says the thread pinned fine, then replays scripted samples. */
    private static final class ScriptedPinner implements ThreadPinner
    {
        final Deque<PinSample> samples = new ArrayDeque<>();
        int sampleCalls;

        @Override
        public PinResult pinCurrentThread(final String role)
        {
            return new PinResult(role, "3", "3", PinResult.Status.PINNED);
        }

        @Override
        public PinSample samplePin(final String role)
        {
            sampleCalls++;
            return samples.isEmpty() ? new PinSample(3, 3, PinResult.Status.PINNED, false, 0, 0, 0) : samples.poll();
        }

        @Override
        public int plannedReactorCount()
        {
            return 1;
        }

        @Override
        public String report()
        {
            return "scripted";
        }
    }

    private final ScriptedPinner pinner = new ScriptedPinner();
    private ReactorHarness harness;

    @AfterEach
    void close() throws IOException
    {
        if (harness != null)
        {
            harness.close();
        }
    }

    @Test
    void shouldBeatAndSampleThePinAtStartAndThenOnceASecond() throws IOException
    {
        harness = new ReactorHarness(new ServerContext().pinner(pinner));
        assertThat(pinner.sampleCalls).isEqualTo(1);
        assertThat(harness.counter(ReactorCounter.HEARTBEAT_MS)).isPositive();
        assertThat(harness.counter(ReactorCounter.PIN_STATUS)).isEqualTo(PinState.PINNED.code());
        assertThat(harness.counter(ReactorCounter.CURRENT_CPU)).isEqualTo(3);
        assertThat(harness.counter(ReactorCounter.PLANNED_CPU)).isEqualTo(3);

        harness.clock().advanceMs(999);
        harness.doWork();
        assertThat(pinner.sampleCalls).isEqualTo(1);

        harness.clock().advanceMs(10);   // the wheel's tick is about 1 ms: due now
        harness.doWork();
        assertThat(pinner.sampleCalls).isEqualTo(2);

        // A stall of 10 s: the chores run once, not ten times.
        final long stallsBefore = harness.counter(ReactorCounter.STALLS);
        harness.clock().advanceMs(10_000);
        harness.doWork();
        harness.doWork();
        assertThat(pinner.sampleCalls).isEqualTo(3);
        assertThat(harness.counter(ReactorCounter.STALLS)).isEqualTo(stallsBefore + 1);
    }

    @Test
    void shouldShowALostPinAndItsMigrationsInTheCounters() throws IOException
    {
        harness = new ReactorHarness(new ServerContext().pinner(pinner));
        pinner.samples.add(new PinSample(5, 3, PinResult.Status.PINNED, true, 1, 1, 0));
        pinner.samples.add(new PinSample(3, 3, PinResult.Status.PINNED, false, 2, 1, 1));

        harness.clock().advanceMs(1_001);
        harness.doWork();

        assertThat(harness.counter(ReactorCounter.PIN_STATUS)).isEqualTo(PinState.LOST.code());
        assertThat(harness.counter(ReactorCounter.CURRENT_CPU)).isEqualTo(5);
        assertThat(harness.counter(ReactorCounter.CPU_MIGRATIONS)).isEqualTo(1);
        assertThat(harness.counter(ReactorCounter.PIN_CHANGES)).isEqualTo(1);

        harness.clock().advanceMs(1_001);
        harness.doWork();

        assertThat(harness.counter(ReactorCounter.PIN_STATUS)).isEqualTo(PinState.PINNED.code());
        assertThat(harness.counter(ReactorCounter.PIN_RESTORES)).isEqualTo(1);
        assertThat(harness.counter(ReactorCounter.CPU_MIGRATIONS)).isEqualTo(2);
    }

    @Test
    void shouldLeaveThePinCountersAloneWhenNothingIsWatched() throws IOException
    {
        harness = new ReactorHarness(new ServerContext());
        harness.clock().advanceMs(1_001);
        harness.doWork();

        assertThat(harness.counter(ReactorCounter.PIN_STATUS)).isEqualTo(PinState.UNPINNED.code());
        assertThat(harness.counter(ReactorCounter.CURRENT_CPU)).isEqualTo(-1);
        assertThat(harness.counter(ReactorCounter.HEARTBEAT_MS)).isPositive();
    }

    @Test
    void shouldSampleTheTaskQueueDepthAfterEachCycleAndCountSelectorCalls() throws IOException
    {
        harness = new ReactorHarness(new ServerContext());
        final int[] ran = new int[1];
        for (int i = 0; i < ReactorAgent.TASK_LIMIT + 44; i++)
        {
            assertThat(harness.agent().proxy().execute(() -> ran[0]++)).isTrue();
        }
        final long pollsBefore = harness.counter(ReactorCounter.POLL_CALLS);

        harness.doWork();

        assertThat(ran[0]).isEqualTo(ReactorAgent.TASK_LIMIT);
        assertThat(harness.counter(ReactorCounter.TASK_QUEUE_DEPTH)).isEqualTo(44);
        assertThat(harness.counter(ReactorCounter.POLL_CALLS)).isEqualTo(pollsBefore + 1);

        harness.doWork();

        assertThat(harness.counter(ReactorCounter.TASK_QUEUE_DEPTH)).isZero();
        assertThat(harness.counter(ReactorCounter.INBOX_DEPTH)).isZero();
    }

    @Test
    void shouldAllocateNothingInTheHeartbeatAndTheGauges() throws IOException
    {
        final java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean,
            "no allocation counter on this JVM");
        final com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean)bean;
        org.junit.jupiter.api.Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported() &&
            mx.isThreadAllocatedMemoryEnabled(), "thread allocation counter unsupported");
        harness = new ReactorHarness(new ServerContext());
        final long threadId = Thread.currentThread().getId();
        for (int i = 0; i < 20_000; i++)
        {
            harness.clock().advanceMs(1_001);   // every cycle runs the once-a-second chores
            harness.doWork();
        }
        long minBytes = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++)
        {
            final long before = mx.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < 10_000; i++)
            {
                harness.clock().advanceMs(1_001);
                harness.doWork();
            }
            minBytes = Math.min(minBytes, mx.getThreadAllocatedBytes(threadId) - before);
        }
        assertThat(minBytes).isZero();
        assertThat(harness.counter(ReactorCounter.HEARTBEAT_MS)).isPositive();
    }

    @Test
    void shouldMeasureHowLateATimerFires() throws IOException
    {
        harness = new ReactorHarness(new ServerContext());
        final long nowNs = harness.clock().nanoTime();
        harness.reactor().scheduleTimer(nowNs + 10 * MS, (timerId, firedNs) -> { });

        harness.clock().advanceMs(60);   // the loop was busy elsewhere for 50 ms past the deadline
        harness.doWork();

        assertThat(harness.counter(ReactorCounter.TIMER_LAG_MAX_NS)).isBetween(48 * MS, 50 * MS);
        assertThat(harness.counter(ReactorCounter.TIMER_LAG_TOTAL_NS))
            .isEqualTo(harness.counter(ReactorCounter.TIMER_LAG_MAX_NS));
    }
}
