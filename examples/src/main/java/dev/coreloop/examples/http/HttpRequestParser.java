package dev.coreloop.examples.http;

import org.agrona.DirectBuffer;

/**
 * An incremental, allocation-free HTTP/1.1 request parser (RFC 9112) over an Agrona {@link DirectBuffer}.
 * Every parsed element is an (offset, length) view into the caller's buffer; nothing is copied and no
 * String is built.
 *
 * <p>It fits {@code ConnectionHandler#onData}'s "return the bytes you consumed" contract: call
 * {@link #parse} with the unconsumed bytes, advance by {@link #consumed()} and act on the result:
 * <ul>
 *   <li>{@link #NEED_MORE}: the rest is incomplete; present it again, followed by newer bytes.</li>
 *   <li>{@link #HEADERS}: the request line and header section are parsed; the accessors are valid until
 *       the buffer changes (in {@code onData}: until it returns). Call again for the body.</li>
 *   <li>{@link #BODY}: {@link #bodyOffset()}/{@link #bodyLength()} hold the next slice of (de-chunked) body.</li>
 *   <li>{@link #COMPLETE}: the request, body included, is over; the next call starts the next request.</li>
 *   <li>{@link #ERROR}: the request is malformed or over a limit; {@link #errorStatus()} is the status to
 *       reply with before closing. The parser stays in error until {@link #reset()}.</li>
 * </ul>
 *
 * <p>Choices where RFC 9112 leaves room (documented, and tested in {@code HttpRequestParserTest}):
 * <ul>
 *   <li>Line ends must be CRLF. A bare LF or a bare CR anywhere in the head, a chunk line or a trailer is
 *       400: strict framing leaves no room for two parsers to disagree (§2.2 allows either).</li>
 *   <li>Empty lines (CRLF) before the request line are skipped (§2.2).</li>
 *   <li>The request line is {@code method SP request-target SP HTTP-version} with single spaces; a request
 *       line longer than {@link HttpConfig#maxRequestLineBytes()} is 414. {@code HTTP/1.x} with x other than
 *       0 is handled as HTTP/1.1; a well-formed version with another major number is 505.</li>
 *   <li>A field line starting with whitespace (obs-fold, §5.2) and whitespace between a field name and its
 *       colon (§5.1) are 400. Field values may hold VCHAR, obs-text, SP and HTAB only.</li>
 *   <li>More than {@link HttpConfig#maxHeaderCount()} field lines or a header section over
 *       {@link HttpConfig#maxHeaderBytes()} is 431; so are trailer sections over the same limits.</li>
 *   <li>An HTTP/1.1 request without Host, or with more than one Host line, is 400 (§3.2).</li>
 *   <li>Content-Length must be 1*DIGIT. Several lines with the same value are accepted, differing ones are
 *       400, a comma list is 400. A value above {@link HttpConfig#maxBodyBytes()} (including one that would
 *       overflow a long) is 413.</li>
 *   <li>Transfer-Encoding together with Content-Length is 400 (request smuggling, §6.3). Transfer-Encoding in
 *       an HTTP/1.0 request is 400 (§6.1: its framing is faulty). Only {@code chunked} is implemented:
 *       chunked applied twice or not last is 400; any other coding (gzip, ...) is 501.</li>
 *   <li>Chunked bodies: chunk sizes are 1*HEXDIG (no sign, no {@code 0x}, no spaces before), extensions are
 *       checked for control characters and ignored, a chunk-size line longer than
 *       {@link HttpConfig#maxChunkLineBytes()} is 400, a total over {@link HttpConfig#maxBodyBytes()} is
 *       413, the CRLF after chunk data is required, trailer fields are validated like header fields and
 *       skipped.</li>
 *   <li>Keep-alive: HTTP/1.1 persists unless {@code Connection: close}; HTTP/1.0 closes unless
 *       {@code Connection: keep-alive} (and no {@code close}).</li>
 * </ul>
 *
 * <p><b>Threading:</b> not thread-safe; one instance per connection, used on its reactor's thread.
 */
public final class HttpRequestParser
{
    /** Incomplete: present the unconsumed bytes again with more. */
    public static final int NEED_MORE = 0;
    /** The request line and headers are parsed; body (if any) follows. */
    public static final int HEADERS = 1;
    /** A slice of the body is at {@link #bodyOffset()} for {@link #bodyLength()} bytes. */
    public static final int BODY = 2;
    /** The request, including its body, is complete. */
    public static final int COMPLETE = 3;
    /** The request is invalid: reply with {@link #errorStatus()} and close. */
    public static final int ERROR = -1;

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte SP = ' ';
    private static final byte HTAB = '\t';
    private static final byte COLON = ':';

    private static final int PHASE_HEAD = 0;
    private static final int PHASE_FIXED_BODY = 1;
    private static final int PHASE_CHUNK_SIZE = 2;
    private static final int PHASE_CHUNK_DATA = 3;
    private static final int PHASE_CHUNK_DATA_END = 4;
    private static final int PHASE_TRAILERS = 5;
    private static final int PHASE_MESSAGE_END = 6;
    private static final int PHASE_ERROR = 7;

    private static final boolean[] TCHAR = new boolean[256];
    private static final byte[] CONTENT_LENGTH = HttpMethod.ascii("content-length");
    private static final byte[] TRANSFER_ENCODING = HttpMethod.ascii("transfer-encoding");
    private static final byte[] CONNECTION = HttpMethod.ascii("connection");
    private static final byte[] HOST = HttpMethod.ascii("host");
    private static final byte[] EXPECT = HttpMethod.ascii("expect");
    private static final byte[] CHUNKED = HttpMethod.ascii("chunked");
    private static final byte[] CLOSE = HttpMethod.ascii("close");
    private static final byte[] KEEP_ALIVE = HttpMethod.ascii("keep-alive");
    private static final byte[] CONTINUE_100 = HttpMethod.ascii("100-continue");
    private static final byte[] HTTP_SCHEME = HttpMethod.ascii("http://");
    private static final byte[] HTTPS_SCHEME = HttpMethod.ascii("https://");

    static
    {
        for (int c = '0'; c <= '9'; c++)
        {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++)
        {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        final String specials = "!#$%&'*+-.^_`|~";
        for (int i = 0; i < specials.length(); i++)
        {
            TCHAR[specials.charAt(i)] = true;
        }
    }

    // limits (final, from the configuration)
    private final int maxRequestLineBytes;
    private final int maxHeaderBytes;
    private final int maxHeaderCount;
    private final long maxBodyBytes;
    private final int maxChunkLineBytes;

    // progress
    private int phase = PHASE_HEAD;
    private int consumed;
    private int errorStatus;

    // head scan, relative to the start of the message (which stays put while bytes are not consumed)
    private int scanIndex;
    private int lineStart;
    private int requestLineEnd = -1;
    private int headerLines;

    // the parsed head: positions relative to headBase, which is absolute in the buffer of the HEADERS call
    private int headBase;
    private int method;
    private int methodLength;
    private int targetStart;
    private int targetLength;
    private int pathStart;
    private int pathLength;
    private int queryStart;
    private int queryLength;
    private int versionMinor;
    private int headerCount;
    private final int[] fields;
    private final int[] lineEnds;
    private long contentLength;
    private boolean chunked;
    private boolean keepAlive;
    private boolean expectContinue;

    // body
    private long remainingBytes;
    private long bodyTotalBytes;
    private int bodyOffset;
    private int bodyLength;
    private int trailerBytes;
    private int trailerLines;

    // scratch for header processing (reset per head)
    private int hostLines;
    private int transferCodings;
    private int chunkedCodings;
    private int otherCodings;
    private boolean chunkedNotLast;
    private boolean sawTransferEncoding;
    private boolean connectionClose;
    private boolean connectionKeepAlive;

    /**
     * @param config the limits; validated here.
     */
    public HttpRequestParser(final HttpConfig config)
    {
        config.validate();
        this.maxRequestLineBytes = config.maxRequestLineBytes();
        this.maxHeaderBytes = config.maxHeaderBytes();
        this.maxHeaderCount = config.maxHeaderCount();
        this.maxBodyBytes = config.maxBodyBytes();
        this.maxChunkLineBytes = config.maxChunkLineBytes();
        this.fields = new int[4 * maxHeaderCount];
        this.lineEnds = new int[maxHeaderCount];
    }

    /** Forgets everything, including an error, as for a new connection. */
    public void reset()
    {
        phase = PHASE_HEAD;
        consumed = 0;
        errorStatus = 0;
        bodyLength = 0;
        startNextMessage();
    }

    /**
     * Parses as far as the bytes allow.
     *
     * @param buffer the bytes; unconsumed bytes of earlier calls must come first, at {@code offset}.
     * @return {@link #NEED_MORE}, {@link #HEADERS}, {@link #BODY}, {@link #COMPLETE} or {@link #ERROR};
     * {@link #consumed()} says how many bytes from {@code offset} this call used up.
     */
    public int parse(final DirectBuffer buffer, final int offset, final int length)
    {
        consumed = 0;
        bodyLength = 0;
        switch (phase)
        {
            case PHASE_HEAD:
                return parseHead(buffer, offset, length);

            case PHASE_FIXED_BODY:
                return parseFixedBody(offset, length);

            case PHASE_MESSAGE_END:
                startNextMessage();
                return COMPLETE;

            case PHASE_ERROR:
                return ERROR;

            default:
                return parseChunked(buffer, offset, length);
        }
    }

    /** @return bytes consumed by the last {@link #parse} call, from its offset. */
    public int consumed()
    {
        return consumed;
    }

    /** @return true between requests: nothing of the next request has been seen yet. */
    public boolean isAtMessageStart()
    {
        return phase == PHASE_HEAD && scanIndex == 0;
    }

    /** @return true while part of a request head has been seen but not all of it. */
    public boolean isInPartialHead()
    {
        return phase == PHASE_HEAD && scanIndex > 0;
    }

    /** @return the status code for the last {@link #ERROR} (400, 413, 414, 431, 501 or 505), else 0. */
    public int errorStatus()
    {
        return errorStatus;
    }

    /** @return the {@link HttpMethod} code of the request. */
    public int method()
    {
        return method;
    }

    /** @return absolute offset of the method token. */
    public int methodOffset()
    {
        return headBase;
    }

    /** @return length of the method token. */
    public int methodLength()
    {
        return methodLength;
    }

    /** @return absolute offset of the request-target. */
    public int targetOffset()
    {
        return headBase + targetStart;
    }

    /** @return length of the request-target. */
    public int targetLength()
    {
        return targetLength;
    }

    /**
     * @return absolute offset of the path: the request-target up to '?' for origin-form, the part after the
     * authority for absolute-form; empty for authority-form and asterisk-form.
     */
    public int pathOffset()
    {
        return headBase + pathStart;
    }

    /** @return length of the path (0 means none: treat as "/" for absolute-form). */
    public int pathLength()
    {
        return pathLength;
    }

    /** @return absolute offset of the query (after '?'), valid if {@link #queryLength()} >= 0. */
    public int queryOffset()
    {
        return headBase + queryStart;
    }

    /** @return length of the query, or -1 if the target has no '?'. */
    public int queryLength()
    {
        return queryLength;
    }

    /** @return the minor version: 0 for HTTP/1.0, 1..9 for HTTP/1.1 (and later 1.x, handled as 1.1). */
    public int versionMinor()
    {
        return versionMinor;
    }

    /** @return whether the connection persists after this request. */
    public boolean keepAlive()
    {
        return keepAlive;
    }

    /** @return the Content-Length, or -1 if absent. */
    public long contentLength()
    {
        return contentLength;
    }

    /** @return whether the body is chunked. */
    public boolean chunked()
    {
        return chunked;
    }

    /** @return whether the request has a body to read (chunked, or a positive Content-Length). */
    public boolean hasBody()
    {
        return chunked || contentLength > 0;
    }

    /** @return whether the request carried {@code Expect: 100-continue}. */
    public boolean expectContinue()
    {
        return expectContinue;
    }

    /** @return the number of header field lines. */
    public int headerCount()
    {
        return headerCount;
    }

    /** @return absolute offset of header {@code index}'s name. */
    public int headerNameOffset(final int index)
    {
        return headBase + fields[4 * index];
    }

    /** @return length of header {@code index}'s name. */
    public int headerNameLength(final int index)
    {
        return fields[4 * index + 1];
    }

    /** @return absolute offset of header {@code index}'s value (without surrounding whitespace). */
    public int headerValueOffset(final int index)
    {
        return headBase + fields[4 * index + 2];
    }

    /** @return length of header {@code index}'s value. */
    public int headerValueLength(final int index)
    {
        return fields[4 * index + 3];
    }

    /** @return absolute offset of the body slice of the last {@link #BODY} result. */
    public int bodyOffset()
    {
        return bodyOffset;
    }

    /** @return length of the body slice of the last {@link #BODY} result, else 0. */
    public int bodyLength()
    {
        return bodyLength;
    }

    private void startNextMessage()
    {
        phase = PHASE_HEAD;
        scanIndex = 0;
        lineStart = 0;
        requestLineEnd = -1;
        headerLines = 0;
        remainingBytes = 0;
        bodyTotalBytes = 0;
    }

    private int fail(final int status)
    {
        phase = PHASE_ERROR;
        errorStatus = status;
        return ERROR;
    }

    private int parseHead(final DirectBuffer buffer, final int offset, final int length)
    {
        final int end = offset + length;
        int base = offset;
        if (scanIndex == 0)
        {
            while (end - base >= 2 && buffer.getByte(base) == CR && buffer.getByte(base + 1) == LF)
            {
                base += 2;
            }
            consumed = base - offset;
            if (base == end || (end - base == 1 && buffer.getByte(base) == CR))
            {
                return NEED_MORE;
            }
        }

        final int available = end - base;
        int i = scanIndex;
        boolean previousCr = i > 0 && buffer.getByte(base + i - 1) == CR;
        while (i < available)
        {
            if (!previousCr)
            {
                while (i + 8 <= available && !hasCrOrLf(buffer.getLong(base + i)))
                {
                    i += 8;
                }
                if (requestLineEnd < 0 ? i > maxRequestLineBytes : i - (requestLineEnd + 2) > maxHeaderBytes)
                {
                    return fail(requestLineEnd < 0 ? 414 : 431);
                }
                if (i == available)
                {
                    break;
                }
            }
            final byte b = buffer.getByte(base + i);
            if (b == LF)
            {
                if (!previousCr)
                {
                    return fail(400);
                }
                final int lineEnd = i - 1;
                if (requestLineEnd < 0)
                {
                    requestLineEnd = lineEnd;
                }
                else if (lineEnd == lineStart)
                {
                    return completeHead(buffer, base, offset, i + 1);
                }
                else if (headerLines == maxHeaderCount)
                {
                    return fail(431);
                }
                else
                {
                    lineEnds[headerLines++] = lineEnd;
                }
                lineStart = i + 1;
                previousCr = false;
            }
            else
            {
                if (previousCr)
                {
                    return fail(400);
                }
                if (requestLineEnd < 0)
                {
                    if (b != CR && i >= maxRequestLineBytes)
                    {
                        return fail(414);
                    }
                }
                else if (i - (requestLineEnd + 2) >= maxHeaderBytes)
                {
                    return fail(431);
                }
                previousCr = b == CR;
            }
            i++;
        }
        scanIndex = i;
        return NEED_MORE;
    }

    private int completeHead(final DirectBuffer buffer, final int base, final int offset, final int headLength)
    {
        headBase = base;
        final int status = parseRequestLine(buffer, base, base + requestLineEnd);
        if (status != 0)
        {
            return fail(status);
        }

        headerCount = 0;
        contentLength = -1;
        chunked = false;
        expectContinue = false;
        hostLines = 0;
        transferCodings = 0;
        chunkedCodings = 0;
        otherCodings = 0;
        chunkedNotLast = false;
        sawTransferEncoding = false;
        connectionClose = false;
        connectionKeepAlive = false;

        int lineStartAbs = base + requestLineEnd + 2;
        for (int line = 0; line < headerLines; line++)
        {
            final int lineEndAbs = base + lineEnds[line];
            final int fieldStatus = parseFieldLine(buffer, lineStartAbs, lineEndAbs);
            if (fieldStatus != 0)
            {
                return fail(fieldStatus);
            }
            lineStartAbs = lineEndAbs + 2;
        }

        final int framingStatus = checkFraming();
        if (framingStatus != 0)
        {
            return fail(framingStatus);
        }

        keepAlive = versionMinor == 0 ? connectionKeepAlive && !connectionClose : !connectionClose;
        consumed = (base - offset) + headLength;
        scanIndex = 0;
        lineStart = 0;
        requestLineEnd = -1;
        headerLines = 0;
        bodyTotalBytes = 0;
        if (chunked)
        {
            phase = PHASE_CHUNK_SIZE;
        }
        else if (contentLength > 0)
        {
            remainingBytes = contentLength;
            phase = PHASE_FIXED_BODY;
        }
        else
        {
            phase = PHASE_MESSAGE_END;
        }
        return HEADERS;
    }

    private int checkFraming()
    {
        if (versionMinor != 0 && hostLines == 0)
        {
            return 400;
        }
        if (hostLines > 1)
        {
            return 400;
        }
        if (sawTransferEncoding)
        {
            if (contentLength >= 0 || versionMinor == 0)
            {
                return 400;
            }
            if (transferCodings == 0 || chunkedNotLast || chunkedCodings > 1)
            {
                return 400;
            }
            if (otherCodings > 0)
            {
                return 501;
            }
            chunked = true;
        }
        if (contentLength > maxBodyBytes)
        {
            return 413;
        }
        return 0;
    }

    private int parseRequestLine(final DirectBuffer buffer, final int start, final int end)
    {
        int i = start;
        while (i < end && isTchar(buffer.getByte(i)))
        {
            i++;
        }
        if (i == start || i == end || buffer.getByte(i) != SP)
        {
            return 400;
        }
        methodLength = i - start;
        method = HttpMethod.of(buffer, start, methodLength);

        final int targetAbs = ++i;
        while (i < end)
        {
            final byte b = buffer.getByte(i);
            if (b == SP)
            {
                break;
            }
            if (b < 0x21 || b > 0x7E || b == '#')
            {
                return 400;
            }
            i++;
        }
        if (i == targetAbs || i == end)
        {
            return 400;
        }
        targetStart = targetAbs - start;
        targetLength = i - targetAbs;

        final int versionAbs = i + 1;
        if (end - versionAbs != 8 ||
            buffer.getByte(versionAbs) != 'H' || buffer.getByte(versionAbs + 1) != 'T' ||
            buffer.getByte(versionAbs + 2) != 'T' || buffer.getByte(versionAbs + 3) != 'P' ||
            buffer.getByte(versionAbs + 4) != '/' || !isDigit(buffer.getByte(versionAbs + 5)) ||
            buffer.getByte(versionAbs + 6) != '.' || !isDigit(buffer.getByte(versionAbs + 7)))
        {
            return 400;
        }
        if (buffer.getByte(versionAbs + 5) != '1')
        {
            return 505;
        }
        versionMinor = buffer.getByte(versionAbs + 7) - '0';
        return parseTarget(buffer, targetAbs, targetAbs + targetLength, start);
    }

    private int parseTarget(final DirectBuffer buffer, final int start, final int end, final int base)
    {
        queryLength = -1;
        queryStart = end - base;
        pathStart = start - base;
        pathLength = 0;
        final byte first = buffer.getByte(start);
        int pathAbs;
        if (first == '/')
        {
            pathAbs = start;
        }
        else if (first == '*' && end - start == 1)
        {
            return method == HttpMethod.OPTIONS ? 0 : 400;
        }
        else if (method == HttpMethod.CONNECT)
        {
            return 0;
        }
        else if (startsWithIgnoreCase(buffer, start, end, HTTP_SCHEME) ||
            startsWithIgnoreCase(buffer, start, end, HTTPS_SCHEME))
        {
            pathAbs = start + (buffer.getByte(start + 4) == ':' ? HTTP_SCHEME.length : HTTPS_SCHEME.length);
            while (pathAbs < end && buffer.getByte(pathAbs) != '/' && buffer.getByte(pathAbs) != '?')
            {
                pathAbs++;
            }
        }
        else
        {
            return 400;
        }

        int i = pathAbs;
        while (i < end && buffer.getByte(i) != '?')
        {
            i++;
        }
        pathStart = pathAbs - base;
        pathLength = i - pathAbs;
        if (i < end)
        {
            queryStart = i + 1 - base;
            queryLength = end - i - 1;
        }
        return 0;
    }

    /**
     * Validates one field line [start, end) (end at its CR) and, for a header, records and interprets it.
     *
     * @return 0, or the error status.
     */
    private int parseFieldLine(final DirectBuffer buffer, final int start, final int end)
    {
        final int colon = fieldColon(buffer, start, end);
        if (colon < 0)
        {
            return 400;
        }
        int valueStart = colon + 1;
        while (valueStart < end && isWhitespace(buffer.getByte(valueStart)))
        {
            valueStart++;
        }
        int valueEnd = end;
        while (valueEnd > valueStart && isWhitespace(buffer.getByte(valueEnd - 1)))
        {
            valueEnd--;
        }
        if (!validValue(buffer, valueStart, valueEnd))
        {
            return 400;
        }

        final int nameLength = colon - start;
        final int slot = 4 * headerCount++;
        fields[slot] = start - headBase;
        fields[slot + 1] = nameLength;
        fields[slot + 2] = valueStart - headBase;
        fields[slot + 3] = valueEnd - valueStart;

        if (equalsIgnoreCase(buffer, start, nameLength, CONTENT_LENGTH))
        {
            return onContentLength(buffer, valueStart, valueEnd);
        }
        else if (equalsIgnoreCase(buffer, start, nameLength, TRANSFER_ENCODING))
        {
            sawTransferEncoding = true;
            forEachListElement(buffer, valueStart, valueEnd, ELEMENT_TRANSFER_CODING);
        }
        else if (equalsIgnoreCase(buffer, start, nameLength, CONNECTION))
        {
            forEachListElement(buffer, valueStart, valueEnd, ELEMENT_CONNECTION_OPTION);
        }
        else if (equalsIgnoreCase(buffer, start, nameLength, HOST))
        {
            hostLines++;
        }
        else if (equalsIgnoreCase(buffer, start, nameLength, EXPECT))
        {
            expectContinue |= equalsIgnoreCase(buffer, valueStart, valueEnd - valueStart, CONTINUE_100);
        }
        return 0;
    }

    private int onContentLength(final DirectBuffer buffer, final int start, final int end)
    {
        if (start == end)
        {
            return 400;
        }
        final long cap = maxBodyBytes + 1;
        long value = 0;
        for (int i = start; i < end; i++)
        {
            final byte b = buffer.getByte(i);
            if (!isDigit(b))
            {
                return 400;
            }
            value = Math.min(cap, value * 10 + (b - '0'));
        }
        if (contentLength >= 0 && contentLength != value)
        {
            return 400;
        }
        contentLength = value;
        return 0;
    }

    private static final int ELEMENT_TRANSFER_CODING = 0;
    private static final int ELEMENT_CONNECTION_OPTION = 1;

    private void forEachListElement(final DirectBuffer buffer, final int start, final int end, final int kind)
    {
        int i = start;
        while (i <= end)
        {
            int elementEnd = i;
            while (elementEnd < end && buffer.getByte(elementEnd) != ',')
            {
                elementEnd++;
            }
            int s = i;
            while (s < elementEnd && isWhitespace(buffer.getByte(s)))
            {
                s++;
            }
            int e = elementEnd;
            while (e > s && isWhitespace(buffer.getByte(e - 1)))
            {
                e--;
            }
            if (e > s)
            {
                if (kind == ELEMENT_TRANSFER_CODING)
                {
                    onTransferCoding(buffer, s, e);
                }
                else
                {
                    connectionClose |= equalsIgnoreCase(buffer, s, e - s, CLOSE);
                    connectionKeepAlive |= equalsIgnoreCase(buffer, s, e - s, KEEP_ALIVE);
                }
            }
            i = elementEnd + 1;
        }
    }

    private void onTransferCoding(final DirectBuffer buffer, final int start, final int end)
    {
        int nameEnd = start;
        while (nameEnd < end && isTchar(buffer.getByte(nameEnd)))
        {
            nameEnd++;
        }
        if (chunkedCodings > 0)
        {
            chunkedNotLast = true;
        }
        transferCodings++;
        if (nameEnd == end && equalsIgnoreCase(buffer, start, nameEnd - start, CHUNKED))
        {
            chunkedCodings++;
        }
        else
        {
            otherCodings++;
        }
    }

    private int parseFixedBody(final int offset, final int length)
    {
        final int n = (int)Math.min(remainingBytes, length);
        if (n == 0)
        {
            return NEED_MORE;
        }
        bodyOffset = offset;
        bodyLength = n;
        consumed = n;
        remainingBytes -= n;
        if (remainingBytes == 0)
        {
            phase = PHASE_MESSAGE_END;
        }
        return BODY;
    }

    private int parseChunked(final DirectBuffer buffer, final int offset, final int length)
    {
        final int end = offset + length;
        int pos = offset;
        while (true)
        {
            consumed = pos - offset;
            switch (phase)
            {
                case PHASE_CHUNK_SIZE:
                {
                    final int lf = indexOfLf(buffer, pos, Math.min(end, pos + maxChunkLineBytes + 2));
                    if (lf < 0)
                    {
                        return end - pos > maxChunkLineBytes + 1 ? fail(400) : NEED_MORE;
                    }
                    final int status = parseChunkSizeLine(buffer, pos, lf);
                    if (status != 0)
                    {
                        return fail(status);
                    }
                    pos = lf + 1;
                    if (remainingBytes == 0)
                    {
                        trailerBytes = 0;
                        trailerLines = 0;
                        phase = PHASE_TRAILERS;
                    }
                    else
                    {
                        phase = PHASE_CHUNK_DATA;
                    }
                    break;
                }

                case PHASE_CHUNK_DATA:
                {
                    final int n = (int)Math.min(remainingBytes, end - pos);
                    if (n == 0)
                    {
                        return NEED_MORE;
                    }
                    bodyOffset = pos;
                    bodyLength = n;
                    remainingBytes -= n;
                    consumed = pos + n - offset;
                    if (remainingBytes == 0)
                    {
                        phase = PHASE_CHUNK_DATA_END;
                    }
                    return BODY;
                }

                case PHASE_CHUNK_DATA_END:
                {
                    if (end - pos < 2)
                    {
                        return end > pos && buffer.getByte(pos) != CR ? fail(400) : NEED_MORE;
                    }
                    if (buffer.getByte(pos) != CR || buffer.getByte(pos + 1) != LF)
                    {
                        return fail(400);
                    }
                    pos += 2;
                    phase = PHASE_CHUNK_SIZE;
                    break;
                }

                default: // PHASE_TRAILERS
                {
                    final int allowance = maxHeaderBytes - trailerBytes;
                    final int lf = indexOfLf(buffer, pos, Math.min(end, pos + allowance + 1));
                    if (lf < 0)
                    {
                        return end - pos > allowance ? fail(431) : NEED_MORE;
                    }
                    if (lf == pos || buffer.getByte(lf - 1) != CR)
                    {
                        return fail(400);
                    }
                    final int lineEnd = lf - 1;
                    if (lineEnd == pos)
                    {
                        consumed = lf + 1 - offset;
                        startNextMessage();
                        return COMPLETE;
                    }
                    if (++trailerLines > maxHeaderCount)
                    {
                        return fail(431);
                    }
                    trailerBytes += lf + 1 - pos;
                    final int colon = fieldColon(buffer, pos, lineEnd);
                    if (colon < 0 || !validValue(buffer, colon + 1, lineEnd))
                    {
                        return fail(400);
                    }
                    pos = lf + 1;
                    break;
                }
            }
        }
    }

    /**
     * Parses {@code 1*HEXDIG [ BWS ";" chunk-ext ] CR} in [start, lf) into {@link #remainingBytes}.
     *
     * @return 0, or the error status.
     */
    private int parseChunkSizeLine(final DirectBuffer buffer, final int start, final int lf)
    {
        final int crIndex = lf - 1;
        if (crIndex < start || buffer.getByte(crIndex) != CR)
        {
            return 400;
        }
        final long cap = maxBodyBytes + 1;
        long size = 0;
        int i = start;
        while (i < crIndex)
        {
            final int digit = hexValue(buffer.getByte(i));
            if (digit < 0)
            {
                break;
            }
            size = Math.min(cap, size * 16 + digit);
            i++;
        }
        if (i == start)
        {
            return 400;
        }
        if (i < crIndex)
        {
            while (i < crIndex && isWhitespace(buffer.getByte(i)))
            {
                i++;
            }
            if (i == crIndex || buffer.getByte(i) != ';' || !validValue(buffer, i, crIndex))
            {
                return 400;
            }
        }
        if (size > maxBodyBytes - bodyTotalBytes)
        {
            return 413;
        }
        bodyTotalBytes += size;
        remainingBytes = size;
        return 0;
    }

    /**
     * @return the colon's absolute index if [start, end) starts with a non-empty token followed by ':',
     * else -1 (including a line starting with whitespace: obs-fold).
     */
    private static int fieldColon(final DirectBuffer buffer, final int start, final int end)
    {
        int i = start;
        while (i < end && isTchar(buffer.getByte(i)))
        {
            i++;
        }
        return i > start && i < end && buffer.getByte(i) == COLON ? i : -1;
    }

    private static boolean validValue(final DirectBuffer buffer, final int start, final int end)
    {
        for (int i = start; i < end; i++)
        {
            final int b = buffer.getByte(i) & 0xFF;
            if ((b < 0x20 && b != HTAB) || b == 0x7F)
            {
                return false;
            }
        }
        return true;
    }

    private static int indexOfLf(final DirectBuffer buffer, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            if (buffer.getByte(i) == LF)
            {
                return i;
            }
        }
        return -1;
    }

    private static boolean equalsIgnoreCase(
        final DirectBuffer buffer, final int offset, final int length, final byte[] lowerCase)
    {
        if (length != lowerCase.length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            final byte expected = lowerCase[i];
            if (b != expected && !(expected >= 'a' && expected <= 'z' && (b | 0x20) == expected))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithIgnoreCase(
        final DirectBuffer buffer, final int start, final int end, final byte[] lowerCase)
    {
        return end - start >= lowerCase.length && equalsIgnoreCase(buffer, start, lowerCase.length, lowerCase);
    }

    private static int hexValue(final byte b)
    {
        if (b >= '0' && b <= '9')
        {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f')
        {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F')
        {
            return b - 'A' + 10;
        }
        return -1;
    }

    /**
     * @return whether any of the 8 bytes of {@code word} is CR or LF (the SWAR zero-byte test applied to the
     * word XOR each pattern; exact for "is there any", which is all the scan asks).
     */
    private static boolean hasCrOrLf(final long word)
    {
        final long crs = word ^ 0x0D0D0D0D0D0D0D0DL;
        final long lfs = word ^ 0x0A0A0A0A0A0A0A0AL;
        return ((((crs - 0x0101010101010101L) & ~crs) | ((lfs - 0x0101010101010101L) & ~lfs)) &
            0x8080808080808080L) != 0;
    }

    private static boolean isTchar(final byte b)
    {
        return TCHAR[b & 0xFF];
    }

    private static boolean isDigit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    private static boolean isWhitespace(final byte b)
    {
        return b == SP || b == HTAB;
    }
}
