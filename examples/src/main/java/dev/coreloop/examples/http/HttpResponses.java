package dev.coreloop.examples.http;

import java.nio.charset.StandardCharsets;

import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Every response the example server sends, built once into one off-heap buffer: the two routes and the error
 * replies, each in every connection variant, and {@code 100 Continue}. Only the {@code Date} value changes; it
 * sits at a known offset in each response and {@link #date} rewrites it in place. Sending a response is
 * then a single {@code connection.write(buffer(), offset(i), length(i))}; a HEAD reply writes only
 * {@link #headerLength(int)} bytes of the same response.
 *
 * <p><b>Threading:</b> one instance per reactor (inside {@link HttpDateService}); used only on that reactor's
 * thread.
 */
public final class HttpResponses
{
    /** Route {@code GET /plaintext}. */
    public static final int ROUTE_PLAINTEXT = 0;
    /** Route {@code GET /json}. */
    public static final int ROUTE_JSON = 1;
    /** How many routes there are. */
    public static final int ROUTE_COUNT = 2;

    /** HTTP/1.1 persistent connection: no Connection header. */
    public static final int CONNECTION_KEEP_ALIVE = 0;
    /** HTTP/1.0 persistent connection: {@code Connection: keep-alive}. */
    public static final int CONNECTION_KEEP_ALIVE_HTTP10 = 1;
    /** The server closes after this response: {@code Connection: close}. */
    public static final int CONNECTION_CLOSE = 2;
    private static final int CONNECTION_VARIANTS = 3;

    /** The body of {@code /plaintext}. */
    public static final String PLAINTEXT_BODY = "Hello, World!";
    /** The body of {@code /json}. */
    public static final String JSON_BODY = "{\"message\":\"Hello, World!\"}";

    private static final int[] ERROR_STATUSES = {400, 404, 405, 408, 413, 414, 431, 501, 505};
    private static final String[] ERROR_REASONS =
    {
        "Bad Request", "Not Found", "Method Not Allowed", "Request Timeout", "Content Too Large", "URI Too Long",
        "Request Header Fields Too Large", "Not Implemented", "HTTP Version Not Supported",
    };

    private static final int ERROR_BASE = ROUTE_COUNT * CONNECTION_VARIANTS;
    private static final int CONTINUE_INDEX = ERROR_BASE + ERROR_STATUSES.length * CONNECTION_VARIANTS;
    private static final int RESPONSE_COUNT = CONTINUE_INDEX + 1;

    private final UnsafeBuffer buffer;
    private final int[] offsets = new int[RESPONSE_COUNT];
    private final int[] headerLengths = new int[RESPONSE_COUNT];
    private final int[] lengths = new int[RESPONSE_COUNT];
    private final int[] dateOffsets = new int[RESPONSE_COUNT];

    /**
     * @param serverName the {@code Server} header value (validated by {@link HttpConfig#validate()}).
     */
    public HttpResponses(final String serverName)
    {
        final String[] texts = new String[RESPONSE_COUNT];
        for (int route = 0; route < ROUTE_COUNT; route++)
        {
            for (int variant = 0; variant < CONNECTION_VARIANTS; variant++)
            {
                final boolean json = route == ROUTE_JSON;
                texts[route * CONNECTION_VARIANTS + variant] = response(serverName, "200 OK", "",
                    json ? "application/json" : "text/plain", connectionHeader(variant),
                    json ? JSON_BODY : PLAINTEXT_BODY);
            }
        }
        for (int i = 0; i < ERROR_STATUSES.length; i++)
        {
            final int status = ERROR_STATUSES[i];
            for (int variant = 0; variant < CONNECTION_VARIANTS; variant++)
            {
                texts[ERROR_BASE + i * CONNECTION_VARIANTS + variant] = response(serverName,
                    status + " " + ERROR_REASONS[i], status == 405 ? "Allow: GET, HEAD\r\n" : "", "text/plain",
                    connectionHeader(variant), status + " " + ERROR_REASONS[i] + "\n");
            }
        }
        texts[CONTINUE_INDEX] = "HTTP/1.1 100 Continue\r\n\r\n";

        int totalBytes = 0;
        for (final String text : texts)
        {
            totalBytes += text.length();
        }
        buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(org.agrona.BitUtil.align(totalBytes, 64), 64));
        int offset = 0;
        for (int i = 0; i < RESPONSE_COUNT; i++)
        {
            final byte[] bytes = texts[i].getBytes(StandardCharsets.US_ASCII);
            buffer.putBytes(offset, bytes);
            offsets[i] = offset;
            lengths[i] = bytes.length;
            headerLengths[i] = texts[i].indexOf("\r\n\r\n") + 4;
            final int dateIndex = texts[i].indexOf("\r\nDate: ");
            dateOffsets[i] = dateIndex < 0 ? -1 : offset + dateIndex + "\r\nDate: ".length();
            offset += bytes.length;
        }
    }

    private static String connectionHeader(final int variant)
    {
        return variant == CONNECTION_KEEP_ALIVE ? "" :
            variant == CONNECTION_KEEP_ALIVE_HTTP10 ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
    }

    private static String response(
        final String serverName,
        final String statusLine,
        final String extraHeaders,
        final String contentType,
        final String connectionHeader,
        final String body)
    {
        return "HTTP/1.1 " + statusLine + "\r\n" +
            "Server: " + serverName + "\r\n" +
            "Date: " + " ".repeat(HttpDate.LENGTH) + "\r\n" +
            extraHeaders +
            "Content-Type: " + contentType + "\r\n" +
            "Content-Length: " + body.length() + "\r\n" +
            connectionHeader +
            "\r\n" +
            body;
    }

    /** Copies the {@link HttpDate#LENGTH}-byte date at {@code src[offset]} into every response. */
    public void date(final DirectBuffer src, final int offset)
    {
        for (int i = 0; i < RESPONSE_COUNT; i++)
        {
            if (dateOffsets[i] >= 0)
            {
                buffer.putBytes(dateOffsets[i], src, offset, HttpDate.LENGTH);
            }
        }
    }

    /** @return the index of the 200 response for {@code route} in connection {@code variant}. */
    public static int ok(final int route, final int variant)
    {
        return route * CONNECTION_VARIANTS + variant;
    }

    /**
     * @return the index of the error response for {@code status} with {@code Connection: close} (the variant for
     * errors after which the connection closes), or -1 if there is none.
     */
    public static int error(final int status)
    {
        return error(status, CONNECTION_CLOSE);
    }

    /** @return the index of the error response for {@code status} in connection {@code variant}, or -1 if there is none. */
    public static int error(final int status, final int variant)
    {
        for (int i = 0; i < ERROR_STATUSES.length; i++)
        {
            if (ERROR_STATUSES[i] == status)
            {
                return ERROR_BASE + i * CONNECTION_VARIANTS + variant;
            }
        }
        return -1;
    }

    /** @return the index of {@code HTTP/1.1 100 Continue}. */
    public static int continue100()
    {
        return CONTINUE_INDEX;
    }

    /** @return the buffer that holds every response. */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /** @return where response {@code index} starts in {@link #buffer()}. */
    public int offset(final int index)
    {
        return offsets[index];
    }

    /** @return the length of response {@code index}, body included. */
    public int length(final int index)
    {
        return lengths[index];
    }

    /** @return the length of response {@code index}'s status line and headers (a HEAD reply). */
    public int headerLength(final int index)
    {
        return headerLengths[index];
    }
}
