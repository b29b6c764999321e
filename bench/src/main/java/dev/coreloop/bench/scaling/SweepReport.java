package dev.coreloop.bench.scaling;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Writes a sweep's tidy CSV and its {@code summary.md} from the points.
 *
 * <p>The CSV has one row per server x protocol x reactors x metric, with the columns {@link #CSV_HEADER}; a value is
 * empty when the point was not measured (the note says why). Metrics: {@link #METRICS}.
 *
 * <p><b>Threading:</b> stateless.
 */
public final class SweepReport
{
    /** The CSV's header line. */
    public static final String CSV_HEADER =
        "server,protocol,reactors,metric,value,unit,oversubscribed,load_threads,connections,note";
    /** The metrics, in row order, each with its unit. */
    public static final List<String[]> METRICS = List.of(
        new String[] {"ops_per_s", "ops/s"},
        new String[] {"ops_per_s_error", "ops/s"},
        new String[] {"efficiency", "ratio"},
        new String[] {"server_cpu_us_per_op", "us/op"},
        new String[] {"p50_us", "us"},
        new String[] {"p99_us", "us"},
        new String[] {"p999_us", "us"},
        new String[] {"alloc_bytes_per_op", "B/op"},
        new String[] {"cross_shard_fraction", "ratio"});

    private SweepReport()
    {
    }

    /**
     * Scaling efficiency: throughput per reactor at N divided by the throughput at 1 reactor, same server and
     * protocol.
     *
     * @param points all points.
     * @param p      the point.
     * @return the efficiency, or NaN when either point is missing.
     */
    public static double efficiency(final List<Point> points, final Point p)
    {
        for (final Point one : points)
        {
            if (one.server().equals(p.server()) && one.protocol().equals(p.protocol()) && one.reactors() == 1 &&
                one.measured() && p.measured() && one.opsPerS() > 0)
            {
                return p.opsPerS() / p.reactors() / one.opsPerS();
            }
        }
        return Double.NaN;
    }

    /**
     * Writes the tidy CSV.
     *
     * @param points the points.
     * @param file   where.
     * @throws IOException if it cannot be written.
     */
    public static void writeCsv(final List<Point> points, final Path file) throws IOException
    {
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8)))
        {
            out.print(CSV_HEADER + "\n");
            for (final Point p : points)
            {
                final double[] values = {p.opsPerS(), p.opsPerSError(), efficiency(points, p), p.cpuUsPerOp(),
                    p.p50Us(), p.p99Us(), p.p999Us(), p.allocBytesPerOp(), p.crossShardFraction()};
                for (int m = 0; m < METRICS.size(); m++)
                {
                    out.print(String.join(",", p.server(), p.protocol(), Integer.toString(p.reactors()),
                        METRICS.get(m)[0], format(values[m]), METRICS.get(m)[1], Boolean.toString(p.oversubscribed()),
                        Integer.toString(p.loadThreads()), Integer.toString(p.connections()), csvText(p.note())) + "\n");
                }
            }
        }
    }

    /**
     * Writes summary.md: per protocol, a table of reactors x servers (ops/s), the best server per point and the
     * ratios of coreloop to each peer.
     *
     * @param points     the points.
     * @param header     lines printed first (machine, JDK, placement).
     * @param file       where.
     * @throws IOException if it cannot be written.
     */
    public static void writeSummary(final List<Point> points, final List<String> header, final Path file)
        throws IOException
    {
        final StringBuilder md = new StringBuilder("# Scaling sweep summary\n\n");
        header.forEach(line -> md.append(line).append('\n'));
        md.append('\n');
        for (final String protocol : protocols(points))
        {
            final List<String> servers = servers(points);
            md.append("## ").append(protocol).append("\n\n| reactors | ");
            servers.forEach(s -> md.append(s).append(" ops/s | "));
            md.append("best | coreloop / peer |\n|---|");
            servers.forEach(s -> md.append("---|"));
            md.append("---|---|\n");
            for (final int reactors : reactorCounts(points))
            {
                Point best = null;
                Point coreloop = null;
                boolean oversubscribed = false;
                final StringBuilder row = new StringBuilder();
                for (final String server : servers)
                {
                    final Point p = find(points, server, protocol, reactors);
                    if (p == null)
                    {
                        row.append(" | ");
                        continue;
                    }
                    oversubscribed |= p.oversubscribed();
                    row.append(p.measured() ? String.format(Locale.ROOT, "%,.0f", p.opsPerS()) :
                        p.note().startsWith("skipped") ? p.note() : "failed").append(" | ");
                    if (p.measured() && (best == null || p.opsPerS() > best.opsPerS()))
                    {
                        best = p;
                    }
                    if (server.equals(ServerKind.CORELOOP.id()) && p.measured())
                    {
                        coreloop = p;
                    }
                }
                final StringBuilder ratios = new StringBuilder();
                if (coreloop != null)
                {
                    for (final String server : servers)
                    {
                        final Point p = find(points, server, protocol, reactors);
                        if (p != null && p.measured() && !server.equals(ServerKind.CORELOOP.id()))
                        {
                            ratios.append(ratios.length() == 0 ? "" : ", ").append(server).append(' ')
                                .append(String.format(Locale.ROOT, "x%.2f", coreloop.opsPerS() / p.opsPerS()));
                        }
                    }
                }
                md.append("| ").append(reactors).append(oversubscribed ? " (oversubscribed)" : "").append(" | ")
                    .append(row).append(best == null ? "-" : best.server()).append(" | ")
                    .append(ratios.length() == 0 ? "-" : ratios).append(" |\n");
            }
            md.append('\n');
        }
        md.append("Ratios are coreloop's throughput over the peer's (above 1: coreloop ahead). Rows marked ")
            .append("oversubscribed ran with the load sharing CPUs with the server: their numbers measure the machine, ")
            .append("not the server's scaling.\n");
        Files.writeString(file, md.toString(), StandardCharsets.UTF_8);
    }

    static Point find(final List<Point> points, final String server, final String protocol, final int reactors)
    {
        for (final Point p : points)
        {
            if (p.server().equals(server) && p.protocol().equals(protocol) && p.reactors() == reactors)
            {
                return p;
            }
        }
        return null;
    }

    static List<String> protocols(final List<Point> points)
    {
        final Set<String> set = new LinkedHashSet<>();
        points.forEach(p -> set.add(p.protocol()));
        return new ArrayList<>(set);
    }

    static List<String> servers(final List<Point> points)
    {
        final Set<String> set = new LinkedHashSet<>();
        points.forEach(p -> set.add(p.server()));
        return new ArrayList<>(set);
    }

    static List<Integer> reactorCounts(final List<Point> points)
    {
        final Set<Integer> set = new TreeSet<>();
        points.forEach(p -> set.add(p.reactors()));
        return new ArrayList<>(set);
    }

    /**
     * Reads a CSV written by {@link #writeCsv} back into points (the efficiency rows are derived, so they are skipped),
     * for redrawing the plots of an earlier sweep ({@code ScalingSweep --replot DIR}).
     *
     * @param file the CSV.
     * @return the points, in the CSV's order.
     * @throws IOException if it cannot be read or is not a sweep's CSV.
     */
    public static List<Point> readCsv(final Path file) throws IOException
    {
        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(CSV_HEADER))
        {
            throw new IOException(file + ": not a sweep CSV (its first line must be " + CSV_HEADER + ")");
        }
        final Map<String, double[]> values = new LinkedHashMap<>();
        final Map<String, String[]> keys = new LinkedHashMap<>();
        for (int n = 1; n < lines.size(); n++)
        {
            final String[] f = lines.get(n).split(",", 10);
            if (f.length != 10)
            {
                throw new IOException(file + ":" + (n + 1) + ": expected 10 columns but found " + f.length);
            }
            final String key = f[0] + "," + f[1] + "," + f[2];
            keys.putIfAbsent(key, f);
            final double[] v = values.computeIfAbsent(key, k -> new double[METRICS.size()]);
            for (int m = 0; m < METRICS.size(); m++)
            {
                if (METRICS.get(m)[0].equals(f[3]))
                {
                    v[m] = f[4].isEmpty() ? Double.NaN : Double.parseDouble(f[4]);
                }
            }
        }
        final List<Point> points = new ArrayList<>();
        for (final Map.Entry<String, String[]> e : keys.entrySet())
        {
            final String[] f = e.getValue();
            final double[] v = values.get(e.getKey());
            final String note = f[9].length() >= 2 && f[9].startsWith("\"") ? f[9].substring(1, f[9].length() - 1) : f[9];
            points.add(new Point(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[7]), Integer.parseInt(f[8]),
                Boolean.parseBoolean(f[6]), note, v[0], v[1], v[3], v[4], v[5], v[6], v[7], v[8]));
        }
        return points;
    }

    private static String format(final double value)
    {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.4f", value);
    }

    private static String csvText(final String text)
    {
        return text.isEmpty() ? "" : '"' + text.replace("\"", "'") + '"';
    }
}
