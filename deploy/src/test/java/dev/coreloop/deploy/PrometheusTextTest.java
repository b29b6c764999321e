package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;

import dev.coreloop.core.status.ReactorCounter;
import org.agrona.ExpandableDirectByteBuffer;
import org.junit.jupiter.api.Test;

class PrometheusTextTest
{
    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SAMPLE =
        Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([a-zA-Z_][a-zA-Z0-9_]*=\"[^\"\\\\\\n]*\",?)+\\} -?\\d+");

    /**
     * Checks the text format 0.0.4 rules these lines rely on: each family's HELP then TYPE once, before its samples,
     * and all of a family's samples together; names and labels well formed; every line ends with a line feed.
     */
    static void assertWellFormed(final String text)
    {
        assertThat(text).endsWith("\n");
        final Set<String> seen = new HashSet<>();
        String family = null;
        String typed = null;
        for (final String line : text.split("\n"))
        {
            if (line.startsWith("# HELP "))
            {
                family = line.split(" ")[2];
                assertThat(NAME.matcher(family).matches()).as(line).isTrue();
                assertThat(seen.add(family)).as("one HELP per family: %s", family).isTrue();
            }
            else if (line.startsWith("# TYPE "))
            {
                final String[] parts = line.split(" ");
                assertThat(parts[2]).as("TYPE right after its HELP").isEqualTo(family);
                assertThat(parts[3]).isIn("counter", "gauge");
                assertThat(parts[3].equals("counter")).as("counters end in _total: %s", line)
                    .isEqualTo(family.endsWith("_total"));
                typed = family;
            }
            else
            {
                final java.util.regex.Matcher matcher = SAMPLE.matcher(line);
                assertThat(matcher.matches()).as("sample line: '%s'", line).isTrue();
                assertThat(matcher.group(1)).as("sample of the family just typed").isEqualTo(typed);
            }
        }
    }

    private static final PrometheusText.CounterSource SOURCE = (row, counter) -> row * 1000L + counter.id();

    @Test
    void shouldWriteEveryCounterOfEveryRowInTheTextFormat()
    {
        final PrometheusText text = new PrometheusText(2);
        final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(1024);

        final int length = text.write(SOURCE, buffer, 0);
        final String out = buffer.getStringWithoutLengthUtf8(0, length);

        assertWellFormed(out);
        assertThat(out).contains("# HELP coreloop_accepted_total connections accepted and registered\n" +
            "# TYPE coreloop_accepted_total counter\n" +
            "coreloop_accepted_total{role=\"reactor-0\"} 0\n" +
            "coreloop_accepted_total{role=\"reactor-1\"} 1000\n# HELP");
        assertThat(out).contains("# TYPE coreloop_acceptor_accepted_total counter\n" +
            "coreloop_acceptor_accepted_total{role=\"acceptor\"} " + (2000 + ReactorCounter.ACCEPTOR_ACCEPTED.id()) + "\n");
        assertThat(out).contains("# TYPE coreloop_accept_holds_total counter\n" +
            "coreloop_accept_holds_total{role=\"acceptor\"} " + (2000 + ReactorCounter.ACCEPT_HOLDS.id()) + "\n")
            .doesNotContain("coreloop_accept_holds_total{role=\"reactor-0\"}");
        assertThat(out).contains("coreloop_connections{role=\"reactor-1\",state=\"active\"} " +
            (1000 + ReactorCounter.STATE_ACTIVE.id()) + "\n");
        assertThat(out).contains("coreloop_closes_total{role=\"reactor-0\",reason=\"idle_timeout\"} " +
            ReactorCounter.CLOSE_IDLE_TIMEOUT.id() + "\n");
        assertThat(out).contains("# TYPE coreloop_max_cycle_ns gauge\n").contains("# TYPE coreloop_pin_status gauge\n");
        assertThat(out).doesNotContain("coreloop_bytes_read_total{role=\"acceptor\"}")
            .doesNotContain("state=\"closed\"").doesNotContain("reason=\"none\"");
    }

    @Test
    void shouldAllocateNothingPerScrape()
    {
        final java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no allocation counter on this JVM");
        final com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean)bean;
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
            "thread allocation counter unsupported");
        final PrometheusText text = new PrometheusText(8);
        final ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(1024);
        final long threadId = Thread.currentThread().getId();
        for (int i = 0; i < 2_000; i++)
        {
            text.write(SOURCE, buffer, 0);
        }
        long minBytes = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++)
        {
            final long before = mx.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < 1_000; i++)
            {
                text.write(SOURCE, buffer, 0);
            }
            minBytes = Math.min(minBytes, mx.getThreadAllocatedBytes(threadId) - before);
        }
        assertThat(minBytes).isZero();
    }
}
