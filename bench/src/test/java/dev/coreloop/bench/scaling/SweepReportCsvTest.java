package dev.coreloop.bench.scaling;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tidy CSV reads back into the points it was written from ({@code ScalingSweep --replot}). */
class SweepReportCsvTest
{
    @Test
    void shouldReadBackThePointsItWrote(@TempDir final Path dir) throws Exception
    {
        final List<Point> points = List.of(
            new Point("coreloop", "resp", 1, 1, 32, false, "", 50673.25, 120.5, 5.7125, 610.5, 7299.1, 9000.25, 26.5,
                0.0),
            new Point("coreloop", "resp", 2, 2, 64, true, "load floats over 0-1", 177770.0, 900.0, 6.2875, 400.0,
                984.6, 2000.0, 7.625, 0.5),
            Point.notMeasured("vthreads", "resp", 1, 1, 32, false, "skipped: needs JDK 21+"));
        final Path csv = dir.resolve("scaling.csv");
        SweepReport.writeCsv(points, csv);

        assertThat(SweepReport.readCsv(csv)).isEqualTo(points);
    }

    @Test
    void shouldRefuseAFileThatIsNotASweepCsv(@TempDir final Path dir) throws Exception
    {
        final Path csv = dir.resolve("other.csv");
        Files.writeString(csv, "a,b,c\n1,2,3\n", StandardCharsets.UTF_8);

        assertThatThrownBy(() -> SweepReport.readCsv(csv)).hasMessageContaining("not a sweep CSV");
    }
}
