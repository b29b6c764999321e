package dev.coreloop.bench.scaling;

import java.nio.ByteBuffer;

/**
 * Counts complete responses at the front of a connection's inbound buffer, for the load client. Allocation-free.
 *
 * <p><b>Threading:</b> one instance per connection, used by its load thread only.
 */
public abstract class ResponseParser
{
    /** Returned by {@link #parse} when the bytes are not a valid, successful response. */
    public static final int MALFORMED = -1;

    /**
     * Consumes the complete responses between {@code in.position()} and {@code in.limit()}, advancing the position
     * past them; a partial response at the end is left in place.
     *
     * @param in the received bytes, in read mode.
     * @return how many responses were consumed, or {@link #MALFORMED} when the server answered with an error or
     *         something that is not a response of this protocol.
     */
    public abstract int parse(ByteBuffer in);

    /**
     * @param protocol the workload.
     * @return a fresh parser for one connection.
     */
    public static ResponseParser forProtocol(final Protocol protocol)
    {
        switch (protocol.family())
        {
            case "echo":
                return new Echo();
            case "http":
                return new Http();
            default:
                return new Resp();
        }
    }

    /** Fixed-size echo replies. */
    static final class Echo extends ResponseParser
    {
        @Override
        public int parse(final ByteBuffer in)
        {
            final int count = in.remaining() / Protocol.ECHO_MESSAGE_BYTES;
            in.position(in.position() + count * Protocol.ECHO_MESSAGE_BYTES);
            return count;
        }
    }

    /** HTTP/1.1 responses framed by Content-Length; anything but status 200 is an error. */
    static final class Http extends ResponseParser
    {
        private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        @Override
        public int parse(final ByteBuffer in)
        {
            int count = 0;
            int start = in.position();
            final int limit = in.limit();
            while (true)
            {
                final int headerEnd = indexOfHeaderEnd(in, start, limit);
                if (headerEnd < 0)
                {
                    break;
                }
                // "HTTP/1.1 200 "
                if (headerEnd - start < 12 || in.get(start) != 'H' || in.get(start + 9) != '2' ||
                    in.get(start + 10) != '0' || in.get(start + 11) != '0')
                {
                    return MALFORMED;
                }
                final long contentLength = contentLength(in, start, headerEnd);
                if (contentLength < 0)
                {
                    return MALFORMED;
                }
                final long end = headerEnd + 4L + contentLength;
                if (end > limit)
                {
                    break;
                }
                start = (int)end;
                count++;
            }
            in.position(start);
            return count;
        }

        /** @return the index of the "\r\n\r\n" that ends the headers, or -1. */
        private static int indexOfHeaderEnd(final ByteBuffer in, final int from, final int limit)
        {
            for (int i = from; i + 3 < limit; i++)
            {
                if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n')
                {
                    return i;
                }
            }
            return -1;
        }

        /** @return the Content-Length value of the header block, 0 when there is none, -1 when malformed. */
        private static long contentLength(final ByteBuffer in, final int from, final int headerEnd)
        {
            for (int line = from; line < headerEnd; )
            {
                int eol = line;
                while (eol < headerEnd && in.get(eol) != '\r')
                {
                    eol++;
                }
                if (matchesIgnoreCase(in, line, eol, CONTENT_LENGTH))
                {
                    long value = 0;
                    boolean digits = false;
                    for (int i = line + CONTENT_LENGTH.length; i < eol; i++)
                    {
                        final byte b = in.get(i);
                        if (b >= '0' && b <= '9')
                        {
                            value = value * 10 + (b - '0');
                            digits = true;
                            if (value > Integer.MAX_VALUE)
                            {
                                return -1;
                            }
                        }
                        else if (b != ' ' && b != '\t')
                        {
                            return -1;
                        }
                    }
                    return digits ? value : -1;
                }
                line = eol + 2;
            }
            return 0;
        }

        private static boolean matchesIgnoreCase(final ByteBuffer in, final int from, final int to, final byte[] lower)
        {
            if (to - from < lower.length)
            {
                return false;
            }
            for (int i = 0; i < lower.length; i++)
            {
                int b = in.get(from + i);
                if (b >= 'A' && b <= 'Z')
                {
                    b += 'a' - 'A';
                }
                if (b != lower[i])
                {
                    return false;
                }
            }
            return true;
        }
    }

    /** RESP replies: simple strings, integers and bulk strings (including the null bulk); an error reply is an error. */
    static final class Resp extends ResponseParser
    {
        @Override
        public int parse(final ByteBuffer in)
        {
            int count = 0;
            int start = in.position();
            final int limit = in.limit();
            while (start < limit)
            {
                final byte type = in.get(start);
                final int eol = indexOfCrlf(in, start + 1, limit);
                if (eol < 0)
                {
                    break;
                }
                int end;
                if (type == '+' || type == ':')
                {
                    end = eol + 2;
                }
                else if (type == '$')
                {
                    final long length = parseSigned(in, start + 1, eol);
                    if (length == Long.MIN_VALUE || length < -1)
                    {
                        return MALFORMED;
                    }
                    end = length < 0 ? eol + 2 : (int)Math.min(Integer.MAX_VALUE, eol + 2 + length + 2);
                    if (end > limit)
                    {
                        break;
                    }
                }
                else
                {
                    return MALFORMED;
                }
                start = end;
                count++;
            }
            in.position(start);
            return count;
        }

        private static int indexOfCrlf(final ByteBuffer in, final int from, final int limit)
        {
            for (int i = from; i + 1 < limit; i++)
            {
                if (in.get(i) == '\r' && in.get(i + 1) == '\n')
                {
                    return i;
                }
            }
            return -1;
        }

        private static long parseSigned(final ByteBuffer in, final int from, final int to)
        {
            if (from >= to)
            {
                return Long.MIN_VALUE;
            }
            final boolean negative = in.get(from) == '-';
            long value = 0;
            for (int i = negative ? from + 1 : from; i < to; i++)
            {
                final byte b = in.get(i);
                if (b < '0' || b > '9' || value > Integer.MAX_VALUE)
                {
                    return Long.MIN_VALUE;
                }
                value = value * 10 + (b - '0');
            }
            return negative ? -value : value;
        }
    }
}
