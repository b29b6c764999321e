package dev.coreloop.examples.resp;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.shard.ShardCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Values above the large-value threshold, on fake reactors: streamed in as they arrive, stored by reference on the
 * owning shard, streamed out under the connection's writability, charged to the memory budget, refused with redis's
 * errors. Deterministic: every delivery and every ring message is driven by the test.
 */
class RespLargeValuesTest
{
    private static final int MIB = 1024 * 1024;

    /** @return {@code length} random bytes (every byte value, CR and LF included) as ISO-8859-1 text. */
    static String randomValue(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String bulk(final String value)
    {
        return "$" + value.length() + "\r\n" + value + "\r\n";
    }

    /** Sends {@code text} in pieces of random sizes, pumping the rings between pieces. */
    private static void sendInPieces(final ShardCluster cluster, final FakeConnection client, final String text,
        final Random random)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        int position = 0;
        while (position < bytes.length)
        {
            final int piece = Math.min(bytes.length - position, 1 + random.nextInt(96 * 1024));
            final byte[] chunk = new byte[piece];
            System.arraycopy(bytes, position, chunk, 0, piece);
            client.send(chunk);
            position += piece;
            cluster.pump();
        }
    }

    @Test
    void shouldStoreAndReturnA2MiBValueSentInRandomPieces()
    {
        final ShardCluster cluster = new ShardCluster(1);
        final FakeConnection client = cluster.connect(0);
        final String value = randomValue(2 * MIB, 1);
        sendInPieces(cluster, client, RespTestSupport.command("SET", "big", value) +
            RespTestSupport.command("GET", "big") + "PING\r\n", new Random(2));
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n" + bulk(value) + "+PONG\r\n");
        assertThat(cluster.shard(0).store().size()).isEqualTo(1);
        assertThat(client.handler().calls().streamsWritten()).isEqualTo(1);
    }

    @Test
    void shouldNeverGrowTheRequestBufferWithALargeValue()
    {
        final ShardCluster cluster = new ShardCluster(1);
        final FakeConnection client = cluster.connect(0);
        client.send(RespTestSupport.command("SET", "big", randomValue(4 * MIB, 3)));
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n");
        assertThat(client.handler().parser().argBufferCapacity())
            .as("the value went into its own storage, not the argument buffer").isLessThan(4096);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void shouldSetAndGetLargeValuesOnEveryShardFromEveryReactor(final int reactors)
    {
        final ShardCluster cluster = new ShardCluster(reactors);
        final Random random = new Random(reactors);
        for (int owner = 0; owner < reactors; owner++)
        {
            final String key = CrossShardTest.keyOwnedBy("big", owner, reactors);
            final String value = randomValue(MIB + owner, owner);
            final FakeConnection writer = cluster.connect((owner + 1) % reactors);
            sendInPieces(cluster, writer, RespTestSupport.command("SET", key, value), random);
            assertThat(writer.takeOutput()).isEqualTo("+OK\r\n");
            assertThat(cluster.shard(owner).store().size()).as("stored on its owner only").isEqualTo(1);
            for (int reader = 0; reader < reactors; reader++)
            {
                final FakeConnection client = cluster.connect(reader);
                client.send(RespTestSupport.command("GET", key) + RespTestSupport.command("EXISTS", key));
                cluster.pumpRandomly(random);
                assertThat(client.takeOutput()).as("GET on reactor " + reader).isEqualTo(bulk(value) + ":1\r\n");
            }
            sendInPieces(cluster, writer, RespTestSupport.command("DEL", key), random);
            assertThat(writer.takeOutput()).isEqualTo(":1\r\n");
        }
    }

    @Test
    void shouldKeepOrderWhenALargeSetIsFollowedByReadsOfTheSameRemoteKey()
    {
        final ShardCluster cluster = new ShardCluster(2);
        final FakeConnection client = cluster.connect(0);
        final String key = CrossShardTest.keyOwnedBy("k", 1, 2);
        final String first = randomValue(600 * 1024, 5);
        final String second = randomValue(700 * 1024, 6);
        client.send(RespTestSupport.command("SET", key, first) + RespTestSupport.command("GET", key) +
            RespTestSupport.command("SET", key, second) + RespTestSupport.command("MGET", key, "none", key) +
            RespTestSupport.command("SET", key, "small") + RespTestSupport.command("GET", key));
        cluster.pump();
        client.drainAndSignalWritable();
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n" + bulk(first) + "+OK\r\n*3\r\n" + bulk(second) +
            "$-1\r\n" + bulk(second) + "+OK\r\n$5\r\nsmall\r\n");
    }

    @Test
    void shouldSetLargeValuesOfMsetOnTheirShards()
    {
        final ShardCluster cluster = new ShardCluster(2);
        final FakeConnection client = cluster.connect(0);
        final String local = CrossShardTest.keyOwnedBy("a", 0, 2);
        final String remote = CrossShardTest.keyOwnedBy("b", 1, 2);
        final String big1 = randomValue(MIB, 7);
        final String big2 = randomValue(MIB + 1, 8);
        client.send(RespTestSupport.command("MSET", local, big1, "x", "1", remote, big2));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n");
        client.send(RespTestSupport.command("MGET", remote, "x", local));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("*3\r\n" + bulk(big2) + "$1\r\n1\r\n" + bulk(big1));
    }

    @Test
    void shouldStreamALargeReplyOnlyAsFastAsTheConnectionTakesIt()
    {
        final ShardCluster cluster = new ShardCluster(1);
        final FakeConnection client = cluster.connect(0);
        final String value = randomValue(3 * MIB, 9);
        client.send(RespTestSupport.command("SET", "big", value));
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n");

        final int capBytes = 256 * 1024;
        client.outboundCapBytes(capBytes); // a reader slower than the value: the connection takes 256 KiB at a time
        client.send(RespTestSupport.command("GET", "big") + "PING\r\n" + RespTestSupport.command("GET", "big"));
        final StringBuilder received = new StringBuilder();
        int rounds = 0;
        while (client.handler().calls().isStreaming() || received.length() == 0)
        {
            final ShardCalls calls = client.handler().calls();
            assertThat(calls.heldBytes()).as("nothing of the value is staged or copied").isLessThan(64);
            assertThat(client.outboundBytes()).isLessThanOrEqualTo(capBytes);
            assertThat(client.unconsumedBytes() == 0 || client.isReadPaused())
                .as("no new command is taken while a value streams").isTrue();
            received.append(client.takeOutput());
            client.drainAndSignalWritable();
            client.redeliverIfResumed();
            assertThat(++rounds).isLessThan(100);
        }
        received.append(client.takeOutput());
        for (int i = 0; i < 100 && received.length() < 2 * bulk(value).length() + 7; i++)
        {
            client.drainAndSignalWritable();
            client.redeliverIfResumed();
            received.append(client.takeOutput());
        }
        assertThat(rounds).as("the value left in pieces").isGreaterThan(10);
        assertThat(received.toString()).isEqualTo(bulk(value) + "+PONG\r\n" + bulk(value));
        assertThat(client.unconsumedBytes()).isZero();
    }

    @Test
    void shouldRefuseAWriteOverMaxmemoryWithRedisOomErrorAndKeepTheConnection()
    {
        final ShardCluster cluster = new ShardCluster(2, new RespConfig().maxmemory(3L * MIB).conclude());
        final FakeConnection client = cluster.connect(0);
        final String remote = CrossShardTest.keyOwnedBy("big", 1, 2);
        final String oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

        client.send(RespTestSupport.command("SET", remote, randomValue(2 * MIB, 10)));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n");
        assertThat(cluster.shard(0).keyspace().usedBytes()).isGreaterThan(2L * MIB).isLessThan(3L * MIB);

        client.send(RespTestSupport.command("SET", "more", randomValue(2 * MIB, 11)) + "PING\r\n");
        cluster.pump();
        assertThat(client.takeOutput()).as("a large value over the budget is read, dropped and refused")
            .isEqualTo(oom + "+PONG\r\n");
        assertThat(cluster.shard(0).store().size() + cluster.shard(1).store().size()).isEqualTo(1);

        final String filler = "f".repeat(100 * 1024);
        int stored = 0;
        String reply = "";
        for (int i = 0; i < 100 && !reply.equals(oom); i++)
        {
            client.send(RespTestSupport.command("SET", "small" + i, filler));
            cluster.pump();
            reply = client.takeOutput();
            if (reply.equals("+OK\r\n"))
            {
                stored++;
            }
        }
        assertThat(reply).as("small writes fill the rest, then are refused").isEqualTo(oom);
        assertThat(stored).isBetween(5, 10);
        client.send(RespTestSupport.command("INCR", "n") + RespTestSupport.command("MSET", "a", "1") +
            RespTestSupport.command("GET", "small0") + RespTestSupport.command("EXISTS", remote));
        cluster.pump();
        assertThat(client.takeOutput()).as("writes are refused, reads run")
            .isEqualTo(oom + oom + bulk(filler) + ":1\r\n");

        client.send(RespTestSupport.command("DEL", remote));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo(":1\r\n");
        client.send(RespTestSupport.command("SET", "more", randomValue(MIB + MIB / 2, 12)));
        cluster.pump();
        assertThat(client.takeOutput()).as("deleting made room").isEqualTo("+OK\r\n");
        assertThat(client.closeReason()).isNull();
    }

    @Test
    void shouldGiveBackTheChargeOfAValueThatNeverCompletes()
    {
        final ShardCluster cluster = new ShardCluster(1);
        final RespKeyspace keyspace = cluster.shard(0).keyspace();
        final long empty = keyspace.usedBytes();
        final FakeConnection client = cluster.connect(0);
        client.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (8 * MIB) + "\r\n" + "x".repeat(1000));
        assertThat(keyspace.usedBytes()).as("charged in full before the bytes arrive").isGreaterThan(empty + 8L * MIB);
        client.closeFromCore(CloseReason.PEER_RESET);
        assertThat(keyspace.usedBytes()).isEqualTo(empty);
    }

    @Test
    void shouldRefuseALargeArgumentThatIsNotAValueAndGoOn()
    {
        final ShardCluster cluster = new ShardCluster(1);
        final FakeConnection client = cluster.connect(0);
        final String big = randomValue(MIB, 13);
        client.send(RespTestSupport.command("GET", big) + RespTestSupport.command("SET", big, "v") +
            RespTestSupport.command("ECHO", big) + "PING\r\n");
        final String refused = "only the values of SET and MSET may be longer than 524288 bytes";
        final String output = client.takeOutput();
        assertThat(output.split("\r\n")).containsExactly(
            "-ERR argument 1 of 1048576 bytes: " + refused,
            "-ERR argument 1 of 1048576 bytes: " + refused,
            "-ERR argument 1 of 1048576 bytes: " + refused,
            "+PONG");
        assertThat(cluster.shard(0).store().size()).isZero();
        assertThat(cluster.shard(0).keyspace().usedBytes()).isEqualTo(cluster.shard(0).store().usedBytes() +
            cluster.shard(0).collectionBytes());
    }

    @Test
    void shouldRejectABulkLengthOverProtoMaxBulkLenAndClose()
    {
        final ShardCluster cluster = new ShardCluster(1, new RespConfig().protoMaxBulkLen(4 * MIB).conclude());
        final FakeConnection client = cluster.connect(0);
        client.send("PING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + (4 * MIB + 1) + "\r\n");
        assertThat(client.takeOutput()).isEqualTo("+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
        assertThat(client.closeReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
    }

    @Test
    void shouldReportMemoryAndKeysOfEveryShardInInfoAndDbsize()
    {
        final ShardCluster cluster = new ShardCluster(3);
        final FakeConnection client = cluster.connect(0);
        final RespKeyspace keyspace = cluster.shard(0).keyspace();
        final long empty = keyspace.usedBytes();
        for (int shard = 0; shard < 3; shard++)
        {
            client.send(RespTestSupport.command("SET", CrossShardTest.keyOwnedBy("k", shard, 3), randomValue(MIB, shard),
                "EX", "100"));
            client.send(RespTestSupport.command("SET", CrossShardTest.keyOwnedBy("s", shard, 3), "v"));
        }
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n".repeat(6));
        client.send(RespTestSupport.command("DBSIZE"));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo(":6\r\n");

        final long used = keyspace.usedBytes();
        assertThat(used - empty).isBetween(3L * MIB, 3L * MIB + 64 * 1024);
        client.send(RespTestSupport.command("INFO", "memory", "keyspace"));
        final String info = (String)RespTestSupport.parseReplies(client.takeOutput()).get(0);
        assertThat(info).contains("# Memory\r\nused_memory:" + used + "\r\n")
            .contains("used_memory_human:" + RespKeyspace.bytesToHuman(used) + "\r\n")
            .contains("maxmemory:" + (Runtime.getRuntime().maxMemory() / 2) + "\r\n")
            .contains("maxmemory_policy:noeviction\r\n")
            .contains("# Keyspace\r\ndb0:keys=6,expires=3,avg_ttl=0")
            .doesNotContain("# Server");
        client.send(RespTestSupport.command("FLUSHALL"));
        cluster.pump();
        client.takeOutput();
        assertThat(keyspace.usedBytes()).isEqualTo(empty);
        client.send(RespTestSupport.command("INFO"));
        final String all = (String)RespTestSupport.parseReplies(client.takeOutput()).get(0);
        assertThat(all).startsWith("# Server\r\nredis_version:").contains("# Memory\r\n")
            .endsWith("# Keyspace\r\n");
    }

    @Test
    void shouldTreatALargeValueAsAStringBesideTheCollections()
    {
        final ShardCluster cluster = new ShardCluster(2);
        final FakeConnection client = cluster.connect(0);
        final String remote = CrossShardTest.keyOwnedBy("typed", 1, 2);
        final String value = randomValue(MIB, 21);
        client.send(RespTestSupport.command("LPUSH", remote, "x") + RespTestSupport.command("SET", remote, value) +
            RespTestSupport.command("TYPE", remote) + RespTestSupport.command("LPUSH", remote, "y") +
            RespTestSupport.command("INCR", remote) + RespTestSupport.command("GET", remote) +
            RespTestSupport.command("SET", remote, value, "NX") + RespTestSupport.command("DEL", remote) +
            RespTestSupport.command("MSET", "a", "1", remote, value) + RespTestSupport.command("MGET", "a", remote));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo(":1\r\n+OK\r\n+string\r\n" +
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n" +
            "-ERR value is not an integer or out of range\r\n" + bulk(value) + "$-1\r\n:1\r\n+OK\r\n" +
            "*2\r\n$1\r\n1\r\n" + bulk(value));
        assertThat(cluster.shard(1).keyspace().exchange().slotsPerPartition()).isPositive();
        client.send(RespTestSupport.command("FLUSHALL"));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n");
        assertThat(cluster.shard(0).keyspace().keys()).isZero();
    }

    @Test
    void shouldFormatBytesAsRedisDoes()
    {
        assertThat(RespKeyspace.bytesToHuman(0)).isEqualTo("0B");
        assertThat(RespKeyspace.bytesToHuman(1023)).isEqualTo("1023B");
        assertThat(RespKeyspace.bytesToHuman(1536)).isEqualTo("1.50K");
        assertThat(RespKeyspace.bytesToHuman(64L * MIB)).isEqualTo("64.00M");
        assertThat(RespKeyspace.bytesToHuman(3L * 1024 * MIB)).isEqualTo("3.00G");
    }
}
