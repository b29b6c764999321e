package dev.coreloop.examples.http;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ReactorContext;
import org.agrona.DirectBuffer;

/**
 * One HTTP/1.1 connection: parses every complete request in the inbound view (pipelining) and writes the
 * responses in request order, each as one write of a prebuilt response from the reactor's
 * {@link HttpDateService}.
 *
 * <ul>
 *   <li>Routes: {@code GET|HEAD /plaintext} and {@code GET|HEAD /json}; other paths 404, other methods 405.</li>
 *   <li>Bodies (Content-Length or chunked) are read and discarded before the response, so the next
 *       pipelined request starts at the right byte. {@code Expect: 100-continue} gets {@code 100 Continue}.</li>
 *   <li>404 (unknown path) and 405 (other method on a route) leave the framing intact: the request's body, if
 *       any, is read and discarded like any other, and the error is answered in the request's connection variant,
 *       so a keep-alive connection stays open and the pipelined requests after it are answered in order, as nginx
 *       does. The exception is a request with a body that waits for {@code 100 Continue}: the body has not been
 *       sent, so the error is answered without it and the connection closes as below (RFC 9110 §10.1.1).</li>
 *   <li>Errors that break or distrust the framing (400, 408, 413, 414, 431, 501, 505: malformed or oversized
 *       heads, bad or conflicting body framing, the smuggling cases) are answered with {@code Connection: close},
 *       then {@code connection.close(PROTOCOL_ERROR)}: the kit flushes, shuts output and lingers. Input after
 *       that point is discarded.</li>
 *   <li>{@code Connection: close} (or HTTP/1.0 without keep-alive): the response says so and the connection
 *       closes gracefully after it; later pipelined requests are ignored.</li>
 *   <li>Slow heads: when a call ends inside a request head, a connection timer is armed (once per head) for
 *       {@link HttpConfig#requestHeadTimeoutMs()}; if the head is still incomplete when it fires, the reply is
 *       408 and the connection closes. Complete requests, the usual case, never touch the timer wheel.</li>
 *   <li>Backpressure: before each new request, if the connection is not writable, the handler stops
 *       consuming; the unparsed requests wait in the inbound ring until the kit presents them again. If a
 *       write is refused, the response is kept and retried on {@link #onWritabilityChanged} (or the next
 *       {@code onData}) before anything else.</li>
 * </ul>
 *
 * <p><b>Threading:</b> one instance per connection; every method runs on the owning reactor's thread.
 */
public final class HttpHandler implements ConnectionHandler
{
    private static final byte[] PATH_PLAINTEXT = HttpMethod.ascii("/plaintext");
    private static final byte[] PATH_JSON = HttpMethod.ascii("/json");

    private final ReactorContext reactor;
    private final HttpDateService service;
    private final HttpResponses responses;
    private final HttpRequestParser parser;
    private final long requestHeadTimeoutNs;

    private int route;
    private boolean headTimerArmed;
    private long headTimerId;
    private boolean headRequest;
    private int pendingIndex = -1;
    private int pendingLength;
    private boolean pendingClose;
    private boolean closing;
    private long responseCount;

    /**
     * @param reactor the owning reactor; an {@link HttpDateService} must be registered on it.
     * @param config  the limits (validated).
     * @throws IllegalStateException if the reactor has no {@link HttpDateService}.
     */
    public HttpHandler(final ReactorContext reactor, final HttpConfig config)
    {
        this.reactor = reactor;
        this.service = reactor.service(HttpDateService.class);
        if (service == null)
        {
            throw new IllegalStateException("no HttpDateService on reactor " + reactor.index() +
                ": register it with HttpServer.install(...) or ServerContext.reactorService(HttpDateService.class, ...)");
        }
        this.responses = service.responses();
        this.parser = new HttpRequestParser(config);
        this.requestHeadTimeoutNs = config.requestHeadTimeoutMs() * 1_000_000L;
    }

    /** {@inheritDoc} */
    public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
    {
        if (closing)
        {
            return length;
        }
        service.refresh(reactor.epochMs());
        if (pendingIndex >= 0 && !writePending(connection))
        {
            return 0;
        }
        if (closing)
        {
            return length;
        }

        final int end = offset + length;
        int position = offset;
        while (true)
        {
            if (parser.isAtMessageStart() && !connection.isWritable())
            {
                return position - offset;
            }
            final int result = parser.parse(buffer, position, end - position);
            position += parser.consumed();
            switch (result)
            {
                case HttpRequestParser.HEADERS:
                    if (headTimerArmed)
                    {
                        headTimerArmed = false;
                        connection.cancelTimer(headTimerId);
                    }
                    headRequest = parser.method() == HttpMethod.HEAD;
                    route = route(buffer);
                    if (parser.expectContinue() && parser.hasBody() && parser.versionMinor() != 0)
                    {
                        if (route < 0)
                        {
                            // the client holds the body back until 100 Continue: answer without it, then close
                            return replyError(connection, -route, length);
                        }
                        final int index = HttpResponses.continue100();
                        connection.write(responses.buffer(), responses.offset(index), responses.length(index));
                    }
                    break;

                case HttpRequestParser.BODY:
                    break;

                case HttpRequestParser.COMPLETE:
                    if (!respond(connection))
                    {
                        return position - offset;
                    }
                    if (closing)
                    {
                        return length;
                    }
                    break;

                case HttpRequestParser.NEED_MORE:
                    if (!headTimerArmed && parser.isInPartialHead())
                    {
                        headTimerArmed = true;
                        headTimerId = connection.scheduleTimer(reactor.nowNs() + requestHeadTimeoutNs);
                    }
                    return position - offset;

                default:
                    headRequest = false;
                    return replyError(connection, parser.errorStatus(), length);
            }
        }
    }

    /** {@inheritDoc} */
    public void onWritabilityChanged(final Connection connection, final boolean writable)
    {
        if (writable && pendingIndex >= 0)
        {
            writePending(connection);
        }
    }

    /** {@inheritDoc} */
    public void onTimer(final Connection connection, final long timerId, final long nowNs)
    {
        if (headTimerArmed && timerId == headTimerId)
        {
            headTimerArmed = false;
            if (!closing)
            {
                headRequest = false;
                replyError(connection, 408, 0);
            }
        }
    }

    /** @return how many responses (errors included) this connection has written. */
    public long responseCount()
    {
        return responseCount;
    }

    /**
     * @return the route, or minus the error status (404, 405): an error answered after the body, like a route.
     */
    private int route(final DirectBuffer buffer)
    {
        final int pathOffset = parser.pathOffset();
        final int pathLength = parser.pathLength();
        final int route;
        if (pathLength == PATH_PLAINTEXT.length && HttpMethod.regionEquals(buffer, pathOffset, PATH_PLAINTEXT))
        {
            route = HttpResponses.ROUTE_PLAINTEXT;
        }
        else if (pathLength == PATH_JSON.length && HttpMethod.regionEquals(buffer, pathOffset, PATH_JSON))
        {
            route = HttpResponses.ROUTE_JSON;
        }
        else
        {
            return -404;
        }
        final int method = parser.method();
        return method == HttpMethod.GET || method == HttpMethod.HEAD ? route : -405;
    }

    private boolean respond(final Connection connection)
    {
        final int variant = !parser.keepAlive() ? HttpResponses.CONNECTION_CLOSE :
            parser.versionMinor() == 0 ? HttpResponses.CONNECTION_KEEP_ALIVE_HTTP10 : HttpResponses.CONNECTION_KEEP_ALIVE;
        final int index = route >= 0 ? HttpResponses.ok(route, variant) : HttpResponses.error(-route, variant);
        pendingIndex = index;
        pendingLength = headRequest ? responses.headerLength(index) : responses.length(index);
        pendingClose = variant == HttpResponses.CONNECTION_CLOSE;
        return writePending(connection);
    }

    private boolean writePending(final Connection connection)
    {
        if (!connection.write(responses.buffer(), responses.offset(pendingIndex), pendingLength))
        {
            return false;
        }
        pendingIndex = -1;
        responseCount++;
        if (pendingClose)
        {
            closing = true;
            connection.close();
        }
        return true;
    }

    private int replyError(final Connection connection, final int status, final int length)
    {
        final int index = HttpResponses.error(status);
        final int replyLength = headRequest ? responses.headerLength(index) : responses.length(index);
        if (connection.write(responses.buffer(), responses.offset(index), replyLength))
        {
            responseCount++;
        }
        closing = true;
        connection.close(CloseReason.PROTOCOL_ERROR);
        return length;
    }
}
