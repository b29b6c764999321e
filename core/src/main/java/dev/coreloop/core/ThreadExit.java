package dev.coreloop.core;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.agrona.concurrent.NanoClock;

/**
 * Waits until a server's threads have ended, however long that takes: {@link Server#shutdown} returns only then.
 *
 * <p>Agrona's {@code AgentRunner.close()} is not enough on its own. It returns without joining when the agent has
 * already closed itself (a reactor that died or failed to start sets the runner's closed flag a few instructions
 * before its thread ends), and when it wins the race against a thread that was started but has not yet run (it then
 * closes the agent on the caller's thread and leaves the started thread to find the tombstone). On a loaded machine
 * either thread can stay alive for a long time after {@code close()} returned.
 *
 * <p>A thread still alive at the overdue time is reported through the alarm (its name, state and stack) and
 * interrupted once; the report repeats every {@code reportIntervalNs} while it lives. Waiting is uninterruptible: an
 * interrupt of the waiting thread is remembered and restored on return, so "returned" always means "ended".
 *
 * <p><b>Threading:</b> stateless apart from its final fields; any thread but the ones waited for.
 */
final class ThreadExit
{
    /** How the wait blocks: {@link Thread#join(long)}, or a test's stand-in that moves a fake clock. */
    @FunctionalInterface
    interface Joiner
    {
        /**
         * Waits at most {@code millis} for {@code thread} to end.
         *
         * @param thread the thread.
         * @param millis how long, at least 1.
         * @throws InterruptedException if the waiting thread is interrupted.
         */
        void join(Thread thread, long millis) throws InterruptedException;
    }

    /** The real joiner. */
    static final Joiner THREAD_JOIN = Thread::join;

    private final NanoClock clock;
    private final Joiner joiner;
    private final long reportIntervalNs;
    private final Consumer<String> alarm;

    /**
     * Creates a waiter.
     *
     * @param clock            the clock the overdue time is read against.
     * @param joiner           how to block; {@link #THREAD_JOIN} outside tests.
     * @param reportIntervalNs how often an overdue thread is reported again while it lives.
     * @param alarm            where reports go (an error log).
     */
    ThreadExit(final NanoClock clock, final Joiner joiner, final long reportIntervalNs, final Consumer<String> alarm)
    {
        if (reportIntervalNs <= 0)
        {
            throw new IllegalArgumentException("reportIntervalNs=" + reportIntervalNs + ": must be positive");
        }
        this.clock = clock;
        this.joiner = joiner;
        this.reportIntervalNs = reportIntervalNs;
        this.alarm = alarm;
    }

    /**
     * Returns once every thread of {@code threads} has ended.
     *
     * @param threads     the threads (null entries are skipped).
     * @param overdueAtNs when, on this waiter's clock, a thread still alive gets reported and interrupted.
     * @return how many threads were still alive at {@code overdueAtNs} (0: all ended in time).
     */
    int awaitAll(final List<Thread> threads, final long overdueAtNs)
    {
        boolean interrupted = false;
        int overdue = 0;
        for (final Thread thread : threads)
        {
            if (thread == null)
            {
                continue;
            }
            long reportAtNs = overdueAtNs;
            boolean reported = false;
            while (thread.isAlive())
            {
                final long nowNs = clock.nanoTime();
                if (reportAtNs - nowNs <= 0)
                {
                    alarm.accept(describe(thread, "has not ended " +
                        TimeUnit.NANOSECONDS.toMillis(nowNs - overdueAtNs) + " ms after it was due to; " +
                        (reported ? "" : "interrupting it; ") +
                        "still waiting (a server's shutdown returns only once its threads have ended)"));
                    if (!reported)
                    {
                        overdue++;
                        reported = true;
                        thread.interrupt(); // after the report, so that its stack shows where the thread was stuck
                    }
                    reportAtNs = nowNs + reportIntervalNs;
                }
                final long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(reportAtNs - nowNs));
                try
                {
                    joiner.join(thread, waitMs);
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        return overdue;
    }

    /**
     * {@return one line naming {@code thread} and its state, then its stack, for an error report}
     *
     * @param thread the thread.
     * @param what   what is wrong with it.
     */
    static String describe(final Thread thread, final String what)
    {
        final StringBuilder sb = new StringBuilder().append(thread.getName()).append(' ').append(what)
            .append("; state ").append(thread.getState());
        for (final StackTraceElement frame : thread.getStackTrace())
        {
            sb.append(System.lineSeparator()).append("    at ").append(frame);
        }
        return sb.toString();
    }
}
