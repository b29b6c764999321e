package dev.coreloop.core.status;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersReader;

/**
 * Reads a live server's {@link CountersFile} from any process: maps it read-only, checks the layout version
 * (acquire), indexes the counters by row and {@link ReactorCounter} once, then reads values without locks.
 *
 * <pre>{@code
 * try (CountersFileReader reader = CountersFileReader.open(Path.of("/dev/shm/coreloop-4242/counters.dat")))
 * {
 *     long accepted = reader.value(0, ReactorCounter.ACCEPTED);
 *     String stale = reader.staleReason(System.currentTimeMillis());   // null while the server is alive
 * }
 * }</pre>
 *
 * <p><b>Threading:</b> one reader per thread; reading never blocks or disturbs the server.
 */
public final class CountersFileReader implements AutoCloseable
{
    /** Thrown by {@link #open} when the file exists but its writer has not published the header yet. */
    public static final class NotReadyException extends IOException
    {
        private static final long serialVersionUID = 1L;

        NotReadyException(final String message)
        {
            super(message);
        }
    }

    private final Path file;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer header;
    private final CountersReader counters;
    private final int rowCount;
    private final int[][] counterIds;
    private boolean closed;

    private CountersFileReader(final Path file, final MappedByteBuffer mapped) throws IOException
    {
        this.file = file;
        this.mapped = mapped;
        header = new UnsafeBuffer(mapped, 0, CountersFile.HEADER_LENGTH);
        final int version = CountersFile.layoutVersion(header);
        if (version == 0)
        {
            throw new NotReadyException(file + ": the server is still writing the header");
        }
        if (version != CountersFile.LAYOUT_VERSION)
        {
            throw new IOException(file + ": layout version " + version + ", this reader knows " +
                CountersFile.LAYOUT_VERSION + " (use the coreloop that runs the server)");
        }
        rowCount = header.getInt(CountersFile.ROW_COUNT_OFFSET);
        final int metadataLength = header.getInt(CountersFile.METADATA_LENGTH_OFFSET);
        final int valuesLength = header.getInt(CountersFile.VALUES_LENGTH_OFFSET);
        if (rowCount < 1 || metadataLength < 0 || valuesLength < 0 ||
            CountersFile.fileLength(metadataLength, valuesLength) > mapped.capacity())
        {
            throw new IOException(file + ": corrupt header (rows " + rowCount + ", sections " + metadataLength + "+" +
                valuesLength + " bytes in a file of " + mapped.capacity() + ")");
        }
        counters = new CountersReader(
            new UnsafeBuffer(mapped, CountersFile.HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, CountersFile.HEADER_LENGTH + metadataLength, valuesLength));
        counterIds = new int[rowCount][ReactorCounter.ID_LIMIT];
        for (final int[] row : counterIds)
        {
            java.util.Arrays.fill(row, CountersReader.NULL_COUNTER_ID);
        }
        final int maxCounterId = counters.maxCounterId();
        for (int id = 0; id <= maxCounterId; id++) // maxCounterId is the largest valid id
        {
            if (counters.getCounterState(id) == CountersReader.RECORD_ALLOCATED)
            {
                final int typeId = counters.getCounterTypeId(id);
                final long row = counters.getCounterOwnerId(id);
                if (typeId >= 0 && typeId < ReactorCounter.ID_LIMIT && row >= 0 && row < rowCount)
                {
                    counterIds[(int)row][typeId] = id;
                }
            }
        }
    }

    /**
     * Maps {@code file} read-only and indexes it.
     *
     * @param file a {@link CountersFile#FILE_NAME}, or the directory that holds one.
     * @return the reader; close it to unmap.
     * @throws NotReadyException while the server is still building the file (try again shortly).
     * @throws IOException       when the file is missing, unreadable, of another layout version or corrupt; the
     *                           message names the file.
     */
    public static CountersFileReader open(final Path file) throws IOException
    {
        final Path path = Files.isDirectory(file) ? file.resolve(CountersFile.FILE_NAME) : file;
        if (!Files.isRegularFile(path))
        {
            throw new IOException(path + ": no such counters file");
        }
        if (Files.size(path) < CountersFile.HEADER_LENGTH)
        {
            throw new NotReadyException(path + ": the server is still creating the file");
        }
        final MappedByteBuffer mapped;
        try
        {
            mapped = IoUtil.mapExistingFile(path.toFile(), FileChannel.MapMode.READ_ONLY, "counters");
        }
        catch (final RuntimeException ex)
        {
            throw new IOException(path + ": cannot map: " + ex.getMessage(), ex);
        }
        try
        {
            return new CountersFileReader(path, mapped);
        }
        catch (final IOException | RuntimeException ex)
        {
            IoUtil.unmap(mapped);
            throw ex;
        }
    }

    /** {@return the file read} */
    public Path file()
    {
        return file;
    }

    /** {@return how many reactors the server runs} */
    public int reactorCount()
    {
        return rowCount - 1;
    }

    /** {@return the acceptor's row index} */
    public int acceptorRow()
    {
        return rowCount - 1;
    }

    /** {@return the server's pid} */
    public long pid()
    {
        return header.getLong(CountersFile.PID_OFFSET);
    }

    /** {@return the server process's start time, epoch ms, or 0 if unknown} */
    public long processStartMs()
    {
        return header.getLong(CountersFile.PROCESS_START_MS_OFFSET);
    }

    /** {@return the server's start time, epoch ms} */
    public long serverStartMs()
    {
        return header.getLong(CountersFile.SERVER_START_MS_OFFSET);
    }

    /** {@return the latest heartbeat of the server (reactor-0), epoch ms (acquire)} */
    public long heartbeatMs()
    {
        return CountersFile.heartbeatMs(header);
    }

    /** {@return the server state, one of {@code CountersFile.STATE_*} (acquire)} */
    public int serverState()
    {
        return header.getIntAcquire(CountersFile.SERVER_STATE_OFFSET); // acquire: pairs with ServerCounters#serverState
    }

    /** {@return the server state as a word: running, draining, stopped} */
    public String serverStateName()
    {
        switch (serverState())
        {
            case CountersFile.STATE_RUNNING:
                return "running";
            case CountersFile.STATE_DRAINING:
                return "draining";
            case CountersFile.STATE_STOPPED:
                return "stopped";
            default:
                return "unknown";
        }
    }

    /**
     * {@return the value (a volatile read), or 0 for a counter the file does not hold}
     *
     * @param row     a reactor index, or {@link #acceptorRow()}.
     * @param counter which counter.
     */
    public long value(final int row, final ReactorCounter counter)
    {
        final int id = counterIds[row][counter.id()];
        return id == CountersReader.NULL_COUNTER_ID ? 0 : counters.getCounterValue(id);
    }

    /**
     * Copies every value into {@code into} (allocation-free), {@code [row][counter id]}.
     *
     * @param into an array of at least {@code reactorCount() + 1} rows of {@link ReactorCounter#ID_LIMIT} longs.
     */
    public void snapshot(final long[][] into)
    {
        for (int r = 0; r < rowCount; r++)
        {
            for (final ReactorCounter counter : ReactorCounter.all())
            {
                into[r][counter.id()] = value(r, counter);
            }
        }
    }

    /**
     * {@return null while the server that wrote the file is alive, else why the file is stale: the pid is not
     * running, the pid now belongs to another process (its start time differs), the server stopped, or the heartbeat
     * is older than {@link CountersFile#HEARTBEAT_STALE_MS}}
     *
     * @param nowMs the wall-clock time.
     */
    public String staleReason(final long nowMs)
    {
        final long pid = pid();
        final Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive())
        {
            return "process " + pid + " is not running (crashed or killed; remove " + file.getParent() + ")";
        }
        final long startMs = processStartMs();
        final long actualStartMs = process.get().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        if (startMs != 0 && actualStartMs != 0 && Math.abs(actualStartMs - startMs) > 1_000)
        {
            return "pid " + pid + " now belongs to another process (remove " + file.getParent() + ")";
        }
        if (serverState() == CountersFile.STATE_STOPPED)
        {
            return "the server stopped";
        }
        final long ageMs = nowMs - heartbeatMs();
        if (ageMs > CountersFile.HEARTBEAT_STALE_MS)
        {
            return "no heartbeat for " + (ageMs / 1000) + " s (process " + pid + " hung or its reactor-0 is stuck)";
        }
        return null;
    }

    /** Unmaps the file. Do not use the reader afterwards. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            IoUtil.unmap(mapped);
        }
    }
}
