package dev.coreloop.core.shard;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The example of docs/sharding.md on real sockets (127.0.0.1, ephemeral port): counters spread over every shard. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShardedCounterIT
{
    private static final int CLIENTS = 16;
    private static final int LINES_PER_CLIENT = 3_000;
    private static final int COUNTERS_PER_CLIENT = 7;

    @ParameterizedTest(name = "{0} reactors")
    @ValueSource(ints = {1, 2, 3})
    void shouldCountEveryLineOnItsShardAndReplyInOrder(final int reactors) throws Exception
    {
        try (Server server = start(reactors))
        {
            final int port = server.localAddress(0).getPort();
            final ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            try
            {
                final List<Future<String>> results = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++)
                {
                    final int client = c;
                    results.add(pool.submit(() -> pipeline(port, client)));
                }
                for (int c = 0; c < CLIENTS; c++)
                {
                    assertThat(results.get(c).get(100, TimeUnit.SECONDS)).as("client %d", c).isEqualTo("ok");
                }
            }
            finally
            {
                pool.shutdownNow();
            }
            try (Socket socket = connect(port))
            {
                long counted = 0; // counter 5 belongs to client 0: every 7th of its lines, from the 6th
                for (int i = 0; i < LINES_PER_CLIENT; i++)
                {
                    counted += i % COUNTERS_PER_CLIENT == 5 ? 1 : 0;
                }
                socket.getOutputStream().write("5\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(readLine(socket.getInputStream())).isEqualTo(Long.toString(counted + 1));
            }
        }
    }

    @Test
    void shouldCloseOnlyTheConnectionThatSentABadLine() throws Exception
    {
        try (Server server = start(2); Socket bad = connect(server.localAddress(0).getPort());
            Socket good = connect(server.localAddress(0).getPort()))
        {
            bad.getOutputStream().write("not-a-number\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readOrReset(bad.getInputStream())).as("closed after the handler threw").isEqualTo(-1);
            good.getOutputStream().write("1\n2\n1\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(readLine(good.getInputStream())).isEqualTo("1");
            assertThat(readLine(good.getInputStream())).isEqualTo("1");
            assertThat(readLine(good.getInputStream())).isEqualTo("2");
        }
    }

    private static Server start(final int reactors) throws IOException
    {
        final ServerContext ctx = new ServerContext().reactorCount(reactors);
        ShardedCounter.install(ctx, new InetSocketAddress("127.0.0.1", 0));
        return Server.start(ctx);
    }

    private static Socket connect(final int port) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    /** One client: its own counters (client * 1000 + 0..6), pipelined by a writer thread; replies checked in order. */
    private static String pipeline(final int port, final int client) throws IOException, InterruptedException
    {
        final StringBuilder requests = new StringBuilder();
        final StringBuilder expected = new StringBuilder();
        final long[] counts = new long[COUNTERS_PER_CLIENT];
        for (int i = 0; i < LINES_PER_CLIENT; i++)
        {
            final int counter = i % COUNTERS_PER_CLIENT;
            requests.append(client * 1000 + counter).append('\n');
            expected.append(++counts[counter]).append('\n');
        }
        return pipelineOn(port, requests.toString(), expected.toString(), client);
    }

    private static String pipelineOn(final int port, final String requests, final String expected, final int client)
        throws IOException, InterruptedException
    {
        try (Socket socket = connect(port))
        {
            final byte[] bytes = requests.getBytes(StandardCharsets.US_ASCII);
            final Thread writer = new Thread(() ->
            {
                try
                {
                    final OutputStream out = socket.getOutputStream();
                    for (int from = 0; from < bytes.length; from += 4096)
                    {
                        out.write(bytes, from, Math.min(4096, bytes.length - from));
                    }
                }
                catch (final IOException ignored)
                {
                    // the reader reports what arrived
                }
            }, "counter-writer-" + client);
            writer.setDaemon(true);
            writer.start();
            final byte[] want = expected.getBytes(StandardCharsets.US_ASCII);
            final byte[] got = socket.getInputStream().readNBytes(want.length);
            writer.join(10_000);
            final String received = new String(got, StandardCharsets.US_ASCII);
            return received.equals(expected) ? "ok" : "got " + got.length + " of " + want.length + " bytes, first " +
                "difference at " + firstDifference(received, expected);
        }
    }

    private static int firstDifference(final String a, final String b)
    {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i))
        {
            i++;
        }
        return i;
    }

    /** {@return the next byte, or -1 at EOF or on a reset} */
    private static int readOrReset(final InputStream in) throws IOException
    {
        try
        {
            return in.read();
        }
        catch (final java.net.SocketException reset)
        {
            return -1;
        }
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) != -1 && b != '\n')
        {
            line.append((char)b);
        }
        return line.toString();
    }
}
