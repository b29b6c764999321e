package dev.coreloop.deploy;

import java.nio.charset.StandardCharsets;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ConnectionHandlerFactory;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.Server;
import dev.coreloop.core.status.CountersFile;
import dev.coreloop.core.status.ReactorCounter;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * {@code --metrics-port}: a small HTTP/1.1 endpoint served by a listener of the server it reports on (so it runs on
 * the reactors like any protocol), with two resources:
 * <ul>
 *     <li>{@code GET /metrics}: every counter in the Prometheus text format 0.0.4 ({@link PrometheusText});</li>
 *     <li>{@code GET /health}: {@code 200 ok} when every reactor is alive, beats (a heartbeat younger than
 *     {@link CountersFile#HEARTBEAT_STALE_MS}) and keeps the pin it started with; else {@code 503} and one line per
 *     problem (a dead reactor, a lost pin, a reactor stuck without heartbeat).</li>
 * </ul>
 * Anything else is {@code 404}; a method other than GET or HEAD {@code 405}; a request head that does not parse or
 * exceeds {@link #MAX_HEAD_BYTES} {@code 400}/{@code 431} and a close. Connections are kept alive (HTTP/1.1) unless
 * the client says {@code Connection: close} or speaks HTTP/1.0. Request bodies are not expected and not read.
 *
 * <p>Allocation: a scrape of {@code /metrics} writes into a buffer of its reactor's, reused by every later scrape
 * (it grows on the first), so it allocates nothing per reactor or per counter; {@code /health} builds its short text.
 *
 * <p><b>Threading:</b> {@link #server(Server)} is called once by the launcher after start (a volatile store); handlers
 * run on their reactor's thread and share that reactor's buffers.
 */
final class MetricsEndpoint implements ConnectionHandlerFactory
{
    /** The largest request head served (request line and headers). */
    static final int MAX_HEAD_BYTES = 8 * 1024;

    private static final byte[] GET = ascii("GET ");
    private static final byte[] HEAD = ascii("HEAD ");
    private static final byte[] METRICS = ascii("/metrics");
    private static final byte[] HEALTH = ascii("/health");
    private static final byte[] HTTP_1_0 = ascii("HTTP/1.0");
    private static final byte[] CONNECTION_CLOSE = ascii("connection: close");
    private static final byte[] CRLF_CRLF = ascii("\r\n\r\n");

    private final PrometheusText text;
    private final Scratch[] scratch;
    private volatile Server server;

    /** One reactor's reusable buffers. */
    private static final class Scratch
    {
        final ExpandableDirectByteBuffer body = new ExpandableDirectByteBuffer(64 * 1024);
        final ExpandableDirectByteBuffer head = new ExpandableDirectByteBuffer(256);
    }

    /** @param reactorCount the server's reactors. */
    MetricsEndpoint(final int reactorCount)
    {
        this.text = new PrometheusText(reactorCount);
        this.scratch = new Scratch[reactorCount];
    }

    /** The server has started: serve its counters from now on (until then every request gets 503). */
    void server(final Server server)
    {
        this.server = server;
    }

    @Override
    public ConnectionHandler newHandler(final ReactorContext reactor)
    {
        Scratch own = scratch[reactor.index()];
        if (own == null)
        {
            own = new Scratch(); // the reactor's own thread, once: no other thread touches this slot
            scratch[reactor.index()] = own;
        }
        return new Handler(own);
    }

    /** One connection's handler. */
    private final class Handler implements ConnectionHandler, PrometheusText.CounterSource
    {
        private final Scratch buffers;

        Handler(final Scratch buffers)
        {
            this.buffers = buffers;
        }

        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            final int end = indexOf(buffer, offset, length, CRLF_CRLF);
            if (end < 0)
            {
                if (length > MAX_HEAD_BYTES)
                {
                    reply(connection, "431 Request Header Fields Too Large", "request head too large\n", true, true);
                }
                return 0;
            }
            final int headLength = end + CRLF_CRLF.length - offset;
            final boolean head = startsWith(buffer, offset, headLength, HEAD);
            if (!head && !startsWith(buffer, offset, headLength, GET))
            {
                final boolean word = headLength > 0 && buffer.getByte(offset) >= 'A' && buffer.getByte(offset) <= 'Z';
                reply(connection, word ? "405 Method Not Allowed" : "400 Bad Request",
                    word ? "only GET and HEAD\n" : "bad request\n", true, true);
                return headLength;
            }
            final int target = offset + (head ? HEAD.length : GET.length);
            final int lineEnd = indexOf(buffer, offset, headLength, CRLF_CRLF, 2);
            final boolean http10 = startsWith(buffer, lineEnd - HTTP_1_0.length, HTTP_1_0.length, HTTP_1_0);
            final boolean close = http10 || indexOfIgnoreCase(buffer, offset, headLength, CONNECTION_CLOSE) >= 0;
            final Server current = server;
            if (current == null)
            {
                reply(connection, "503 Service Unavailable", "starting\n", close, !head);
            }
            else if (isPath(buffer, target, lineEnd, METRICS))
            {
                metrics(connection, current, close, !head);
            }
            else if (isPath(buffer, target, lineEnd, HEALTH))
            {
                final String problems = problems(current);
                reply(connection, problems == null ? "200 OK" : "503 Service Unavailable",
                    problems == null ? "ok\n" : problems, close, !head);
            }
            else
            {
                reply(connection, "404 Not Found", "not found: try /metrics or /health\n", close, !head);
            }
            return headLength;
        }

        private void metrics(final Connection connection, final Server current, final boolean close,
            final boolean withBody)
        {
            final int bodyLength = text.write(this, buffers.body, 0);
            final int headLength = head(buffers.head, "200 OK", PrometheusText.CONTENT_TYPE, bodyLength, close);
            if (!connection.write(buffers.head, 0, headLength) ||
                (withBody && !connection.write(buffers.body, 0, bodyLength)))
            {
                connection.close(CloseReason.LOCAL_CLOSE); // the reply does not fit the outbound cap: give up on it
                return;
            }
            if (close)
            {
                connection.close();
            }
        }

        private void reply(final Connection connection, final String status, final String body, final boolean close,
            final boolean withBody)
        {
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            buffers.body.putBytes(0, bytes);
            final int headLength = head(buffers.head, status, "text/plain; charset=utf-8", bytes.length, close);
            connection.write(buffers.head, 0, headLength);
            if (withBody)
            {
                connection.write(buffers.body, 0, bytes.length);
            }
            if (close)
            {
                connection.close();
            }
        }

        @Override
        public long value(final int row, final ReactorCounter counter)
        {
            return server.counter(row, counter);
        }
    }

    /**
     * {@return null when the server is healthy, else one line per problem: {@link Server#health()} (dead reactors,
     * lost pins) and reactors whose heartbeat is older than {@link CountersFile#HEARTBEAT_STALE_MS}}
     */
    static String problems(final Server server)
    {
        final StringBuilder problems = new StringBuilder();
        final Server.Health health = server.health();
        if (!health.healthy())
        {
            problems.append(health.reason().replace("; ", "\n")).append('\n');
        }
        final long nowMs = System.currentTimeMillis();
        for (int r = 0; r < server.reactorCount(); r++)
        {
            final long ageMs = nowMs - server.counter(r, ReactorCounter.HEARTBEAT_MS);
            if (server.counter(r, ReactorCounter.DEAD) == 0 && ageMs > CountersFile.HEARTBEAT_STALE_MS)
            {
                problems.append("reactor-").append(r).append(": no heartbeat for ").append(ageMs / 1000)
                    .append(" s (stuck in a handler or a system call?)\n");
            }
        }
        return problems.length() == 0 ? null : problems.toString();
    }

    private static int head(final MutableDirectBuffer head, final String status, final String contentType,
        final int contentLength, final boolean close)
    {
        int position = 0;
        position += head.putStringWithoutLengthAscii(position, "HTTP/1.1 ");
        position += head.putStringWithoutLengthAscii(position, status);
        position += head.putStringWithoutLengthAscii(position, "\r\nContent-Type: ");
        position += head.putStringWithoutLengthAscii(position, contentType);
        position += head.putStringWithoutLengthAscii(position, "\r\nContent-Length: ");
        position += head.putNaturalIntAscii(position, contentLength);
        position += head.putStringWithoutLengthAscii(position, close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n");
        return position;
    }

    /** @return true if the request target at {@code target} is {@code path}, alone or followed by a query. */
    private static boolean isPath(final DirectBuffer buffer, final int target, final int lineEnd, final byte[] path)
    {
        if (!startsWith(buffer, target, lineEnd - target, path))
        {
            return false;
        }
        final byte next = buffer.getByte(target + path.length);
        return next == ' ' || next == '?';
    }

    private static boolean startsWith(final DirectBuffer buffer, final int offset, final int length, final byte[] prefix)
    {
        if (offset < 0 || length < prefix.length)
        {
            return false;
        }
        for (int i = 0; i < prefix.length; i++)
        {
            if (buffer.getByte(offset + i) != prefix[i])
            {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(final DirectBuffer buffer, final int offset, final int length, final byte[] needle)
    {
        return indexOf(buffer, offset, length, needle, needle.length);
    }

    /** @return the index of the first {@code needleLength} bytes of {@code needle}, or -1. */
    private static int indexOf(final DirectBuffer buffer, final int offset, final int length, final byte[] needle,
        final int needleLength)
    {
        final int last = offset + length - needleLength;
        outer:
        for (int i = offset; i <= last; i++)
        {
            for (int j = 0; j < needleLength; j++)
            {
                if (buffer.getByte(i + j) != needle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** @return the index of {@code lowerCaseNeedle} matched ASCII-case-insensitively, or -1. */
    private static int indexOfIgnoreCase(final DirectBuffer buffer, final int offset, final int length,
        final byte[] lowerCaseNeedle)
    {
        final int last = offset + length - lowerCaseNeedle.length;
        outer:
        for (int i = offset; i <= last; i++)
        {
            for (int j = 0; j < lowerCaseNeedle.length; j++)
            {
                byte b = buffer.getByte(i + j);
                if (b >= 'A' && b <= 'Z')
                {
                    b += 'a' - 'A';
                }
                if (b != lowerCaseNeedle[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
