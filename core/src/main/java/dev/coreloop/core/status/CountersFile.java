package dev.coreloop.core.status;

import dev.coreloop.core.AnyThread;
import java.nio.file.Path;
import java.util.Map;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The layout of a server's counters file, {@code <run directory>/coreloop-<pid>/counters.dat}, which
 * {@code coreloop stat} and other processes map read-only to watch a live server without locks (as Aeron's
 * {@code cnc.dat} is read by AeronStat).
 *
 * <pre>
 *   0  int   layout version ({@link #LAYOUT_VERSION}); 0 while the file is being built. Written LAST, with release.
 *   4  int   rows: reactors + 1 (the acceptor's row is last)
 *   8  long  pid of the server's process
 *  16  long  the process's start time (epoch ms; 0 if unknown), to tell a reused pid
 *  24  long  the server's start time (epoch ms)
 *  32  long  heartbeat (epoch ms), written about once a second by reactor-0 (release)
 *  40  int   length of the counters metadata section (labels, type ids)
 *  44  int   length of the counters values section
 *  48  int   server state: {@link #STATE_RUNNING}, {@link #STATE_DRAINING}, {@link #STATE_STOPPED} (release)
 * 128        metadata section, then values section: an Agrona counters buffer pair
 * </pre>
 *
 * In the counters buffers each counter's type id is its {@link ReactorCounter#id()} and its owner id is its row
 * (reactor index; the acceptor row is {@code rows - 1}), so a reader finds a counter without parsing labels and skips
 * type ids it does not know.
 *
 * <p><b>Publication:</b> the writer fills the whole header and allocates every counter before it stores the layout
 * version with release semantics; a reader loads the version with acquire semantics and treats 0 as "not ready",
 * so it sees either nothing or a complete header and complete metadata (see {@code CountersFileHeaderStress}).
 * Values and the heartbeat are single-writer longs stored with release and read with acquire (volatile).
 *
 * <p><b>Lifetime:</b> a clean stop marks the state {@link #STATE_STOPPED} and deletes the file and its directory. A
 * crash leaves them: a reader tells such a file is stale because the pid is not running (or runs another program:
 * its start time differs) or the heartbeat is older than {@link #HEARTBEAT_STALE_MS}.
 *
 * <p><b>Threading:</b> static layout helpers; the methods that take a buffer follow the rules above.
 */
public final class CountersFile
{
    /** The file's name inside its directory. */
    public static final String FILE_NAME = "counters.dat";
    /** The directory's name is this prefix and the pid. */
    public static final String DIRECTORY_PREFIX = "coreloop-";
    /** The environment variable systemd sets for {@code RuntimeDirectory=}; preferred over {@code /dev/shm}. */
    public static final String RUNTIME_DIRECTORY_ENV_NAME = "RUNTIME_DIRECTORY";
    /** The layout this version writes and reads. */
    public static final int LAYOUT_VERSION = 1;
    /** Bytes before the metadata section. */
    public static final int HEADER_LENGTH = 128;
    /** Offset of the layout version (int, written last with release). */
    public static final int LAYOUT_VERSION_OFFSET = 0;
    /** Offset of the row count (int). */
    public static final int ROW_COUNT_OFFSET = 4;
    /** Offset of the pid (long). */
    public static final int PID_OFFSET = 8;
    /** Offset of the process start time, epoch ms (long). */
    public static final int PROCESS_START_MS_OFFSET = 16;
    /** Offset of the server start time, epoch ms (long). */
    public static final int SERVER_START_MS_OFFSET = 24;
    /** Offset of the heartbeat, epoch ms (long, release). */
    public static final int HEARTBEAT_MS_OFFSET = 32;
    /** Offset of the metadata section's length (int). */
    public static final int METADATA_LENGTH_OFFSET = 40;
    /** Offset of the values section's length (int). */
    public static final int VALUES_LENGTH_OFFSET = 44;
    /** Offset of the server state (int, release). */
    public static final int SERVER_STATE_OFFSET = 48;
    /** Server state: serving. */
    public static final int STATE_RUNNING = 1;
    /** Server state: shutting down, draining connections. */
    public static final int STATE_DRAINING = 2;
    /** Server state: stopped cleanly (the file is about to be deleted). */
    public static final int STATE_STOPPED = 3;
    /** A heartbeat older than this marks the file stale (a hung or crashed server). */
    public static final long HEARTBEAT_STALE_MS = 5_000;

    private CountersFile()
    {
    }

    /**
     * Writes a complete header and then, last and with release semantics, the layout version. Call it after every
     * counter has been allocated in the sections that follow.
     *
     * @param header         the file's first {@link #HEADER_LENGTH} bytes.
     * @param rowCount       reactors + 1.
     * @param pid            the server's pid.
     * @param processStartMs the process's start time (epoch ms), 0 if unknown.
     * @param serverStartMs  the server's start time (epoch ms); also the first heartbeat.
     * @param metadataLength the metadata section's length.
     * @param valuesLength   the values section's length.
     */
    @AnyThread
    public static void publishHeader(
        final AtomicBuffer header,
        final int rowCount,
        final long pid,
        final long processStartMs,
        final long serverStartMs,
        final int metadataLength,
        final int valuesLength)
    {
        header.putInt(ROW_COUNT_OFFSET, rowCount);
        header.putLong(PID_OFFSET, pid);
        header.putLong(PROCESS_START_MS_OFFSET, processStartMs);
        header.putLong(SERVER_START_MS_OFFSET, serverStartMs);
        header.putLong(HEARTBEAT_MS_OFFSET, serverStartMs);
        header.putInt(METADATA_LENGTH_OFFSET, metadataLength);
        header.putInt(VALUES_LENGTH_OFFSET, valuesLength);
        header.putInt(SERVER_STATE_OFFSET, STATE_RUNNING);
        header.putIntRelease(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION); // release: pairs with the acquire in layoutVersion
    }

    /**
     * {@return the layout version, 0 while the writer has not published the header (acquire: pairs with the release
     * in {@link #publishHeader}; a non-zero value makes every header field and counter allocation visible)}
     *
     * @param header the file's first {@link #HEADER_LENGTH} bytes.
     */
    @AnyThread
    public static int layoutVersion(final AtomicBuffer header)
    {
        return header.getIntAcquire(LAYOUT_VERSION_OFFSET);
    }

    /**
     * Stores a heartbeat (single writer: reactor-0).
     *
     * @param header  the file's header.
     * @param epochMs the wall-clock time.
     */
    @AnyThread
    public static void heartbeat(final AtomicBuffer header, final long epochMs)
    {
        header.putLongRelease(HEARTBEAT_MS_OFFSET, epochMs); // release: pairs with the acquire in heartbeatMs
    }

    /**
     * {@return the latest heartbeat, epoch ms (acquire)}
     *
     * @param header the file's header.
     */
    @AnyThread
    public static long heartbeatMs(final AtomicBuffer header)
    {
        return header.getLongAcquire(HEARTBEAT_MS_OFFSET);
    }

    /** {@return the bytes of a file with {@code rowCount} rows of every counter} */
    static long fileLength(final int metadataLength, final int valuesLength)
    {
        return (long)HEADER_LENGTH + metadataLength + valuesLength;
    }

    /**
     * The run directory's parent for this environment: {@code $RUNTIME_DIRECTORY} when set (systemd's
     * {@code RuntimeDirectory=}, e.g. {@code /run/coreloop}), else {@code /dev/shm} when it exists (memory, no disk
     * writes), else {@code java.io.tmpdir}.
     *
     * @param env the environment ({@code System.getenv()}).
     * @return where {@code coreloop-<pid>} directories go.
     */
    @AnyThread
    public static Path defaultParentDirectory(final Map<String, String> env)
    {
        final String runtime = env.get(RUNTIME_DIRECTORY_ENV_NAME);
        if (runtime != null && !runtime.isBlank())
        {
            // systemd may list several directories separated by ':'; the first is this unit's own.
            final int colon = runtime.indexOf(':');
            return Path.of(colon < 0 ? runtime : runtime.substring(0, colon));
        }
        final Path shm = Path.of("/dev/shm");
        return java.nio.file.Files.isDirectory(shm) && java.nio.file.Files.isWritable(shm) ? shm :
            Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * {@return the default run directory of the process {@code pid}: {@code <parent>/coreloop-<pid>}}
     *
     * @param env the environment ({@code System.getenv()}).
     * @param pid a process id.
     */
    @AnyThread
    public static Path defaultDirectory(final Map<String, String> env, final long pid)
    {
        return defaultParentDirectory(env).resolve(DIRECTORY_PREFIX + pid);
    }
}
