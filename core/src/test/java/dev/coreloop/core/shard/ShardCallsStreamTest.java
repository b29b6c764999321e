package dev.coreloop.core.shard;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replies streamed from where they are stored ({@link ReplyStream}), computed here or resolved from another shard's
 * reply ({@link ReplyStreamResolver}): in their turn, under the connection's writability, with reading paused while
 * they stream, and references of dropped replies freed. Fake reactors; every delivery is driven by the test.
 */
class ShardCallsStreamTest
{
    private static final String STREAM_PREFIX = "#stream:";

    /** {@return byte {@code position} of a stream named {@code tag}: a pattern that shows any misplaced byte} */
    private static char patternAt(final char tag, final long position)
    {
        return position % 97 == 0 ? tag : (char)('a' + position % 26);
    }

    private static String pattern(final char tag, final int length)
    {
        final StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            text.append(patternAt(tag, i));
        }
        return text.toString();
    }

    /** A stream of a pattern that writes at most 1000 bytes per call, as storage in chunks does. */
    private static final class PatternStream implements ReplyStream
    {
        private final char tag;
        private final long lengthBytes;
        private final byte[] piece = new byte[1000];
        int calls;

        PatternStream(final char tag, final long lengthBytes)
        {
            this.tag = tag;
            this.lengthBytes = lengthBytes;
        }

        @Override
        public long lengthBytes()
        {
            return lengthBytes;
        }

        @Override
        public int writeTo(final Connection connection, final long position, final int maxBytes)
        {
            calls++;
            final int count = Math.min(maxBytes, piece.length);
            for (int i = 0; i < count; i++)
            {
                piece[i] = (byte)patternAt(tag, position + i);
            }
            return connection.write(piece, 0, count) ? count : 0;
        }
    }

    /** Resolves {@code #stream:<tag><length>} replies into pattern streams and records what it discards. */
    private static final class Resolver implements ReplyStreamResolver
    {
        final List<String> discarded = new ArrayList<>();

        @Override
        public ReplyStream resolve(final DirectBuffer reply, final int offset, final int length)
        {
            final String text = reply.getStringWithoutLengthAscii(offset, length);
            if (!text.startsWith(STREAM_PREFIX))
            {
                return null;
            }
            return new PatternStream(text.charAt(STREAM_PREFIX.length()),
                Long.parseLong(text.substring(STREAM_PREFIX.length() + 1)));
        }

        @Override
        public void discard(final DirectBuffer reply, final int offset, final int length)
        {
            discarded.add(reply.getStringWithoutLengthAscii(offset, length));
        }
    }

    private static ShardTestCluster cluster(final int shards, final Resolver resolver)
    {
        final ShardTestCluster cluster = new ShardTestCluster(shards, new ShardLimits(), ShardTestCluster::echo);
        for (int i = 0; i < shards; i++)
        {
            cluster.router(i).replyStreams(resolver);
        }
        return cluster;
    }

    private static void call(final ShardTestCluster.FakeConnection connection, final int shard, final String request)
    {
        final UnsafeBuffer bytes = new UnsafeBuffer(request.getBytes(StandardCharsets.ISO_8859_1));
        connection.calls.call(shard, bytes, 0, bytes.capacity());
    }

    /** Takes what the connection wrote so far, as a client reading its socket, and tells it there is room. */
    private static String drain(final ShardTestCluster.FakeConnection connection)
    {
        final String output = connection.takeOutput();
        connection.calls.onWritabilityChanged(true);
        return output;
    }

    @Test
    void shouldStreamARemoteReplyInItsTurnUnderTheWatermarkWithReadingPausedMeanwhile()
    {
        final Resolver resolver = new Resolver();
        final ShardTestCluster cluster = cluster(2, resolver);
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        connection.outboundCapBytes = 4096;
        call(connection, 1, "first;");
        call(connection, 1, STREAM_PREFIX + "X100000");
        connection.calls.reply("after;".getBytes(StandardCharsets.ISO_8859_1));
        call(connection, 1, "last;");
        cluster.pump();

        assertThat(connection.calls.isStreaming()).isTrue();
        assertThat(connection.calls.mustPause()).as("no new request while a stream is written").isTrue();
        assertThat(connection.readPaused).isTrue();
        final StringBuilder received = new StringBuilder();
        int rounds = 0;
        while (connection.calls.isStreaming() && rounds < 1000)
        {
            final String output = drain(connection);
            assertThat(output.length()).as("never more than the connection's cap at once").isLessThanOrEqualTo(4096);
            received.append(output);
            rounds++;
        }
        received.append(drain(connection));
        assertThat(rounds).as("the stream left in pieces").isGreaterThan(20);
        assertThat(received.toString()).isEqualTo("first;" + pattern('X', 100_000) + "after;last;");
        assertThat(connection.calls.streamsWritten()).isEqualTo(1);
        assertThat(connection.calls.heldBytes()).isZero();
        assertThat(connection.calls.pendingCount()).isZero();
        assertThat(connection.readPaused).as("reading resumed once the stream was out").isFalse();
        assertThat(resolver.discarded).isEmpty();
    }

    @Test
    void shouldStreamALocalReplyStraightAwayWhenNothingIsAheadAndAfterEarlierRepliesOtherwise()
    {
        final Resolver resolver = new Resolver();
        final ShardTestCluster cluster = cluster(2, resolver);
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        connection.calls.replyStream(new PatternStream('L', 5000));
        assertThat(connection.takeOutput()).isEqualTo(pattern('L', 5000));
        assertThat(connection.calls.isStreaming()).isFalse();

        call(connection, 1, "remote;");
        final PatternStream local = new PatternStream('M', 3000);
        connection.calls.replyStream(local);
        assertThat(local.calls).as("waits for the earlier reply").isZero();
        assertThat(connection.takeOutput()).isEmpty();
        cluster.pump();
        assertThat(connection.takeOutput()).isEqualTo("remote;" + pattern('M', 3000));
        assertThat(connection.calls.streamsWritten()).isEqualTo(2);
    }

    @Test
    void shouldFinishStagedBytesBeforeTheStreamAndCloseOnlyAfterIt()
    {
        final ShardTestCluster cluster = cluster(2, new Resolver());
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        connection.outboundCapBytes = 10;
        connection.calls.reply("0123456789abc".getBytes(StandardCharsets.ISO_8859_1)); // refused: staged
        call(connection, 1, STREAM_PREFIX + "S2500");
        cluster.pump();
        connection.calls.closeAfterReplies(CloseReason.LOCAL_CLOSE);
        assertThat(connection.takeOutput()).isEmpty();
        connection.outboundCapBytes = 1000;
        final StringBuilder received = new StringBuilder();
        for (int round = 0; round < 100 && connection.closeReason == null; round++)
        {
            received.append(drain(connection));
        }
        received.append(connection.takeOutput());
        assertThat(received.toString()).isEqualTo("0123456789abc" + pattern('S', 2500));
        assertThat(connection.closeReason).isEqualTo(CloseReason.LOCAL_CLOSE);
    }

    @Test
    void shouldDiscardTheReferenceOfAReplyWhoseConnectionClosed()
    {
        final Resolver resolver = new Resolver();
        final ShardTestCluster cluster = cluster(2, resolver);
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        call(connection, 1, STREAM_PREFIX + "D9000");
        call(connection, 1, "plain");
        connection.calls.close();
        cluster.pump();
        assertThat(resolver.discarded).containsExactly(STREAM_PREFIX + "D9000", "plain");
        assertThat(cluster.router(0).repliesDropped()).isEqualTo(2);
    }

    @Test
    void shouldCloseOnlyThatConnectionWhenAStreamThrows()
    {
        final ShardTestCluster cluster = cluster(2, new Resolver());
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        final ShardTestCluster.FakeConnection other = cluster.connect(0);
        connection.calls.replyStream(new ReplyStream()
        {
            @Override
            public long lengthBytes()
            {
                return 10;
            }

            @Override
            public int writeTo(final Connection target, final long position, final int maxBytes)
            {
                throw new IllegalStateException("storage lost");
            }
        });
        assertThat(connection.closeReason).isEqualTo(CloseReason.HANDLER_ERROR);
        assertThat(cluster.router(0).userErrors()).isEqualTo(1);
        call(other, 1, "fine");
        cluster.pump();
        assertThat(other.takeOutput()).isEqualTo("fine");
    }
}
