package dev.coreloop.examples.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HttpDateTest
{
    private static final DateTimeFormatter IMF_FIXDATE =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private static String format(final long epochMs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[HttpDate.LENGTH]);
        HttpDate.format(epochMs, buffer, 0);
        return buffer.getStringWithoutLengthAscii(0, HttpDate.LENGTH);
    }

    @Test
    void shouldFormatTheRfcExample()
    {
        assertThat(format(784_111_777_999L)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
    }

    @Test
    void shouldMatchJavaTimeAcrossFourCenturies()
    {
        final long step = 86_400_000L * 7 + 3_600_000L * 5 + 60_000L * 7 + 13_000L + 999;
        for (long ms = -2_208_988_800_000L; ms < 16_725_225_600_000L; ms += step)
        {
            assertThat(format(ms)).as("epochMs %d", ms).isEqualTo(IMF_FIXDATE.format(Instant.ofEpochMilli(ms)));
        }
    }

    @Test
    void shouldHandleLeapDaysAndYearEnds()
    {
        final String[] instants = {"2000-02-29T23:59:59Z", "2100-03-01T00:00:00Z", "1999-12-31T23:59:59Z",
            "2024-02-29T12:00:00Z", "1970-01-01T00:00:00Z", "1969-12-31T23:59:59Z"};
        for (final String instant : instants)
        {
            final long ms = Instant.parse(instant).toEpochMilli();
            assertThat(format(ms)).isEqualTo(IMF_FIXDATE.format(Instant.ofEpochMilli(ms)));
        }
    }

    @Test
    void shouldRefreshTheServiceAtMostOncePerSecond()
    {
        final HttpDateService service = new HttpDateService(new HttpConfig());
        assertThat(service.refresh(1_000_000_000_000L)).isTrue();
        assertThat(service.refresh(1_000_000_000_999L)).isFalse();
        assertThat(service.refresh(1_000_000_001_000L)).isTrue();
        assertThat(service.refreshCount()).isEqualTo(2);
        assertThat(service.date().getStringWithoutLengthAscii(0, HttpDate.LENGTH))
            .isEqualTo("Sun, 09 Sep 2001 01:46:41 GMT");
    }
}
