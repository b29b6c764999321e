package dev.coreloop.examples.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * A request, or a pipelined batch, parses to the same transcript however its bytes are cut into deliveries:
 * exhaustively at every single byte boundary, at every pair of boundaries for short inputs, and at random
 * sets of boundaries (QuickTheories: a failure is shrunk and reported with its seed; rerun it with
 * {@code -DQT_SEED=<seed>}).
 */
class HttpRequestParserFragmentationTest
{
    private static final HttpConfig CONFIG = new HttpConfig().maxBodyBytes(4096);

    /**
     * QuickTheories skips, but counts, an example it has already run: its first three (the shrink target, the
     * minima, the maxima) can coincide, and small inputs can repeat. These few extra keep the distinct cases run
     * at or above each property's tries.
     */
    private static final int REPEATS = 4;

    private static final List<String> REQUESTS = List.of(
        "GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n",
        "\r\nGET /json?x=1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "POST /submit HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\nhello world",
        "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n",
        "GET http://h/x HTTP/1.1\r\nHost: h\r\nConnection: close\r\nX-Obs: caf\u00e9\r\n\r\n",
        // malformed ones: the error must be found whatever the cut
        "GET / HTTP/1.1\r\nHost: h\nX: y\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n",
        "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n",
        "GET / HTTP/2.0\r\nHost: h\r\n\r\n");

    private static final String PIPELINE = REQUESTS.get(0) + REQUESTS.get(2) + REQUESTS.get(3) + REQUESTS.get(1) +
        REQUESTS.get(0) + REQUESTS.get(4);

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String whole(final byte[] input)
    {
        return ParserDriver.transcript(CONFIG, input, new int[0]);
    }

    @Test
    void shouldParseTheSameWhenSplitAtEveryByteBoundary()
    {
        final List<String> inputs = new java.util.ArrayList<>(REQUESTS);
        inputs.add(PIPELINE);
        for (final String text : inputs)
        {
            final byte[] input = bytes(text);
            final String expected = whole(input);
            assertThat(expected).doesNotContain("INCOMPLETE");
            for (int split = 1; split < input.length; split++)
            {
                assertThat(ParserDriver.transcript(CONFIG, input, new int[]{split}))
                    .as("split at %d of %s", split, text).isEqualTo(expected);
            }
        }
    }

    @Test
    void shouldParseTheSameWhenSplitAtEveryPairOfBoundaries()
    {
        for (final String text : REQUESTS)
        {
            final byte[] input = bytes(text);
            final String expected = whole(input);
            for (int first = 1; first < input.length; first++)
            {
                for (int second = first; second < input.length; second++)
                {
                    assertThat(ParserDriver.transcript(CONFIG, input, new int[]{first, second}))
                        .as("split at %d and %d of %s", first, second, text).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void shouldParseTheSameWhenDeliveredOneByteAtATime()
    {
        final byte[] input = bytes(PIPELINE);
        final int[] every = new int[input.length - 1];
        for (int i = 0; i < every.length; i++)
        {
            every[i] = i + 1;
        }
        assertThat(ParserDriver.transcript(CONFIG, input, every)).isEqualTo(whole(input));
    }

    @Test
    void shouldParseAPipelinedBatchTheSameInAnyFragmentation()
    {
        qt().withExamples(300 + REPEATS)
            .forAll(batches(), cuts())
            .checkAssert(HttpRequestParserFragmentationTest::checkBatchCutAt);
    }

    private static void checkBatchCutAt(final List<Integer> requestIndexes, final List<Integer> cuts)
    {
        final StringBuilder text = new StringBuilder();
        for (final int index : requestIndexes)
        {
            text.append(REQUESTS.get(index));
        }
        final byte[] input = bytes(text.toString());
        final TreeSet<Integer> points = new TreeSet<>();
        for (final int cut : cuts)
        {
            points.add(1 + cut % Math.max(1, input.length - 1));
        }
        final int[] splitPoints = points.stream().filter(p -> p < input.length).mapToInt(Integer::intValue).toArray();
        assertThat(ParserDriver.transcript(CONFIG, input, splitPoints)).isEqualTo(whole(input));
    }

    /** 1 to 8 requests, each any of {@link #REQUESTS}, repeats allowed. */
    private static Gen<List<Integer>> batches()
    {
        return lists().of(integers().between(0, REQUESTS.size() - 1)).ofType(Lists.arrayList()).ofSizeBetween(1, 8);
    }

    /** Up to 40 cut positions, each folded onto the batch's length. */
    private static Gen<List<Integer>> cuts()
    {
        return lists().of(integers().between(0, 100_000)).ofType(Lists.arrayList()).ofSizeBetween(0, 40);
    }
}
