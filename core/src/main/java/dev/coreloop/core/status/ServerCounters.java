package dev.coreloop.core.status;

import dev.coreloop.core.AnyThread;
import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The counters of one server: one row of {@link ReactorCounter}s per reactor, plus a last row for the acceptor
 * thread (row {@link #acceptorRow()}: its EMFILE back-offs), in an Agrona
 * {@link CountersManager} over off-heap buffers (so a later change can map them to a file for {@code coreloop stat}).
 * Each counter's type id is its {@link ReactorCounter#id()} and its label names the reactor.
 *
 * <p><b>Threading:</b> built on the thread that starts the server. Afterwards each counter has one writer
 * ({@link ReactorCounter#writer()}); {@link #value} and {@link #snapshot} may be called from any thread and read
 * with acquire semantics (pairs with the release stores of the writers).
 */
public final class ServerCounters
{
    private final CountersManager manager;
    private final AtomicCounter[][] rows;

    /**
     * Allocates the counters of a server: one row per reactor, then the acceptor's row.
     *
     * @param reactorCount how many rows to allocate.
     */
    public ServerCounters(final int reactorCount)
    {
        final int rowCount = reactorCount + 1;
        final int counters = rowCount * ReactorCounter.values().length;
        final UnsafeBuffer metadata = new UnsafeBuffer(
            ByteBuffer.allocateDirect(counters * CountersReader.METADATA_LENGTH));
        final UnsafeBuffer values = new UnsafeBuffer(
            ByteBuffer.allocateDirect(counters * CountersReader.COUNTER_LENGTH));
        manager = new CountersManager(metadata, values);
        rows = new AtomicCounter[rowCount][ReactorCounter.ID_LIMIT];
        for (int r = 0; r < rowCount; r++)
        {
            final String role = r == reactorCount ? "acceptor" : "reactor-" + r;
            for (final ReactorCounter counter : ReactorCounter.values())
            {
                rows[r][counter.id()] = manager.newCounter(role + ": " + counter.label(), counter.id());
            }
        }
    }

    /**
     * {@return the counter {@code counter} of reactor {@code reactorIndex}; only its writer may update it}
     *
     * @param reactorIndex the reactor, or {@link #acceptorRow()} for the acceptor.
     * @param counter      which counter.
     */
    @AnyThread
    public AtomicCounter counter(final int reactorIndex, final ReactorCounter counter)
    {
        return rows[reactorIndex][counter.id()];
    }

    /** {@return how many reactor rows there are (the acceptor row is not one)} */
    @AnyThread
    public int reactorCount()
    {
        return rows.length - 1;
    }

    /** {@return the index of the acceptor's row} */
    @AnyThread
    public int acceptorRow()
    {
        return rows.length - 1;
    }

    /**
     * {@return the current value (acquire)}
     *
     * @param reactorIndex the reactor, or {@link #acceptorRow()} for the acceptor.
     * @param counter      which counter.
     */
    @AnyThread
    public long value(final int reactorIndex, final ReactorCounter counter)
    {
        return rows[reactorIndex][counter.id()].getAcquire();
    }

    /** {@return a copy of every value, {@code [row][counter id]}, the acceptor row last} */
    @AnyThread
    public long[][] snapshot()
    {
        final long[][] values = new long[rows.length][ReactorCounter.ID_LIMIT];
        for (int r = 0; r < rows.length; r++)
        {
            for (final ReactorCounter counter : ReactorCounter.values())
            {
                values[r][counter.id()] = rows[r][counter.id()].getAcquire();
            }
        }
        return values;
    }

    /** {@return the reader over the whole buffer (labels and values)} */
    @AnyThread
    public CountersReader reader()
    {
        return manager;
    }
}
