package dev.coreloop.examples.http;

import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Feeds bytes to an {@link HttpRequestParser} the way {@code onData} does (unconsumed bytes presented again,
 * followed by newer ones) and writes down what it saw as a transcript, so that two deliveries of the same
 * bytes can be compared. Between deliveries the unconsumed bytes move to another offset, as a ring that
 * resets or linearises would move them, so a parser that kept absolute offsets would fail.
 *
 * <p><b>Threading:</b> single test thread.
 */
final class ParserDriver
{
    private ParserDriver()
    {
    }

    static String transcript(final HttpConfig config, final String request)
    {
        return transcript(config, request.getBytes(StandardCharsets.ISO_8859_1), new int[0]);
    }

    /**
     * @param splitPoints increasing byte positions where a delivery ends and the next starts.
     */
    static String transcript(final HttpConfig config, final byte[] input, final int[] splitPoints)
    {
        final HttpRequestParser parser = new HttpRequestParser(config);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[2 * input.length + 64]);
        final StringBuilder out = new StringBuilder();
        final StringBuilder body = new StringBuilder();
        int start = 0;
        int length = 0;
        int delivered = 0;
        int deliveries = 0;
        for (int s = 0; s <= splitPoints.length; s++)
        {
            final int to = s < splitPoints.length ? splitPoints[s] : input.length;
            buffer.putBytes(start + length, input, delivered, to - delivered);
            length += to - delivered;
            delivered = to;
            int position = start;
            final int end = start + length;
            boolean more = true;
            while (more)
            {
                final int result = parser.parse(buffer, position, end - position);
                position += parser.consumed();
                switch (result)
                {
                    case HttpRequestParser.HEADERS:
                        describeHead(parser, buffer, out);
                        body.setLength(0);
                        break;

                    case HttpRequestParser.BODY:
                        body.append(buffer.getStringWithoutLengthAscii(parser.bodyOffset(), parser.bodyLength()));
                        break;

                    case HttpRequestParser.COMPLETE:
                        out.append("body=").append(body).append("|COMPLETE\n");
                        break;

                    case HttpRequestParser.ERROR:
                        out.append("ERROR ").append(parser.errorStatus()).append('\n');
                        return out.toString();

                    default:
                        more = false;
                        break;
                }
            }
            final int remaining = end - position;
            final int newStart = (++deliveries % 2 == 0) ? 0 : 13;
            final byte[] keep = new byte[remaining];
            buffer.getBytes(position, keep);
            buffer.putBytes(newStart, keep);
            start = newStart;
            length = remaining;
        }
        if (length > 0 || !parser.isAtMessageStart())
        {
            out.append("INCOMPLETE ").append(length).append('\n');
        }
        return out.toString();
    }

    private static void describeHead(final HttpRequestParser parser, final DirectBuffer buffer, final StringBuilder out)
    {
        out.append(buffer.getStringWithoutLengthAscii(parser.methodOffset(), parser.methodLength()))
            .append(" m=").append(HttpMethod.name(parser.method()))
            .append(" target=").append(buffer.getStringWithoutLengthAscii(parser.targetOffset(), parser.targetLength()))
            .append(" path=").append(buffer.getStringWithoutLengthAscii(parser.pathOffset(), parser.pathLength()))
            .append(" query=").append(parser.queryLength() < 0 ? "none" :
                buffer.getStringWithoutLengthAscii(parser.queryOffset(), parser.queryLength()))
            .append(" v=1.").append(parser.versionMinor())
            .append(" keepAlive=").append(parser.keepAlive())
            .append(" cl=").append(parser.contentLength())
            .append(" chunked=").append(parser.chunked())
            .append(" expect=").append(parser.expectContinue())
            .append(" headers=[");
        for (int i = 0; i < parser.headerCount(); i++)
        {
            out.append(buffer.getStringWithoutLengthAscii(parser.headerNameOffset(i), parser.headerNameLength(i)))
                .append('=')
                .append(buffer.getStringWithoutLengthAscii(parser.headerValueOffset(i), parser.headerValueLength(i)))
                .append(';');
        }
        out.append("] ");
    }
}
