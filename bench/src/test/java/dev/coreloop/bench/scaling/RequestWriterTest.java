package dev.coreloop.bench.scaling;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestWriterTest
{
    @Test
    void shouldAlternateSetAndGetOnKeysInTheKeyspace()
    {
        final RequestWriter writer = new RequestWriter(Protocol.RESP_P16, 42);
        final ByteBuffer out = ByteBuffer.allocate(writer.maxBatchBytes());
        writer.writeBatch(out);
        final String text = new String(out.array(), 0, out.position(), StandardCharsets.US_ASCII);
        final Matcher m = Pattern.compile("\\*(\\d)\r\n\\$3\r\n(SET|GET)\r\n\\$10\r\nkey:(\\d{6})\r\n").matcher(text);
        int count = 0;
        final Set<String> keys = new HashSet<>();
        while (m.find())
        {
            assertThat(m.group(2)).isEqualTo(count % 2 == 0 ? "SET" : "GET");
            assertThat(m.group(1)).isEqualTo(count % 2 == 0 ? "3" : "2");
            assertThat(Integer.parseInt(m.group(3))).isBetween(0, Protocol.RESP_KEYSPACE - 1);
            keys.add(m.group(3));
            count++;
        }
        assertThat(count).isEqualTo(16);
        assertThat(keys).as("keys are drawn, not repeated").hasSizeGreaterThan(12);
    }

    @Test
    void shouldSpreadKeysUniformlyOverTheKeyspace()
    {
        final RequestWriter writer = new RequestWriter(Protocol.RESP, 7);
        final int[] buckets = new int[10];
        for (int i = 0; i < 100_000; i++)
        {
            buckets[writer.nextKey() * 10 / Protocol.RESP_KEYSPACE]++;
        }
        for (final int bucket : buckets)
        {
            assertThat(bucket).isBetween(9_000, 11_000);
        }
    }

    @Test
    void shouldWriteDepthCopiesOfFixedRequests()
    {
        final RequestWriter writer = new RequestWriter(Protocol.HTTP_P16, 1);
        final ByteBuffer out = ByteBuffer.allocate(writer.maxBatchBytes());
        writer.writeBatch(out);
        assertThat(out.position()).isEqualTo(16 * RequestWriter.HTTP_REQUEST.length);
        final RequestWriter echo = new RequestWriter(Protocol.ECHO, 1);
        final ByteBuffer echoOut = ByteBuffer.allocate(echo.maxBatchBytes());
        echo.writeBatch(echoOut);
        assertThat(echoOut.position()).isEqualTo(Protocol.ECHO_MESSAGE_BYTES);
    }
}
