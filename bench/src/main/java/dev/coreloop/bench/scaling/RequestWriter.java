package dev.coreloop.bench.scaling;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes a connection's next batch of requests ({@link Protocol#depth()} of them) into its outbound buffer, without
 * allocating. RESP requests alternate SET and GET on keys drawn uniformly (xorshift) from
 * {@link Protocol#RESP_KEYSPACE}; the key digits are patched into a prebuilt template.
 *
 * <p><b>Threading:</b> one instance per connection, used by its load thread only.
 */
public final class RequestWriter
{
    /** The HTTP request of the {@code http} workloads. */
    public static final byte[] HTTP_REQUEST =
        ascii("GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: coreloop-scaling\r\n\r\n");
    private static final byte[] SET_TEMPLATE =
        ascii("*3\r\n$3\r\nSET\r\n$10\r\nkey:000000\r\n$16\r\nvalue-0123456789\r\n");
    private static final byte[] GET_TEMPLATE = ascii("*2\r\n$3\r\nGET\r\n$10\r\nkey:000000\r\n");
    /** Where the six key digits start in both RESP templates. */
    private static final int KEY_DIGITS_OFFSET = "*3\r\n$3\r\nSET\r\n$10\r\nkey:".length();
    private static final int KEY_DIGITS = 6;

    private final Protocol protocol;
    private final byte[] echoMessage = new byte[Protocol.ECHO_MESSAGE_BYTES];
    private long random;
    private boolean nextIsSet = true;

    /**
     * @param protocol the workload.
     * @param seed     seeds the RESP key sequence (any value; 0 is replaced).
     */
    public RequestWriter(final Protocol protocol, final long seed)
    {
        this.protocol = protocol;
        this.random = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        for (int i = 0; i < echoMessage.length; i++)
        {
            echoMessage[i] = (byte)('a' + i % 26);
        }
    }

    /** {@return the most bytes one batch takes} */
    public int maxBatchBytes()
    {
        return protocol.depth() * Math.max(Math.max(HTTP_REQUEST.length, SET_TEMPLATE.length), echoMessage.length);
    }

    /**
     * Appends one batch to {@code out} (write mode).
     *
     * @param out the connection's outbound buffer with at least {@link #maxBatchBytes()} free.
     */
    public void writeBatch(final ByteBuffer out)
    {
        for (int i = 0; i < protocol.depth(); i++)
        {
            switch (protocol.family())
            {
                case "echo":
                    out.put(echoMessage);
                    break;
                case "http":
                    out.put(HTTP_REQUEST);
                    break;
                default:
                    writeResp(out);
                    break;
            }
        }
    }

    private void writeResp(final ByteBuffer out)
    {
        final byte[] template = nextIsSet ? SET_TEMPLATE : GET_TEMPLATE;
        nextIsSet = !nextIsSet;
        final int start = out.position();
        out.put(template);
        int key = nextKey();
        for (int d = KEY_DIGITS - 1; d >= 0; d--)
        {
            out.put(start + KEY_DIGITS_OFFSET + d, (byte)('0' + key % 10));
            key /= 10;
        }
    }

    /** {@return the next key number, uniform over the keyspace (xorshift64)} */
    int nextKey()
    {
        long x = random;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        random = x;
        return (int)Long.remainderUnsigned(x, Protocol.RESP_KEYSPACE);
    }

    /**
     * @param key a key number.
     * @return the key's bytes as sent ({@code key:000042}).
     */
    public static byte[] keyBytes(final int key)
    {
        return ascii(String.format("key:%06d", key));
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
