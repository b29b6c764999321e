package dev.coreloop.core.test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import dev.coreloop.core.CloseReason;

/**
 * What handlers in an integration test saw, recorded from reactor threads and read by the test thread:
 * connections opened per reactor, closes per reason, input closes, writability changes and the largest
 * outbound backlog observed. Recording allocates nothing, so it can stay on during allocation tests.
 *
 * <p><b>Threading:</b> written by any number of reactor threads, read by any thread; every field is an atomic.
 */
public final class ServerEvents
{
    /** Reactor indexes beyond this are counted in the last slot. */
    public static final int MAX_REACTORS = 64;

    private static final CloseReason[] REASONS = CloseReason.values();

    private final AtomicIntegerArray openedByReactor = new AtomicIntegerArray(MAX_REACTORS);
    private final AtomicIntegerArray closedByReason = new AtomicIntegerArray(REASONS.length);
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();
    private final AtomicInteger inputClosed = new AtomicInteger();
    private final AtomicInteger becameUnwritable = new AtomicInteger();
    private final AtomicInteger becameWritable = new AtomicInteger();
    private final AtomicLong maxOutboundBytes = new AtomicLong();
    private final AtomicLong bytesEchoed = new AtomicLong();

    void onOpened(final int reactorIndex)
    {
        openedByReactor.incrementAndGet(Math.min(reactorIndex, MAX_REACTORS - 1));
        opened.incrementAndGet();
    }

    void onClosed(final CloseReason reason)
    {
        closedByReason.incrementAndGet(reason.ordinal());
        closed.incrementAndGet();
    }

    void onInputClosed()
    {
        inputClosed.incrementAndGet();
    }

    void onWritabilityChanged(final boolean writable)
    {
        (writable ? becameWritable : becameUnwritable).incrementAndGet();
    }

    void onEchoed(final int bytes, final long outboundBytes)
    {
        bytesEchoed.addAndGet(bytes);
        long max = maxOutboundBytes.get();
        while (outboundBytes > max && !maxOutboundBytes.compareAndSet(max, outboundBytes))
        {
            max = maxOutboundBytes.get();
        }
    }

    /** @return connections opened so far on reactor {@code reactorIndex}. */
    public int openedOn(final int reactorIndex)
    {
        return openedByReactor.get(reactorIndex);
    }

    /** @return connections opened so far. */
    public int opened()
    {
        return opened.get();
    }

    /** @return connections closed so far. */
    public int closed()
    {
        return closed.get();
    }

    /** @return connections closed so far with {@code reason}. */
    public int closed(final CloseReason reason)
    {
        return closedByReason.get(reason.ordinal());
    }

    /** @return how many connections saw the peer's FIN. */
    public int inputClosed()
    {
        return inputClosed.get();
    }

    /** @return how many times a connection became unwritable (backlog above the high watermark). */
    public int becameUnwritable()
    {
        return becameUnwritable.get();
    }

    /** @return how many times a connection became writable again (backlog below the low watermark). */
    public int becameWritable()
    {
        return becameWritable.get();
    }

    /** @return the largest outbound backlog a handler saw right after writing, in bytes. */
    public long maxOutboundBytes()
    {
        return maxOutboundBytes.get();
    }

    /** @return bytes accepted for echo by all handlers. */
    public long bytesEchoed()
    {
        return bytesEchoed.get();
    }

    /** @return a one-line summary for assertion messages. */
    public String summary()
    {
        final StringBuilder sb = new StringBuilder()
            .append("opened=").append(opened()).append(" closed=").append(closed())
            .append(" inputClosed=").append(inputClosed())
            .append(" unwritable=").append(becameUnwritable()).append(" writable=").append(becameWritable())
            .append(" maxOutboundBytes=").append(maxOutboundBytes()).append(" byReason={");
        for (final CloseReason reason : REASONS)
        {
            final int n = closed(reason);
            if (n > 0)
            {
                sb.append(reason).append('=').append(n).append(' ');
            }
        }
        return sb.append('}').toString();
    }

    /** Waits until {@code closed() >= count}; fails with the summary if it takes longer than {@code timeoutMs}. */
    public void awaitClosed(final int count, final long timeoutMs)
    {
        await(() -> closed() >= count, timeoutMs, "closed >= " + count);
    }

    /** Waits until {@code closed(reason) >= count}. */
    public void awaitClosed(final CloseReason reason, final int count, final long timeoutMs)
    {
        await(() -> closed(reason) >= count, timeoutMs, "closed(" + reason + ") >= " + count);
    }

    /** Waits until {@code opened() >= count}. */
    public void awaitOpened(final int count, final long timeoutMs)
    {
        await(() -> opened() >= count, timeoutMs, "opened >= " + count);
    }

    /**
     * Polls {@code condition} every millisecond until it holds; an {@link AssertionError} naming {@code what}
     * and the recorded events when {@code timeoutMs} passes first.
     */
    public void await(final BooleanSupplier condition, final long timeoutMs, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what + ": " +
                    summary());
            }
            try
            {
                Thread.sleep(1);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, ex);
            }
        }
    }
}
