package dev.coreloop.examples.resp;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parser's large-argument path: announced after its header, streamed or discarded, in any fragmentation. */
class RespParserLargeArgTest
{
    private static final int THRESHOLD = 100;
    private final RespParser parser = new RespParser(new RespConfig().largeValueThresholdBytes(THRESHOLD)
        .protoMaxBulkLen(10_000).maxRequestBytes(1000).conclude());

    private static byte[] request(final String value)
    {
        return ("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + value.length() + "\r\n" + value + "\r\n*1\r\n$4\r\nPING\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Feeds {@code bytes} in pieces of at most {@code maxPiece}, the way the core presents them (unconsumed bytes again,
     * followed by newer ones); streams large arguments when {@code stream}.
     *
     * @return the requests completed, each as "name:arg1-length:arg2-length".
     */
    private String feed(final byte[] bytes, final int maxPiece, final Random random, final boolean stream,
        final LargeValue[] streamed)
    {
        final StringBuilder completed = new StringBuilder();
        final byte[] held = new byte[bytes.length];
        int heldLength = 0;
        int next = 0;
        while (next < bytes.length || heldLength > 0)
        {
            final int piece = Math.min(bytes.length - next, 1 + random.nextInt(maxPiece));
            System.arraycopy(bytes, next, held, heldLength, piece);
            heldLength += piece;
            next += piece;
            final UnsafeBuffer view = new UnsafeBuffer(held, 0, heldLength);
            int position = 0;
            while (position < heldLength)
            {
                final int status = parser.parse(view, position, heldLength - position);
                position += parser.consumed();
                if (status == RespParser.NEED_MORE)
                {
                    break;
                }
                assertThat(status).isNotEqualTo(RespParser.ERROR);
                if (status == RespParser.LARGE_ARG)
                {
                    if (stream)
                    {
                        streamed[0] = new LargeValue(parser.largeArgLength());
                        parser.streamLargeArg(streamed[0]);
                    }
                    else
                    {
                        parser.discardLargeArg();
                    }
                    continue;
                }
                completed.append(parser.argBuffer().getStringWithoutLengthAscii(parser.argOffset(0),
                    parser.argLength(0)));
                for (int i = 1; i < parser.argCount(); i++)
                {
                    completed.append(':').append(parser.argLength(i)).append(parser.largeArg(i) != null ? "L" : "");
                }
                completed.append(parser.hasDiscardedArg() ? "!" : "").append(' ');
            }
            System.arraycopy(held, position, held, 0, heldLength - position);
            heldLength -= position;
            if (next == bytes.length && position == 0 && heldLength > 0)
            {
                throw new AssertionError("stuck with " + heldLength + " bytes");
            }
        }
        return completed.toString().strip();
    }

    @Test
    void shouldStreamALargeArgumentInAnyFragmentation()
    {
        final Random random = new Random(42);
        for (int round = 0; round < 200; round++)
        {
            final byte[] valueBytes = new byte[THRESHOLD + 1 + random.nextInt(5000)];
            random.nextBytes(valueBytes);
            final String value = new String(valueBytes, StandardCharsets.ISO_8859_1);
            final LargeValue[] streamed = new LargeValue[1];
            final String completed = feed(request(value), 1 + random.nextInt(300), random, true, streamed);
            assertThat(completed).isEqualTo("SET:1:" + value.length() + "L PING");
            assertThat(streamed[0].isComplete()).isTrue();
            final byte[] copy = new byte[value.length()];
            streamed[0].getBytes(0, copy, 0, copy.length);
            assertThat(copy).isEqualTo(valueBytes);
            assertThat(parser.argBufferCapacity()).as("never copied into the request buffer").isLessThan(1024);
        }
    }

    @Test
    void shouldReadAndDropADiscardedArgumentThenGoOn()
    {
        final String value = "v".repeat(5000);
        final String completed = feed(request(value), 700, new Random(1), false, new LargeValue[1]);
        assertThat(completed).isEqualTo("SET:1:5000! PING");
    }

    @Test
    void shouldKeepSmallArgumentsAtTheThresholdInTheRequestBuffer()
    {
        final String completed = feed(request("v".repeat(THRESHOLD)), 50, new Random(2), true, new LargeValue[1]);
        assertThat(completed).isEqualTo("SET:1:100 PING");
    }

    @Test
    void shouldRequireADecisionAfterLargeArg()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(request("v".repeat(500)));
        assertThat(parser.parse(buffer, 0, buffer.capacity())).isEqualTo(RespParser.LARGE_ARG);
        assertThat(parser.largeArgIndex()).isEqualTo(2);
        assertThat(parser.largeArgLength()).isEqualTo(500);
        assertThat(parser.isInRequest()).isTrue();
        final int consumed = parser.consumed();
        assertThatThrownBy(() -> parser.parse(buffer, consumed, buffer.capacity() - consumed))
            .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> parser.streamLargeArg(new LargeValue(499))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRejectALengthOverProtoMaxBulkLen()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer("*2\r\n$3\r\nGET\r\n$10001\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(parser.parse(buffer, 0, buffer.capacity())).isEqualTo(RespParser.ERROR);
        assertThat(parser.errorMessage()).isEqualTo("invalid bulk length");
    }
}
