package dev.coreloop.bench.scaling;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a sweep's PNG plots with XChart, four per protocol: throughput vs reactors with coreloop's ideal linear line
 * ({@code throughput-<protocol>.png}), scaling efficiency ({@code efficiency-<protocol>.png}), server CPU microseconds
 * per operation ({@code cpu-<protocol>.png}) and p99 latency ({@code p99-<protocol>.png}). Oversubscribed points are
 * drawn on each server's line and circled again by a series named {@code oversubscribed (load shares server CPUs)}.
 *
 * <p><b>Threading:</b> stateless; runs headless.
 */
public final class SweepPlots
{
    /** Plot width in pixels. */
    public static final int WIDTH = 1000;
    /** Plot height in pixels. */
    public static final int HEIGHT = 560;

    private SweepPlots()
    {
    }

    /**
     * Draws every plot of the sweep.
     *
     * @param points the points.
     * @param dir    the results directory.
     * @return the files written.
     * @throws IOException if a file cannot be written.
     */
    public static List<Path> drawAll(final List<Point> points, final Path dir) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        final List<Path> files = new ArrayList<>();
        for (final String protocol : SweepReport.protocols(points))
        {
            files.add(draw(points, protocol, dir, "throughput", "throughput (responses/s)", Point::opsPerS, true));
            files.add(draw(points, protocol, dir, "efficiency", "efficiency (ops/s per reactor / ops/s at 1)",
                p -> SweepReport.efficiency(points, p), false));
            files.add(draw(points, protocol, dir, "cpu", "server CPU us per response", Point::cpuUsPerOp, false));
            files.add(draw(points, protocol, dir, "p99", "p99 latency (us, closed loop)", Point::p99Us, false));
        }
        return files;
    }

    private static Path draw(final List<Point> points, final String protocol, final Path dir, final String metric,
        final String yTitle, final ToDoubleFunction<Point> value, final boolean idealLine) throws IOException
    {
        final XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
            .title(protocol + ": " + yTitle + " vs reactors").xAxisTitle("reactors (server cores)").yAxisTitle(yTitle)
            .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setXAxisDecimalPattern("0");
        chart.getStyler().setMarkerSize(8);
        chart.getStyler().setYAxisMin(0.0);
        final List<Double> overX = new ArrayList<>();
        final List<Double> overY = new ArrayList<>();
        boolean any = false;
        for (final String server : SweepReport.servers(points))
        {
            final List<Double> xs = new ArrayList<>();
            final List<Double> ys = new ArrayList<>();
            for (final int reactors : SweepReport.reactorCounts(points))
            {
                final Point p = SweepReport.find(points, server, protocol, reactors);
                if (p == null || !p.measured() || Double.isNaN(value.applyAsDouble(p)))
                {
                    continue;
                }
                xs.add((double)reactors);
                ys.add(value.applyAsDouble(p));
                if (p.oversubscribed())
                {
                    overX.add((double)reactors);
                    overY.add(value.applyAsDouble(p));
                }
            }
            if (xs.isEmpty())
            {
                continue;
            }
            any = true;
            final XYSeries series = chart.addSeries(server, xs, ys);
            series.setMarker(SeriesMarkers.CIRCLE);
            series.setLineColor(colour(server));
            series.setMarkerColor(colour(server));
            if (idealLine && server.equals(ServerKind.CORELOOP.id()))
            {
                final Point one = SweepReport.find(points, server, protocol, 1);
                if (one != null && one.measured())
                {
                    final List<Integer> counts = SweepReport.reactorCounts(points);
                    final List<Double> ix = new ArrayList<>();
                    final List<Double> iy = new ArrayList<>();
                    for (final int n : counts)
                    {
                        ix.add((double)n);
                        iy.add(one.opsPerS() * n);
                    }
                    final XYSeries ideal = chart.addSeries("coreloop ideal (N x 1-reactor)", ix, iy);
                    ideal.setMarker(SeriesMarkers.NONE);
                    ideal.setLineStyle(SeriesLines.DASH_DASH);
                    ideal.setLineColor(colour(server));
                }
            }
        }
        if (!overX.isEmpty())
        {
            final XYSeries over = chart.addSeries("oversubscribed (load shares server CPUs)", overX, overY);
            over.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            over.setMarker(SeriesMarkers.CROSS);
            over.setMarkerColor(java.awt.Color.BLACK);
        }
        if (!any)
        {
            final XYSeries none = chart.addSeries("no measured point", new double[] {1}, new double[] {0});
            none.setMarker(SeriesMarkers.NONE);
        }
        final Path file = dir.resolve(metric + "-" + protocol + ".png");
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        return file;
    }

    /**
     * {@return the colour of a server's series, the same on every chart} (XChart's default palette assigns colours in
     * the order series are added, so a server missing from one chart would shift every other server's colour).
     */
    public static java.awt.Color colour(final String server)
    {
        return switch (server)
        {
            case "coreloop" -> new java.awt.Color(0, 90, 200);
            case "netty-nio" -> new java.awt.Color(230, 140, 0);
            case "netty-epoll" -> new java.awt.Color(0, 150, 60);
            case "vthreads" -> new java.awt.Color(150, 60, 180);
            case "blocking" -> new java.awt.Color(200, 40, 40);
            default -> java.awt.Color.DARK_GRAY;
        };
    }
}
