package dev.coreloop.examples.http;

import java.nio.charset.StandardCharsets;

import dev.coreloop.core.CloseReason;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpHandlerTest
{
    private static final String DATE = "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n";
    private static final String PLAINTEXT_OK = "HTTP/1.1 200 OK\r\nServer: coreloop\r\n" + DATE +
        "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!";
    private static final String GET_PLAINTEXT = "GET /plaintext HTTP/1.1\r\nHost: h\r\n\r\n";
    private static final String NOT_FOUND_KEEP_ALIVE = "HTTP/1.1 404 Not Found\r\nServer: coreloop\r\n" + DATE +
        "Content-Type: text/plain\r\nContent-Length: 14\r\n\r\n404 Not Found\n";

    private FakeReactorContext reactor;
    private FakeConnection connection;
    private HttpHandler handler;
    private final UnsafeBuffer inbound = new UnsafeBuffer(new byte[64 * 1024]);

    @BeforeEach
    void setUp()
    {
        final HttpConfig config = new HttpConfig();
        reactor = new FakeReactorContext(new HttpDateService(config));
        connection = new FakeConnection(reactor);
        handler = new HttpHandler(reactor, config);
    }

    private int deliver(final String bytes)
    {
        final byte[] data = bytes.getBytes(StandardCharsets.ISO_8859_1);
        inbound.putBytes(100, data);
        return handler.onData(connection, inbound, 100, data.length);
    }

    @Test
    void shouldServePlaintext()
    {
        assertThat(deliver(GET_PLAINTEXT)).isEqualTo(GET_PLAINTEXT.length());
        assertThat(connection.output()).isEqualTo(PLAINTEXT_OK);
        assertThat(connection.closeReason).isNull();
    }

    @Test
    void shouldServeJson()
    {
        deliver("GET /json HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(connection.output()).isEqualTo("HTTP/1.1 200 OK\r\nServer: coreloop\r\n" + DATE +
            "Content-Type: application/json\r\nContent-Length: 27\r\n\r\n{\"message\":\"Hello, World!\"}");
    }

    @Test
    void shouldAnswerHeadWithHeadersOnly()
    {
        deliver("HEAD /plaintext HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(connection.output()).isEqualTo(PLAINTEXT_OK.substring(0, PLAINTEXT_OK.length() - 13));
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrderAndKeepAPartialOne()
    {
        final String json = "GET /json HTTP/1.1\r\nHost: h\r\n\r\n";
        final String withBody = "GET /plaintext HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody";
        final String chunked = "GET /json HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n";
        final String partial = "GET /plain";
        final String batch = GET_PLAINTEXT + json + withBody + chunked + partial;
        assertThat(deliver(batch)).isEqualTo(batch.length() - partial.length());
        assertThat(handler.responseCount()).isEqualTo(4);
        final String output = connection.output();
        assertThat(output.indexOf("Hello, World!")).isLessThan(output.indexOf("{\"message\""));
        assertThat(output.split("HTTP/1.1 200 OK", -1)).hasSize(5);
        assertThat(output).endsWith("{\"message\":\"Hello, World!\"}");
    }

    @Test
    void shouldCloseAfterConnectionClose()
    {
        final String close = "GET /plaintext HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
        assertThat(deliver(close + GET_PLAINTEXT)).isEqualTo(close.length() + GET_PLAINTEXT.length());
        assertThat(connection.output()).contains("Content-Length: 13\r\nConnection: close\r\n\r\nHello, World!")
            .doesNotContain("Hello, World!HTTP");
        assertThat(connection.closeReason).isEqualTo(CloseReason.LOCAL_CLOSE);
        assertThat(handler.responseCount()).isEqualTo(1);
    }

    @Test
    void shouldCloseHttp10UnlessKeepAlive()
    {
        deliver("GET /plaintext HTTP/1.0\r\n\r\n");
        assertThat(connection.output()).contains("Connection: close\r\n");
        assertThat(connection.closeReason).isEqualTo(CloseReason.LOCAL_CLOSE);
    }

    @Test
    void shouldKeepHttp10AliveWhenAsked()
    {
        deliver("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertThat(connection.output()).startsWith("HTTP/1.1 200 OK").contains("Connection: keep-alive\r\n");
        assertThat(connection.closeReason).isNull();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "'GET /plaintext HTTP/1.1\r\n\r\n'|400 Bad Request",
        "'GET /plaintext HTTP/1.1\r\nHost: h\r\nContent-Length: 2000000\r\n\r\n'|413 Content Too Large",
        "'GET /plaintext HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n'|501 Not Implemented",
        "'GET /plaintext HTTP/2.0\r\nHost: h\r\n\r\n'|505 HTTP Version Not Supported",
    })
    void shouldReplyWithErrorThenCloseWithProtocolError(final String request, final String status)
    {
        assertThat(deliver(request + GET_PLAINTEXT)).isEqualTo(request.length() + GET_PLAINTEXT.length());
        assertThat(connection.output()).startsWith("HTTP/1.1 " + status + "\r\nServer: coreloop\r\n" + DATE)
            .contains("Connection: close\r\n\r\n" + status + "\n").doesNotContain("Hello");
        assertThat(connection.closeReason).isEqualTo(CloseReason.PROTOCOL_ERROR);
        assertThat(deliver(GET_PLAINTEXT)).as("input after the error is discarded").isEqualTo(GET_PLAINTEXT.length());
        assertThat(handler.responseCount()).isEqualTo(1);
    }

    @Test
    void shouldKeepTheConnectionAfterA404AndAnswerPipelinedRequestsInOrder()
    {
        final String notFound = "GET /nope HTTP/1.1\r\nHost: h\r\n\r\n";
        final String json = "GET /json HTTP/1.1\r\nHost: h\r\n\r\n";
        final String batch = GET_PLAINTEXT + notFound + json;
        assertThat(deliver(batch)).isEqualTo(batch.length());
        assertThat(connection.output()).isEqualTo(PLAINTEXT_OK + NOT_FOUND_KEEP_ALIVE +
            "HTTP/1.1 200 OK\r\nServer: coreloop\r\n" + DATE +
            "Content-Type: application/json\r\nContent-Length: 27\r\n\r\n{\"message\":\"Hello, World!\"}");
        assertThat(connection.closeReason).isNull();
        assertThat(handler.responseCount()).isEqualTo(3);
        connection.clearOutput();
        assertThat(deliver(GET_PLAINTEXT)).as("the connection still serves").isEqualTo(GET_PLAINTEXT.length());
        assertThat(connection.output()).isEqualTo(PLAINTEXT_OK);
    }

    @Test
    void shouldKeepTheConnectionAfterA405WhoseBodyWasRead()
    {
        final String withBody = "POST /plaintext HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
        final String chunked = "PUT /json HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
            "3\r\nabc\r\n0\r\n\r\n";
        final String noBody = "DELETE /json HTTP/1.1\r\nHost: h\r\n\r\n";
        final String batch = withBody + chunked + noBody + GET_PLAINTEXT;
        assertThat(deliver(batch)).isEqualTo(batch.length());
        final String output = connection.output();
        assertThat(output.split("HTTP/1.1 405 Method Not Allowed\r\n", -1)).hasSize(4);
        assertThat(output).doesNotContain("Connection: close").endsWith(PLAINTEXT_OK)
            .contains("\r\nAllow: GET, HEAD\r\n");
        assertThat(connection.closeReason).isNull();
        assertThat(handler.responseCount()).isEqualTo(4);
    }

    @Test
    void shouldAnswerA404ToHeadWithHeadersOnlyAndKeepTheConnection()
    {
        final String head = "HEAD /nope HTTP/1.1\r\nHost: h\r\n\r\n";
        assertThat(deliver(head + GET_PLAINTEXT)).isEqualTo(head.length() + GET_PLAINTEXT.length());
        assertThat(connection.output()).isEqualTo(
            NOT_FOUND_KEEP_ALIVE.substring(0, NOT_FOUND_KEEP_ALIVE.length() - "404 Not Found\n".length()) +
            PLAINTEXT_OK);
        assertThat(connection.closeReason).isNull();
    }

    @Test
    void shouldKeepAnHttp10ConnectionAfterA404OnlyWhenAsked()
    {
        deliver("GET /nope HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        assertThat(connection.output()).startsWith("HTTP/1.1 404 Not Found\r\n")
            .contains("\r\nConnection: keep-alive\r\n");
        assertThat(connection.closeReason).isNull();
        setUp();
        deliver("GET /nope HTTP/1.0\r\n\r\n");
        assertThat(connection.output()).startsWith("HTTP/1.1 404 Not Found\r\n").contains("\r\nConnection: close\r\n");
        assertThat(connection.closeReason).isEqualTo(CloseReason.LOCAL_CLOSE);
    }

    @Test
    void shouldCloseAfterA404WhenTheRequestSaysConnectionClose()
    {
        final String notFound = "GET /nope HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
        assertThat(deliver(notFound + GET_PLAINTEXT)).isEqualTo(notFound.length() + GET_PLAINTEXT.length());
        assertThat(connection.output()).startsWith("HTTP/1.1 404 Not Found\r\n").contains("\r\nConnection: close\r\n")
            .doesNotContain("Hello");
        assertThat(connection.closeReason).isEqualTo(CloseReason.LOCAL_CLOSE);
        assertThat(handler.responseCount()).isEqualTo(1);
    }

    @Test
    void shouldCloseAfterA405WhoseBodyTheClientHoldsBackFor100Continue()
    {
        final String expect = "POST /json HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";
        assertThat(deliver(expect)).isEqualTo(expect.length());
        assertThat(connection.output()).startsWith("HTTP/1.1 405 Method Not Allowed\r\n")
            .contains("\r\nConnection: close\r\n").doesNotContain("100 Continue");
        assertThat(connection.closeReason).isEqualTo(CloseReason.PROTOCOL_ERROR);
    }

    @Test
    void shouldSendAllowWith405()
    {
        deliver("DELETE /json HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(connection.output()).contains("\r\nAllow: GET, HEAD\r\n");
    }

    @Test
    void shouldReply414And431BeforeTheHeadIsComplete()
    {
        deliver("GET /" + "a".repeat(9000));
        assertThat(connection.output()).startsWith("HTTP/1.1 414 URI Too Long\r\n");
        setUp();
        deliver("GET / HTTP/1.1\r\nHost: h\r\nX: " + "a".repeat(17_000));
        assertThat(connection.output()).startsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n");
        assertThat(connection.closeReason).isEqualTo(CloseReason.PROTOCOL_ERROR);
    }

    @Test
    void shouldAnswerErrorsToHeadWithoutBody()
    {
        deliver("HEAD /nope HTTP/1.1\r\nHost: h\r\n\r\n");
        assertThat(connection.output()).startsWith("HTTP/1.1 404 Not Found").endsWith("\r\n\r\n");
    }

    @Test
    void shouldSend100ContinueWhenExpected()
    {
        deliver("GET /plaintext HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n");
        assertThat(connection.output()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        connection.clearOutput();
        deliver("abc");
        assertThat(connection.output()).isEqualTo(PLAINTEXT_OK);
    }

    @Test
    void shouldStopConsumingWhileNotWritable()
    {
        connection.writable = false;
        assertThat(deliver(GET_PLAINTEXT + GET_PLAINTEXT)).isZero();
        assertThat(connection.output()).isEmpty();
        connection.writable = true;
        assertThat(deliver(GET_PLAINTEXT + GET_PLAINTEXT)).isEqualTo(2 * GET_PLAINTEXT.length());
        assertThat(handler.responseCount()).isEqualTo(2);
    }

    @Test
    void shouldRetryARefusedResponseBeforeAnythingElse()
    {
        connection.refuseWrites = true;
        assertThat(deliver(GET_PLAINTEXT + "GET /json HTTP/1.1\r\nHost: h\r\n\r\n")).isEqualTo(GET_PLAINTEXT.length());
        assertThat(handler.responseCount()).isZero();
        connection.refuseWrites = false;
        handler.onWritabilityChanged(connection, true);
        assertThat(connection.output()).isEqualTo(PLAINTEXT_OK);
        final String json = "GET /json HTTP/1.1\r\nHost: h\r\n\r\n";
        assertThat(deliver(json)).isEqualTo(json.length());
        assertThat(connection.output()).startsWith(PLAINTEXT_OK).endsWith("{\"message\":\"Hello, World!\"}");
    }

    @Test
    void shouldRefreshTheDateWhenTheSecondChanges()
    {
        deliver(GET_PLAINTEXT);
        reactor.epochMs += 999;
        deliver(GET_PLAINTEXT);
        reactor.epochMs += 1;
        deliver(GET_PLAINTEXT);
        final String output = connection.output();
        assertThat(output.split("08:49:37 GMT", -1)).hasSize(3);
        assertThat(output).contains("Date: Sun, 06 Nov 1994 08:49:38 GMT\r\n");
    }

    @Test
    void shouldReply408WhenAHeadDoesNotCompleteInTime()
    {
        reactor.nowNs = 5_000;
        assertThat(deliver("GET /plaintext HTTP/1.1\r\nHo")).isZero();
        assertThat(connection.timersScheduled).isEqualTo(1);
        assertThat(connection.lastTimerDeadlineNs).isEqualTo(5_000 + HttpConfig.REQUEST_HEAD_TIMEOUT_MS_DEFAULT * 1_000_000L);
        assertThat(deliver("GET /plaintext HTTP/1.1\r\nHost")).as("one timer per head").isZero();
        assertThat(connection.timersScheduled).isEqualTo(1);
        handler.onTimer(connection, 100, connection.lastTimerDeadlineNs);
        assertThat(connection.output()).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("Connection: close\r\n");
        assertThat(connection.closeReason).isEqualTo(CloseReason.PROTOCOL_ERROR);
    }

    @Test
    void shouldCancelTheHeadTimerWhenTheHeadCompletes()
    {
        deliver("GET /plaintext HTTP/1.1\r\n");
        assertThat(deliver(GET_PLAINTEXT.substring(0, 25) + "Host: h\r\n\r\n")).isEqualTo(36);
        assertThat(connection.timersCancelled).isEqualTo(1);
        handler.onTimer(connection, 100, 0);
        assertThat(connection.output()).isEqualTo(PLAINTEXT_OK);
        assertThat(connection.closeReason).isNull();
    }

    @Test
    void shouldNotArmTimersForCompleteRequests()
    {
        deliver(GET_PLAINTEXT + GET_PLAINTEXT);
        deliver("GET /plain");
        connection.clearOutput();
        assertThat(connection.timersScheduled).isEqualTo(1);
        setUp();
        deliver(GET_PLAINTEXT + GET_PLAINTEXT);
        assertThat(connection.timersScheduled).isZero();
    }

    @Test
    void shouldRefuseToStartWithoutTheDateService()
    {
        assertThatThrownBy(() -> new HttpHandler(new FakeReactorContext(null), new HttpConfig()))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("HttpDateService");
    }
}
