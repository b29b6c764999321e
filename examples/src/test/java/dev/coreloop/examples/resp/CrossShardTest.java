package dev.coreloop.examples.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.shard.ShardCalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Commands whose keys live on other reactors' shards: routing, ordering, scatter/gather, full rings, closes. */
class CrossShardTest
{
    /** @return a key (prefix + n) owned by {@code shard} of {@code shardCount}. */
    static String keyOwnedBy(final String prefix, final int shard, final int shardCount)
    {
        for (int n = 0; ; n++)
        {
            final String key = prefix + n;
            final byte[] bytes = key.getBytes(StandardCharsets.ISO_8859_1);
            if (KeyHash.owner(KeyHash.hash(bytes, 0, bytes.length), shardCount) == shard)
            {
                return key;
            }
        }
    }

    @Test
    void shouldStoreEachKeyOnlyOnItsOwner()
    {
        final ShardCluster cluster = new ShardCluster(3);
        final FakeConnection client = cluster.connect(0);
        for (int shard = 0; shard < 3; shard++)
        {
            client.send(RespTestSupport.command("SET", keyOwnedBy("k", shard, 3), "v"));
        }
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n+OK\r\n+OK\r\n");
        for (int shard = 0; shard < 3; shard++)
        {
            assertThat(cluster.shard(shard).store().size()).isEqualTo(1);
        }
        assertThat(cluster.shard(0).router().requestsSent()).isEqualTo(2);
        assertThat(cluster.shard(1).router().requestsExecuted()).isEqualTo(1);
        assertThat(cluster.shard(2).router().requestsExecuted()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void shouldKeepReplyOrderForPipelinedCommandsAcrossShards(final int reactors)
    {
        final ShardCluster cluster = new ShardCluster(reactors);
        final FakeConnection client = cluster.connect(0);
        final String local = keyOwnedBy("a", 0, reactors);
        final String remote = keyOwnedBy("b", 1, reactors);
        final String last = keyOwnedBy("c", reactors - 1, reactors);
        client.send(
            RespTestSupport.command("SET", remote, "r1") +
            RespTestSupport.command("SET", local, "l1") +
            RespTestSupport.command("GET", remote) +
            "PING\r\n" +
            RespTestSupport.command("INCR", last) +
            RespTestSupport.command("GET", local) +
            RespTestSupport.command("MGET", last, remote, "nokey", local) +
            RespTestSupport.command("EXISTS", local, remote, last, "nokey") +
            RespTestSupport.command("DBSIZE") +
            RespTestSupport.command("DEL", remote, last) +
            RespTestSupport.command("ECHO", "end"));
        assertThat(client.takeOutput()).as("nothing may overtake the first remote reply").isEmpty();
        cluster.pumpRandomly(new Random(reactors));
        assertThat(client.takeOutput()).isEqualTo(
            "+OK\r\n+OK\r\n$2\r\nr1\r\n+PONG\r\n:1\r\n$2\r\nl1\r\n" +
            "*4\r\n$1\r\n1\r\n$2\r\nr1\r\n$-1\r\n$2\r\nl1\r\n" +
            ":3\r\n:3\r\n:2\r\n$3\r\nend\r\n");
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void shouldAnswerLikeOneShardWhateverTheInterleaving(final int reactors)
    {
        final Random random = new Random(42 + reactors);
        for (int round = 0; round < 30; round++)
        {
            final ShardCluster sharded = new ShardCluster(reactors);
            final ShardCluster single = new ShardCluster(1);
            final FakeConnection shardedClient = sharded.connect(random.nextInt(reactors));
            final FakeConnection singleClient = single.connect(0);
            final StringBuilder expected = new StringBuilder();
            final StringBuilder actual = new StringBuilder();
            for (int batch = 0; batch < 20; batch++)
            {
                final StringBuilder requests = new StringBuilder();
                final int commands = 1 + random.nextInt(8);
                for (int i = 0; i < commands; i++)
                {
                    requests.append(randomCommand(random));
                }
                final byte[] bytes = requests.toString().getBytes(StandardCharsets.ISO_8859_1);
                singleClient.send(bytes);
                single.pump();
                expected.append(singleClient.takeOutput());
                // deliver in random pieces, with random message delivery in between
                int from = 0;
                while (from < bytes.length)
                {
                    final int to = Math.min(bytes.length, from + 1 + random.nextInt(40));
                    shardedClient.send(java.util.Arrays.copyOfRange(bytes, from, to));
                    from = to;
                    for (int d = random.nextInt(4); d > 0; d--)
                    {
                        sharded.deliverOne(random.nextInt(reactors));
                    }
                    actual.append(shardedClient.takeOutput());
                }
            }
            sharded.pumpRandomly(random);
            actual.append(shardedClient.takeOutput());
            assertThat(actual.toString()).as("round %d", round).isEqualTo(expected.toString());
            for (int shard = 0; shard < reactors; shard++)
            {
                assertThat(sharded.shard(shard).router().inFlight((shard + 1) % reactors)).isZero();
            }
        }
    }

    private static String randomCommand(final Random random)
    {
        final String key = "key" + random.nextInt(12);
        final String other = "key" + random.nextInt(12);
        switch (random.nextInt(13))
        {
            case 0:
                return RespTestSupport.command("SET", key, "v" + random.nextInt(100));
            case 1:
                return RespTestSupport.command("GET", key);
            case 2:
                return RespTestSupport.command("INCR", key);
            case 3:
                return RespTestSupport.command("DEL", key, other);
            case 4:
                return RespTestSupport.command("EXISTS", key, other, key);
            case 5:
                return RespTestSupport.command("MSET", key, "m" + random.nextInt(9), other, String.valueOf(random.nextInt(9)));
            case 6:
                return RespTestSupport.command("MGET", key, other, "key" + random.nextInt(12));
            case 7:
                return RespTestSupport.command("DBSIZE");
            case 8:
                return random.nextInt(10) == 0 ? RespTestSupport.command("FLUSHALL") : "PING\r\n";
            case 9:
                return RespTestSupport.command("SET", key, "x", random.nextBoolean() ? "NX" : "XX");
            case 10:
                return RespTestSupport.command("INCRBY", key, String.valueOf(random.nextInt(2000) - 1000));
            case 11:
                return RespTestSupport.command("EXPIRE", key, String.valueOf(random.nextInt(100)));
            default:
                return RespTestSupport.command("TTL", key);
        }
    }

    @Test
    void shouldCarryValuesLargerThanOneMessageAsFragments()
    {
        final ShardCluster cluster = new ShardCluster(2);
        cluster.maxMessageLength(100);
        final FakeConnection client = cluster.connect(0);
        final String remote = keyOwnedBy("big", 1, 2);
        final String value = "0123456789".repeat(150);
        client.send(RespTestSupport.command("SET", remote, value) + RespTestSupport.command("GET", remote) +
            RespTestSupport.command("MGET", remote, remote));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n$1500\r\n" + value + "\r\n*2\r\n$1500\r\n" + value +
            "\r\n$1500\r\n" + value + "\r\n");
        assertThat(cluster.shard(1).router().fragmentsDiscarded()).isZero();
    }

    @Test
    void shouldQueueRequestsThatFindTheOwnersRingFullAndAnswerEveryCommandInOrderOnceItHasRoom()
    {
        final ShardCluster cluster = new ShardCluster(2);
        final FakeConnection client = cluster.connect(0);
        final String local = keyOwnedBy("l", 0, 2);
        final String remote = keyOwnedBy("r", 1, 2);
        cluster.blockRing(1, true);
        client.send(RespTestSupport.command("GET", remote) + RespTestSupport.command("SET", local, "1") +
            RespTestSupport.command("MSET", local, "2", remote, "3") + RespTestSupport.command("DBSIZE") +
            RespTestSupport.command("MGET", local, remote));
        assertThat(client.takeOutput()).as("nothing refused, nothing may overtake the first remote reply").isEmpty();
        assertThat(cluster.shard(0).router().messagesWaiting()).isEqualTo(4);
        cluster.advanceNs(RespConfig.RETRY_DELAY_US_DEFAULT * 1000);
        assertThat(client.takeOutput()).isEmpty();
        cluster.blockRing(1, false);
        cluster.advanceNs(RespConfig.RETRY_DELAY_US_DEFAULT * 1000); // the retry timer offers them again, in order
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("$-1\r\n+OK\r\n+OK\r\n:2\r\n*2\r\n$1\r\n2\r\n$1\r\n3\r\n");
        assertThat(cluster.shard(0).router().messagesWaiting()).isZero();
    }

    @Test
    void shouldStopReadingAtTheInFlightLimitAndResumeWhenRepliesArrive()
    {
        final ShardCluster cluster = new ShardCluster(2, new RespConfig().maxRemoteInFlight(2).conclude());
        final FakeConnection client = cluster.connect(0);
        final FakeConnection other = cluster.connect(0);
        final String remote = keyOwnedBy("r", 1, 2);
        client.send(RespTestSupport.command("INCR", remote).repeat(3));
        assertThat(client.isReadPaused()).as("the third INCR waits: two are in flight").isTrue();
        assertThat(client.unconsumedBytes()).isEqualTo(RespTestSupport.command("INCR", remote).length());
        other.send(RespTestSupport.command("PING") + RespTestSupport.command("INCR", remote));
        assertThat(other.isReadPaused()).as("the limit is the reactor's: every connection waits").isTrue();
        assertThat(other.takeOutput()).isEmpty();
        cluster.pump();
        assertThat(client.isReadPaused()).isFalse();
        assertThat(other.isReadPaused()).isFalse();
        client.redeliverIfResumed();
        other.redeliverIfResumed();
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo(":1\r\n:2\r\n:3\r\n");
        assertThat(other.takeOutput()).isEqualTo("+PONG\r\n:4\r\n");
        assertThat(cluster.shard(0).router().pausesForInFlight()).isEqualTo(2);
        assertThat(cluster.shard(0).router().inFlight()).isZero();
    }

    /**
     * Many connections pipelining across shards against a tiny in-flight limit and rings that fill up: every command
     * is answered, in order, and none with an error; connections pause and resume instead.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void shouldNeverRefuseACommandForLoad(final int reactors)
    {
        final Random random = new Random(31 * reactors);
        final ShardCluster cluster = new ShardCluster(reactors, new RespConfig().maxRemoteInFlight(3).conclude());
        cluster.ringCapacityBytes(400);
        final FakeConnection[] clients = new FakeConnection[24];
        final StringBuilder[] expected = new StringBuilder[clients.length];
        final StringBuilder[] actual = new StringBuilder[clients.length];
        final int[] counters = new int[clients.length];
        for (int c = 0; c < clients.length; c++)
        {
            clients[c] = cluster.connect(random.nextInt(reactors));
            expected[c] = new StringBuilder();
            actual[c] = new StringBuilder();
        }
        for (int round = 0; round < 200; round++)
        {
            for (int c = 0; c < clients.length; c++)
            {
                final StringBuilder requests = new StringBuilder();
                for (int i = random.nextInt(5); i > 0; i--)
                {
                    final String key = "c" + c + "k" + random.nextInt(4);
                    requests.append(RespTestSupport.command("INCR", "counter" + c));
                    expected[c].append(':').append(++counters[c]).append("\r\n");
                    requests.append(RespTestSupport.command("SET", key, "v")).append(RespTestSupport.command("GET", key));
                    expected[c].append("+OK\r\n$1\r\nv\r\n");
                }
                clients[c].send(requests.toString());
            }
            for (int d = random.nextInt(4 * reactors); d > 0; d--)
            {
                cluster.deliverOne(random.nextInt(reactors));
            }
            cluster.advanceNs(RespConfig.RETRY_DELAY_US_DEFAULT * 1000);
            for (int c = 0; c < clients.length; c++)
            {
                clients[c].redeliverIfResumed();
                actual[c].append(clients[c].takeOutput());
            }
        }
        for (int round = 0; round < 10_000 && !allCaughtUp(clients, expected, actual); round++)
        {
            cluster.pumpRandomly(random);
            cluster.advanceNs(RespConfig.RETRY_DELAY_US_DEFAULT * 1000);
            for (int c = 0; c < clients.length; c++)
            {
                clients[c].redeliverIfResumed();
                actual[c].append(clients[c].takeOutput());
            }
        }
        long pauses = 0;
        for (int c = 0; c < clients.length; c++)
        {
            assertThat(actual[c].toString()).as("client %d", c).isEqualTo(expected[c].toString());
            assertThat(clients[c].closeReason()).isNull();
        }
        for (int r = 0; r < reactors; r++)
        {
            pauses += cluster.shard(r).router().pausesForInFlight();
            assertThat(cluster.shard(r).router().fragmentsDiscarded()).isZero();
        }
        assertThat(pauses).as("the limit was reached: the test exercised backpressure").isPositive();
    }

    private static boolean allCaughtUp(final FakeConnection[] clients, final StringBuilder[] expected,
        final StringBuilder[] actual)
    {
        for (int c = 0; c < clients.length; c++)
        {
            if (actual[c].length() < expected[c].length())
            {
                return false;
            }
        }
        return true;
    }

    @Test
    void shouldQueueRepliesThatFindTheRingFullAndRetryThemOnATimer()
    {
        final ShardCluster cluster = new ShardCluster(2);
        final FakeConnection client = cluster.connect(0);
        final String remote = keyOwnedBy("r", 1, 2);
        client.send(RespTestSupport.command("SET", remote, "v") + RespTestSupport.command("GET", remote));
        cluster.blockRing(0, true);
        cluster.pump();
        assertThat(cluster.shard(1).router().messagesQueued()).isEqualTo(2);
        assertThat(client.takeOutput()).isEmpty();
        cluster.advanceNs(RespConfig.RETRY_DELAY_US_DEFAULT * 1000);
        assertThat(cluster.reactor(1).armedTimers()).as("sweep and retry timers").isEqualTo(2);
        cluster.blockRing(0, false);
        cluster.advanceNs(RespConfig.RETRY_DELAY_US_DEFAULT * 1000);
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n$1\r\nv\r\n");
        assertThat(cluster.reactor(1).armedTimers()).as("only the sweep timer").isEqualTo(1);
    }

    @Test
    void shouldKeepQueuedFragmentsContiguousBehindEarlierOnes()
    {
        final ShardCluster cluster = new ShardCluster(2);
        cluster.maxMessageLength(64);
        final FakeConnection client = cluster.connect(0);
        final String remote = keyOwnedBy("r", 1, 2);
        final String value = "v".repeat(500);
        client.send(RespTestSupport.command("SET", remote, value));
        cluster.pump();
        client.takeOutput();
        client.send(RespTestSupport.command("GET", remote) + RespTestSupport.command("GET", remote));
        cluster.ringCapacityBytes(200);
        cluster.deliverOne(1);
        cluster.deliverOne(1);
        assertThat(cluster.shard(1).router().messagesQueued()).isPositive();
        cluster.ringCapacityBytes(1 << 20);
        for (int i = 0; i < 100 && cluster.shard(0).router().inFlight(1) > 0; i++)
        {
            cluster.advanceNs(RespConfig.RETRY_DELAY_US_DEFAULT * 1000);
            cluster.pump();
        }
        assertThat(client.takeOutput()).isEqualTo(("$500\r\n" + value + "\r\n").repeat(2));
        assertThat(cluster.shard(0).router().fragmentsDiscarded()).isZero();
    }

    @Test
    void shouldSendTheRestOfARequestWhoseFragmentsDidNotAllFitOnceTheRingHasRoom()
    {
        final ShardCluster cluster = new ShardCluster(2);
        cluster.maxMessageLength(64);
        cluster.ringCapacityBytes(150);
        final FakeConnection client = cluster.connect(0);
        final String remote = keyOwnedBy("r", 1, 2);
        final String value = "x".repeat(300);
        client.send(RespTestSupport.command("SET", remote, value) + RespTestSupport.command("GET", remote));
        assertThat(client.takeOutput()).isEmpty();
        assertThat(cluster.shard(0).router().messagesWaiting()).isPositive();
        for (int i = 0; i < 100 && cluster.shard(0).router().inFlight(1) > 0; i++)
        {
            cluster.pump(); // the owner takes what fits; each delivery makes room for the next fragments
            cluster.advanceNs(RespConfig.RETRY_DELAY_US_DEFAULT * 1000);
        }
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n$300\r\n" + value + "\r\n");
        assertThat(cluster.shard(1).router().fragmentsDiscarded()).isZero();
    }

    @Test
    void shouldDropRepliesForAConnectionThatClosedMeanwhile()
    {
        final ShardCluster cluster = new ShardCluster(2);
        final FakeConnection client = cluster.connect(0);
        final FakeConnection other = cluster.connect(0);
        final String remote = keyOwnedBy("r", 1, 2);
        client.send(RespTestSupport.command("GET", remote) + RespTestSupport.command("MGET", remote, remote) +
            RespTestSupport.command("DBSIZE"));
        other.send(RespTestSupport.command("SET", remote, "v"));
        client.closeFromCore(CloseReason.PEER_RESET);
        cluster.pump();
        assertThat(cluster.shard(0).router().repliesDropped()).isEqualTo(4);
        assertThat(cluster.shard(0).router().inFlight(1)).isZero();
        assertThat(other.takeOutput()).isEqualTo("+OK\r\n");
        assertThat(client.takeOutput()).isEmpty();
    }

    @Test
    void shouldCloseAfterAProtocolErrorOnlyOnceEarlierRemoteRepliesAreWritten()
    {
        final ShardCluster cluster = new ShardCluster(2);
        final FakeConnection client = cluster.connect(0);
        final String remote = keyOwnedBy("r", 1, 2);
        client.send(RespTestSupport.command("INCR", remote) + "*1\r\n$x\r\n");
        assertThat(client.closeReason()).isNull();
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo(":1\r\n-ERR Protocol error: invalid bulk length\r\n");
        assertThat(client.closeReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
    }

    @Test
    void shouldFlushAllShards()
    {
        final ShardCluster cluster = new ShardCluster(4);
        final FakeConnection client = cluster.connect(2);
        final List<String> args = new ArrayList<>(List.of("MSET"));
        for (int i = 0; i < 40; i++)
        {
            args.add("k" + i);
            args.add("v" + i);
        }
        client.send(RespTestSupport.command(args.toArray(new String[0])) + RespTestSupport.command("DBSIZE") +
            RespTestSupport.command("FLUSHALL") + RespTestSupport.command("DBSIZE"));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n:40\r\n+OK\r\n:0\r\n");
    }

    @Test
    void shouldHoldThousandsOfOutstandingRepliesInOrder()
    {
        final ShardCluster cluster = new ShardCluster(2);
        final FakeConnection client = cluster.connect(0);
        final String local = keyOwnedBy("l", 0, 2);
        final String remote = keyOwnedBy("r", 1, 2);
        final StringBuilder requests = new StringBuilder();
        final StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 3_000; i++)
        {
            requests.append(RespTestSupport.command("INCR", i % 2 == 0 ? remote : local));
            expected.append(':').append(i / 2 + 1).append("\r\n");
        }
        client.send(requests.toString());
        assertThat(client.handler().calls().pendingCount()).isEqualTo(3_000);
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo(expected.toString());
        assertThat(client.handler().calls().pendingCount()).isZero();
        assertThat(client.handler().calls().heldBytes()).isZero();
    }

    /**
     * A fast client pipelining across shards: every chunk of GETs arrives while the previous one is still waiting for
     * its first remote reply, so the pipeline never drains, and 20,000 replies of 4 KiB (80 MiB, well over the 32 MiB
     * budget) pass through the sequencer. What it holds at any time is the local replies of the two chunks outstanding.
     */
    @Test
    void shouldServeALongPipelineAcrossShardsThatNeverDrainsWithoutAborting()
    {
        final ShardCluster cluster = new ShardCluster(2);
        final FakeConnection client = cluster.connect(0);
        final String local = keyOwnedBy("l", 0, 2);
        final String remote = keyOwnedBy("r", 1, 2);
        final String localValue = "L".repeat(4096);
        final String remoteValue = "R".repeat(4096);
        client.send(RespTestSupport.command("SET", local, localValue) + RespTestSupport.command("SET", remote, remoteValue));
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n+OK\r\n");

        final int pairsPerChunk = 50;
        final int chunks = 200;
        final byte[] chunk = (RespTestSupport.command("GET", remote) + RespTestSupport.command("GET", local))
            .repeat(pairsPerChunk).getBytes(StandardCharsets.ISO_8859_1);
        final String chunkReplies = ("$4096\r\n" + remoteValue + "\r\n$4096\r\n" + localValue + "\r\n")
            .repeat(pairsPerChunk);
        final ShardCalls sequencer = client.handler().calls();
        int maxBufferedBytes = 0;
        int maxArenaBytes = 0;
        client.send(chunk);
        for (int c = 1; c < chunks; c++)
        {
            client.send(chunk);
            maxBufferedBytes = Math.max(maxBufferedBytes, sequencer.heldBytes());
            maxArenaBytes = Math.max(maxArenaBytes, sequencer.arenaCapacityBytes());
            // the previous chunk's remote GETs and their replies; this chunk's first remote reply stays outstanding
            for (int i = 0; i < pairsPerChunk; i++)
            {
                assertThat(cluster.deliverOne(1)).isTrue();
            }
            for (int i = 0; i < pairsPerChunk; i++)
            {
                assertThat(cluster.deliverOne(0)).isTrue();
            }
            assertThat(client.takeOutput()).as("chunk %d (%d replies so far), close reason %s", c - 1,
                c * 2 * pairsPerChunk, client.closeReason()).isEqualTo(chunkReplies);
            assertThat(sequencer.pendingCount()).as("never drained").isEqualTo(2 * pairsPerChunk);
        }
        cluster.pump();
        assertThat(client.takeOutput()).isEqualTo(chunkReplies);
        assertThat(client.closeReason()).isNull();
        assertThat(sequencer.isAborted()).isFalse();
        assertThat(sequencer.pendingCount()).isZero();
        assertThat(sequencer.heldBytes()).isZero();
        assertThat(maxBufferedBytes).as("held: the local replies of the two chunks outstanding")
            .isLessThanOrEqualTo(2 * pairsPerChunk * 4106);
        assertThat(maxArenaBytes).as("the arena reuses the space of written replies").isLessThanOrEqualTo(1 << 20);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void shouldKeepRepliesOfManySizesInOrderWhateverTheInterleaving(final int reactors)
    {
        final Random random = new Random(7 * reactors);
        final ShardCluster cluster = new ShardCluster(reactors);
        final FakeConnection client = cluster.connect(0);
        final String[] values = new String[40];
        final StringBuilder setup = new StringBuilder();
        for (int k = 0; k < values.length; k++)
        {
            values[k] = String.valueOf((char)('a' + k % 26)).repeat(1 + random.nextInt(3000)) + k;
            setup.append(RespTestSupport.command("SET", "key" + k, values[k]));
        }
        client.send(setup.toString());
        cluster.pump();
        client.takeOutput();

        final StringBuilder expected = new StringBuilder();
        final StringBuilder actual = new StringBuilder();
        for (int batch = 0; batch < 400; batch++)
        {
            final StringBuilder requests = new StringBuilder();
            for (int i = 1 + random.nextInt(6); i > 0; i--)
            {
                final int k = random.nextInt(values.length);
                if (random.nextInt(4) == 0)
                {
                    final int other = random.nextInt(values.length);
                    requests.append(RespTestSupport.command("MGET", "key" + k, "key" + other));
                    expected.append("*2\r\n").append(bulk(values[k])).append(bulk(values[other]));
                }
                else
                {
                    requests.append(RespTestSupport.command("GET", "key" + k));
                    expected.append(bulk(values[k]));
                }
            }
            client.send(requests.toString());
            // deliver a few messages from random rings: replies arrive out of request order and the pipeline rarely drains
            for (int d = random.nextInt(2 * reactors); d > 0; d--)
            {
                cluster.deliverOne(random.nextInt(reactors));
            }
            actual.append(client.takeOutput());
        }
        // the reply rings fill up at times: replies wait on the owners' retry timers
        for (int round = 0; round < 1_000 && client.handler().calls().pendingCount() > 0; round++)
        {
            cluster.pumpRandomly(random);
            cluster.advanceNs(RespConfig.RETRY_DELAY_US_DEFAULT * 1000);
        }
        actual.append(client.takeOutput());
        assertThat(actual.toString()).isEqualTo(expected.toString());
        assertThat(client.closeReason()).isNull();
        assertThat(client.handler().calls().heldBytes()).isZero();
    }

    private static String bulk(final String value)
    {
        return "$" + value.length() + "\r\n" + value + "\r\n";
    }

    @Test
    void shouldPauseReadingRatherThanAbortAboveHalfThePendingReplyLimit()
    {
        final ShardCluster cluster = new ShardCluster(2, new RespConfig().maxPendingReplies(16).conclude());
        final FakeConnection client = cluster.connect(0);
        final String remote = keyOwnedBy("r", 1, 2);
        client.send(RespTestSupport.command("GET", remote).repeat(40));

        assertThat(client.closeReason()).as("a client over the in-flight budget is slowed, not aborted").isNull();
        assertThat(client.isReadPaused()).isTrue();
        assertThat(client.handler().calls().pendingCount()).isEqualTo(8);

        final StringBuilder output = new StringBuilder();
        for (int round = 0; round < 100 && output.length() < "$-1\r\n".length() * 40; round++)
        {
            cluster.pump();
            client.redeliverIfResumed();
            output.append(client.takeOutput());
        }
        assertThat(output.toString()).isEqualTo("$-1\r\n".repeat(40));
        assertThat(client.handler().calls().isAborted()).isFalse();
        assertThat(cluster.shard(0).router().inFlight(1)).isZero();
    }

    @Test
    void shouldServeRemoteGetAndSetRoundTripsWithoutAllocatingOnceWarm()
    {
        final ShardCluster cluster = new ShardCluster(2);
        final String remote = keyOwnedBy("r", 1, 2);
        final FakeConnection setup = cluster.connect(0);
        setup.send(RespTestSupport.command("SET", remote, "value"));
        cluster.pump();
        final FakeConnection client = new FakeConnection(cluster.reactor(0), false);
        final byte[] request = (RespTestSupport.command("GET", remote) + RespTestSupport.command("SET", remote, "other"))
            .getBytes(StandardCharsets.ISO_8859_1);
        final long allocated = new AllocationMeter().allocatedBytes(20, () ->
        {
            for (int i = 0; i < 2_000; i++)
            {
                client.deliver(request);
                cluster.pump(); // request to the owner, execution there, reply back, written in order
            }
            return client.bytesWritten();
        });
        assertThat(allocated).isZero();
        assertThat(cluster.shard(0).router().messagesQueued()).as("the ring-full path is not what was measured").isZero();
        assertThat(cluster.shard(1).router().requestsExecuted()).isGreaterThan(2 * 2_000 * 20);
    }
}
