package dev.coreloop.examples.http;

import org.agrona.DirectBuffer;

/**
 * Request methods the server tells apart, as small int codes, so that a parsed method costs no object.
 * Methods are case-sensitive (RFC 9110 §9.1); any other valid token is {@link #OTHER}.
 */
public final class HttpMethod
{
    /** A valid method token that is none of the named ones. */
    public static final int OTHER = 0;
    /** GET. */
    public static final int GET = 1;
    /** HEAD. */
    public static final int HEAD = 2;
    /** POST. */
    public static final int POST = 3;
    /** PUT. */
    public static final int PUT = 4;
    /** DELETE. */
    public static final int DELETE = 5;
    /** OPTIONS. */
    public static final int OPTIONS = 6;
    /** CONNECT. */
    public static final int CONNECT = 7;
    /** TRACE. */
    public static final int TRACE = 8;
    /** PATCH. */
    public static final int PATCH = 9;

    private static final byte[][] NAMES =
    {
        null,
        ascii("GET"), ascii("HEAD"), ascii("POST"), ascii("PUT"), ascii("DELETE"),
        ascii("OPTIONS"), ascii("CONNECT"), ascii("TRACE"), ascii("PATCH"),
    };

    private HttpMethod()
    {
    }

    /**
     * @return the code of the method token at {@code buffer[offset, offset + length)}; allocates nothing.
     */
    public static int of(final DirectBuffer buffer, final int offset, final int length)
    {
        for (int code = 1; code < NAMES.length; code++)
        {
            final byte[] name = NAMES[code];
            if (name.length == length && regionEquals(buffer, offset, name))
            {
                return code;
            }
        }
        return OTHER;
    }

    /** @return the method's name, or "OTHER". For logs and tests, not for hot paths. */
    public static String name(final int code)
    {
        return code > 0 && code < NAMES.length ? new String(NAMES[code], java.nio.charset.StandardCharsets.US_ASCII) :
            "OTHER";
    }

    static boolean regionEquals(final DirectBuffer buffer, final int offset, final byte[] expected)
    {
        for (int i = 0; i < expected.length; i++)
        {
            if (buffer.getByte(offset + i) != expected[i])
            {
                return false;
            }
        }
        return true;
    }

    static byte[] ascii(final String s)
    {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
