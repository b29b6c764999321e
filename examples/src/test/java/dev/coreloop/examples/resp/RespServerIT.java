package dev.coreloop.examples.resp;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The RESP server on real sockets (127.0.0.1, ephemeral port, three reactors so that keys spread over three shards),
 * checked with the real clients — redis-cli and redis-benchmark run as processes, skipped by assumption when not
 * installed — and with a raw socket for protocol errors.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RespServerIT
{
    /** An expected reply that starts with this is a regular expression (a TTL read a second or two later). */
    private static final String RE = "re:";

    private static final int REACTORS = 3;
    private static final long PROCESS_TIMEOUT_MS = 120_000;

    private static Server server;
    private static int port;

    @BeforeAll
    static void startServer() throws IOException
    {
        final ServerContext ctx = new ServerContext().reactorCount(REACTORS);
        RespServer.install(ctx, new InetSocketAddress("127.0.0.1", 0), new RespConfig());
        server = Server.start(ctx);
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

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void redisCliShouldGetTheExpectedReplyForEachCommand() throws Exception
    {
        assumeTrue(onPath("redis-cli"), "redis-cli is not installed");
        final List<String[]> expected = new ArrayList<>();
        expected.add(pair("FLUSHALL", "OK"));
        expected.add(pair("PING", "PONG"));
        expected.add(pair("PING hello", "\"hello\""));
        expected.add(pair("ECHO hi", "\"hi\""));
        expected.add(pair("SET cli:k v", "OK"));
        expected.add(pair("GET cli:k", "\"v\""));
        expected.add(pair("GET cli:none", "(nil)"));
        expected.add(pair("SET cli:k w XX", "OK"));
        expected.add(pair("SET cli:k x NX", "(nil)"));
        expected.add(pair("SET cli:t v EX 100", "OK"));
        // a redis-cli process per command: on a busy machine a second or two passes between SET and TTL
        expected.add(pair("TTL cli:t", RE + "\\(integer\\) (100|99|98)"));
        expected.add(pair("SET cli:p v PX 5000", "OK"));
        expected.add(pair("TTL cli:p", RE + "\\(integer\\) [345]"));
        expected.add(pair("EXPIRE cli:k 50", "(integer) 1"));
        expected.add(pair("TTL cli:k", RE + "\\(integer\\) (50|49|48)"));
        expected.add(pair("TTL cli:none", "(integer) -2"));
        expected.add(pair("INCR cli:n", "(integer) 1"));
        expected.add(pair("INCRBY cli:n 41", "(integer) 42"));
        expected.add(pair("DECR cli:n", "(integer) 41"));
        expected.add(pair("INCR cli:k", "(error) ERR value is not an integer or out of range"));
        expected.add(pair("MSET cli:a 1 cli:b 2 cli:c 3", "OK"));
        expected.add(pair("MGET cli:a cli:b cli:none cli:c", "1) \"1\"\n2) \"2\"\n3) (nil)\n4) \"3\""));
        expected.add(pair("EXISTS cli:a cli:b cli:none", "(integer) 2"));
        expected.add(pair("DBSIZE", "(integer) 7"));
        expected.add(pair("DEL cli:a cli:b cli:none", "(integer) 2"));
        expected.add(pair("DBSIZE", "(integer) 5"));
        expected.add(pair("CONFIG GET save", "1) \"save\"\n2) \"\""));
        expected.add(pair("CONFIG GET appendonly", "1) \"appendonly\"\n2) \"no\""));
        expected.add(pair("COMMAND COUNT", "(integer) " + RespCommand.count()));
        expected.add(pair("GET", "(error) ERR wrong number of arguments for 'get' command"));
        expected.add(pair("SET cli:k v BOGUS", "(error) ERR syntax error"));
        expected.add(pair("NOSUCH a", "(error) ERR unknown command 'NOSUCH', with args beginning with: 'a'"));
        for (final String[] commandAndReply : expected)
        {
            final List<String> command = new ArrayList<>(List.of("redis-cli", "--no-raw", "-p",
                Integer.toString(port)));
            command.addAll(Arrays.asList(commandAndReply[0].split(" ")));
            final ProcessResult result = run(command, null, 20_000);
            assertThat(result.exitCode).as(commandAndReply[0]).isZero();
            if (commandAndReply[1].startsWith(RE))
            {
                assertThat(result.stdout.strip()).as(commandAndReply[0])
                    .matches(commandAndReply[1].substring(RE.length()));
            }
            else
            {
                assertThat(result.stdout.strip()).as(commandAndReply[0]).isEqualTo(commandAndReply[1]);
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void redisCliShouldStartInteractivelyAndAnswer() throws Exception
    {
        assumeTrue(onPath("redis-cli"), "redis-cli is not installed");
        assumeTrue(onPath("script"), "script (util-linux) is needed for a pseudo-terminal");
        // a pseudo-terminal makes redis-cli start its interactive mode, which first asks COMMAND DOCS
        final ProcessResult result = run(List.of("script", "-qec", "redis-cli -p " + port, "/dev/null"),
            "PING\rSET tty:k hello\rGET tty:k\rquit\r", 20_000);
        final String output = result.stdout.replace("\r", "");
        assertThat(output).contains("PONG").contains("OK").contains("\"hello\"")
            .doesNotContain("ERR").doesNotContain("rror");
    }

    /**
     * redis-benchmark's whole default run (every test it runs without {@code -t}: PING, SET, GET, INCR, the list, set,
     * hash and sorted set commands, LRANGE of 100 to 600 elements, MSET), 50 clients, against its own server of two
     * reactors so that most commands cross shards; bounded by {@code -n}. Any error reply stops redis-benchmark with a
     * non-zero exit and an "Error from server" line.
     */
    @ParameterizedTest(name = "pipeline {0}")
    @ValueSource(ints = {1, 16})
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void redisBenchmarkDefaultTestsShouldCompleteWithoutErrorsOnTwoReactors(final int pipeline) throws Exception
    {
        assumeTrue(onPath("redis-benchmark"), "redis-benchmark is not installed");
        final ServerContext ctx = new ServerContext().reactorCount(2);
        RespServer.install(ctx, new InetSocketAddress("127.0.0.1", 0), new RespConfig());
        try (Server twoReactors = Server.start(ctx))
        {
            final ProcessResult result = run(List.of("redis-benchmark", "-p",
                Integer.toString(twoReactors.localAddress(0).getPort()), "-q", "-n", "20000", "-c", "50", "-P",
                Integer.toString(pipeline)), null, 240_000);
            assertThat(result.exitCode).as(result.stdout).isZero();
            final Map<String, Double> rates = parseBenchmark(result.stdout);
            assertThat(rates.keySet()).as(result.stdout).containsExactlyInAnyOrder("PING_INLINE", "PING_MBULK", "SET",
                "GET", "INCR", "LPUSH", "RPUSH", "LPOP", "RPOP", "SADD", "HSET", "SPOP", "ZADD", "ZPOPMIN",
                "LPUSH (needed to benchmark LRANGE)", "LRANGE_100 (first 100 elements)",
                "LRANGE_300 (first 300 elements)", "LRANGE_500 (first 500 elements)",
                "LRANGE_600 (first 600 elements)", "MSET (10 keys)");
            assertThat(rates.values()).allSatisfy(rate -> assertThat(rate).isPositive());
            assertThat(result.stdout).doesNotContain("rror").doesNotContain("ERR").doesNotContain("WRONGTYPE");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "negative bulk length  | *1\\r\\n$-5\\r\\n                      | invalid bulk length",
        "non-digit length      | *1x\\r\\n                              | invalid multibulk length",
        "nested array          | *2\\r\\n*1\\r\\n$4\\r\\nPING\\r\\n     | expected '$', got '*'",
        "unterminated bulk     | *1\\r\\n$4\\r\\nPINGxx                 | unterminated bulk string: expected CRLF after 4 bytes",
        "value above the limit | *3\\r\\n$3\\r\\nSET\\r\\n$1\\r\\nk\\r\\n$67108865\\r\\n | invalid bulk length",
    })
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldAnswerProtocolErrorThenCloseCleanly(final String name, final String input, final String message)
        throws IOException
    {
        try (Socket socket = connect())
        {
            final OutputStream out = socket.getOutputStream();
            out.write(("PING\r\n" + input.strip().replace("\\r", "\r").replace("\\n", "\n"))
                .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            assertThat(readToEof(socket)).isEqualTo("+PONG\r\n-ERR Protocol error: " + message.strip() + "\r\n");
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void shouldRejectAnInlineLineAboveTheLimitThenCloseCleanly() throws IOException
    {
        try (Socket socket = connect())
        {
            socket.getOutputStream().write("a".repeat(RespConfig.MAX_INLINE_BYTES_DEFAULT + 10)
                .getBytes(StandardCharsets.US_ASCII));
            assertThat(readToEof(socket)).isEqualTo("-ERR Protocol error: too big inline request\r\n");
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldKeepReplyOrderForALongPipelineAcrossShards() throws IOException
    {
        final StringBuilder requests = new StringBuilder();
        final StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 2_000; i++)
        {
            final String key = "order:" + (i % 97);
            requests.append(RespTestSupport.command("SET", key, "v" + i));
            expected.append("+OK\r\n");
            requests.append(RespTestSupport.command("GET", key));
            expected.append("$").append(("v" + i).length()).append("\r\nv").append(i).append("\r\n");
            requests.append(RespTestSupport.command("ECHO", "e" + i));
            expected.append("$").append(("e" + i).length()).append("\r\ne").append(i).append("\r\n");
            if (i % 100 == 99)
            {
                requests.append(RespTestSupport.command("MGET", key, "order:" + ((i + 1) % 97), "order:none"));
                expected.append("*3\r\n$").append(("v" + i).length()).append("\r\nv").append(i).append("\r\n");
                final int other = i + 1 - 97;
                expected.append("$").append(("v" + other).length()).append("\r\nv").append(other).append("\r\n");
                expected.append("$-1\r\n");
            }
        }
        requests.append("QUIT\r\n");
        expected.append("+OK\r\n");
        try (Socket socket = connect())
        {
            final byte[] bytes = requests.toString().getBytes(StandardCharsets.ISO_8859_1);
            writeInBackground(socket, bytes);
            final String replies = readToEof(socket);
            assertThat(replies).isEqualTo(expected.toString());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldStoreAndReturnAValueOfTheMaximumSizeOnEveryShard() throws IOException
    {
        final String value = "0123456789abcdef".repeat(RespConfig.LARGE_VALUE_THRESHOLD_BYTES_DEFAULT / 16);
        final StringBuilder requests = new StringBuilder();
        final StringBuilder expected = new StringBuilder();
        for (int shard = 0; shard < REACTORS; shard++)
        {
            final String key = CrossShardTest.keyOwnedBy("big", shard, REACTORS);
            requests.append(RespTestSupport.command("SET", key, value)).append(RespTestSupport.command("GET", key))
                .append(RespTestSupport.command("DEL", key));
            expected.append("+OK\r\n$").append(value.length()).append("\r\n").append(value).append("\r\n:1\r\n");
        }
        requests.append("QUIT\r\n");
        expected.append("+OK\r\n");
        try (Socket socket = connect())
        {
            final byte[] bytes = requests.toString().getBytes(StandardCharsets.ISO_8859_1);
            writeInBackground(socket, bytes);
            assertThat(readToEof(socket)).isEqualTo(expected.toString());
        }
    }

    /**
     * 20,000 pipelined GETs of 4 KiB values spread over every shard (80 MiB of replies, over the 32 MiB reply budget)
     * from a client that reads as it writes: the sequencer counts what it holds, not what has passed through, so
     * the connection is never aborted.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldServeALongPipelineOfLargeRepliesAcrossShardsWithoutAborting() throws IOException
    {
        final int gets = 20_000;
        final byte[][] replies = new byte[REACTORS][];
        final String[] keys = new String[REACTORS];
        final StringBuilder setup = new StringBuilder();
        for (int shard = 0; shard < REACTORS; shard++)
        {
            keys[shard] = CrossShardTest.keyOwnedBy("pipe4k", shard, REACTORS);
            final String value = String.valueOf((char)('a' + shard)).repeat(4096);
            setup.append(RespTestSupport.command("SET", keys[shard], value));
            replies[shard] = ("$4096\r\n" + value + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        }
        final StringBuilder requests = new StringBuilder();
        for (int i = 0; i < gets; i++)
        {
            requests.append(RespTestSupport.command("GET", keys[i % REACTORS]));
        }
        requests.append("QUIT\r\n");
        try (Socket socket = connect())
        {
            socket.getOutputStream().write(setup.toString().getBytes(StandardCharsets.ISO_8859_1));
            final InputStream in = socket.getInputStream();
            assertThat(new String(in.readNBytes(5 * REACTORS), StandardCharsets.ISO_8859_1))
                .isEqualTo("+OK\r\n".repeat(REACTORS));
            writeInBackground(socket, requests.toString().getBytes(StandardCharsets.ISO_8859_1));
            for (int i = 0; i < gets; i++)
            {
                final byte[] reply;
                try
                {
                    reply = in.readNBytes(replies[i % REACTORS].length);
                }
                catch (final IOException ex)
                {
                    throw new AssertionError("connection lost before reply " + i + " of " + gets + "; server counters: " +
                        server.counters(), ex);
                }
                if (!Arrays.equals(reply, replies[i % REACTORS]))
                {
                    throw new AssertionError("reply " + i + " of " + gets + " is wrong or missing (" + reply.length +
                        " bytes): " + new String(reply, 0, Math.min(reply.length, 40), StandardCharsets.ISO_8859_1));
                }
            }
            assertThat(readToEof(socket)).isEqualTo("+OK\r\n");
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldCloseAClientThatTricklesACommandPastTheCommandTimeout() throws Exception
    {
        final ServerContext ctx = new ServerContext().reactorCount(1);
        RespServer.install(ctx, new InetSocketAddress("127.0.0.1", 0), new RespConfig().commandTimeoutMs(300));
        try (Server slowServer = Server.start(ctx); Socket socket = new Socket())
        {
            socket.connect(slowServer.localAddress(0), 5_000);
            socket.setSoTimeout(10_000);
            final byte[] command = RespTestSupport.command("SET", "slow", "v".repeat(200))
                .getBytes(StandardCharsets.ISO_8859_1);
            final long startNs = System.nanoTime();
            final Thread trickler = new Thread(() ->
            {
                try
                {
                    for (final byte b : command) // one byte every 20 ms: 4.5 s for the whole command
                    {
                        socket.getOutputStream().write(b);
                        Thread.sleep(20);
                    }
                }
                catch (final IOException | InterruptedException ignored)
                {
                    // closed by the server: what the reader checks
                }
            }, "trickler");
            trickler.setDaemon(true);
            trickler.start();
            assertThat(readToEof(socket)).isEqualTo("-ERR Protocol error: command not completed within 300 ms\r\n");
            assertThat((System.nanoTime() - startNs) / 1_000_000).as("ms until the close").isLessThan(4_000);
            trickler.interrupt();
        }
    }

    private static String[] pair(final String command, final String reply)
    {
        return new String[]{command, reply};
    }

    /** Writes {@code bytes} from another thread, so that the test thread can read replies meanwhile. */
    private static void writeInBackground(final Socket socket, final byte[] bytes)
    {
        final Thread writer = new Thread(() ->
        {
            try
            {
                socket.getOutputStream().write(bytes);
            }
            catch (final IOException ignored)
            {
                // the reader reports what arrived
            }
        }, "request-writer");
        writer.setDaemon(true);
        writer.start();
    }

    private static Socket connect() throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(15_000);
        return socket;
    }

    /** Reads until the server closes; a reset or a read timeout fails the test. */
    private static String readToEof(final Socket socket) throws IOException
    {
        final InputStream in = socket.getInputStream();
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        final byte[] chunk = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = in.read(chunk)) != -1)
            {
                received.write(chunk, 0, read);
            }
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("no EOF within the read timeout; received " + received.size() + " bytes", ex);
        }
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    private static Map<String, Double> parseBenchmark(final String output)
    {
        final Map<String, Double> rates = new LinkedHashMap<>();
        final Matcher matcher = Pattern
            .compile("(?m)^\\s*([A-Z_0-9]+(?: \\([^)\n]*\\))?): ([0-9.]+) requests per second")
            .matcher(output.replace('\r', '\n'));
        while (matcher.find())
        {
            rates.put(matcher.group(1), Double.parseDouble(matcher.group(2)));
        }
        return rates;
    }

    static boolean onPath(final String executable)
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return false;
        }
        for (final String dir : path.split(File.pathSeparator))
        {
            if (new File(dir, executable).canExecute())
            {
                return true;
            }
        }
        return false;
    }

    static ProcessResult run(final List<String> command, final String stdin, final long timeoutMs)
        throws IOException, InterruptedException
    {
        final ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("TERM", "dumb");
        final Process process = builder.start();
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final Thread reader = new Thread(() ->
        {
            try (InputStream in = process.getInputStream())
            {
                in.transferTo(output);
            }
            catch (final IOException ignored)
            {
                // the process ended
            }
        }, "process-output");
        reader.start();
        try (OutputStream in = process.getOutputStream())
        {
            if (stdin != null)
            {
                for (final String line : stdin.split("(?<=\r)"))
                {
                    in.write(line.getBytes(StandardCharsets.US_ASCII));
                    in.flush();
                    Thread.sleep(300); // interactive redis-cli reads line by line; a bounded wait per line
                }
            }
        }
        catch (final IOException ignored)
        {
            // the process exited early; its output says why
        }
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
        {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            reader.join(5_000);
            throw new AssertionError(command + " did not finish within " + timeoutMs + " ms; output: " + output);
        }
        reader.join(5_000);
        return new ProcessResult(process.exitValue(), output.toString(StandardCharsets.UTF_8));
    }

    record ProcessResult(int exitCode, String stdout)
    {
    }
}
