package dev.coreloop.examples.resp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The keyspace memory budget ({@code maxmemory}, redis's {@code -OOM}) and what {@code INFO} and {@code DBSIZE}
 * report, over string keys and collections on several fake reactors. Deterministic: every ring message is driven by
 * the test.
 */
class RespMemoryTest
{
    private static final String OOM = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";

    private static String bulk(final String value)
    {
        return "$" + value.length() + "\r\n" + value + "\r\n";
    }

    @Test
    void shouldRefuseWritesOverMaxmemoryWithRedisOomErrorRunReadsAndDeletesAndKeepTheConnection()
    {
        final RespConfig config = new RespConfig().maxmemory(1024 * 1024).conclude();
        final ShardCluster cluster = new ShardCluster(2, config);
        final FakeConnection client = cluster.connect(0);
        final RespKeyspace keyspace = cluster.shard(0).keyspace();
        final String filler = "f".repeat(100 * 1024);
        int stored = 0;
        String reply = "";
        for (int i = 0; i < 100 && !reply.equals(OOM); i++)
        {
            client.send(RespTestSupport.command("SET", "k" + i, filler));
            cluster.pump();
            reply = client.takeOutput();
            if (reply.equals("+OK\r\n"))
            {
                stored++;
            }
        }
        assertThat(reply).as("writes are refused once over the limit").isEqualTo(OOM);
        assertThat(keyspace.usedBytes()).isGreaterThan(1024 * 1024);
        assertThat(stored).as("the keys fill the megabyte less the tables, then one more passes it").isBetween(8, 11);

        final String remote = CrossShardTest.keyOwnedBy("absent", 1, 2);
        client.send(RespTestSupport.command("INCR", "n") + RespTestSupport.command("MSET", "a", "1") +
            RespTestSupport.command("LPUSH", "list", "x") + RespTestSupport.command("HSET", "h", "f", "v") +
            RespTestSupport.command("GET", "k0") + RespTestSupport.command("EXISTS", "k0", remote) +
            RespTestSupport.command("EXPIRE", "k0", "100"));
        cluster.pump();
        assertThat(client.takeOutput()).as("denyoom commands are refused; reads and EXPIRE run")
            .isEqualTo(OOM + OOM + OOM + OOM + bulk(filler) + ":1\r\n:1\r\n");

        client.send(RespTestSupport.command("DEL", "k0", "k1", "k2"));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo(":3\r\n");
        client.send(RespTestSupport.command("RPUSH", "list", "a", "b") + RespTestSupport.command("SET", "small", "v"));
        cluster.pump();
        assertThat(client.takeOutput()).as("deleting made room").isEqualTo(":2\r\n+OK\r\n");
        assertThat(client.closeReason()).isNull();
    }

    @Test
    void shouldCountCollectionsInUsedMemoryAndRefuseTheirGrowthOverTheLimit()
    {
        final ShardCluster cluster = new ShardCluster(2, new RespConfig().maxmemory(512 * 1024).conclude());
        final FakeConnection client = cluster.connect(1);
        final RespKeyspace keyspace = cluster.shard(0).keyspace();
        final long empty = keyspace.usedBytes();
        assertThat(empty).as("the empty tables of both shards").isEqualTo(
            cluster.shard(0).store().usedBytes() + cluster.shard(0).collectionBytes() +
                cluster.shard(1).store().usedBytes() + cluster.shard(1).collectionBytes());
        final String member = "m".repeat(1000);
        String reply = "";
        int added = 0;
        for (int i = 0; i < 1000 && !reply.equals(OOM); i++)
        {
            client.send(RespTestSupport.command("SADD", "set" + (i % 7), member + i));
            cluster.pump();
            reply = client.takeOutput();
            if (reply.equals(":1\r\n"))
            {
                added++;
            }
        }
        assertThat(reply).isEqualTo(OOM);
        assertThat(added).isBetween(200, 500);
        final long used = keyspace.usedBytes();
        assertThat(used).isGreaterThan(512 * 1024);
        assertThat(used).isEqualTo(cluster.shard(0).store().usedBytes() + cluster.shard(0).collectionBytes() +
            cluster.shard(1).store().usedBytes() + cluster.shard(1).collectionBytes());
        client.send(RespTestSupport.command("SPOP", "set0") + RespTestSupport.command("SCARD", "set1"));
        cluster.pump();
        assertThat(RespTestSupport.parseReplies(client.takeOutput())).hasSize(2);
        client.send(RespTestSupport.command("FLUSHALL"));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n");
        assertThat(keyspace.usedBytes()).isEqualTo(empty);
        client.send(RespTestSupport.command("SADD", "set0", "again"));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo(":1\r\n");
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
            client.send(RespTestSupport.command("SET", CrossShardTest.keyOwnedBy("k", shard, 3), "v".repeat(100_000),
                "EX", "100"));
            client.send(RespTestSupport.command("SET", CrossShardTest.keyOwnedBy("s", shard, 3), "v"));
            client.send(RespTestSupport.command("HSET", CrossShardTest.keyOwnedBy("h", shard, 3), "f", "v"));
        }
        client.send(RespTestSupport.command("EXPIRE", CrossShardTest.keyOwnedBy("h", 2, 3), "100"));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n+OK\r\n:1\r\n".repeat(3) + ":1\r\n");
        client.send(RespTestSupport.command("DBSIZE"));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo(":9\r\n");

        final long used = keyspace.usedBytes();
        assertThat(used - empty).isBetween(300_000L, 300_000L + 4096);
        client.send(RespTestSupport.command("INFO", "memory", "keyspace"));
        final String info = (String)RespTestSupport.parseReplies(client.takeOutput()).get(0);
        assertThat(info).contains("# Memory\r\nused_memory:" + used + "\r\n")
            .contains("used_memory_human:" + RespKeyspace.bytesToHuman(used) + "\r\n")
            .contains("maxmemory:" + (Runtime.getRuntime().maxMemory() / 2) + "\r\n")
            .contains("maxmemory_policy:noeviction\r\n")
            .contains("# Keyspace\r\ndb0:keys=9,expires=4,avg_ttl=0")
            .doesNotContain("# Server");
        client.send(RespTestSupport.command("FLUSHALL"));
        cluster.pump();
        client.takeOutput();
        assertThat(keyspace.usedBytes()).isEqualTo(empty);
        assertThat(keyspace.keys()).isZero();
        assertThat(keyspace.expires()).isZero();
        client.send(RespTestSupport.command("INFO"));
        final String all = (String)RespTestSupport.parseReplies(client.takeOutput()).get(0);
        assertThat(all).startsWith("# Server\r\nredis_version:7.0.0\r\n").contains("reactors:3\r\n")
            .contains("# Memory\r\n").endsWith("# Keyspace\r\n");
        client.send(RespTestSupport.command("INFO", "nosuchsection"));
        assertThat(client.takeOutput()).isEqualTo("$0\r\n\r\n");
    }

    @Test
    void shouldAnswerConfigGetMaxmemoryAsRedis()
    {
        final ShardCluster cluster = new ShardCluster(1, new RespConfig().maxmemory(0).conclude());
        final FakeConnection client = cluster.connect(0);
        client.send(RespTestSupport.command("CONFIG", "GET", "maxmemory*"));
        assertThat(client.takeOutput()).isEqualTo(
            "*4\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n");
    }

    @Test
    void shouldFormatBytesAsRedisDoes()
    {
        assertThat(RespKeyspace.bytesToHuman(0)).isEqualTo("0B");
        assertThat(RespKeyspace.bytesToHuman(1023)).isEqualTo("1023B");
        assertThat(RespKeyspace.bytesToHuman(1536)).isEqualTo("1.50K");
        assertThat(RespKeyspace.bytesToHuman(64L * 1024 * 1024)).isEqualTo("64.00M");
        assertThat(RespKeyspace.bytesToHuman(3L * 1024 * 1024 * 1024)).isEqualTo("3.00G");
    }
}
