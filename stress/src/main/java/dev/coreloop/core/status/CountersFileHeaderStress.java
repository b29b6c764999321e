package dev.coreloop.core.status;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IZ_Result;

/**
 * The counters file's publication: the server fills the header and allocates its counters, then stores the layout
 * version last with release ({@link CountersFile#publishHeader}); a reader (in production another process mapping the
 * same pages) loads the version with acquire ({@link CountersFile#layoutVersion}) and reads the rest only when it is
 * not 0. It must see either "not ready" or every field, and every counter record written before; never a version with
 * a half-written header.
 *
 * <p>The int at {@link CountersFile#HEADER_LENGTH} stands for the counters' metadata, which the server writes before
 * it publishes the header.
 *
 * <p>Result: (layout version seen, every field and the metadata complete when it was not 0).
 *
 * <p><b>Threading:</b> actor 1 is the thread that starts the server, actor 2 a reader.
 */
@JCStressTest
@Description("CountersFile header: a reader sees not-ready or a complete header, never a partial one")
@Outcome(id = "0, true", expect = ACCEPTABLE, desc = "Not ready yet: the reader waits and tries again.")
@Outcome(id = "1, true", expect = ACCEPTABLE, desc = "Ready, and every field and counter is there.")
@Outcome(id = "1, false", expect = FORBIDDEN, desc = "Version published but some field or counter missing.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class CountersFileHeaderStress
{
    private static final int ROWS = 5;
    private static final long PID = 4242;
    private static final long PROCESS_START_MS = 1_700_000_000_000L;
    private static final long SERVER_START_MS = 1_700_000_001_000L;
    private static final int METADATA_LENGTH = 5 * 512;
    private static final int VALUES_LENGTH = 5 * 128;
    private static final int METADATA_MARK = 0x5EED;

    private final UnsafeBuffer file = new UnsafeBuffer(ByteBuffer.allocateDirect(CountersFile.HEADER_LENGTH + 64));

    /** The server: counters first, then the header, the version last. */
    @Actor
    public void writer()
    {
        file.putInt(CountersFile.HEADER_LENGTH, METADATA_MARK);
        CountersFile.publishHeader(file, ROWS, PID, PROCESS_START_MS, SERVER_START_MS, METADATA_LENGTH, VALUES_LENGTH);
    }

    /** A reader. */
    @Actor
    public void reader(final IZ_Result r)
    {
        final int version = CountersFile.layoutVersion(file);
        r.r1 = version;
        r.r2 = version == 0 || (
            file.getInt(CountersFile.ROW_COUNT_OFFSET) == ROWS &&
            file.getLong(CountersFile.PID_OFFSET) == PID &&
            file.getLong(CountersFile.PROCESS_START_MS_OFFSET) == PROCESS_START_MS &&
            file.getLong(CountersFile.SERVER_START_MS_OFFSET) == SERVER_START_MS &&
            CountersFile.heartbeatMs(file) == SERVER_START_MS &&
            file.getInt(CountersFile.METADATA_LENGTH_OFFSET) == METADATA_LENGTH &&
            file.getInt(CountersFile.VALUES_LENGTH_OFFSET) == VALUES_LENGTH &&
            file.getInt(CountersFile.SERVER_STATE_OFFSET) == CountersFile.STATE_RUNNING &&
            file.getInt(CountersFile.HEADER_LENGTH) == METADATA_MARK);
    }
}
