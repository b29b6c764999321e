package dev.coreloop.examples.http;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class HttpRequestParserTest
{
    private static final HttpConfig DEFAULTS = new HttpConfig();
    private static final String HOST = "Host: h\r\n";

    private static String parse(final String request)
    {
        return ParserDriver.transcript(DEFAULTS, request);
    }

    private static String parse(final HttpConfig config, final String request)
    {
        return ParserDriver.transcript(config, request);
    }

    @Test
    void shouldParseSimpleGet()
    {
        assertThat(parse("GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\nAccept: */*\r\n\r\n")).isEqualTo(
            "GET m=GET target=/plaintext path=/plaintext query=none v=1.1 keepAlive=true cl=-1 chunked=false " +
            "expect=false headers=[Host=localhost:8080;Accept=*/*;] body=|COMPLETE\n");
    }

    @Test
    void shouldSplitPathAndQuery()
    {
        assertThat(parse("GET /json?a=1&b HTTP/1.1\r\n" + HOST + "\r\n"))
            .contains("target=/json?a=1&b path=/json query=a=1&b ");
        assertThat(parse("GET /json? HTTP/1.1\r\n" + HOST + "\r\n")).contains("path=/json query= ");
    }

    @Test
    void shouldAcceptAbsoluteFormTarget()
    {
        assertThat(parse("GET http://example.com:80/json?x HTTP/1.1\r\n" + HOST + "\r\n"))
            .contains("path=/json query=x ");
        assertThat(parse("GET HTTPS://example.com HTTP/1.1\r\n" + HOST + "\r\n")).contains("path= query=none");
    }

    @Test
    void shouldAcceptAsteriskFormOnlyForOptions()
    {
        assertThat(parse("OPTIONS * HTTP/1.1\r\n" + HOST + "\r\n")).contains("m=OPTIONS target=*").endsWith("COMPLETE\n");
        assertThat(parse("GET * HTTP/1.1\r\n" + HOST + "\r\n")).isEqualTo("ERROR 400\n");
    }

    @Test
    void shouldAcceptAuthorityFormForConnect()
    {
        assertThat(parse("CONNECT example.com:443 HTTP/1.1\r\n" + HOST + "\r\n")).contains("m=CONNECT").endsWith("COMPLETE\n");
        assertThat(parse("GET example.com:443 HTTP/1.1\r\n" + HOST + "\r\n")).isEqualTo("ERROR 400\n");
    }

    @Test
    void shouldRecogniseMethodsCaseSensitively()
    {
        assertThat(parse("HEAD / HTTP/1.1\r\n" + HOST + "\r\n")).contains("m=HEAD");
        assertThat(parse("get / HTTP/1.1\r\n" + HOST + "\r\n")).contains("get m=OTHER");
        assertThat(parse("M-SEARCH / HTTP/1.1\r\n" + HOST + "\r\n")).contains("M-SEARCH m=OTHER");
    }

    @Test
    void shouldSkipEmptyLinesBeforeRequestLine()
    {
        assertThat(parse("\r\n\r\nGET / HTTP/1.1\r\n" + HOST + "\r\n")).startsWith("GET m=GET").endsWith("COMPLETE\n");
    }

    @Test
    void shouldTrimOptionalWhitespaceAroundFieldValues()
    {
        assertThat(parse("GET / HTTP/1.1\r\nHost:h\r\nX-A: \t a b \t\r\nX-Empty:\r\n\r\n"))
            .contains("headers=[Host=h;X-A=a b;X-Empty=;]");
    }

    @Test
    void shouldAcceptObsTextInFieldValues()
    {
        final String request = "GET / HTTP/1.1\r\nHost: h\r\nX-A: caf\u00e9\r\n\r\n";
        assertThat(parse(request)).endsWith("COMPLETE\n");
    }

    @Test
    void shouldApplyKeepAliveDefaults()
    {
        assertThat(parse("GET / HTTP/1.1\r\n" + HOST + "\r\n")).contains("keepAlive=true");
        assertThat(parse("GET / HTTP/1.1\r\n" + HOST + "Connection: close\r\n\r\n")).contains("keepAlive=false");
        assertThat(parse("GET / HTTP/1.1\r\n" + HOST + "Connection: Upgrade, CLOSE\r\n\r\n")).contains("keepAlive=false");
        assertThat(parse("GET / HTTP/1.0\r\n\r\n")).contains("v=1.0 keepAlive=false");
        assertThat(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")).contains("v=1.0 keepAlive=true");
        assertThat(parse("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n")).contains("keepAlive=false");
        assertThat(parse("GET / HTTP/1.2\r\n" + HOST + "\r\n")).contains("v=1.2 keepAlive=true");
    }

    @Test
    void shouldReadContentLengthBody()
    {
        assertThat(parse("POST /x HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\n\r\nhelloGET"))
            .contains("cl=5").contains("body=hello|COMPLETE\nINCOMPLETE 3\n");
    }

    @Test
    void shouldAcceptRepeatedEqualContentLength()
    {
        assertThat(parse("POST / HTTP/1.1\r\n" + HOST + "Content-Length: 3\r\nContent-Length: 003\r\n\r\nabc"))
            .contains("cl=3").endsWith("body=abc|COMPLETE\n");
    }

    @Test
    void shouldAcceptZeroContentLength()
    {
        assertThat(parse("POST / HTTP/1.1\r\n" + HOST + "Content-Length: 0\r\n\r\n")).endsWith("cl=0 chunked=false " +
            "expect=false headers=[Host=h;Content-Length=0;] body=|COMPLETE\n");
    }

    @Test
    void shouldDecodeChunkedBody()
    {
        final String request = "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n" +
            "5\r\nhello\r\n" + "1;name=value;other\r\n,\r\n" + "A \t;ext\r\n world!!!!\r\n" +
            "0\r\nTrailer-One: x\r\nTrailer-Two: y\r\n\r\n";
        assertThat(parse(request)).contains("chunked=true").endsWith("body=hello, world!!!!|COMPLETE\n");
    }

    @Test
    void shouldAcceptChunkedCaseInsensitivelyWithEmptyListElements()
    {
        assertThat(parse("POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: , CHUNKED\r\n\r\n0\r\n\r\n"))
            .contains("chunked=true").endsWith("body=|COMPLETE\n");
    }

    @Test
    void shouldParsePipelinedRequestsInOrder()
    {
        final String one = "GET /a HTTP/1.1\r\n" + HOST + "\r\n";
        final String two = "POST /b HTTP/1.1\r\n" + HOST + "Content-Length: 2\r\n\r\nhi";
        final String three = "POST /c HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n2\r\nyo\r\n0\r\n\r\n";
        final String transcript = parse(one + two + three + one);
        assertThat(transcript.split("\n")).hasSize(4);
        assertThat(transcript).contains("path=/a").contains("body=hi|").contains("body=yo|");
    }

    @Test
    void shouldFlagExpectContinue()
    {
        assertThat(parse("POST / HTTP/1.1\r\n" + HOST + "Expect: 100-Continue\r\nContent-Length: 1\r\n\r\nx"))
            .contains("expect=true");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "empty method|' / HTTP/1.1'",
        "method with a non-token byte|'GE(T / HTTP/1.1'",
        "two spaces after the method|'GET  / HTTP/1.1'",
        "no target|'GET HTTP/1.1'",
        "space inside the target|'GET /a b HTTP/1.1'",
        "control byte in the target|'GET /a\u0001b HTTP/1.1'",
        "fragment in the target|'GET /a#b HTTP/1.1'",
        "non-ASCII in the target|'GET /caf\u00e9 HTTP/1.1'",
        "relative target|'GET plaintext HTTP/1.1'",
        "lower-case version|'GET / http/1.1'",
        "missing minor version|'GET / HTTP/1'",
        "two-digit major|'GET / HTTP/10.1'",
        "trailing space after the version|'GET / HTTP/1.1 '",
        "tab separator|'GET\t/ HTTP/1.1'",
        "no version|'GET /'",
        "letter as version digit|'GET / HTTP/1.x'",
    })
    void shouldRejectMalformedRequestLineWith400(final String description, final String requestLine)
    {
        assertThat(parse(requestLine + "\r\n" + HOST + "\r\n")).as(description).isEqualTo("ERROR 400\n");
    }

    @ParameterizedTest
    @CsvSource({"HTTP/2.0", "HTTP/0.9", "HTTP/3.1"})
    void shouldRejectOtherMajorVersionsWith505(final String version)
    {
        assertThat(parse("GET / " + version + "\r\n" + HOST + "\r\n")).isEqualTo("ERROR 505\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "obs-fold continuation line|'X-A: a\r\n b'",
        "whitespace before the first field|' X-A: a'",
        "space before the colon|'X-A : a'",
        "no colon|'X-A a'",
        "empty field name|': a'",
        "non-token byte in the name|'X(A): a'",
        "NUL in a value|'X-A: a\u0000b'",
        "DEL in a value|'X-A: a\u007fb'",
        "control byte in a value|'X-A: a\u001bb'",
        "second Host line|'Host: other'",
        "Content-Length with a sign|'Content-Length: +5'",
        "negative Content-Length|'Content-Length: -1'",
        "empty Content-Length|'Content-Length:'",
        "Content-Length list|'Content-Length: 5, 5'",
        "hex Content-Length|'Content-Length: 0x5'",
        "differing duplicate Content-Length|'Content-Length: 5\r\nContent-Length: 6'",
        "Content-Length with Transfer-Encoding (smuggling)|'Content-Length: 5\r\nTransfer-Encoding: chunked'",
        "Transfer-Encoding with Content-Length (smuggling)|'Transfer-Encoding: chunked\r\nContent-Length: 0'",
        "chunked twice|'Transfer-Encoding: chunked, chunked'",
        "chunked twice on two lines|'Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked'",
        "chunked not last|'Transfer-Encoding: chunked, gzip'",
        "empty Transfer-Encoding|'Transfer-Encoding: ,'",
    })
    void shouldRejectMalformedHeadersWith400(final String description, final String fields)
    {
        assertThat(parse("POST / HTTP/1.1\r\n" + HOST + fields + "\r\n\r\n")).as(description).isEqualTo("ERROR 400\n");
    }

    @Test
    void shouldRequireExactlyOneHostInHttp11()
    {
        assertThat(parse("GET / HTTP/1.1\r\n\r\n")).isEqualTo("ERROR 400\n");
        assertThat(parse("GET / HTTP/1.0\r\n\r\n")).endsWith("COMPLETE\n");
    }

    @Test
    void shouldRejectTransferEncodingInHttp10()
    {
        assertThat(parse("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")).isEqualTo("ERROR 400\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"gzip", "gzip, chunked", "identity", "chunked;q=1"})
    void shouldRejectUnimplementedTransferCodingsWith501(final String codings)
    {
        assertThat(parse("POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: " + codings + "\r\n\r\n"))
            .isEqualTo("ERROR 501\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bare LF ending the request line|'GET / HTTP/1.1\nHost: h\r\n\r\n'",
        "bare LF ending a field|'GET / HTTP/1.1\r\nHost: h\n\r\n'",
        "bare LF ending the head|'GET / HTTP/1.1\r\nHost: h\r\n\n'",
        "bare LF before the request line|'\nGET / HTTP/1.1\r\nHost: h\r\n\r\n'",
        "bare CR in the request line|'GET /\r HTTP/1.1\r\nHost: h\r\n\r\n'",
        "bare CR in a value|'GET / HTTP/1.1\r\nHost: h\rx\r\n\r\n'",
        "CR CR LF|'GET / HTTP/1.1\r\r\nHost: h\r\n\r\n'",
    })
    void shouldRejectBareLineEndsWith400(final String description, final String request)
    {
        assertThat(parse(request)).as(description).isEqualTo("ERROR 400\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "empty chunk size|'\r\nx\r\n0\r\n\r\n'",
        "negative chunk size|'-1\r\nx\r\n0\r\n\r\n'",
        "0x prefix|'0x1\r\nx\r\n0\r\n\r\n'",
        "space before the size|' 1\r\nx\r\n0\r\n\r\n'",
        "space after the size without extension|'1 \r\nx\r\n0\r\n\r\n'",
        "non-hex size|'g\r\nx\r\n0\r\n\r\n'",
        "bare LF after the size|'1\nx\r\n0\r\n\r\n'",
        "control byte in an extension|'1;a\u0001b\r\nx\r\n0\r\n\r\n'",
        "data longer than the size|'1\r\nxy\r\n0\r\n\r\n'",
        "missing CRLF after data|'1\r\nx0\r\n\r\n'",
        "bare LF after data|'1\r\nx\n0\r\n\r\n'",
        "bare LF ending the trailers|'0\r\n\n'",
        "malformed trailer field|'0\r\nno colon\r\n\r\n'",
        "obs-fold in a trailer|'0\r\nA: b\r\n c\r\n\r\n'",
    })
    void shouldRejectMalformedChunkedBodiesWith400(final String description, final String chunks)
    {
        assertThat(parse("POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n" + chunks))
            .as(description).endsWith("ERROR 400\n");
    }

    @Test
    void shouldRejectOverlongChunkLineWith400()
    {
        final HttpConfig config = new HttpConfig().maxChunkLineBytes(16);
        final String head = "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n";
        assertThat(parse(config, head + "1;" + "e".repeat(14) + "\r\nx\r\n0\r\n\r\n")).endsWith("body=x|COMPLETE\n");
        assertThat(parse(config, head + "1;" + "e".repeat(15) + "\r\nx\r\n0\r\n\r\n")).endsWith("ERROR 400\n");
        assertThat(parse(config, head + "1;" + "e".repeat(40))).endsWith("ERROR 400\n");
    }

    @Test
    void shouldRejectRequestLineOverLimitWith414()
    {
        final HttpConfig config = new HttpConfig().maxRequestLineBytes(32);
        final String exact = "GET /" + "a".repeat(32 - 14) + " HTTP/1.1";
        assertThat(exact).hasSize(32);
        assertThat(parse(config, exact + "\r\n" + HOST + "\r\n")).endsWith("COMPLETE\n");
        assertThat(parse(config, "GET /" + "a".repeat(32 - 13) + " HTTP/1.1\r\n" + HOST + "\r\n")).isEqualTo("ERROR 414\n");
        assertThat(parse(config, "GET /" + "a".repeat(100))).as("before the line ends").isEqualTo("ERROR 414\n");
    }

    @Test
    void shouldRejectTooManyHeadersWith431()
    {
        final HttpConfig config = new HttpConfig().maxHeaderCount(3);
        assertThat(parse(config, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n")).endsWith("COMPLETE\n");
        assertThat(parse(config, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")).isEqualTo("ERROR 431\n");
    }

    @Test
    void shouldRejectHeaderSectionOverLimitWith431()
    {
        final HttpConfig config = new HttpConfig().maxHeaderBytes(64);
        assertThat(parse(config, "GET / HTTP/1.1\r\nHost: h\r\nA: " + "x".repeat(40) + "\r\n\r\n")).endsWith("COMPLETE\n");
        assertThat(parse(config, "GET / HTTP/1.1\r\nHost: h\r\nA: " + "x".repeat(60) + "\r\n\r\n")).isEqualTo("ERROR 431\n");
        assertThat(parse(config, "GET / HTTP/1.1\r\nA: " + "x".repeat(200))).as("before the head ends").isEqualTo("ERROR 431\n");
    }

    @Test
    void shouldRejectTrailersOverLimitsWith431()
    {
        final String head = "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n0\r\n";
        assertThat(parse(new HttpConfig().maxHeaderCount(2), head + "A: 1\r\nB: 2\r\nC: 3\r\n\r\n")).endsWith("ERROR 431\n");
        assertThat(parse(new HttpConfig().maxHeaderBytes(32), head + "A: " + "x".repeat(40) + "\r\n\r\n"))
            .endsWith("ERROR 431\n");
    }

    @Test
    void shouldRejectBodiesOverLimitWith413()
    {
        final HttpConfig config = new HttpConfig().maxBodyBytes(10);
        final String head = "POST / HTTP/1.1\r\n" + HOST;
        assertThat(parse(config, head + "Content-Length: 10\r\n\r\n0123456789")).endsWith("body=0123456789|COMPLETE\n");
        assertThat(parse(config, head + "Content-Length: 11\r\n\r\n")).isEqualTo("ERROR 413\n");
        final String chunked = head + "Transfer-Encoding: chunked\r\n\r\n";
        assertThat(parse(config, chunked + "5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n")).endsWith("body=0123456789|COMPLETE\n");
        assertThat(parse(config, chunked + "5\r\n01234\r\n6\r\n")).endsWith("ERROR 413\n");
        assertThat(parse(config, chunked + "b\r\n")).endsWith("ERROR 413\n");
    }

    @Test
    void shouldRejectOverflowingLengthsWith413()
    {
        final String head = "POST / HTTP/1.1\r\n" + HOST;
        assertThat(parse(head + "Content-Length: 99999999999999999999999999999\r\n\r\n")).isEqualTo("ERROR 413\n");
        assertThat(parse(head + "Content-Length: 9223372036854775808\r\n\r\n")).isEqualTo("ERROR 413\n");
        assertThat(parse(head + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n")).endsWith("ERROR 413\n");
    }

    @Test
    void shouldPreferSmugglingRejectionOverBodyLimit()
    {
        assertThat(parse("POST / HTTP/1.1\r\n" + HOST + "Content-Length: 99999999999\r\nTransfer-Encoding: chunked\r\n\r\n"))
            .isEqualTo("ERROR 400\n");
    }

    @Test
    void shouldWaitForMoreWithoutConsumingAPartialHead()
    {
        final HttpRequestParser parser = new HttpRequestParser(DEFAULTS);
        final byte[] bytes = "GET / HTTP/1.1\r\nHost: h\r\n".getBytes(StandardCharsets.US_ASCII);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        assertThat(parser.parse(buffer, 0, bytes.length)).isEqualTo(HttpRequestParser.NEED_MORE);
        assertThat(parser.consumed()).isZero();
        assertThat(parser.isAtMessageStart()).isFalse();
    }

    @Test
    void shouldConsumeLeadingEmptyLinesWhileWaiting()
    {
        final HttpRequestParser parser = new HttpRequestParser(DEFAULTS);
        final UnsafeBuffer buffer = new UnsafeBuffer("\r\n\r\n\r".getBytes(StandardCharsets.US_ASCII));
        assertThat(parser.parse(buffer, 0, 5)).isEqualTo(HttpRequestParser.NEED_MORE);
        assertThat(parser.consumed()).isEqualTo(4);
    }

    @Test
    void shouldStayInErrorUntilReset()
    {
        final HttpRequestParser parser = new HttpRequestParser(DEFAULTS);
        final byte[] bad = "GET / HTTP/1.1\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        final byte[] good = "GET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(parser.parse(new UnsafeBuffer(bad), 0, bad.length)).isEqualTo(HttpRequestParser.ERROR);
        assertThat(parser.errorStatus()).isEqualTo(400);
        assertThat(parser.parse(new UnsafeBuffer(good), 0, good.length)).isEqualTo(HttpRequestParser.ERROR);
        parser.reset();
        assertThat(parser.errorStatus()).isZero();
        assertThat(parser.parse(new UnsafeBuffer(good), 0, good.length)).isEqualTo(HttpRequestParser.HEADERS);
        assertThat(parser.consumed()).isEqualTo(good.length);
        assertThat(parser.parse(new UnsafeBuffer(good), good.length, 0)).isEqualTo(HttpRequestParser.COMPLETE);
        assertThat(parser.isAtMessageStart()).isTrue();
    }

    @Test
    void shouldRejectInvalidConfigNamingTheField()
    {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HttpRequestParser(new HttpConfig().maxHeaderCount(0)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxHeaderCount").hasMessageContaining(": 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HttpConfig().serverName("a\r\nb").validate())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("serverName");
    }
}
