package dev.coreloop.examples.resp;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.shard.ShardCalls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Large values on real sockets (127.0.0.1, ephemeral port, two reactors so that a value crosses reactors): 2 MiB and
 * 64 MiB values stored and read back byte for byte, a bulk length over {@code proto-max-bulk-len} refused with redis's
 * error and a close, {@code -OOM} at {@code maxmemory}, a slow reader of a 64 MiB reply holding no more than the
 * connection's outbound ring, and {@code INFO memory} and {@code DBSIZE} over both shards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RespLargeValuesIT
{
    private static final int REACTORS = 2;
    private static final int MIB = 1024 * 1024;
    private static final int SOCKET_TIMEOUT_MS = 30_000;

    private static Server server;
    private static int port;

    @BeforeAll
    static void startServer() throws IOException
    {
        server = start(new RespConfig());
        port = server.localAddress(0).getPort();
    }

    @AfterAll
    static void stopServer()
    {
        if (server != null)
        {
            server.close();
        }
    }

    private static Server start(final RespConfig config) throws IOException
    {
        final ServerContext ctx = new ServerContext().reactorCount(REACTORS);
        RespServer.install(ctx, new InetSocketAddress("127.0.0.1", 0), config);
        return Server.start(ctx);
    }

    private static byte[] randomBytes(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** Writes a RESP command whose arguments are byte arrays (no copy of the big ones). */
    private static void writeCommand(final OutputStream out, final byte[]... args) throws IOException
    {
        out.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (final byte[] arg : args)
        {
            out.write(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(arg);
            out.write('\r');
            out.write('\n');
        }
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** A blocking RESP2 client on a raw socket: enough to check replies byte for byte. */
    private static final class Client implements AutoCloseable
    {
        final Socket socket;
        final OutputStream out;
        final DataInputStream in;

        Client(final int port, final int receiveBufferBytes) throws IOException
        {
            socket = new Socket();
            if (receiveBufferBytes > 0)
            {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.connect(new InetSocketAddress("127.0.0.1", port), SOCKET_TIMEOUT_MS);
            socket.setSoTimeout(SOCKET_TIMEOUT_MS);
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024));
        }

        Client(final int port) throws IOException
        {
            this(port, 0);
        }

        /** Sends a command and reads its reply line (for anything but a bulk string). */
        String call(final String... args) throws IOException
        {
            send(args);
            return readLine();
        }

        void send(final String... args) throws IOException
        {
            final byte[][] bytes = new byte[args.length][];
            for (int i = 0; i < args.length; i++)
            {
                bytes[i] = ascii(args[i]);
            }
            writeCommand(out, bytes);
            out.flush();
        }

        String readLine() throws IOException
        {
            final ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n')
            {
                if (b < 0)
                {
                    throw new EOFException("connection closed after '" + line + "'");
                }
                if (b != '\r')
                {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.ISO_8859_1);
        }

        /** Reads a bulk-string reply completely. */
        byte[] readBulk() throws IOException
        {
            final String header = readLine();
            assertThat(header).startsWith("$");
            final byte[] value = new byte[Integer.parseInt(header.substring(1))];
            in.readFully(value);
            assertThat(in.read()).isEqualTo('\r');
            assertThat(in.read()).isEqualTo('\n');
            return value;
        }

        /** {@return true if the server closed the connection (EOF) before anything else arrived} */
        boolean isClosedByServer() throws IOException
        {
            return in.read() < 0;
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }

    /** Sends SET key value from a background thread (a 64 MiB upload while the reply path stays free). */
    private static CompletableFuture<Void> sendInBackground(final Client client, final byte[]... args)
    {
        return CompletableFuture.runAsync(() ->
        {
            try
            {
                writeCommand(client.out, args);
                client.out.flush();
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        });
    }

    @Test
    void shouldStoreAndReturn2MiBValuesOnEveryShardByteForByte() throws Exception
    {
        try (Client client = new Client(port))
        {
            for (int shard = 0; shard < REACTORS; shard++)
            {
                final String key = CrossShardTest.keyOwnedBy("v2m-", shard, REACTORS);
                final byte[] value = randomBytes(2 * MIB, shard);
                sendInBackground(client, ascii("SET"), ascii(key), value).get(60, TimeUnit.SECONDS);
                assertThat(client.readLine()).isEqualTo("+OK");
                client.send("GET", key);
                assertThat(client.readBulk()).as("GET of a 2 MiB value owned by shard " + shard).isEqualTo(value);
                client.send("MGET", key, "v2m-none", key);
                assertThat(client.readLine()).isEqualTo("*3");
                assertThat(client.readBulk()).isEqualTo(value);
                assertThat(client.readLine()).isEqualTo("$-1");
                assertThat(client.readBulk()).isEqualTo(value);
                assertThat(client.call("DEL", key)).isEqualTo(":1");
            }
        }
    }

    @Test
    void shouldStoreAndReturnA64MiBValueByteForByte() throws Exception
    {
        final byte[] value = randomBytes(64 * MIB, 64);
        final String key = CrossShardTest.keyOwnedBy("v64m-", 1, REACTORS);
        try (Client writer = new Client(port); Client reader = new Client(port))
        {
            sendInBackground(writer, ascii("SET"), ascii(key), value).get(60, TimeUnit.SECONDS);
            assertThat(writer.readLine()).isEqualTo("+OK");
            reader.send("GET", key);
            assertThat(reader.readBulk()).isEqualTo(value);
            assertThat(reader.call("PING")).as("the connection goes on after the value").isEqualTo("+PONG");
            assertThat(writer.call("DEL", key)).isEqualTo(":1");
        }
    }

    @Test
    void shouldRefuseABulkLengthOverProtoMaxBulkLenWithRedisErrorAndClose() throws Exception
    {
        try (Client client = new Client(port))
        {
            client.out.write(ascii("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (RespConfig.PROTO_MAX_BULK_LEN_DEFAULT + 1) +
                "\r\n"));
            client.out.flush();
            assertThat(client.readLine()).isEqualTo("-ERR Protocol error: invalid bulk length");
            assertThat(client.isClosedByServer()).isTrue();
        }
    }

    @Test
    void shouldAnswerOomAtMaxmemoryAndServeReadsAndDeletes() throws Exception
    {
        final Server small = start(new RespConfig().maxmemory(6L * MIB));
        try (Client client = new Client(small.localAddress(0).getPort()))
        {
            final String oom = "-OOM command not allowed when used memory > 'maxmemory'.";
            final byte[] value = randomBytes(4 * MIB, 4);
            sendInBackground(client, ascii("SET"), ascii("a"), value).get(30, TimeUnit.SECONDS);
            assertThat(client.readLine()).isEqualTo("+OK");
            sendInBackground(client, ascii("SET"), ascii("b"), value).get(30, TimeUnit.SECONDS);
            assertThat(client.readLine()).as("a value that would pass maxmemory").isEqualTo(oom);
            final String filler = "f".repeat(256 * 1024);
            String reply = "";
            for (int i = 0; i < 64 && !reply.equals(oom); i++)
            {
                reply = client.call("SET", "small" + i, filler);
            }
            assertThat(reply).as("small writes until used memory is over maxmemory").isEqualTo(oom);
            assertThat(client.call("INCR", "n")).isEqualTo(oom);
            client.send("GET", "a");
            assertThat(client.readBulk()).isEqualTo(value);
            assertThat(client.call("DEL", "a")).isEqualTo(":1");
            assertThat(client.call("SET", "n", "1")).as("deleting made room").isEqualTo("+OK");
        }
        finally
        {
            small.close();
        }
    }

    /** What the server holds for one connection, read on its reactor. */
    private record Held(int outboundBytes, int heldBytes, boolean streaming)
    {
    }

    private static Held held(final long connectionId) throws Exception
    {
        final CompletableFuture<Held> result = new CompletableFuture<>();
        assertThat(server.execute(connectionId, connection ->
        {
            final ShardCalls calls = connection.reactor().service(RespShard.class).router().calls(connectionId);
            result.complete(new Held(connection.outboundBytes(), calls.heldBytes(), calls.isStreaming()));
        })).isTrue();
        return result.get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldHoldNoMoreThanTheOutboundRingForASlowReaderOfA64MiBValue() throws Exception
    {
        final byte[] value = randomBytes(64 * MIB, 65);
        final String key = CrossShardTest.keyOwnedBy("slow-", 0, REACTORS);
        final int outboundCapBytes = new ServerContext().outboundCapBytes();
        try (Client writer = new Client(port); Client slow = new Client(port, 64 * 1024))
        {
            sendInBackground(writer, ascii("SET"), ascii(key), value).get(60, TimeUnit.SECONDS);
            assertThat(writer.readLine()).isEqualTo("+OK");
            final long id = Long.parseLong(slow.call("CLIENT", "ID").substring(1));
            slow.send("GET", key);
            slow.send("PING");

            // the reader reads nothing: the server's outbound ring fills and the value waits in its storage
            Held held = held(id);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (held.outboundBytes() < new ServerContext().highWatermarkBytes() && System.nanoTime() < deadlineNs)
            {
                Thread.sleep(10);
                held = held(id);
            }
            for (int sample = 0; sample < 20; sample++)
            {
                held = held(id);
                assertThat(held.streaming()).as("the reply is still streaming").isTrue();
                assertThat(held.outboundBytes()).as("outbound ring: filled, within its cap")
                    .isGreaterThanOrEqualTo(new ServerContext().lowWatermarkBytes())
                    .isLessThanOrEqualTo(outboundCapBytes);
                assertThat(held.heldBytes()).as("nothing staged or copied beside the ring").isZero();
            }

            assertThat(slow.readBulk()).as("every byte arrives once the reader reads").isEqualTo(value);
            assertThat(slow.readLine()).isEqualTo("+PONG");
            assertThat(held(id).streaming()).isFalse();
            assertThat(writer.call("DEL", key)).isEqualTo(":1");
        }
    }

    @Test
    void shouldReportMemoryAndKeysOfBothShardsInInfoAndDbsize() throws Exception
    {
        try (Client client = new Client(port))
        {
            assertThat(client.call("FLUSHALL")).isEqualTo("+OK");
            final byte[] value = randomBytes(3 * MIB, 3);
            for (int shard = 0; shard < REACTORS; shard++)
            {
                sendInBackground(client, ascii("SET"), ascii(CrossShardTest.keyOwnedBy("info-", shard, REACTORS)),
                    value).get(30, TimeUnit.SECONDS);
                assertThat(client.readLine()).isEqualTo("+OK");
                assertThat(client.call("SET", CrossShardTest.keyOwnedBy("ttl-", shard, REACTORS), "v", "EX", "100"))
                    .isEqualTo("+OK");
            }
            assertThat(client.call("DBSIZE")).isEqualTo(":4");

            client.send("INFO", "memory");
            final String memory = new String(client.readBulk(), StandardCharsets.ISO_8859_1);
            assertThat(memory).startsWith("# Memory\r\n").contains("maxmemory_policy:noeviction\r\n")
                .contains("maxmemory:" + (Runtime.getRuntime().maxMemory() / 2) + "\r\n");
            final long used = Long.parseLong(memory.replaceAll("(?s).*used_memory:(\\d+).*", "$1"));
            assertThat(used).isBetween(6L * MIB, 7L * MIB);
            assertThat(memory).contains("used_memory_human:" + RespKeyspace.bytesToHuman(used) + "\r\n");

            client.send("INFO", "keyspace");
            assertThat(new String(client.readBulk(), StandardCharsets.ISO_8859_1))
                .isEqualTo("# Keyspace\r\ndb0:keys=4,expires=2,avg_ttl=0\r\n");
            assertThat(client.call("FLUSHALL")).isEqualTo("+OK");
            assertThat(client.call("DBSIZE")).isEqualTo(":0");
            client.send("INFO", "memory");
            final String after = new String(client.readBulk(), StandardCharsets.ISO_8859_1);
            assertThat(Long.parseLong(after.replaceAll("(?s).*used_memory:(\\d+).*", "$1"))).isLessThan(MIB);
        }
    }
}
