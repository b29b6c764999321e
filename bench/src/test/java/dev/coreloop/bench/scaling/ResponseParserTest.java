package dev.coreloop.bench.scaling;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ResponseParserTest
{
    private static final String OK_RESPONSE = "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 13\r\n\r\nHello, World!";

    @Test
    void shouldCountWholeHttpResponsesAndKeepAPartialOne()
    {
        final ResponseParser parser = ResponseParser.forProtocol(Protocol.HTTP_P16);
        final String two = OK_RESPONSE + OK_RESPONSE.toLowerCase().replace("http/1.1", "HTTP/1.1");
        final ByteBuffer in = buffer(two + OK_RESPONSE.substring(0, 30));
        assertThat(parser.parse(in)).isEqualTo(2);
        assertThat(in.remaining()).isEqualTo(30);
    }

    @Test
    void shouldCountAnHttpResponseFedOneByteAtATimeExactlyOnce()
    {
        final ResponseParser parser = ResponseParser.forProtocol(Protocol.HTTP);
        final byte[] bytes = OK_RESPONSE.getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer in = ByteBuffer.allocate(256);
        int total = 0;
        for (final byte b : bytes)
        {
            in.put(b);
            in.flip();
            total += parser.parse(in);
            in.compact();
        }
        assertThat(total).isEqualTo(1);
        assertThat(in.position()).isZero();
    }

    @Test
    void shouldTreatAnHttpErrorStatusOrBadLengthAsMalformed()
    {
        final ResponseParser parser = ResponseParser.forProtocol(Protocol.HTTP);
        assertThat(parser.parse(buffer("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")))
            .isEqualTo(ResponseParser.MALFORMED);
        assertThat(parser.parse(buffer("HTTP/1.1 200 OK\r\nContent-Length: x1\r\n\r\n")))
            .isEqualTo(ResponseParser.MALFORMED);
    }

    @Test
    void shouldCountRespRepliesOfEveryKindTheWorkloadGets()
    {
        final ResponseParser parser = ResponseParser.forProtocol(Protocol.RESP);
        final ByteBuffer in = buffer("+OK\r\n$-1\r\n$16\r\nvalue-0123456789\r\n:7\r\n$16\r\nvalue-01");
        assertThat(parser.parse(in)).isEqualTo(4);
        assertThat(in.remaining()).isEqualTo("$16\r\nvalue-01".length());
        assertThat(parser.parse(buffer("-ERR wrong\r\n"))).isEqualTo(ResponseParser.MALFORMED);
        assertThat(parser.parse(buffer("*1\r\n"))).isEqualTo(ResponseParser.MALFORMED);
    }

    @Test
    void shouldCountEchoRepliesInWholeMessages()
    {
        final ResponseParser parser = ResponseParser.forProtocol(Protocol.ECHO);
        final ByteBuffer in = ByteBuffer.allocate(200);
        in.put(new byte[150]).flip();
        assertThat(parser.parse(in)).isEqualTo(2);
        assertThat(in.remaining()).isEqualTo(22);
    }

    private static ByteBuffer buffer(final String text)
    {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }
}
