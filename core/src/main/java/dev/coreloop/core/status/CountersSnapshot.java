package dev.coreloop.core.status;

/**
 * A copy of every reactor's counters, taken without locks at one moment per counter (not an atomic cut across
 * counters).
 *
 * <p><b>Threading:</b> immutable; any thread.
 */
public final class CountersSnapshot
{
    private final long[][] values;

    /**
     * Wraps values read by {@link ServerCounters#snapshot()}.
     *
     * @param values {@code [row][counter id]}, one row per reactor then the acceptor's row; kept, not copied.
     */
    public CountersSnapshot(final long[][] values)
    {
        this.values = values;
    }

    /** {@return how many reactors the snapshot covers} */
    public int reactorCount()
    {
        return values.length - 1;
    }

    /**
     * {@return the value of {@code counter} on the acceptor thread's row (its EMFILE back-offs)}
     *
     * @param counter which counter.
     */
    public long acceptor(final ReactorCounter counter)
    {
        return values[values.length - 1][counter.id()];
    }

    /**
     * {@return the value of {@code counter} on reactor {@code reactorIndex}}
     *
     * @param reactorIndex the reactor, {@code 0 .. reactorCount() - 1}.
     * @param counter      which counter.
     */
    public long value(final int reactorIndex, final ReactorCounter counter)
    {
        return values[reactorIndex][counter.id()];
    }

    /**
     * {@return the sum over reactors and the acceptor (the largest value for a {@link ReactorCounter.Kind#MAX} counter)}
     *
     * @param counter which counter.
     */
    public long total(final ReactorCounter counter)
    {
        long total = 0;
        for (final long[] row : values)
        {
            total = counter.kind() == ReactorCounter.Kind.MAX ? Math.max(total, row[counter.id()]) : total + row[counter.id()];
        }
        return total;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (final ReactorCounter counter : ReactorCounter.values())
        {
            final long total = total(counter);
            if (total != 0)
            {
                sb.append(counter.name()).append('=').append(total);
                if (values.length > 2)
                {
                    sb.append(" [");
                    for (int r = 0; r < values.length; r++)
                    {
                        sb.append(r == 0 ? "" : ",").append(values[r][counter.id()]);
                    }
                    sb.append(']');
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
