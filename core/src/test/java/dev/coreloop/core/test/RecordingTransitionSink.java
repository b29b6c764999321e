package dev.coreloop.core.test;

import java.util.concurrent.atomic.AtomicLong;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.conn.TransitionSink;

/**
 * Keeps the last {@link #CAPACITY} connection transitions of a server in preallocated arrays, so an
 * integration test can print the transition log when it fails. Recording allocates nothing and never blocks.
 *
 * <p><b>Threading:</b> any number of reactor threads record; a slot is claimed with an atomic increment and
 * then written with plain stores, so {@link #dump()} (any thread, after the fact) may show a torn entry for a
 * transition recorded concurrently with it. That is acceptable for a diagnostic.
 */
public final class RecordingTransitionSink implements TransitionSink
{
    /** How many transitions are kept (a power of two). */
    public static final int CAPACITY = 4096;

    private final AtomicLong sequence = new AtomicLong();
    private final int[] reactor = new int[CAPACITY];
    private final long[] connectionId = new long[CAPACITY];
    private final int[] from = new int[CAPACITY];
    private final int[] to = new int[CAPACITY];
    private final int[] reason = new int[CAPACITY];
    private final long[] timeNs = new long[CAPACITY];

    @Override
    public void onTransition(final int reactorIndex, final long connectionId, final int fromCode, final int toCode,
        final int eventCode, final int reasonCode, final long nowNs)
    {
        final int slot = (int)(sequence.getAndIncrement() & (CAPACITY - 1));
        this.reactor[slot] = reactorIndex;
        this.connectionId[slot] = connectionId;
        this.from[slot] = fromCode;
        this.to[slot] = toCode;
        this.reason[slot] = reasonCode;
        this.timeNs[slot] = nowNs;
    }

    /** @return how many transitions were recorded in total. */
    public long count()
    {
        return sequence.get();
    }

    /** @return the last {@code max} transitions, oldest first, one per line. */
    public String dump(final int max)
    {
        final long end = sequence.get();
        final long start = Math.max(0, end - Math.min(max, CAPACITY));
        final StringBuilder sb = new StringBuilder();
        sb.append(end).append(" transitions recorded, last ").append(end - start).append(':')
            .append(System.lineSeparator());
        for (long seq = start; seq < end; seq++)
        {
            final int slot = (int)(seq & (CAPACITY - 1));
            sb.append("  reactor-").append(reactor[slot]).append(" conn ").append(connectionId[slot]).append(' ')
                .append(name(from[slot])).append(" -> ").append(name(to[slot]));
            if (reason[slot] != CloseReason.NONE.code())
            {
                sb.append(" (").append(reasonName(reason[slot])).append(')');
            }
            sb.append(" at ").append(timeNs[slot]).append("ns").append(System.lineSeparator());
        }
        return sb.toString();
    }

    private static String name(final int stateCode)
    {
        try
        {
            return ConnState.fromCode(stateCode).name();
        }
        catch (final IllegalArgumentException ex)
        {
            return "state#" + stateCode;
        }
    }

    private static String reasonName(final int reasonCode)
    {
        try
        {
            return CloseReason.fromCode(reasonCode).name();
        }
        catch (final IllegalArgumentException ex)
        {
            return "reason#" + reasonCode;
        }
    }
}
