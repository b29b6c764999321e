package dev.coreloop.deploy;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import dev.coreloop.core.status.CountersFile;
import dev.coreloop.core.status.CountersFileReader;
import dev.coreloop.core.status.PinState;
import dev.coreloop.core.status.ReactorCounter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code coreloop stat [PID|DIR]}: watches a running server through its counters file ({@link CountersFile}), from
 * another process and without disturbing it: a table per reactor with rates per second, refreshed every interval
 * (like AeronStat or {@code top}), or once ({@code --once}), or as JSON ({@code --json}).
 *
 * <p>Which server: a PID (its {@code coreloop-<PID>} directory is looked up in {@code $RUNTIME_DIRECTORY},
 * {@code /run/coreloop}, {@code /dev/shm} and the temp directory), a directory or a counters file; with no argument,
 * the one live server found there (several: they are listed, exit 2).
 *
 * <p><b>Threading:</b> runs on the main thread.
 */
@Command(
    name = "stat",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    header = "Watch a running coreloop server's counters: per reactor, rates per second.",
    synopsisHeading = "%nUsage: ",
    description = {
        "%nReads the server's counters file (DIR/counters.dat, written by every 'coreloop serve' and by an embedded "
            + "server given ServerContext.countersDirectory) without locks, and prints a table per reactor: connections,"
            + " accepts, closes, bytes and syscalls per second, loop cycles, the longest cycle, stalls, timer lag, queue"
            + " depths, rejections, the CPU and the pin status. Refreshes every interval until Ctrl-C or the server"
            + " stops.",
        ""
    },
    footerHeading = "%n",
    footer = {
        "Exit status: 0 once the server stopped cleanly (or after --once); 1 when no server is found, or its file is"
            + " stale (the process died or hangs); 2 for bad input or several servers to choose from.",
        "",
        "Examples:",
        "  coreloop stat                        # the one server running here",
        "  coreloop stat 4242 --once            # one table, rates over one interval",
        "  coreloop stat /dev/shm/coreloop-4242 --json --once",
    })
public final class StatCommand implements Callable<Integer>
{
    /** The shortest refresh interval. */
    static final long INTERVAL_MS_MIN = 100;
    /** How long to wait for a file whose header the server has not published yet. */
    private static final long NOT_READY_WAIT_MS = 2_000;

    /**
     * Columns of the table: header, counter, the counter the acceptor's row shows in it (null: none), whether it is
     * shown as a rate.
     */
    private record Column(String header, ReactorCounter counter, ReactorCounter acceptorCounter, boolean rate,
        int width)
    {
        /** A column whose acceptor-row cell is its own counter when the acceptor writes that one, else empty. */
        Column(final String header, final ReactorCounter counter, final boolean rate, final int width)
        {
            this(header, counter, counter != null && counter.onAcceptorRow() ? counter : null, rate, width);
        }
    }

    private static final Column[] COLUMNS = {
        new Column("conns", null, false, 7),
        new Column("accept/s", ReactorCounter.ACCEPTED, ReactorCounter.ACCEPTOR_ACCEPTED, true, 9),
        new Column("close/s", ReactorCounter.CLOSED, true, 8),
        new Column("rd MB/s", ReactorCounter.BYTES_READ, true, 8),
        new Column("wr MB/s", ReactorCounter.BYTES_WRITTEN, true, 8),
        new Column("reads/s", ReactorCounter.READ_CALLS, true, 9),
        new Column("writes/s", ReactorCounter.WRITE_CALLS, true, 9),
        new Column("polls/s", ReactorCounter.POLL_CALLS, true, 9),
        new Column("cycles/s", ReactorCounter.LOOP_CYCLES, true, 9),
        new Column("maxcyc us", ReactorCounter.MAX_CYCLE_NS, false, 9),
        new Column("stalls", ReactorCounter.STALLS, false, 6),
        new Column("tlag us", ReactorCounter.TIMER_LAG_MAX_NS, false, 7),
        // the acceptor's row: times accepting waited for a full inbox
        new Column("inbox", ReactorCounter.INBOX_DEPTH, ReactorCounter.ACCEPT_HOLDS, false, 5),
        new Column("tasks", ReactorCounter.TASK_QUEUE_DEPTH, false, 5),
        new Column("rejects", null, false, 7),
        new Column("cpu", ReactorCounter.CURRENT_CPU, false, 4),
        new Column("pin", ReactorCounter.PIN_STATUS, false, 9),
        new Column("migr", ReactorCounter.CPU_MIGRATIONS, false, 5),
    };

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PID|DIR",
        description = "The server: its PID, its run directory, or its counters file. Default: the one running here.")
    private String target;

    @Option(names = "--once", description = "Print one table (rates over one interval) and exit.")
    private boolean once;

    @Option(names = "--json", description = "Print JSON (one object per line) instead of a table.")
    private boolean json;

    @Option(names = "--interval-ms", paramLabel = "MS",
        description = "Refresh interval, at least " + INTERVAL_MS_MIN + ". Default: 1000.")
    private long intervalMs = 1_000;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N refreshes (0: until Ctrl-C). Default: 0.")
    private long count;

    private final Map<String, String> env;

    /** @param env the process environment (a map in tests). */
    public StatCommand(final Map<String, String> env)
    {
        this.env = env;
    }

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (intervalMs < INTERVAL_MS_MIN || count < 0)
        {
            return Main.badInput(err, spec, intervalMs < INTERVAL_MS_MIN ?
                "--interval-ms: '" + intervalMs + "' is below " + INTERVAL_MS_MIN :
                "--count: '" + count + "' must be >= 0");
        }
        final Path file;
        try
        {
            file = locate();
        }
        catch (final ConfigException ex)
        {
            return Main.badInput(err, spec, ex.getMessage());
        }
        catch (final IOException ex)
        {
            err.println("coreloop stat: " + ex.getMessage());
            err.flush();
            return Main.EXIT_FAILURE;
        }
        try (CountersFileReader reader = openWhenReady(file))
        {
            final String stale = reader.staleReason(System.currentTimeMillis());
            if (stale != null)
            {
                err.println("coreloop stat: " + reader.file() + " is stale: " + stale);
                err.flush();
                return Main.EXIT_FAILURE;
            }
            return watch(reader, out, err);
        }
        catch (final IOException ex)
        {
            err.println("coreloop stat: " + ex.getMessage());
            err.flush();
            return Main.EXIT_FAILURE;
        }
    }

    private int watch(final CountersFileReader reader, final PrintWriter out, final PrintWriter err)
        throws InterruptedException
    {
        final int rows = reader.reactorCount() + 1;
        long[][] previous = new long[rows][ReactorCounter.ID_LIMIT];
        long[][] current = new long[rows][ReactorCounter.ID_LIMIT];
        reader.snapshot(previous);
        long previousNs = System.nanoTime();
        final boolean clear = !json && !once && System.console() != null;
        for (long refresh = 1; ; refresh++)
        {
            Thread.sleep(intervalMs);
            if (!Files.exists(reader.file()) || reader.serverState() == CountersFile.STATE_STOPPED)
            {
                out.println(json ? "{\"pid\":" + reader.pid() + ",\"state\":\"stopped\"}" :
                    "coreloop stat: server " + reader.pid() + " stopped");
                out.flush();
                return Main.EXIT_OK;
            }
            reader.snapshot(current);
            final long nowNs = System.nanoTime();
            final double seconds = Math.max(1e-3, (nowNs - previousNs) / 1e9);
            final String stale = reader.staleReason(System.currentTimeMillis());
            if (clear)
            {
                out.print("\033[H\033[2J");
            }
            out.print(json ? json(reader, current, previous, seconds, stale) : table(reader, current, previous, seconds,
                stale));
            out.flush();
            if (stale != null && !json)
            {
                err.println("coreloop stat: the file went stale: " + stale);
                err.flush();
                return Main.EXIT_FAILURE;
            }
            if (once || (count > 0 && refresh >= count))
            {
                return stale == null ? Main.EXIT_OK : Main.EXIT_FAILURE;
            }
            final long[][] swap = previous;
            previous = current;
            current = swap;
            previousNs = nowNs;
        }
    }

    /** A table: a summary line, a header, one line per reactor, the acceptor's line and a total line. */
    static String table(final CountersFileReader reader, final long[][] now, final long[][] before,
        final double seconds, final String stale)
    {
        final StringBuilder sb = new StringBuilder();
        final long nowMs = System.currentTimeMillis();
        sb.append(String.format(Locale.ROOT, "coreloop pid %d  %s  up %s  %d reactors  heartbeat %.1f s ago  %s%n",
            reader.pid(), reader.serverStateName(), duration(nowMs - reader.serverStartMs()), reader.reactorCount(),
            (nowMs - reader.heartbeatMs()) / 1000.0, stale == null ? "" : "STALE: " + stale));
        sb.append(String.format(Locale.ROOT, "%-10s", "role"));
        for (final Column column : COLUMNS)
        {
            sb.append(' ').append(pad(column.header, column.width));
        }
        sb.append('\n');
        final int acceptor = reader.acceptorRow();
        for (int r = 0; r <= acceptor; r++)
        {
            sb.append(String.format(Locale.ROOT, "%-10s", r == acceptor ? "acceptor" : "reactor-" + r));
            for (final Column column : COLUMNS)
            {
                sb.append(' ').append(pad(cell(column, now[r], before[r], seconds, r == acceptor), column.width));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String cell(final Column column, final long[] now, final long[] before, final double seconds,
        final boolean acceptorRow)
    {
        final ReactorCounter counter = acceptorRow ? column.acceptorCounter : column.counter;
        if (acceptorRow && counter == null)
        {
            return column.header.equals("conns") ? "" : "-";
        }
        if (counter == null)
        {
            return Long.toString(column.header.equals("conns") ? openConnections(now) : rejections(now));
        }
        final long value = now[counter.id()];
        if (column.rate)
        {
            final double rate = (value - before[counter.id()]) / seconds;
            return column.header.contains("MB/s") ? String.format(Locale.ROOT, "%.2f", rate / 1e6) :
                String.format(Locale.ROOT, "%.0f", rate);
        }
        switch (counter)
        {
            case MAX_CYCLE_NS:
            case TIMER_LAG_MAX_NS:
                return Long.toString(value / 1_000);
            case PIN_STATUS:
                return PinState.fromCode(value).name().toLowerCase(Locale.ROOT);
            case CURRENT_CPU:
                return value < 0 ? "-" : Long.toString(value);
            default:
                return Long.toString(value);
        }
    }

    /** JSON, one object: the header, then per row every counter's value and, for counters that count up, its rate. */
    static String json(final CountersFileReader reader, final long[][] now, final long[][] before,
        final double seconds, final String stale)
    {
        final StringBuilder sb = new StringBuilder(8192);
        final long nowMs = System.currentTimeMillis();
        sb.append("{\"pid\":").append(reader.pid())
            .append(",\"state\":\"").append(reader.serverStateName()).append('"')
            .append(",\"startedEpochMs\":").append(reader.serverStartMs())
            .append(",\"heartbeatAgeMs\":").append(nowMs - reader.heartbeatMs())
            .append(",\"stale\":").append(stale == null ? "null" : quote(stale))
            .append(",\"intervalMs\":").append(Math.round(seconds * 1000))
            .append(",\"reactors\":").append(reader.reactorCount())
            .append(",\"rows\":[");
        final int acceptor = reader.acceptorRow();
        for (int r = 0; r <= acceptor; r++)
        {
            sb.append(r == 0 ? "" : ",").append("{\"role\":\"").append(r == acceptor ? "acceptor" : "reactor-" + r)
                .append("\",\"connections\":").append(r == acceptor ? 0 : openConnections(now[r]))
                .append(",\"pin\":\"").append(r == acceptor ? "-" :
                    PinState.fromCode(now[r][ReactorCounter.PIN_STATUS.id()]).name().toLowerCase(Locale.ROOT))
                .append("\",\"counters\":{");
            boolean first = true;
            for (final ReactorCounter counter : ReactorCounter.values())
            {
                if (r == acceptor ? !counter.onAcceptorRow() : counter.acceptorOnly())
                {
                    continue;
                }
                sb.append(first ? "" : ",").append('"').append(counter.name().toLowerCase(Locale.ROOT)).append("\":")
                    .append(now[r][counter.id()]);
                first = false;
            }
            sb.append("},\"ratesPerSecond\":{");
            first = true;
            for (final ReactorCounter counter : ReactorCounter.values())
            {
                if (counter.kind() != ReactorCounter.Kind.COUNT ||
                    (r == acceptor ? !counter.onAcceptorRow() : counter.acceptorOnly()))
                {
                    continue;
                }
                final double rate = (now[r][counter.id()] - before[r][counter.id()]) / seconds;
                sb.append(first ? "" : ",").append('"').append(counter.name().toLowerCase(Locale.ROOT)).append("\":")
                    .append(String.format(Locale.ROOT, "%.1f", rate));
                first = false;
            }
            sb.append("}}");
        }
        return sb.append("]}\n").toString();
    }

    private static long openConnections(final long[] row)
    {
        long open = 0;
        for (final ReactorCounter counter : ReactorCounter.values())
        {
            if (counter.name().startsWith("STATE_"))
            {
                open += row[counter.id()];
            }
        }
        return open;
    }

    private static long rejections(final long[] row)
    {
        return row[ReactorCounter.INBOX_REJECTIONS.id()] + row[ReactorCounter.TASK_QUEUE_REJECTIONS.id()] +
            row[ReactorCounter.MESSAGE_RING_REJECTIONS.id()];
    }

    private static String pad(final String text, final int width)
    {
        return text.length() >= width ? text : " ".repeat(width - text.length()) + text;
    }

    private static String duration(final long ms)
    {
        final long s = Math.max(0, ms / 1000);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s / 60) % 60) :
            s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }

    private static String quote(final String text)
    {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private CountersFileReader openWhenReady(final Path file) throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + NOT_READY_WAIT_MS * 1_000_000L;
        while (true)
        {
            try
            {
                return CountersFileReader.open(file);
            }
            catch (final CountersFileReader.NotReadyException ex)
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw ex;
                }
                Thread.sleep(50);
            }
        }
    }

    /** @return the counters file to read. */
    private Path locate() throws IOException
    {
        if (target != null && !target.isBlank())
        {
            final String given = target.strip();
            if (given.chars().allMatch(c -> c >= '0' && c <= '9'))
            {
                final long pid;
                try
                {
                    pid = Long.parseLong(given);
                }
                catch (final NumberFormatException ex)
                {
                    throw new ConfigException("'" + given + "' is not a PID", ex);
                }
                for (final Path parent : searchPath())
                {
                    final Path dir = parent.resolve(CountersFile.DIRECTORY_PREFIX + pid);
                    if (Files.isRegularFile(dir.resolve(CountersFile.FILE_NAME)))
                    {
                        return dir.resolve(CountersFile.FILE_NAME);
                    }
                }
                throw new IOException("no counters file for PID " + pid + " in " + searchPath() +
                    (ProcessHandle.of(pid).isPresent() ? " (is it a coreloop server? an embedded one writes the file" +
                    " only with ServerContext.countersDirectory; a server with --run-dir: give that directory)" :
                    " (no such process)"));
            }
            final Path path = Path.of(given);
            if (Files.isDirectory(path) && !Files.exists(path.resolve(CountersFile.FILE_NAME)))
            {
                throw new IOException(path + " holds no " + CountersFile.FILE_NAME);
            }
            if (!Files.exists(path))
            {
                throw new IOException(path + ": no such file or directory");
            }
            return Files.isDirectory(path) ? path.resolve(CountersFile.FILE_NAME) : path;
        }
        final List<Path> live = new ArrayList<>();
        final List<String> stale = new ArrayList<>();
        for (final Path parent : searchPath())
        {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent, CountersFile.DIRECTORY_PREFIX + "*"))
            {
                for (final Path dir : dirs)
                {
                    final Path file = dir.resolve(CountersFile.FILE_NAME);
                    if (Files.isRegularFile(file))
                    {
                        try (CountersFileReader reader = CountersFileReader.open(file))
                        {
                            final String reason = reader.staleReason(System.currentTimeMillis());
                            if (reason == null)
                            {
                                live.add(file);
                            }
                            else
                            {
                                stale.add(dir + " (" + reason + ")");
                            }
                        }
                        catch (final IOException ex)
                        {
                            stale.add(dir + " (" + ex.getMessage() + ")");
                        }
                    }
                }
            }
            catch (final IOException ignore)
            {
                // not there or not readable: look in the next place
            }
        }
        if (live.size() == 1)
        {
            return live.get(0);
        }
        if (live.isEmpty())
        {
            throw new IOException("no running coreloop server found in " + searchPath() +
                (stale.isEmpty() ? "" : "; stale: " + String.join(", ", stale)) +
                " (give its PID or run directory)");
        }
        throw new ConfigException(live.size() + " servers run here; give a PID or directory: " + live);
    }

    /** @return where {@code coreloop-<pid>} directories may be, in order, without duplicates. */
    private List<Path> searchPath()
    {
        final Set<Path> places = new LinkedHashSet<>();
        places.add(CountersFile.defaultParentDirectory(env));
        places.add(Path.of("/run/coreloop"));
        places.add(Path.of("/dev/shm"));
        places.add(Path.of(System.getProperty("java.io.tmpdir")));
        final List<Path> existing = new ArrayList<>();
        for (final Path place : places)
        {
            if (Files.isDirectory(place))
            {
                existing.add(place);
            }
        }
        return existing;
    }
}
