package dev.coreloop.core.shard;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.coreloop.core.CloseReason;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Routing and ordering without sockets: fake reactors whose rings deliver when the test says. */
class ShardCallsTest
{
    /** Adds up 8-byte counts and answers ":n". */
    static final ReplyGather SUM = new ReplyGather()
    {
        @Override
        public long fold(final long accumulated, final DirectBuffer part, final int offset, final int length)
        {
            return accumulated + part.getLong(offset);
        }

        @Override
        public int complete(final long accumulated, final MutableDirectBuffer reply, final int offset)
        {
            reply.putByte(offset, (byte)':');
            final int digits = reply.putLongAscii(offset + 1, accumulated);
            reply.putByte(offset + 1 + digits, (byte)'\n');
            return digits + 2;
        }
    };

    private static UnsafeBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void call(final ShardTestCluster.FakeConnection connection, final int shard, final String request)
    {
        final UnsafeBuffer bytes = ascii(request);
        connection.calls.call(shard, bytes, 0, bytes.capacity());
    }

    private static void reply(final ShardTestCluster.FakeConnection connection, final String reply)
    {
        connection.calls.reply(reply.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Replies of random sizes, some computed here, most by 3 other shards whose rings deliver in a random order,
     * so they arrive out of request order and the arena fills with holes: they leave in request order, the arena is
     * compacted rather than grown, and what is held falls back to 0.
     */
    @Test
    void shouldWriteRepliesInRequestOrderWhateverTheArrivalOrderAndReuseTheArena()
    {
        final Random random = new Random(11);
        final ShardTestCluster cluster = new ShardTestCluster(4, new ShardLimits(), ShardTestCluster::echo);
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        final StringBuilder expected = new StringBuilder();
        final StringBuilder actual = new StringBuilder();
        int maxHeld = 0;
        int maxArena = 0;
        for (int step = 0; step < 40_000; step++)
        {
            final String payload = payload(step, random);
            final int choice = random.nextInt(10);
            if (choice < 5)
            {
                call(connection, random.nextInt(4), payload); // shard 0 is this reactor's: executed at once
            }
            else if (choice < 7)
            {
                reply(connection, payload);
            }
            else
            {
                cluster.deliverOne(random.nextInt(4));
                continue;
            }
            expected.append(payload);
            maxHeld = Math.max(maxHeld, connection.calls.heldBytes());
            maxArena = Math.max(maxArena, connection.calls.arenaCapacityBytes());
            actual.append(connection.takeOutput());
        }
        for (int round = 0; round < 1_000 && cluster.router(0).inFlight() > 0; round++)
        {
            cluster.pumpRandomly(random);
            cluster.advanceNs(ShardLimits.RETRY_DELAY_US_DEFAULT * 1_000); // what found a ring full is offered again
        }
        actual.append(connection.takeOutput());

        assertSameText(actual.toString(), expected.toString());
        assertThat(connection.calls.pendingCount()).isZero();
        assertThat(connection.calls.heldBytes()).isZero();
        assertThat(connection.calls.compactionCount()).as("the arena was compacted").isPositive();
        assertThat((long)maxArena).as("arena capacity against the most ever held (%d bytes)", maxHeld)
            .isLessThanOrEqualTo(4L * maxHeld + 4096);
        assertThat(cluster.router(0).inFlight()).isZero();
    }

    @Test
    void shouldGatherPartsFromEveryShardIntoOneReplyInItsTurn()
    {
        final ShardTestCluster cluster = new ShardTestCluster(3, new ShardLimits(), shard ->
            (request, offset, length, reply, replyOffset) ->
            {
                reply.putLong(replyOffset, 10L * (shard + 1) + request.getByte(offset));
                return 8;
            });
        final ShardTestCluster.FakeConnection connection = cluster.connect(1);
        call(connection, 2, "A");
        connection.calls.beginGather(SUM);
        for (int shard = 0; shard < 3; shard++)
        {
            connection.calls.gatherCall(shard, ascii("\u0001"), 0, 1); // shard 1 is local: folded at once
        }
        final UnsafeBuffer local = new UnsafeBuffer(new byte[8]);
        local.putLong(0, 1000);
        connection.calls.gatherReply(local, 0, 8);
        connection.calls.endGather();
        reply(connection, "after\n");
        assertThat(connection.takeOutput()).isEmpty();
        cluster.deliverOne(0); // shard 0 runs its part; the reply is not back yet
        cluster.pump();
        final UnsafeBuffer firstReply = new UnsafeBuffer(new byte[8]);
        firstReply.putLong(0, 30 + 'A');
        assertThat(connection.takeOutput()).isEqualTo(
            new String(firstReply.byteArray(), StandardCharsets.ISO_8859_1) + ":" + (11 + 21 + 31 + 1000) +
            "\nafter\n");
    }

    @Test
    void shouldStopReadingAtTheInFlightLimitAndResumeAtHalf()
    {
        final ShardTestCluster cluster = new ShardTestCluster(2, new ShardLimits().maxInFlight(4),
            ShardTestCluster::echo);
        final ShardTestCluster.FakeConnection a = cluster.connect(0);
        final ShardTestCluster.FakeConnection b = cluster.connect(0);
        final ShardTestCluster.FakeConnection onOtherReactor = cluster.connect(1);
        for (int i = 0; i < 4; i++)
        {
            assertThat(a.calls.mustPause()).isFalse();
            call(a, 1, "a" + i + ",");
        }
        assertThat(a.calls.mustPause()).as("4 in flight").isTrue();
        assertThat(b.calls.mustPause()).as("the limit is the reactor's").isTrue();
        assertThat(onOtherReactor.calls.mustPause()).as("not another reactor's").isFalse();
        assertThat(a.readPaused && b.readPaused).isTrue();
        assertThat(cluster.router(0).pausesForInFlight()).isEqualTo(2);

        cluster.deliverOne(1); // all 4 run on shard 1; their replies wait in ring 0
        cluster.deliverOne(1);
        cluster.deliverOne(1);
        cluster.deliverOne(1);
        cluster.deliverOne(0);
        assertThat(a.readPaused).as("3 in flight: above half").isTrue();
        cluster.deliverOne(0);
        assertThat(a.readPaused || b.readPaused).as("2 in flight: half").isFalse();
        assertThat(a.resumes).isEqualTo(1);
        assertThat(b.resumes).isEqualTo(1);
        cluster.pump();
        assertThat(a.takeOutput()).isEqualTo("a0,a1,a2,a3,");
        assertThat(a.calls.mustPause()).isFalse();
    }

    @Test
    void shouldStayPausedForItsOwnRepliesUntilTheyFallBelowAQuarter()
    {
        final ShardTestCluster cluster = new ShardTestCluster(2, new ShardLimits().maxPendingReplies(16),
            ShardTestCluster::echo);
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        int taken = 0;
        while (!connection.calls.mustPause())
        {
            call(connection, 1, "r" + taken++ + ",");
        }
        assertThat(taken).as("half of maxPendingReplies").isEqualTo(8);
        cluster.deliverOne(1);
        for (int i = 0; i < 4; i++)
        {
            cluster.deliverOne(1);
            cluster.deliverOne(0);
        }
        assertThat(connection.readPaused).as("4 pending: a quarter").isTrue();
        cluster.pump();
        assertThat(connection.readPaused).isFalse();
        assertThat(connection.calls.isAborted()).isFalse();
    }

    @Test
    void shouldQueueWhatFindsARingFullAndDeliverEverythingInOrderIncludingFragments()
    {
        final ShardTestCluster cluster = new ShardTestCluster(2, new ShardLimits(), ShardTestCluster::echo);
        cluster.maxMessageLength(40);
        cluster.ringCapacityBytes(100);
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        final StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 20; i++)
        {
            final String request = i % 3 == 0 ? ("big" + i + "-").repeat(20) : "small" + i + ",";
            call(connection, 1, request);
            expected.append(request);
        }
        assertThat(cluster.router(0).messagesWaiting()).as("most wait: the ring holds 100 bytes").isPositive();
        assertThat(cluster.reactor(0).armedTimers()).as("the retry timer").isEqualTo(1);
        for (int round = 0; round < 1_000 && cluster.router(0).inFlight() > 0; round++)
        {
            cluster.pump();
            cluster.advanceNs(ShardLimits.RETRY_DELAY_US_DEFAULT * 1_000);
        }
        assertThat(connection.takeOutput()).isEqualTo(expected.toString());
        assertThat(cluster.router(0).messagesWaiting()).isZero();
        assertThat(cluster.router(1).messagesQueued()).as("replies waited too").isPositive();
        assertThat(cluster.router(1).fragmentsDiscarded()).isZero();
        assertThat(cluster.router(0).fragmentsDiscarded()).isZero();
        cluster.advanceNs(ShardLimits.RETRY_DELAY_US_DEFAULT * 1_000);
        assertThat(cluster.reactor(0).armedTimers() + cluster.reactor(1).armedTimers()).as("no retry left armed")
            .isZero();
    }

    @Test
    void shouldCloseOnlyTheCallingConnectionWhenTheOwnersExecutorThrows()
    {
        final ShardTestCluster cluster = new ShardTestCluster(2, new ShardLimits(), shard ->
            (request, offset, length, reply, replyOffset) ->
            {
                if (request.getByte(offset) == 'X')
                {
                    throw new StackOverflowError("a bug in the application");
                }
                reply.putBytes(replyOffset, request, offset, length);
                return length;
            });
        final ShardTestCluster.FakeConnection failing = cluster.connect(0);
        final ShardTestCluster.FakeConnection other = cluster.connect(0);
        call(failing, 1, "ok,");
        call(failing, 1, "X");
        call(failing, 1, "never,");
        call(other, 1, "fine,");
        cluster.pump();
        assertThat(failing.takeOutput()).isEqualTo("ok,");
        assertThat(failing.closeReason).isEqualTo(CloseReason.HANDLER_ERROR);
        assertThat(other.takeOutput()).isEqualTo("fine,");
        assertThat(other.closeReason).isNull();
        assertThat(cluster.router(1).userErrors()).isEqualTo(1);
        assertThat(cluster.router(0).inFlight()).isZero();
        assertThat(failing.calls.mustPause()).as("a failed connection takes nothing more").isTrue();
    }

    @Test
    void shouldCloseTheConnectionWhenItsGatherThrows()
    {
        final ShardTestCluster cluster = new ShardTestCluster(2, new ShardLimits(), ShardTestCluster::echo);
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        connection.calls.beginGather(new ReplyGather()
        {
            @Override
            public long fold(final long accumulated, final DirectBuffer part, final int offset, final int length)
            {
                throw new IllegalStateException("bad part");
            }

            @Override
            public int complete(final long accumulated, final MutableDirectBuffer reply, final int offset)
            {
                return 0;
            }
        });
        connection.calls.gatherCall(1, ascii("p"), 0, 1);
        connection.calls.endGather();
        cluster.pump();
        assertThat(connection.closeReason).isEqualTo(CloseReason.HANDLER_ERROR);
        assertThat(cluster.router(0).userErrors()).isEqualTo(1);
    }

    @Test
    void shouldRunRequestsOfAClosedConnectionButDropTheirReplies()
    {
        final List<String> executed = new ArrayList<>();
        final ShardTestCluster cluster = new ShardTestCluster(2, new ShardLimits(), shard ->
            (request, offset, length, reply, replyOffset) ->
            {
                executed.add(request.getStringWithoutLengthAscii(offset, length));
                return 0;
            });
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        call(connection, 1, "set-a");
        call(connection, 1, "set-b");
        connection.calls.close();
        cluster.pump();
        assertThat(executed).containsExactly("set-a", "set-b");
        assertThat(cluster.router(0).repliesDropped()).isEqualTo(2);
        assertThat(cluster.router(0).inFlight()).isZero();
        assertThat(connection.takeOutput()).isEmpty();
    }

    @Test
    void shouldCloseAfterEveryEarlierReplyHasBeenWritten()
    {
        final ShardTestCluster cluster = new ShardTestCluster(2, new ShardLimits(), ShardTestCluster::echo);
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        call(connection, 1, "last,");
        reply(connection, "bye\n");
        connection.calls.closeAfterReplies(CloseReason.LOCAL_CLOSE);
        assertThat(connection.closeReason).isNull();
        assertThat(connection.calls.isClosing()).isTrue();
        cluster.pump();
        assertThat(connection.takeOutput()).isEqualTo("last,bye\n");
        assertThat(connection.closeReason).isEqualTo(CloseReason.LOCAL_CLOSE);
    }

    @Test
    void shouldStageWhatTheConnectionRefusesAndWriteItInOrderWhenWritable()
    {
        final ShardTestCluster cluster = new ShardTestCluster(2, new ShardLimits(), ShardTestCluster::echo);
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        connection.outboundCapBytes = 4;
        reply(connection, "abc");
        reply(connection, "defg");
        call(connection, 1, "hij");
        cluster.pump();
        assertThat(connection.takeOutput()).isEqualTo("abc");
        assertThat(connection.calls.heldBytes()).isEqualTo(7);
        connection.outboundCapBytes = Integer.MAX_VALUE;
        connection.calls.onWritabilityChanged(true);
        assertThat(connection.takeOutput()).isEqualTo("defghij");
        assertThat(connection.calls.heldBytes()).isZero();
    }

    @Test
    void shouldAbortAtTheHardLimitThatOnlyOneEnormousRequestCanReach()
    {
        final ShardTestCluster cluster = new ShardTestCluster(2, new ShardLimits().maxPendingReplies(8),
            ShardTestCluster::echo);
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        assertThat(connection.calls.mustPause()).isFalse();
        for (int i = 0; i < 9; i++) // one request that scatters into 9 replies (an MGET of 9 keys), taken whole
        {
            call(connection, 1, "k" + i);
        }
        assertThat(connection.aborted).isTrue();
        assertThat(cluster.router(0).connectionsAborted()).isEqualTo(1);
        cluster.pump();
        assertThat(connection.takeOutput()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 2})
    void shouldRefuseAShardOutsideTheCluster(final int shard)
    {
        final ShardTestCluster cluster = new ShardTestCluster(2, new ShardLimits(), ShardTestCluster::echo);
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        assertThatThrownBy(() -> call(connection, shard, "x")).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("shard=" + shard);
        assertThatThrownBy(() -> connection.calls.endGather()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldNameTheFieldAndTheValueOfABadLimit()
    {
        assertThatThrownBy(() -> new ShardLimits().maxInFlight(0)).hasMessage("maxInFlight=0: must be at least 1");
        assertThatThrownBy(() -> new ShardLimits().maxPendingReplies(3))
            .hasMessage("maxPendingReplies=3: must be at least 4");
        assertThatThrownBy(() -> new ShardLimits().maxHeldReplyBytes(10))
            .hasMessage("maxHeldReplyBytes=10: must be at least 64");
        assertThatThrownBy(() -> new ShardLimits().retryDelayUs(0)).hasMessage("retryDelayUs=0: must be in 1..1000000");
    }

    /** Compares long texts and reports where they first differ. */
    private static void assertSameText(final String actual, final String expected)
    {
        int i = 0;
        while (i < actual.length() && i < expected.length() && actual.charAt(i) == expected.charAt(i))
        {
            i++;
        }
        if (i < actual.length() || i < expected.length())
        {
            final int from = Math.max(0, i - 60);
            throw new AssertionError("texts of " + actual.length() + " and " + expected.length() +
                " characters differ at " + i + ": got '" + actual.substring(from, Math.min(actual.length(), i + 60)) +
                "', expected '" + expected.substring(from, Math.min(expected.length(), i + 60)) + "'");
        }
    }

    /** {@return a reply-like text that names its step, of 1 to ~3,000 bytes} */
    private static String payload(final int step, final Random random)
    {
        final int fill = random.nextInt(random.nextInt(8) == 0 ? 3000 : 60);
        return "+" + step + ":" + "x".repeat(fill) + "\n";
    }
}
