package dev.coreloop.examples.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class RespParserTest
{
    private final RespParser parser = new RespParser(new RespConfig().maxArgs(8).protoMaxBulkLen(64)
        .maxInlineBytes(32).maxRequestBytes(128).maxBufferedReplyBytes(1024).conclude());

    @Test
    void shouldParseArrayOfBulkStrings()
    {
        final UnsafeBuffer buffer = buffer("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nv\r\n\0x\r\n");
        assertThat(parser.parse(buffer, 0, buffer.capacity())).isEqualTo(RespParser.COMPLETE);
        assertThat(parser.consumed()).isEqualTo(buffer.capacity());
        assertThat(args()).containsExactly("SET", "k", "v\r\n\0x");
        assertThat(parser.isInline()).isFalse();
    }

    @Test
    void shouldParseEmptyBulkString()
    {
        final UnsafeBuffer buffer = buffer("*2\r\n$4\r\nECHO\r\n$0\r\n\r\n");
        assertThat(parser.parse(buffer, 0, buffer.capacity())).isEqualTo(RespParser.COMPLETE);
        assertThat(args()).containsExactly("ECHO", "");
    }

    @Test
    void shouldParseInlineCommandSplittingOnSpacesAndTabs()
    {
        final UnsafeBuffer buffer = buffer("  SET\tkey   value \r\n");
        assertThat(parser.parse(buffer, 0, buffer.capacity())).isEqualTo(RespParser.COMPLETE);
        assertThat(args()).containsExactly("SET", "key", "value");
        assertThat(parser.isInline()).isTrue();
    }

    @Test
    void shouldAcceptInlineCommandEndedByBareNewline()
    {
        final UnsafeBuffer buffer = buffer("PING\n");
        assertThat(parser.parse(buffer, 0, buffer.capacity())).isEqualTo(RespParser.COMPLETE);
        assertThat(args()).containsExactly("PING");
    }

    @Test
    void shouldSkipEmptyRequestsLikeRedis()
    {
        final UnsafeBuffer buffer = buffer("*0\r\n*-1\r\n\r\n   \r\nPING\r\n");
        assertThat(parser.parse(buffer, 0, buffer.capacity())).isEqualTo(RespParser.COMPLETE);
        assertThat(args()).containsExactly("PING");
        assertThat(parser.consumed()).isEqualTo(buffer.capacity());
    }

    @Test
    void shouldParsePipelinedRequestsOneAtATime()
    {
        final UnsafeBuffer buffer = buffer("*1\r\n$4\r\nPING\r\nECHO a\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        final List<List<String>> commands = new ArrayList<>();
        int offset = 0;
        while (offset < buffer.capacity())
        {
            assertThat(parser.parse(buffer, offset, buffer.capacity() - offset)).isEqualTo(RespParser.COMPLETE);
            offset += parser.consumed();
            commands.add(args());
        }
        assertThat(commands).containsExactly(List.of("PING"), List.of("ECHO", "a"), List.of("GET", "k"));
    }

    @Test
    void shouldNeedMoreWithoutConsumingAnIncompleteHeader()
    {
        final UnsafeBuffer buffer = buffer("*2\r\n$3");
        assertThat(parser.parse(buffer, 0, buffer.capacity())).isEqualTo(RespParser.NEED_MORE);
        assertThat(parser.consumed()).isEqualTo(4);
        final UnsafeBuffer rest = buffer("$3\r\nGET\r\n$1\r\nk\r\n");
        assertThat(parser.parse(rest, 0, rest.capacity())).isEqualTo(RespParser.COMPLETE);
        assertThat(args()).containsExactly("GET", "k");
    }

    @Test
    void shouldConsumePartialBulkDataAsItArrives()
    {
        final UnsafeBuffer first = buffer("*2\r\n$4\r\nECHO\r\n$10\r\n0123");
        assertThat(parser.parse(first, 0, first.capacity())).isEqualTo(RespParser.NEED_MORE);
        assertThat(parser.consumed()).isEqualTo(first.capacity());
        final UnsafeBuffer second = buffer("456789\r");
        assertThat(parser.parse(second, 0, second.capacity())).isEqualTo(RespParser.NEED_MORE);
        assertThat(parser.consumed()).isEqualTo(6);
        final UnsafeBuffer third = buffer("\r\n");
        assertThat(parser.parse(third, 0, third.capacity())).isEqualTo(RespParser.COMPLETE);
        assertThat(args()).containsExactly("ECHO", "0123456789");
    }

    @Test
    void shouldNeedMoreForIncompleteInlineLine()
    {
        final UnsafeBuffer buffer = buffer("PIN");
        assertThat(parser.parse(buffer, 0, buffer.capacity())).isEqualTo(RespParser.NEED_MORE);
        assertThat(parser.consumed()).isZero();
    }

    @Test
    void shouldAcceptBulkOfExactlyTheLimit()
    {
        final String value = "x".repeat(64);
        final UnsafeBuffer buffer = buffer("*2\r\n$4\r\nECHO\r\n$64\r\n" + value + "\r\n");
        assertThat(parser.parse(buffer, 0, buffer.capacity())).isEqualTo(RespParser.COMPLETE);
        assertThat(args()).containsExactly("ECHO", value);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "non-digit multibulk length      | *1x\\r\\n                              | invalid multibulk length",
        "empty multibulk length          | *\\r\\n                                | invalid multibulk length",
        "negative multibulk length       | *-2\\r\\n                              | invalid multibulk length",
        "too many arguments              | *9\\r\\n                               | invalid multibulk length",
        "huge multibulk length           | *99999999999999999999\\r\\n            | invalid multibulk length",
        "multibulk count without CR      | *1111111111111111111111111111111111111 | too big mbulk count string",
        "LF without CR in header         | *1\\n$4\\r\\n                          | expected '\\r' before '\\n'",
        "CR without LF in header         | *1\\rX                                 | expected '\\n' after '\\r'",
        "negative bulk length            | *1\\r\\n$-1\\r\\n                      | invalid bulk length",
        "non-digit bulk length           | *1\\r\\n$1a\\r\\n                      | invalid bulk length",
        "empty bulk length               | *1\\r\\n$\\r\\n                        | invalid bulk length",
        "bulk above the value limit      | *1\\r\\n$65\\r\\n                      | invalid bulk length",
        "huge bulk length                | *1\\r\\n$9223372036854775808\\r\\n     | invalid bulk length",
        "bulk count without CR           | *1\\r\\n$11111111111111111111111111111111111 | too big bulk count string",
        "nested array                    | *1\\r\\n*1\\r\\n$4\\r\\nPING\\r\\n     | expected '$', got '*'",
        "deeply nested arrays            | *1\\r\\n*1\\r\\n*1\\r\\n*1\\r\\n       | expected '$', got '*'",
        "integer element                 | *1\\r\\n:1\\r\\n                       | expected '$', got ':'",
        "simple string element           | *1\\r\\n+OK\\r\\n                      | expected '$', got '+'",
        "unterminated bulk string        | *1\\r\\n$4\\r\\nPINGXX                 | unterminated bulk string: expected CRLF after 4 bytes",
        "bulk string missing LF          | *1\\r\\n$4\\r\\nPING\\rX               | unterminated bulk string: expected CRLF after 4 bytes",
        "bulk string ended by one byte   | *1\\r\\n$4\\r\\nPINGX                  | unterminated bulk string: expected CRLF after 4 bytes",
        "inline line above the limit     | 012345678901234567890123456789012345\\r\\n | too big inline request",
        "inline without newline too long | 0123456789012345678901234567890123456 | too big inline request",
        "inline with too many arguments  | a b c d e f g h i\\r\\n                | too many arguments in inline request",
    })
    void shouldReportProtocolError(final String name, final String input, final String message)
    {
        final UnsafeBuffer buffer = buffer(unescape(input.strip()));
        assertThat(parser.parse(buffer, 0, buffer.capacity())).isEqualTo(RespParser.ERROR);
        assertThat(parser.errorMessage()).isEqualTo(message.strip());
    }

    @Test
    void shouldRejectRequestLargerThanTheRequestLimit()
    {
        final String value = "x".repeat(60);
        final UnsafeBuffer buffer = buffer("*3\r\n$60\r\n" + value + "\r\n$60\r\n" + value + "\r\n$60\r\n" + value +
            "\r\n");
        assertThat(parser.parse(buffer, 0, buffer.capacity())).isEqualTo(RespParser.ERROR);
        assertThat(parser.errorMessage()).isEqualTo("request larger than 128 bytes");
    }

    @Test
    void shouldStayInErrorUntilReset()
    {
        final UnsafeBuffer bad = buffer("*x\r\n");
        assertThat(parser.parse(bad, 0, bad.capacity())).isEqualTo(RespParser.ERROR);
        final UnsafeBuffer good = buffer("PING\r\n");
        assertThat(parser.parse(good, 0, good.capacity())).isEqualTo(RespParser.ERROR);
        assertThat(parser.consumed()).isZero();
        parser.reset();
        assertThat(parser.parse(good, 0, good.capacity())).isEqualTo(RespParser.COMPLETE);
    }

    @Test
    void shouldParseWithoutAllocatingOnceWarm()
    {
        final UnsafeBuffer buffer = buffer(
            "*3\r\n$3\r\nSET\r\n$8\r\nkey:0001\r\n$3\r\nxyz\r\n*2\r\n$3\r\nGET\r\n$8\r\nkey:0001\r\nPING\r\n");
        final long allocated = new AllocationMeter().allocatedBytes(20, () ->
        {
            long args = 0;
            for (int i = 0; i < 10_000; i++)
            {
                args += parseAll(buffer);
            }
            return args;
        });
        assertThat(allocated).isZero();
    }

    private int parseAll(final UnsafeBuffer buffer)
    {
        int offset = 0;
        int args = 0;
        while (offset < buffer.capacity())
        {
            parser.parse(buffer, offset, buffer.capacity() - offset);
            offset += parser.consumed();
            args += parser.argCount();
        }
        return args;
    }

    private List<String> args()
    {
        final List<String> args = new ArrayList<>();
        for (int i = 0; i < parser.argCount(); i++)
        {
            args.add(parser.argBuffer().getStringWithoutLengthAscii(parser.argOffset(i), parser.argLength(i)));
        }
        return args;
    }

    static UnsafeBuffer buffer(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String unescape(final String text)
    {
        return text.replace("\\r", "\r").replace("\\n", "\n");
    }
}
