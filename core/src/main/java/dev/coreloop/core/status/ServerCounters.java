package dev.coreloop.core.status;

import dev.coreloop.core.AnyThread;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The counters of one server: one row of {@link ReactorCounter}s per reactor, plus a last row for the acceptor
 * thread (row {@link #acceptorRow()}), in an Agrona {@link CountersManager}: either over off-heap memory
 * ({@link #ServerCounters(int)}) or over a memory-mapped {@link CountersFile} that other processes read
 * ({@link #mapped(int, Path)}). Each counter's type id is its {@link ReactorCounter#id()}, its owner id its row, and
 * its label names the role ({@code reactor-0: connections accepted and registered}).
 *
 * <p><b>Threading:</b> built on the thread that starts the server. Afterwards each counter has one writer
 * ({@link ReactorCounter#writer()}); the header's heartbeat is written by reactor-0 ({@link #heartbeat}) and its
 * server state by the thread that stops the server ({@link #serverState}); {@link #value} and {@link #snapshot} may
 * be called from any thread and read with acquire semantics (pairs with the release stores of the writers).
 */
public final class ServerCounters
{
    private final CountersManager manager;
    private final AtomicCounter[][] rows;
    private final AtomicBuffer header;
    private final Path file;
    // Kept referenced so the mapping lives as long as this object: it is never unmapped explicitly (a reader of these
    // counters in this process, e.g. a metrics scrape racing shutdown, must never touch unmapped memory); deleting the
    // file at close frees its name, and the memory goes when the buffer is collected.
    private final ByteBuffer memory;

    /**
     * Allocates the counters of a server in off-heap memory no other process sees: one row per reactor, then the
     * acceptor's row.
     *
     * @param reactorCount how many reactor rows to allocate.
     */
    public ServerCounters(final int reactorCount)
    {
        this(reactorCount, ByteBuffer.allocateDirect(totalLength(reactorCount + 1)), null);
    }

    private ServerCounters(final int reactorCount, final ByteBuffer memory, final Path file)
    {
        final int rowCount = reactorCount + 1;
        final int metadataLength = metadataLength(rowCount);
        final int valuesLength = valuesLength(rowCount);
        this.memory = memory;
        this.file = file;
        this.header = new UnsafeBuffer(memory, 0, CountersFile.HEADER_LENGTH);
        final UnsafeBuffer metadata = new UnsafeBuffer(memory, CountersFile.HEADER_LENGTH, metadataLength);
        final UnsafeBuffer values = new UnsafeBuffer(memory, CountersFile.HEADER_LENGTH + metadataLength, valuesLength);
        manager = new CountersManager(metadata, values);
        rows = new AtomicCounter[rowCount][ReactorCounter.ID_LIMIT];
        for (int r = 0; r < rowCount; r++)
        {
            final String role = r == reactorCount ? "acceptor" : "reactor-" + r;
            for (final ReactorCounter counter : ReactorCounter.all())
            {
                final AtomicCounter atomicCounter = manager.newCounter(role + ": " + counter.label(), counter.id());
                manager.setCounterOwnerId(atomicCounter.id(), r);
                rows[r][counter.id()] = atomicCounter;
            }
        }
        for (int r = 0; r < reactorCount; r++)
        {
            rows[r][ReactorCounter.CURRENT_CPU.id()].setRelease(-1);
            rows[r][ReactorCounter.PLANNED_CPU.id()].setRelease(-1);
        }
        final long nowMs = System.currentTimeMillis();
        CountersFile.publishHeader(header, rowCount, ProcessHandle.current().pid(), processStartMs(), nowMs,
            metadataLength, valuesLength);
    }

    /**
     * Creates {@code directory} (owner and group only) and the counters file {@link CountersFile#FILE_NAME} in it,
     * maps it and allocates the counters there; a file left there before (a crashed process whose pid this one
     * reuses) is replaced.
     *
     * @param reactorCount how many reactor rows to allocate.
     * @param directory    the run directory, e.g. {@code /dev/shm/coreloop-<pid>}.
     * @return the counters; {@link #close()} deletes the file and the directory.
     * @throws UncheckedIOException naming the file when it cannot be created or mapped.
     */
    public static ServerCounters mapped(final int reactorCount, final Path directory)
    {
        final Path path = directory.resolve(CountersFile.FILE_NAME);
        try
        {
            Files.createDirectories(directory);
            try
            {
                Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-x---"));
            }
            catch (final UnsupportedOperationException ignore)
            {
                // not a POSIX file system: keep the default permissions
            }
            Files.deleteIfExists(path);
            final File target = path.toFile();
            final MappedByteBuffer mapped = IoUtil.mapNewFile(target, totalLength(reactorCount + 1), true);
            try
            {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-r-----"));
            }
            catch (final UnsupportedOperationException ignore)
            {
                // not a POSIX file system: keep the default permissions
            }
            return new ServerCounters(reactorCount, mapped, path);
        }
        catch (final IOException | IllegalStateException ex)
        {
            throw new UncheckedIOException(new IOException("cannot create the counters file " + path + ": " + ex, ex));
        }
    }

    private static long processStartMs()
    {
        return ProcessHandle.current().info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
    }

    private static int metadataLength(final int rowCount)
    {
        return rowCount * ReactorCounter.all().length * CountersReader.METADATA_LENGTH;
    }

    private static int valuesLength(final int rowCount)
    {
        return rowCount * ReactorCounter.all().length * CountersReader.COUNTER_LENGTH;
    }

    private static int totalLength(final int rowCount)
    {
        return (int)CountersFile.fileLength(metadataLength(rowCount), valuesLength(rowCount));
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
            for (final ReactorCounter counter : ReactorCounter.all())
            {
                values[r][counter.id()] = rows[r][counter.id()].getAcquire();
            }
        }
        return values;
    }

    /**
     * Stores the heartbeat of a row ({@link ReactorCounter#HEARTBEAT_MS}); row 0's also goes to the file header. Only
     * the row's writer calls it.
     *
     * @param row     the reactor index, or {@link #acceptorRow()}.
     * @param epochMs the wall-clock time.
     */
    @AnyThread
    public void heartbeat(final int row, final long epochMs)
    {
        rows[row][ReactorCounter.HEARTBEAT_MS.id()].setRelease(epochMs); // release: pairs with the readers' acquire
        if (row == 0)
        {
            CountersFile.heartbeat(header, epochMs);
        }
    }

    /**
     * Stores the server state in the header (one writer: the thread that starts or stops the server).
     *
     * @param state {@link CountersFile#STATE_RUNNING}, {@link CountersFile#STATE_DRAINING} or
     *              {@link CountersFile#STATE_STOPPED}.
     */
    @AnyThread
    public void serverState(final int state)
    {
        header.putIntRelease(CountersFile.SERVER_STATE_OFFSET, state); // release: pairs with CountersFileReader's acquire
    }

    /** {@return the counters file, or null when the counters live in private memory} */
    @AnyThread
    public Path file()
    {
        return file;
    }

    /** {@return the reader over the whole buffer (labels and values)} */
    @AnyThread
    public CountersReader reader()
    {
        return manager;
    }

    /**
     * Marks the server stopped and deletes the counters file and its directory (if empty then); the values stay
     * readable in this process. Idempotent; does nothing for private memory.
     *
     * @return null, or why the file or directory could not be deleted.
     */
    @AnyThread
    public String close()
    {
        if (file == null)
        {
            return null;
        }
        serverState(CountersFile.STATE_STOPPED);
        try
        {
            Files.deleteIfExists(file);
            final Path directory = file.getParent();
            try (java.util.stream.Stream<Path> entries = Files.list(directory))
            {
                if (entries.findAny().isEmpty())
                {
                    Files.deleteIfExists(directory);
                }
            }
            return null;
        }
        catch (final IOException ex)
        {
            return "cannot delete " + file + ": " + ex;
        }
    }
}
