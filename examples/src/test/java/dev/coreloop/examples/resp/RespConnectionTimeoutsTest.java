package dev.coreloop.examples.resp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.test.ReactorHarness;
import dev.coreloop.core.test.RecordingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The RESP server's timeouts through the real core: one reactor driven by hand ({@link ReactorHarness}) with a fake
 * clock, a real loopback socket, the default {@link ServerContext} and {@link RespConfig}. No sleeps.
 */
@Timeout(60)
class RespConnectionTimeoutsTest
{
    private static final long SECOND_NS = 1_000_000_000L;

    private static ReactorHarness harness(final RespConfig config) throws IOException
    {
        final ServerContext ctx = new ServerContext();
        RespServer.install(ctx, new InetSocketAddress("127.0.0.1", 0), config);
        return new ReactorHarness(ctx);
    }

    /** Writes {@code request} and runs the reactor until {@code expectedBytes} of reply have arrived (or 100 cycles). */
    private static String exchange(final ReactorHarness harness, final SocketChannel client, final String request,
        final int expectedBytes) throws IOException
    {
        client.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1)));
        final ByteBuffer reply = ByteBuffer.allocate(4096);
        for (int cycle = 0; cycle < 100 && reply.position() < expectedBytes; cycle++)
        {
            harness.doWork();
            if (client.read(reply) < 0)
            {
                break;
            }
        }
        return new String(reply.array(), 0, reply.position(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldKeepAnIdlePooledConnectionOpenFarPastSixtySecondsWithTheDefaults() throws IOException
    {
        try (ReactorHarness harness = harness(new RespConfig()))
        {
            final SocketChannel client = harness.connect(0);
            final Connection conn = harness.awaitConnection();
            client.configureBlocking(false);
            assertThat(exchange(harness, client, "PING\r\n", 7)).isEqualTo("+PONG\r\n");
            final long quietFromNs = harness.clock().nanoTime();

            // a pooled client's connection waits, unused, for ten minutes
            harness.doWorkUntil(() -> harness.clock().nanoTime() - quietFromNs >= 600 * SECOND_NS, SECOND_NS, 700);

            assertThat(conn.state()).as(harness.sink().dump()).isEqualTo(ConnState.ACTIVE);
            assertThat(exchange(harness, client, "PING\r\n", 7)).isEqualTo("+PONG\r\n");
        }
    }

    @Test
    void shouldStillCloseAnIdleConnectionAfterTheRespIdleTimeout() throws IOException
    {
        try (ReactorHarness harness = harness(new RespConfig()))
        {
            final SocketChannel client = harness.connect(0);
            final Connection conn = harness.awaitConnection();
            client.configureBlocking(false);
            assertThat(exchange(harness, client, "PING\r\n", 7)).isEqualTo("+PONG\r\n");
            final long lastTrafficNs = harness.clock().nanoTime();

            harness.doWorkUntil(() -> conn.state() == ConnState.CLOSED, SECOND_NS, 4_000);

            final RecordingSink.Transition closed = harness.sink().lastInto(conn.id(), ConnState.CLOSED);
            assertThat(closed.reason()).isEqualTo(CloseReason.IDLE_TIMEOUT);
            assertThat(closed.nowNs() - lastTrafficNs).isEqualTo(RespConfig.IDLE_TIMEOUT_MS_DEFAULT * 1_000_000L);
        }
    }

    @Test
    void shouldLeaveTheContextsIdleTimeoutToTheOtherListeners() throws IOException
    {
        final ServerContext ctx = new ServerContext();
        RespServer.install(ctx, new InetSocketAddress("127.0.0.1", 0), new RespConfig());
        ctx.listen(new InetSocketAddress("127.0.0.1", 0), reactor -> (connection, buffer, offset, length) -> length);
        try (ReactorHarness harness = new ReactorHarness(ctx))
        {
            harness.connect(0);
            final Connection resp = harness.awaitConnection();
            harness.connect(1);
            final Connection other = harness.awaitConnection();
            final long openNs = harness.clock().nanoTime();

            harness.doWorkUntil(() -> other.state() == ConnState.CLOSED, SECOND_NS, 100);

            assertThat(harness.sink().lastInto(other.id(), ConnState.CLOSED).nowNs() - openNs)
                .isEqualTo(ServerContext.IDLE_TIMEOUT_MS_DEFAULT * 1_000_000L);
            assertThat(resp.state()).isEqualTo(ConnState.ACTIVE);
        }
    }

    @Test
    void shouldCloseAClientThatTricklesARequestAByteASecondThroughTheCore() throws IOException
    {
        try (ReactorHarness harness = harness(new RespConfig()))
        {
            final SocketChannel client = harness.connect(0);
            final Connection conn = harness.awaitConnection();
            client.configureBlocking(false);
            final byte[] command = RespTestSupport.command("SET", "slow", "v".repeat(100))
                .getBytes(StandardCharsets.ISO_8859_1);
            long firstByteNs = -1;
            for (int sent = 0; sent < command.length && conn.state() == ConnState.ACTIVE; sent++)
            {
                client.write(ByteBuffer.wrap(command, sent, 1)); // each byte resets the core's idle timer
                harness.doWork();
                if (firstByteNs < 0)
                {
                    firstByteNs = harness.clock().nanoTime();
                }
                harness.clock().advance(SECOND_NS);
                harness.doWork();
            }

            final RecordingSink.Transition closing = harness.sink().lastInto(conn.id(), ConnState.DRAINING);
            assertThat(closing).as(harness.sink().dump()).isNotNull();
            assertThat(closing.reason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
            assertThat(closing.nowNs() - firstByteNs).isEqualTo(RespConfig.COMMAND_TIMEOUT_MS_DEFAULT * 1_000_000L);
            final ByteBuffer reply = ByteBuffer.allocate(256);
            harness.doWorkUntil(() ->
            {
                try
                {
                    return client.read(reply) < 0;
                }
                catch (final IOException ex)
                {
                    throw new AssertionError(ex);
                }
            }, 1_000_000L, 100);
            assertThat(new String(reply.array(), 0, reply.position(), StandardCharsets.ISO_8859_1))
                .isEqualTo("-ERR Protocol error: command not completed within 10000 ms\r\n");
        }
    }
}
