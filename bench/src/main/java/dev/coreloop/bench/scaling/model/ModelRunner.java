package dev.coreloop.bench.scaling.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.bench.TasksetPinner;
import dev.coreloop.bench.scaling.Placement;
import dev.coreloop.bench.scaling.Protocol;
import dev.coreloop.core.AcceptMode;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Measures the scaling model's constants on this machine and predicts 1..{@code --max-reactors} reactors
 * ({@link ScalingModel}); with {@code --sweep DIR} it also draws the sweep's measured coreloop points on the same
 * charts and fits the USL when the sweep has at least 4 points that were not oversubscribed.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar dev.coreloop.bench.scaling.model.ModelRunner \
 *     [--sweep results/&lt;sweep&gt;] [--out DIR] [--duration-ms 3000] [--repeats 3] [--window 64] [--max-reactors 64]
 * </pre>
 * Writes {@code model-constants.csv}, {@code model-prediction.csv}, {@code model.md}, {@code model-resp.png},
 * {@code model-http.png} and {@code model-accept.png}. Each constant is the median of {@code --repeats} runs.
 *
 * <p><b>Threading:</b> a command-line tool; probes run one after another.
 */
public final class ModelRunner
{
    private ModelRunner()
    {
    }

    /** A measured constant. */
    private record Constant(String name, double value, String unit, String how)
    {
    }

    /** A sweep point read back from scaling.csv. */
    private record Measured(String protocol, int reactors, double opsPerS, boolean oversubscribed)
    {
    }

    /**
     * Runs the probes and writes the model.
     *
     * @param args see the class javadoc.
     * @throws Exception if a probe fails or a file cannot be written.
     */
    public static void main(final String[] args) throws Exception
    {
        System.setProperty("java.awt.headless", "true");
        Path out = null;
        Path sweep = null;
        long durationMs = 3_000;
        int repeats = 3;
        int window = 64;
        int maxReactors = 64;
        for (int i = 0; i < args.length; i++)
        {
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("missing value after " + args[i]);
            }
            final String value = args[++i];
            switch (args[i - 1])
            {
                case "--out" -> out = Path.of(value);
                case "--sweep" -> sweep = Path.of(value);
                case "--duration-ms" -> durationMs = Long.parseLong(value);
                case "--repeats" -> repeats = Integer.parseInt(value);
                case "--window" -> window = Integer.parseInt(value);
                case "--max-reactors" -> maxReactors = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i - 1] +
                    " (--out, --sweep, --duration-ms, --repeats, --window, --max-reactors)");
            }
        }
        if (out == null)
        {
            out = Path.of("results", LocalDateTime.now(ZoneOffset.UTC)
                .format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)) + "-model");
        }
        Files.createDirectories(out);
        final CpuTopology topology = CpuTopology.detect();
        final Placement one = Placement.plan(topology, 1, 1);
        final Placement two = Placement.plan(topology, 2, 1);
        System.out.println("local-op and accept probes: " + one.describe());
        System.out.println("hand-off probe: reactor-0 on CPU " + two.reactorCpus()[0] + ", reactor-1 on CPU " +
            two.reactorCpus()[two.reactors() - 1]);

        final List<Constant> constants = new ArrayList<>();
        final String placementNote = one.oversubscribed() ? " (OVERSUBSCRIBED: " + one.reason() + ")" : "";
        double respLocal = Double.NaN;
        double httpLocal = Double.NaN;
        for (final Protocol protocol : List.of(Protocol.RESP, Protocol.HTTP))
        {
            final List<LocalOpProbe.Result> runs = new ArrayList<>();
            for (int r = 0; r < repeats; r++)
            {
                runs.add(LocalOpProbe.measure(protocol, TasksetPinner.ofCpuSets(one.roles()), 32, durationMs));
                System.out.println("  " + runs.get(runs.size() - 1));
            }
            final double cpu = median(runs, LocalOpProbe.Result::cpuNsPerOp);
            constants.add(new Constant("c_local_" + protocol.id(), cpu, "ns CPU/op",
                "one reactor, every op local, 32 connections from 1 load thread; server threads' CPU / responses" +
                    placementNote));
            constants.add(new Constant("ops_1_reactor_" + protocol.id(), median(runs, LocalOpProbe.Result::opsPerS),
                "ops/s", "the same runs' throughput; server busy " +
                    String.format(Locale.ROOT, "%.0f%%", 100 * median(runs, LocalOpProbe.Result::serverBusy))));
            if (protocol == Protocol.RESP)
            {
                respLocal = cpu;
            }
            else
            {
                httpLocal = cpu;
            }
        }
        double hop = Double.NaN;
        final boolean twoCores = two.reactorCpus()[0] >= 0 && two.reactorCpus()[0] != two.reactorCpus()[1];
        final String hopPins = two.describe();
        for (final int w : new int[] {1, window})
        {
            final List<HandoffProbe.Result> runs = new ArrayList<>();
            for (int r = 0; r < repeats; r++)
            {
                final long trips = w == 1 ? 20_000 : 400_000;
                runs.add(HandoffProbe.measure(TasksetPinner.ofCpuSets(two.roles()), w, trips));
                System.out.println("  " + runs.get(runs.size() - 1));
            }
            final String where = twoCores ? "reactor-0 and reactor-1 on CPUs " + two.reactorCpus()[0] + " and " +
                two.reactorCpus()[1] : "reactors share a CPU (" + hopPins + ")";
            constants.add(new Constant("handoff_wall_ns_window_" + w, median(runs, HandoffProbe.Result::wallNsPerTrip),
                "ns/round trip", "message-ring round trip, " + w + " in flight, " + HandoffProbe.PAYLOAD_BYTES +
                    " B each way, " + where));
            final double cpu = median(runs, HandoffProbe.Result::cpuNsPerTrip);
            constants.add(new Constant("handoff_cpu_ns_window_" + w, cpu, "ns CPU/round trip",
                "both reactors' CPU per round trip, " + w + " in flight"));
            if (w == window)
            {
                hop = cpu;
            }
        }
        final double[] acceptorCost = new double[2];
        final double[] reactorCost = new double[2];
        int m = 0;
        for (final AcceptMode mode : AcceptMode.values())
        {
            final List<AcceptRateProbe.Result> runs = new ArrayList<>();
            for (int r = 0; r < repeats; r++)
            {
                final TasksetPinner pinner = TasksetPinner.ofCpuSets(one.roles());
                runs.add(AcceptRateProbe.measure(mode, 1, pinner, pinner, 1, durationMs));
                System.out.println("  " + runs.get(runs.size() - 1));
            }
            constants.add(new Constant("connections_per_s_" + mode.name().toLowerCase(Locale.ROOT),
                median(runs, AcceptRateProbe.Result::connectionsPerS), "connections/s",
                "1 reactor, 1 client thread: connect, 1-byte echo, reset" + placementNote));
            acceptorCost[m] = median(runs, AcceptRateProbe.Result::acceptorCpuNsPerConn);
            reactorCost[m] = median(runs, AcceptRateProbe.Result::reactorCpuNsPerConn);
            constants.add(new Constant("acceptor_cpu_ns_per_conn_" + mode.name().toLowerCase(Locale.ROOT),
                acceptorCost[m], "ns CPU/connection", "the acceptor thread's CPU per connection"));
            constants.add(new Constant("reactor_cpu_ns_per_conn_" + mode.name().toLowerCase(Locale.ROOT),
                reactorCost[m], "ns CPU/connection", "the reactor's CPU per connection (register, echo, close)"));
            m++;
        }

        final List<Measured> measured = sweep == null ? List.of() : readSweep(sweep.resolve("scaling.csv"));
        final List<String> md = new ArrayList<>();
        md.add("# Scaling model: constants and prediction");
        md.add("");
        md.add("- date (UTC): " + LocalDateTime.now(ZoneOffset.UTC).withNano(0) + ", JDK " + Runtime.version() +
            ", " + topology.cpuCount() + " CPUs");
        md.add("- each constant: median of " + repeats + " runs of " + durationMs + " ms");
        md.add("");
        md.add("| constant | value | unit | how |");
        md.add("|---|---|---|---|");
        for (final Constant c : constants)
        {
            md.add(String.format(Locale.ROOT, "| %s | %.1f | %s | %s |", c.name(), c.value(), c.unit(), c.how()));
        }
        final StringBuilder csv = new StringBuilder("name,value,unit,how\n");
        for (final Constant c : constants)
        {
            csv.append(String.format(Locale.ROOT, "%s,%.3f,%s,\"%s\"%n", c.name(), c.value(), c.unit(),
                c.how().replace('"', '\'')));
        }
        Files.writeString(out.resolve("model-constants.csv"), csv, StandardCharsets.UTF_8);

        final StringBuilder prediction = new StringBuilder(
            "reactors,cross_shard_fraction,imbalance,resp_predicted_ops_per_s,http_predicted_ops_per_s," +
                "connections_per_s_acceptor_thread,connections_per_s_reuse_port\n");
        final double[] ns = new double[maxReactors];
        final double[] resp = new double[maxReactors];
        final double[] http = new double[maxReactors];
        final double[] acceptRate = new double[maxReactors];
        final double[] reuseRate = new double[maxReactors];
        md.add("");
        md.add("| reactors | cross-shard fraction | imbalance | RESP predicted ops/s | HTTP predicted ops/s |" +
            " conn/s one acceptor | conn/s REUSE_PORT |");
        md.add("|---|---|---|---|---|---|---|");
        for (int n = 1; n <= maxReactors; n++)
        {
            final double imbalance = ScalingModel.imbalance(n);
            ns[n - 1] = n;
            resp[n - 1] = ScalingModel.shardedOpsPerS(n, respLocal, hop, imbalance);
            http[n - 1] = ScalingModel.localOpsPerS(n, httpLocal);
            acceptRate[n - 1] = ScalingModel.connectionsPerS(n, reactorCost[0], acceptorCost[0]);
            reuseRate[n - 1] = ScalingModel.connectionsPerS(n, reactorCost[1], Double.NaN);
            prediction.append(String.format(Locale.ROOT, "%d,%.4f,%.4f,%.0f,%.0f,%.0f,%.0f%n", n,
                ScalingModel.crossShardFraction(n), imbalance, resp[n - 1], http[n - 1], acceptRate[n - 1],
                reuseRate[n - 1]));
            if (Integer.bitCount(n) == 1)
            {
                md.add(String.format(Locale.ROOT, "| %d | %.3f | %.3f | %,.0f | %,.0f | %,.0f | %,.0f |", n,
                    ScalingModel.crossShardFraction(n), imbalance, resp[n - 1], http[n - 1], acceptRate[n - 1],
                    reuseRate[n - 1]));
            }
        }
        Files.writeString(out.resolve("model-prediction.csv"), prediction, StandardCharsets.UTF_8);

        md.add("");
        if (sweep != null)
        {
            for (final String line : Files.readAllLines(sweep.resolve("scaling.csv"), StandardCharsets.UTF_8))
            {
                final String[] f = line.split(",", 10);
                if (f.length >= 7 && f[0].equals("coreloop") && f[1].startsWith("resp") &&
                    f[3].equals("cross_shard_fraction") && !f[4].isEmpty())
                {
                    final int n = Integer.parseInt(f[2]);
                    md.add(String.format(Locale.ROOT, "- measured cross-shard fraction, coreloop %s at %d reactor(s): " +
                        "%.3f (ring messages / 2 / responses; the model's (N-1)/N: %.3f)%s", f[1], n,
                        Double.parseDouble(f[4]), ScalingModel.crossShardFraction(n),
                        Boolean.parseBoolean(f[6]) ? ", OVERSUBSCRIBED point" : ""));
                }
            }
            md.add("");
        }
        ScalingModel.Usl usl = null;
        final List<Measured> clean = measured.stream().filter(p -> p.protocol().equals("resp") && !p.oversubscribed())
            .toList();
        if (sweep == null)
        {
            md.add("No sweep given (--sweep): no measured points on the charts and no USL fit.");
        }
        else
        {
            try
            {
                usl = ScalingModel.fitUsl(clean.stream().mapToInt(Measured::reactors).toArray(),
                    clean.stream().mapToDouble(Measured::opsPerS).toArray());
                md.add(String.format(Locale.ROOT, "USL fit to %d coreloop RESP points: lambda %.0f ops/s, sigma %.4f," +
                    " kappa %.6f; peak at N = %.1f.", clean.size(), usl.lambda(), usl.sigma(), usl.kappa(),
                    usl.kappa() > 0 ? Math.sqrt((1 - usl.sigma()) / usl.kappa()) : Double.POSITIVE_INFINITY));
            }
            catch (final IllegalArgumentException ex)
            {
                md.add("USL not fitted: " + ex.getMessage() + " (sweep " + sweep + "). The fit needs more cores: at" +
                    " least 4 reactor counts whose load still gets CPUs of its own, i.e. 8 or more physical cores.");
            }
        }
        Files.writeString(out.resolve("model.md"), String.join("\n", md) + "\n", StandardCharsets.UTF_8);

        drawThroughput(out.resolve("model-resp.png"), "RESP (sharded, (N-1)/N cross-shard)", ns, resp,
            measured, "resp", usl);
        drawThroughput(out.resolve("model-http.png"), "HTTP /plaintext (no cross-reactor work)", ns, http,
            measured, "http", null);
        final XYChart accept = chart("connection placement: predicted connections/s vs reactors", "connections/s");
        accept.addSeries("predicted, one acceptor thread", ns, acceptRate).setMarker(SeriesMarkers.NONE);
        accept.addSeries("predicted, REUSE_PORT (a listener per reactor)", ns, reuseRate).setMarker(SeriesMarkers.NONE);
        BitmapEncoder.saveBitmap(accept, out.resolve("model-accept.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        System.out.println(String.join("\n", md));
        System.out.println("model: " + out.toAbsolutePath());
    }

    private static void drawThroughput(final Path file, final String title, final double[] ns, final double[] predicted,
        final List<Measured> measured, final String protocol, final ScalingModel.Usl usl) throws IOException
    {
        final XYChart chart = chart(title + ": predicted (model) vs measured (coreloop sweep)",
            "responses/s (log scale)");
        chart.getStyler().setYAxisMin(null);
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.setXAxisTitle("reactors (server cores, log scale)");
        final double[] ideal = new double[ns.length];
        for (int i = 0; i < ns.length; i++)
        {
            ideal[i] = predicted[0] * ns[i];
        }
        final XYSeries linear = chart.addSeries("ideal linear (N x predicted 1-reactor)", ns, ideal);
        linear.setMarker(SeriesMarkers.NONE);
        linear.setLineStyle(SeriesLines.DOT_DOT);
        final XYSeries model = chart.addSeries("predicted by the model (measured constants)", ns, predicted);
        model.setMarker(SeriesMarkers.NONE);
        model.setLineStyle(SeriesLines.DASH_DASH);
        final List<Double> cx = new ArrayList<>();
        final List<Double> cy = new ArrayList<>();
        final List<Double> ox = new ArrayList<>();
        final List<Double> oy = new ArrayList<>();
        for (final Measured p : measured)
        {
            if (p.protocol().equals(protocol))
            {
                (p.oversubscribed() ? ox : cx).add((double)p.reactors());
                (p.oversubscribed() ? oy : cy).add(p.opsPerS());
            }
        }
        if (!cx.isEmpty())
        {
            final XYSeries s = chart.addSeries("measured (sweep)", cx, cy);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        if (!ox.isEmpty())
        {
            final XYSeries s = chart.addSeries("measured, OVERSUBSCRIBED (load shares server CPUs)", ox, oy);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CROSS);
        }
        if (usl != null)
        {
            final double[] fit = new double[ns.length];
            for (int i = 0; i < ns.length; i++)
            {
                fit[i] = usl.opsPerS(ns[i]);
            }
            chart.addSeries("USL fit to the measured points", ns, fit).setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static XYChart chart(final String title, final String yTitle)
    {
        final XYChart chart = new XYChartBuilder().width(900).height(560).title(title)
            .xAxisTitle("reactors (server cores)").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setMarkerSize(9);
        return chart;
    }

    private static List<Measured> readSweep(final Path csv) throws IOException
    {
        final List<Measured> points = new ArrayList<>();
        for (final String line : Files.readAllLines(csv, StandardCharsets.UTF_8))
        {
            final String[] f = line.split(",", 10);
            if (f.length >= 7 && f[0].equals("coreloop") && f[3].equals("ops_per_s") && !f[4].isEmpty())
            {
                points.add(new Measured(f[1], Integer.parseInt(f[2]), Double.parseDouble(f[4]),
                    Boolean.parseBoolean(f[6])));
            }
        }
        return points;
    }

    private static <T> double median(final List<T> runs, final ToDoubleFunction<T> value)
    {
        final double[] values = runs.stream().mapToDouble(value).sorted().toArray();
        Arrays.sort(values);
        final int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
