package dev.coreloop.examples.http;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pipeline that holds requests the server answers with 404 and 405 between requests it serves gets every
 * response, in order, on a connection that stays open, however its bytes are cut into deliveries: whole, at every
 * single byte boundary, at every pair of boundaries, and one byte at a time. The handler is driven the way the
 * core drives it: unconsumed bytes are presented again, followed by newer ones, at a moving offset.
 */
class HttpHandlerFragmentationTest
{
    private static final String HOST = "Host: h\r\n";
    private static final String DATE = "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n";
    private static final String PREFIX = "HTTP/1.1 %s\r\nServer: coreloop\r\n" + DATE;

    private static final String PIPELINE =
        "GET /plaintext HTTP/1.1\r\n" + HOST + "\r\n" +
        "GET /nope HTTP/1.1\r\n" + HOST + "\r\n" +
        "POST /json HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\n\r\nhello" +
        "GET /missing?q=1 HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" +
        "HEAD /nope HTTP/1.1\r\n" + HOST + "\r\n" +
        "GET /json HTTP/1.1\r\n" + HOST + "\r\n";

    private static final String NOT_FOUND_HEAD = String.format(PREFIX, "404 Not Found") +
        "Content-Type: text/plain\r\nContent-Length: 14\r\n\r\n";
    private static final String EXPECTED =
        String.format(PREFIX, "200 OK") + "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!" +
        NOT_FOUND_HEAD + "404 Not Found\n" +
        String.format(PREFIX, "405 Method Not Allowed") + "Allow: GET, HEAD\r\n" +
            "Content-Type: text/plain\r\nContent-Length: 23\r\n\r\n405 Method Not Allowed\n" +
        NOT_FOUND_HEAD + "404 Not Found\n" +
        NOT_FOUND_HEAD +
        String.format(PREFIX, "200 OK") + "Content-Type: application/json\r\nContent-Length: 27\r\n\r\n" +
            "{\"message\":\"Hello, World!\"}";

    private static final byte[] INPUT = PIPELINE.getBytes(StandardCharsets.ISO_8859_1);
    private static final HttpConfig CONFIG = new HttpConfig();

    // one reactor, connection and inbound buffer for all the deliveries of a test (tens of thousands for the pairs)
    private final FakeReactorContext reactor = new FakeReactorContext(new HttpDateService(CONFIG));
    private final FakeConnection connection = new FakeConnection(reactor);
    private final UnsafeBuffer inbound = new UnsafeBuffer(new byte[2 * INPUT.length + 64]);

    @Test
    void shouldAnswerEveryRequestInOrderWhenDeliveredWhole()
    {
        assertThat(deliver(new int[0])).isEqualTo(EXPECTED + "|open|responses=6");
    }

    @Test
    void shouldAnswerEveryRequestInOrderWhenSplitAtEveryByteBoundary()
    {
        for (int split = 1; split < INPUT.length; split++)
        {
            assertThat(deliver(new int[]{split})).as("split at %d", split).isEqualTo(EXPECTED + "|open|responses=6");
        }
    }

    @Test
    void shouldAnswerEveryRequestInOrderWhenSplitAtEveryPairOfBoundaries()
    {
        for (int first = 1; first < INPUT.length; first++)
        {
            for (int second = first + 1; second < INPUT.length; second++)
            {
                assertThat(deliver(new int[]{first, second})).as("split at %d and %d", first, second)
                    .isEqualTo(EXPECTED + "|open|responses=6");
            }
        }
    }

    @Test
    void shouldAnswerEveryRequestInOrderWhenDeliveredOneByteAtATime()
    {
        final int[] every = new int[INPUT.length - 1];
        for (int i = 0; i < every.length; i++)
        {
            every[i] = i + 1;
        }
        assertThat(deliver(every)).isEqualTo(EXPECTED + "|open|responses=6");
    }

    /**
     * @param splitPoints increasing positions where one delivery ends and the next starts.
     * @return what the connection received, whether it is still open, and the handler's response count.
     */
    private String deliver(final int[] splitPoints)
    {
        connection.clearOutput();
        connection.closeReason = null;
        final HttpHandler handler = new HttpHandler(reactor, CONFIG);
        int start = 0;
        int length = 0;
        int delivered = 0;
        for (int s = 0; s <= splitPoints.length; s++)
        {
            final int to = s < splitPoints.length ? splitPoints[s] : INPUT.length;
            inbound.putBytes(start + length, INPUT, delivered, to - delivered);
            length += to - delivered;
            delivered = to;
            final int consumed = handler.onData(connection, inbound, start, length);
            assertThat(consumed).isBetween(0, length);
            // the unconsumed bytes move, as a ring that wraps or linearises would move them
            final int newStart = s % 2 == 0 ? 7 : 0;
            final byte[] keep = new byte[length - consumed];
            inbound.getBytes(start + consumed, keep);
            inbound.putBytes(newStart, keep);
            start = newStart;
            length = keep.length;
        }
        assertThat(length).as("unconsumed bytes at the end").isZero();
        return connection.output() + (connection.closeReason == null ? "|open" : "|closed " + connection.closeReason) +
            "|responses=" + handler.responseCount();
    }
}
