package dev.coreloop.examples.resp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Load never becomes an error (issue 12, item 3): 64 connections pipelining commands whose keys spread over the
 * shards of 2 reactors, against a tiny in-flight limit and small message rings, so that limits are hit all the time.
 * Every command must be answered, in order, and none with an error: a full ring or in-flight limit pauses the client's
 * reading instead. Real sockets on 127.0.0.1.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RespBackpressureIT
{
    private static final int CONNECTIONS = 64;
    private static final int COMMANDS_PER_CONNECTION = 1_500;

    private static ServerContext smallLimits(final RespConfig config)
    {
        final ServerContext ctx = new ServerContext().reactorCount(2).messageRingBytes(4096);
        RespServer.install(ctx, new InetSocketAddress("127.0.0.1", 0), config);
        return ctx;
    }

    @Test
    void shouldAnswerEveryPipelinedCommandInOrderWithoutAnErrorWhenLimitsAreFull() throws Exception
    {
        try (Server server = Server.start(smallLimits(new RespConfig().maxRemoteInFlight(4))))
        {
            final int port = server.localAddress(0).getPort();
            final ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS);
            try
            {
                final List<Future<String>> results = new ArrayList<>();
                for (int c = 0; c < CONNECTIONS; c++)
                {
                    final int client = c;
                    results.add(clients.submit(() -> pipeline(port, client)));
                }
                for (int c = 0; c < CONNECTIONS; c++)
                {
                    assertThat(results.get(c).get(150, TimeUnit.SECONDS)).as("connection %d", c).isEqualTo("ok");
                }
            }
            finally
            {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void redisBenchmarkShouldSeeNoErrorAgainstTwoReactorsWithSmallLimits() throws Exception
    {
        assumeTrue(RespServerIT.onPath("redis-benchmark"), "redis-benchmark is not installed");
        try (Server server = Server.start(smallLimits(new RespConfig().maxRemoteInFlight(8))))
        {
            final RespServerIT.ProcessResult result = RespServerIT.run(List.of("redis-benchmark", "-p",
                Integer.toString(server.localAddress(0).getPort()), "-t", "ping,set,get,incr,mset", "-q", "-n",
                "20000", "-c", "50", "-P", "16", "-r", "100000"), null, 120_000);
            assertThat(result.exitCode()).as(result.stdout()).isZero();
            assertThat(result.stdout()).contains("SET: ", "GET: ", "INCR: ", "MSET (10 keys): ")
                .doesNotContain("rror").doesNotContain("ERR").doesNotContain("busy");
        }
    }

    /**
     * One connection: writes its pipeline from another thread while this one reads; the replies must be exactly the
     * expected ones, in order.
     *
     * @return "ok", or what went wrong.
     */
    private static String pipeline(final int port, final int client) throws IOException, InterruptedException
    {
        final StringBuilder requests = new StringBuilder();
        final StringBuilder expected = new StringBuilder();
        final int[] counters = new int[4];
        for (int i = 0; i < COMMANDS_PER_CONNECTION; i++)
        {
            final String key = "c" + client + ":k" + (i / 3 % 16); // a SET and the GET after it name the same key
            switch (i % 3)
            {
                case 0:
                    requests.append(RespTestSupport.command("SET", key, "v" + i));
                    expected.append("+OK\r\n");
                    break;
                case 1:
                    requests.append(RespTestSupport.command("GET", key));
                    final String value = "v" + (i - 1);
                    expected.append('$').append(value.length()).append("\r\n").append(value).append("\r\n");
                    break;
                default:
                    requests.append(RespTestSupport.command("INCR", "c" + client + ":n" + (i % 4)));
                    expected.append(':').append(++counters[i % 4]).append("\r\n");
                    break;
            }
        }
        final byte[] expectedBytes = expected.toString().getBytes(StandardCharsets.ISO_8859_1);
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(60_000);
            final byte[] bytes = requests.toString().getBytes(StandardCharsets.ISO_8859_1);
            final Thread writer = new Thread(() ->
            {
                try
                {
                    final OutputStream out = socket.getOutputStream();
                    for (int from = 0; from < bytes.length; from += 8192)
                    {
                        out.write(bytes, from, Math.min(8192, bytes.length - from));
                    }
                }
                catch (final IOException ignored)
                {
                    // the reader reports what arrived
                }
            }, "pipeline-writer-" + client);
            writer.setDaemon(true);
            writer.start();
            final byte[] received = new byte[expectedBytes.length];
            final InputStream in = socket.getInputStream();
            int total = 0;
            try
            {
                while (total < received.length)
                {
                    final int read = in.read(received, total, received.length - total);
                    if (read < 0)
                    {
                        return "EOF after " + total + " of " + received.length + " bytes";
                    }
                    total += read;
                }
            }
            catch (final SocketTimeoutException ex)
            {
                return "read timeout after " + total + " of " + received.length + " bytes";
            }
            writer.join(10_000);
            for (int i = 0; i < received.length; i++)
            {
                if (received[i] != expectedBytes[i])
                {
                    final int from = Math.max(0, i - 40);
                    return "differs at byte " + i + ": got '" + new String(received, from,
                        Math.min(received.length, i + 80) - from, StandardCharsets.ISO_8859_1) + "'";
                }
            }
            return "ok";
        }
    }
}
