package dev.coreloop.examples.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request, or a pipelined batch, parses to the same transcript however its bytes are cut into deliveries:
 * exhaustively at every single byte boundary, at every pair of boundaries for short inputs, and at random
 * sets of boundaries (jqwik).
 */
class HttpRequestParserFragmentationTest
{
    private static final HttpConfig CONFIG = new HttpConfig().maxBodyBytes(4096);

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

    @org.junit.jupiter.api.Test
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

    @org.junit.jupiter.api.Test
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

    @org.junit.jupiter.api.Test
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

    @Property(tries = 300)
    void shouldParseAPipelinedBatchTheSameInAnyFragmentation(
        @ForAll("batches") final List<Integer> requestIndexes,
        @ForAll @Size(max = 40) final List<@IntRange(min = 0, max = 100_000) Integer> cuts)
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

    @Provide
    Arbitrary<List<Integer>> batches()
    {
        return Arbitraries.integers().between(0, REQUESTS.size() - 1).list().ofMinSize(1).ofMaxSize(8);
    }
}
