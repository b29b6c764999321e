package dev.coreloop.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.coreloop.core.test.FakeClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ThreadExit}, the wait behind "shutdown returns only once the threads have ended", on a fake clock: the
 * joiner stands in for {@link Thread#join(long)}, moves the clock by what it was asked to wait, and lets the thread
 * end only when the test says so. Nothing sleeps; the real waits are on latches and on a thread that has been told to
 * end. (The {@code @Timeout} only guards against a regression that would hang.)
 */
@Timeout(30)
class ThreadExitTest
{
    private static final long OVERDUE_AFTER_MS = 2_000;
    private static final long REPORT_INTERVAL_MS = 5_000;

    private final FakeClock clock = new FakeClock();
    private final List<String> alarms = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger interruptsSeen = new AtomicInteger();
    private final List<Long> joinsMs = new ArrayList<>();

    @AfterEach
    void releaseTheThread()
    {
        release.countDown();
    }

    /** A started thread named like a reactor that ends only once {@link #release} opens, whatever interrupts it. */
    private Thread stuckReactor()
    {
        final Thread thread = new Thread(() ->
        {
            while (release.getCount() > 0)
            {
                try
                {
                    release.await();
                }
                catch (final InterruptedException ex)
                {
                    interruptsSeen.incrementAndGet();
                }
            }
            if (Thread.interrupted())
            {
                interruptsSeen.incrementAndGet(); // interrupted before it ever waited
            }
        }, "reactor-0");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** A joiner that moves the clock by each wait it is asked for, and on call {@code endOnCall} ends the thread. */
    private ThreadExit.Joiner joinerEndingOnCall(final int endOnCall)
    {
        return (thread, millis) ->
        {
            joinsMs.add(millis);
            clock.advanceMs(millis);
            if (joinsMs.size() == endOnCall)
            {
                release.countDown();
                thread.join();
            }
        };
    }

    private ThreadExit exit(final ThreadExit.Joiner joiner)
    {
        return new ThreadExit(clock, joiner, TimeUnit.MILLISECONDS.toNanos(REPORT_INTERVAL_MS), alarms::add);
    }

    private long overdueAtNs()
    {
        return clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(OVERDUE_AFTER_MS);
    }

    @Test
    void shouldReturnOnlyOnceAThreadHasEndedAndReportItLoudlyWhileItIsOverdue()
    {
        final Thread reactor = stuckReactor();

        final int overdue = exit(joinerEndingOnCall(4)).awaitAll(List.of(reactor), overdueAtNs());

        assertThat(reactor.isAlive()).as("ended when awaitAll returned").isFalse();
        assertThat(overdue).isEqualTo(1);
        assertThat(joinsMs).as("waits: up to the overdue time, then one report interval each")
            .containsExactly(2_000L, 5_000L, 5_000L, 5_000L);
        assertThat(alarms).hasSize(3);
        assertThat(alarms.get(0))
            .startsWith("reactor-0 has not ended 0 ms after it was due to; interrupting it; still waiting")
            .contains("; state ");
        assertThat(alarms.get(1)).startsWith("reactor-0 has not ended 5000 ms after it was due to");
        assertThat(alarms.get(2)).startsWith("reactor-0 has not ended 10000 ms after it was due to");
        assertThat(interruptsSeen.get()).as("interrupted once, when first overdue").isEqualTo(1);
    }

    @Test
    void shouldNeitherWaitNorReportForThreadsThatEndedInTime() throws InterruptedException
    {
        final Thread ended = new Thread(() -> { }, "reactor-1");
        ended.start();
        ended.join();
        final Thread neverStarted = new Thread(() -> { }, "acceptor");

        final int overdue = exit(joinerEndingOnCall(1)).awaitAll(Arrays.asList(ended, null, neverStarted),
            overdueAtNs());

        assertThat(overdue).isZero();
        assertThat(joinsMs).isEmpty();
        assertThat(alarms).isEmpty();
    }

    @Test
    void shouldWaitWithoutReportWhileAThreadIsNotYetOverdue()
    {
        final Thread reactor = stuckReactor();

        final int overdue = exit(joinerEndingOnCall(1)).awaitAll(List.of(reactor), overdueAtNs());

        assertThat(reactor.isAlive()).isFalse();
        assertThat(overdue).isZero();
        assertThat(joinsMs).containsExactly(2_000L);
        assertThat(alarms).isEmpty();
        assertThat(interruptsSeen.get()).isZero();
    }

    @Test
    void shouldKeepWaitingWhenTheWaiterIsInterruptedAndSetItsFlagAgainOnReturn()
    {
        final Thread reactor = stuckReactor();
        final AtomicInteger calls = new AtomicInteger();
        final ThreadExit.Joiner interruptedOnce = (thread, millis) ->
        {
            if (calls.incrementAndGet() == 1)
            {
                throw new InterruptedException("the waiter was interrupted");
            }
            release.countDown();
            thread.join();
        };

        final int overdue;
        final boolean flagOnReturn;
        try
        {
            overdue = exit(interruptedOnce).awaitAll(List.of(reactor), overdueAtNs());
        }
        finally
        {
            flagOnReturn = Thread.interrupted(); // clears it for the next test
        }

        assertThat(reactor.isAlive()).as("an interrupt does not cut the wait short").isFalse();
        assertThat(calls.get()).isEqualTo(2);
        assertThat(flagOnReturn).as("the waiter's interrupt is set again on return").isTrue();
        assertThat(overdue).isZero();
        assertThat(alarms).isEmpty();
    }

    @Test
    void shouldNameTheThreadAndShowItsStack() throws InterruptedException
    {
        final CountDownLatch waiting = new CountDownLatch(1);
        final Thread thread = new Thread(() ->
        {
            waiting.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException ignore)
            {
                // ends
            }
        }, "reactor-3");
        thread.start();
        waiting.await();
        // Once its state is WAITING it is parked inside release.await(), so the stack shows that call.
        while (thread.getState() != Thread.State.WAITING)
        {
            Thread.onSpinWait();
        }

        final String report = ThreadExit.describe(thread, "is stuck");

        release.countDown();
        thread.join();
        assertThat(report).startsWith("reactor-3 is stuck; state WAITING")
            .contains(System.lineSeparator() + "    at ").contains("CountDownLatch.await");
    }
}
