package dev.coreloop.examples.resp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lists, sets, hashes, sorted sets, TYPE, KEYS and WRONGTYPE: every command's replies and errors compared byte for
 * byte with what a real redis-server 7.0.15 answered to the same commands
 * ({@code redis-7.0.15-collections.txt}), on one shard and across three (the keys then live on several shards and the
 * client's reactor owns only some of them); plus expiry, deletion of emptied keys and the memory estimate.
 */
class RespCollectionsTest
{
    private static final String TRANSCRIPT = "redis-7.0.15-collections.txt";

    private ShardCluster cluster;
    private FakeConnection client;

    private void start(final int reactors, final int clientReactor)
    {
        cluster = new ShardCluster(reactors);
        client = cluster.connect(clientReactor);
    }

    private String call(final String... args)
    {
        client.send(RespTestSupport.command(args));
        cluster.pump();
        return client.takeOutput();
    }

    @ParameterizedTest(name = "{0} reactor(s)")
    @ValueSource(ints = {1, 3})
    void shouldAnswerAsRedis7DoesForEveryRecordedCommand(final int reactors) throws IOException
    {
        start(reactors, reactors - 1);
        int checked = 0;
        for (final String line : transcript())
        {
            final int arrow = line.indexOf("  =>  ");
            final boolean unordered = line.startsWith("~");
            final String command = line.substring(unordered ? 1 : 0, arrow);
            final String expected = unescape(line.substring(arrow + 6));
            final String actual = call(split(command));
            if (unordered)
            {
                assertThat(multiset(actual)).as(command).isEqualTo(multiset(expected));
            }
            else
            {
                assertThat(actual).as(command).isEqualTo(expected);
            }
            checked++;
        }
        assertThat(checked).isGreaterThan(250);
    }

    @Test
    void shouldAnswerTheWholeTranscriptPipelinedAcrossShardsInOrder() throws IOException
    {
        start(3, 1);
        final List<String> lines = transcript();
        final StringBuilder pipeline = new StringBuilder();
        final List<Object> expected = new ArrayList<>();
        for (final String line : lines)
        {
            final int arrow = line.indexOf("  =>  ");
            pipeline.append(RespTestSupport.command(split(line.substring(line.startsWith("~") ? 1 : 0, arrow))));
            expected.add(RespTestSupport.parseReplies(unescape(line.substring(arrow + 6))).get(0));
        }
        client.send(pipeline.toString());
        cluster.pump();
        final List<Object> actual = RespTestSupport.parseReplies(client.takeOutput());
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < lines.size(); i++)
        {
            if (lines.get(i).startsWith("~"))
            {
                assertThat(multiset(actual.get(i))).as(lines.get(i)).isEqualTo(multiset(expected.get(i)));
            }
            else
            {
                assertThat(actual.get(i)).as(lines.get(i)).isEqualTo(expected.get(i));
            }
        }
    }

    @Test
    void shouldExpireACollectionOnTheReactorsClockAndSweepIt()
    {
        start(1, 0);
        assertThat(call("RPUSH", "l", "a", "b")).isEqualTo(":2\r\n");
        assertThat(call("HSET", "h", "f", "v")).isEqualTo(":1\r\n");
        assertThat(call("EXPIRE", "l", "10")).isEqualTo(":1\r\n");
        assertThat(call("EXPIRE", "h", "5")).isEqualTo(":1\r\n");
        cluster.advanceMs(4_400);
        assertThat(call("TTL", "l")).isEqualTo(":6\r\n");
        cluster.advanceMs(5_599);
        assertThat(call("LLEN", "l")).isEqualTo(":2\r\n");
        cluster.advanceMs(1);
        assertThat(call("LLEN", "l")).isEqualTo(":0\r\n");
        assertThat(call("TYPE", "l")).isEqualTo("+none\r\n");
        assertThat(call("TTL", "l")).isEqualTo(":-2\r\n");
        // h expired at 5 s without being touched again: the periodic sweep removed it
        assertThat(cluster.shard(0).collections().size()).isZero();
        assertThat(cluster.shard(0).keysSwept()).isEqualTo(1);
        assertThat(call("DBSIZE")).isEqualTo(":0\r\n");
    }

    @Test
    void shouldLetAPushRecreateAKeyAfterItsExpiryAndKeepOneTypePerKey()
    {
        start(1, 0);
        assertThat(call("SADD", "k", "m")).isEqualTo(":1\r\n");
        assertThat(call("EXPIRE", "k", "1")).isEqualTo(":1\r\n");
        cluster.advanceMs(1_000);
        assertThat(call("LPUSH", "k", "x")).isEqualTo(":1\r\n");
        assertThat(call("TYPE", "k")).isEqualTo("+list\r\n");
        assertThat(call("TTL", "k")).isEqualTo(":-1\r\n");
        assertThat(call("SET", "k", "v", "EX", "1")).isEqualTo("+OK\r\n");
        assertThat(cluster.shard(0).collections().size()).isZero();
        cluster.advanceMs(1_000);
        assertThat(call("ZADD", "k", "1", "m")).isEqualTo(":1\r\n");
        assertThat(call("TYPE", "k")).isEqualTo("+zset\r\n");
        assertThat(call("FLUSHALL")).isEqualTo("+OK\r\n");
        assertThat(call("TYPE", "k")).isEqualTo("+none\r\n");
        assertThat(cluster.shard(0).collections().usedBytes()).isEqualTo(new CollectionStore().usedBytes());
    }

    @Test
    void shouldPopEveryMemberOfASetExactlyOnce()
    {
        start(2, 0);
        final List<String> members = new ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            members.add("m" + i);
        }
        final List<String> args = new ArrayList<>(List.of("SADD", "s"));
        args.addAll(members);
        assertThat(call(args.toArray(new String[0]))).isEqualTo(":200\r\n");
        final List<Object> popped = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            popped.add(RespTestSupport.parseReplies(call("SPOP", "s")).get(0));
        }
        popped.addAll((List<?>)RespTestSupport.parseReplies(call("SPOP", "s", "1000")).get(0));
        assertThat(popped).containsExactlyInAnyOrderElementsOf(members);
        assertThat(call("EXISTS", "s")).isEqualTo(":0\r\n");
    }

    @Test
    void shouldServeLongRangesAcrossShards()
    {
        start(2, 0);
        String ownedElsewhere = null;
        for (int i = 0; ownedElsewhere == null; i++)
        {
            final String key = "list" + i;
            final byte[] bytes = key.getBytes(StandardCharsets.US_ASCII);
            if (cluster.shard(0).ownerOf(KeyHash.hash(bytes, 0, bytes.length)) == 1)
            {
                ownedElsewhere = key;
            }
        }
        final StringBuilder expected = new StringBuilder("*600\r\n");
        for (int i = 0; i < 600; i++)
        {
            assertThat(call("RPUSH", ownedElsewhere, "element-" + i)).isEqualTo(":" + (i + 1) + "\r\n");
            expected.append("$").append(("element-" + i).length()).append("\r\nelement-").append(i).append("\r\n");
        }
        assertThat(call("LRANGE", ownedElsewhere, "0", "599")).isEqualTo(expected.toString());
        assertThat(call("LRANGE", ownedElsewhere, "0", "-1")).isEqualTo(expected.toString());
    }

    @Test
    void shouldEstimateMemoryAndGiveItBackWhenKeysGo()
    {
        start(1, 0);
        final CollectionStore store = cluster.shard(0).collections();
        final long empty = store.usedBytes();
        assertThat(call("RPUSH", "l", "0123456789")).isEqualTo(":1\r\n");
        final long oneElement = store.usedBytes();
        assertThat(oneElement).isGreaterThan(empty + 10);
        assertThat(call("RPUSH", "l", "0123456789", "0123456789")).isEqualTo(":3\r\n");
        assertThat(store.usedBytes() - oneElement).isEqualTo(2 * (10 + CollectionValue.ENTRY_OVERHEAD_BYTES));
        assertThat(call("HSET", "h", "field", "value")).isEqualTo(":1\r\n");
        assertThat(call("HSET", "h", "field", "longer value")).isEqualTo(":0\r\n");
        assertThat(call("SADD", "s", "a", "b")).isEqualTo(":2\r\n");
        assertThat(call("ZADD", "z", "1", "a", "2", "b")).isEqualTo(":2\r\n");
        assertThat(store.usedBytes()).isGreaterThan(oneElement);
        assertThat(call("LPOP", "l", "3")).startsWith("*3\r\n");
        assertThat(call("HDEL", "h", "field")).isEqualTo(":1\r\n");
        assertThat(call("SPOP", "s", "2")).startsWith("*2\r\n");
        assertThat(call("ZPOPMIN", "z", "5")).startsWith("*4\r\n");
        assertThat(store.size()).isZero();
        assertThat(store.usedBytes()).isEqualTo(empty);
        assertThat(cluster.shard(0).collectionBytes()).isEqualTo(empty);
    }

    @Test
    void shouldFormatScoresAsCPrintfDoesWithSeventeenDigits()
    {
        assertThat(RedisDouble.toText(1)).isEqualTo("1");
        assertThat(RedisDouble.toText(-1.5)).isEqualTo("-1.5");
        assertThat(RedisDouble.toText(0.1)).isEqualTo("0.10000000000000001");
        assertThat(RedisDouble.toText(1e16)).isEqualTo("10000000000000000");
        assertThat(RedisDouble.toText(1e17)).isEqualTo("1e+17");
        assertThat(RedisDouble.toText(0.0001)).isEqualTo("0.0001");
        assertThat(RedisDouble.toText(0.00001)).isEqualTo("1.0000000000000001e-05");
        assertThat(RedisDouble.toText(-0.0)).isEqualTo("0");
        assertThat(RedisDouble.toText(Double.MIN_VALUE)).isEqualTo("4.9406564584124654e-324");
        assertThat(RedisDouble.toText(Double.MAX_VALUE)).isEqualTo("1.7976931348623157e+308");
        assertThat(RedisDouble.toText(Double.NEGATIVE_INFINITY)).isEqualTo("-inf");
    }

    @Test
    void shouldListCollectionCommandsInCommandInfo()
    {
        start(1, 0);
        assertThat(call("COMMAND", "INFO", "zadd")).startsWith(
            "*1\r\n*10\r\n$4\r\nzadd\r\n:-4\r\n*3\r\n+write\r\n+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n");
        assertThat(call("KEYS", "x".repeat(Glob.MAX_PATTERN_BYTES + 1))).startsWith("-ERR KEYS pattern of");
    }

    @Test
    void shouldKeepGetAndSetFreeOfAllocationWhileTheShardHoldsCollections()
    {
        start(1, 0);
        for (int i = 0; i < 100; i++)
        {
            call("LPUSH", "list:" + i, "a");
            call("HSET", "hash:" + i, "f", "v");
        }
        call("SET", "key:000001", "xyz");
        final byte[] pipeline = (RespTestSupport.command("GET", "key:000001") +
            RespTestSupport.command("SET", "key:000001", "abc") + RespTestSupport.command("INCR", "counter") +
            RespTestSupport.command("GET", "missing") + RespTestSupport.command("SET", "key:000002", "abc", "NX") +
            RespTestSupport.command("EXISTS", "list:7"))
            .getBytes(StandardCharsets.ISO_8859_1);
        final FakeConnection sink = new FakeConnection(cluster.reactor(0), false);
        final long allocated = new AllocationMeter().allocatedBytes(20, () ->
        {
            for (int i = 0; i < 2_000; i++)
            {
                sink.deliver(pipeline);
            }
            return sink.bytesWritten();
        });
        assertThat(allocated).isZero();
        assertThat(cluster.shard(0).collections().size()).isEqualTo(200);
    }

    private static List<String> transcript() throws IOException
    {
        final List<String> lines = new ArrayList<>();
        try (InputStream in = RespCollectionsTest.class.getResourceAsStream(TRANSCRIPT);
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1)))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                if (!line.isBlank() && !line.startsWith("#"))
                {
                    lines.add(line);
                }
            }
        }
        return lines;
    }

    /** Splits as a shell does for what the transcript uses: spaces, and double quotes around an argument. */
    private static String[] split(final String command)
    {
        final List<String> args = new ArrayList<>();
        final StringBuilder current = new StringBuilder();
        boolean quoted = false;
        boolean inArg = false;
        for (int i = 0; i < command.length(); i++)
        {
            final char c = command.charAt(i);
            if (c == '"')
            {
                quoted = !quoted;
                inArg = true;
            }
            else if (c == ' ' && !quoted)
            {
                if (inArg)
                {
                    args.add(current.toString());
                    current.setLength(0);
                    inArg = false;
                }
            }
            else
            {
                current.append(c);
                inArg = true;
            }
        }
        if (inArg)
        {
            args.add(current.toString());
        }
        return args.toArray(new String[0]);
    }

    private static String unescape(final String text)
    {
        return text.replace("\\r", "\r").replace("\\n", "\n").replace("\\\"", "\"").replace("\\'", "'")
            .replace("\\\\", "\\");
    }

    private static Map<Object, Integer> multiset(final String reply)
    {
        return multiset(RespTestSupport.parseReplies(reply).get(0));
    }

    private static Map<Object, Integer> multiset(final Object parsed)
    {
        final Map<Object, Integer> counts = new HashMap<>();
        for (final Object element : (List<?>)parsed)
        {
            counts.merge(element, 1, Integer::sum);
        }
        return counts;
    }
}
