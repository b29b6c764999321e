package dev.coreloop.examples.http;

/**
 * Limits and identity of the HTTP/1.1 example server. Fluent accessors without get/set, as
 * {@code ServerContext}; {@link #validate()} checks every field and names the one that is wrong.
 *
 * <p><b>Threading:</b> configure on one thread before the server starts. {@link HttpServer} takes a
 * {@link #copy()} when it builds the handler factory, so reactors only ever read a private, unchanging copy.
 */
public final class HttpConfig
{
    /** Default longest request line (method, target, version; without CRLF), in bytes. */
    public static final int MAX_REQUEST_LINE_BYTES_DEFAULT = 8192;
    /** Default largest header section (after the request line, including line ends), in bytes. */
    public static final int MAX_HEADER_BYTES_DEFAULT = 16 * 1024;
    /** Default most header field lines in one request. */
    public static final int MAX_HEADER_COUNT_DEFAULT = 100;
    /** Default largest request body (Content-Length or the sum of chunk sizes), in bytes. */
    public static final long MAX_BODY_BYTES_DEFAULT = 1024 * 1024;
    /** Default longest chunk-size line (size and extensions, without CRLF), in bytes. */
    public static final int MAX_CHUNK_LINE_BYTES_DEFAULT = 1024;
    /** Default time allowed from the first byte of a request head to its end, in milliseconds. */
    public static final long REQUEST_HEAD_TIMEOUT_MS_DEFAULT = 10_000;
    /** Default value of the {@code Server} response header. */
    public static final String SERVER_NAME_DEFAULT = "coreloop";

    private int maxRequestLineBytes = MAX_REQUEST_LINE_BYTES_DEFAULT;
    private int maxHeaderBytes = MAX_HEADER_BYTES_DEFAULT;
    private int maxHeaderCount = MAX_HEADER_COUNT_DEFAULT;
    private long maxBodyBytes = MAX_BODY_BYTES_DEFAULT;
    private int maxChunkLineBytes = MAX_CHUNK_LINE_BYTES_DEFAULT;
    private long requestHeadTimeoutMs = REQUEST_HEAD_TIMEOUT_MS_DEFAULT;
    private String serverName = SERVER_NAME_DEFAULT;

    /** @return the longest request line accepted; a longer one gets 414. */
    public int maxRequestLineBytes()
    {
        return maxRequestLineBytes;
    }

    /** @param maxRequestLineBytes the longest request line accepted (16 .. 1 MiB). */
    public HttpConfig maxRequestLineBytes(final int maxRequestLineBytes)
    {
        this.maxRequestLineBytes = maxRequestLineBytes;
        return this;
    }

    /** @return the largest header section accepted (also bounds the trailer section); a larger one gets 431. */
    public int maxHeaderBytes()
    {
        return maxHeaderBytes;
    }

    /** @param maxHeaderBytes the largest header section accepted (16 .. 1 MiB). */
    public HttpConfig maxHeaderBytes(final int maxHeaderBytes)
    {
        this.maxHeaderBytes = maxHeaderBytes;
        return this;
    }

    /** @return the most header lines accepted (also bounds trailer lines); more get 431. */
    public int maxHeaderCount()
    {
        return maxHeaderCount;
    }

    /** @param maxHeaderCount the most header lines accepted (1 .. 10 000). */
    public HttpConfig maxHeaderCount(final int maxHeaderCount)
    {
        this.maxHeaderCount = maxHeaderCount;
        return this;
    }

    /** @return the largest request body accepted; a larger one gets 413. */
    public long maxBodyBytes()
    {
        return maxBodyBytes;
    }

    /** @param maxBodyBytes the largest request body accepted (0 .. 2^62). */
    public HttpConfig maxBodyBytes(final long maxBodyBytes)
    {
        this.maxBodyBytes = maxBodyBytes;
        return this;
    }

    /** @return the longest chunk-size line (hex size plus extensions) accepted; a longer one gets 400. */
    public int maxChunkLineBytes()
    {
        return maxChunkLineBytes;
    }

    /** @param maxChunkLineBytes the longest chunk-size line accepted (8 .. 64 KiB). */
    public HttpConfig maxChunkLineBytes(final int maxChunkLineBytes)
    {
        this.maxChunkLineBytes = maxChunkLineBytes;
        return this;
    }

    /**
     * @return how long a request head may take to arrive once its first byte has; after that the reply is 408
     * and the connection closes (a slow-header guard; stalled bodies are left to the kit's idle timeout).
     */
    public long requestHeadTimeoutMs()
    {
        return requestHeadTimeoutMs;
    }

    /** @param requestHeadTimeoutMs time allowed for a request head (1 ms .. 1 hour). */
    public HttpConfig requestHeadTimeoutMs(final long requestHeadTimeoutMs)
    {
        this.requestHeadTimeoutMs = requestHeadTimeoutMs;
        return this;
    }

    /** @return the value of the {@code Server} response header. */
    public String serverName()
    {
        return serverName;
    }

    /** @param serverName the {@code Server} header value: 1 .. 64 visible ASCII characters or spaces. */
    public HttpConfig serverName(final String serverName)
    {
        this.serverName = serverName;
        return this;
    }

    /**
     * Checks every field.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first field out of range and its value.
     */
    public HttpConfig validate()
    {
        checkRange("maxRequestLineBytes", maxRequestLineBytes, 16, 1 << 20);
        checkRange("maxHeaderBytes", maxHeaderBytes, 16, 1 << 20);
        checkRange("maxHeaderCount", maxHeaderCount, 1, 10_000);
        checkRange("maxBodyBytes", maxBodyBytes, 0, 1L << 62);
        checkRange("maxChunkLineBytes", maxChunkLineBytes, 8, 64 * 1024);
        checkRange("requestHeadTimeoutMs", requestHeadTimeoutMs, 1, 3_600_000);
        if (serverName == null || serverName.isEmpty() || serverName.length() > 64)
        {
            throw new IllegalArgumentException("serverName must be 1 .. 64 characters: " + serverName);
        }
        for (int i = 0; i < serverName.length(); i++)
        {
            final char c = serverName.charAt(i);
            if (c < 0x20 || c > 0x7E)
            {
                throw new IllegalArgumentException(
                    "serverName must be visible ASCII or spaces: \"" + serverName + "\" (char " + i + ")");
            }
        }
        return this;
    }

    /** @return an independent copy of this configuration. */
    public HttpConfig copy()
    {
        return new HttpConfig()
            .maxRequestLineBytes(maxRequestLineBytes)
            .maxHeaderBytes(maxHeaderBytes)
            .maxHeaderCount(maxHeaderCount)
            .maxBodyBytes(maxBodyBytes)
            .maxChunkLineBytes(maxChunkLineBytes)
            .requestHeadTimeoutMs(requestHeadTimeoutMs)
            .serverName(serverName);
    }

    private static void checkRange(final String field, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "]: " + value);
        }
    }

    /** {@inheritDoc} */
    public String toString()
    {
        return "HttpConfig{maxRequestLineBytes=" + maxRequestLineBytes + ", maxHeaderBytes=" + maxHeaderBytes +
            ", maxHeaderCount=" + maxHeaderCount + ", maxBodyBytes=" + maxBodyBytes +
            ", maxChunkLineBytes=" + maxChunkLineBytes + ", requestHeadTimeoutMs=" + requestHeadTimeoutMs +
            ", serverName='" + serverName + "'}";
    }
}
