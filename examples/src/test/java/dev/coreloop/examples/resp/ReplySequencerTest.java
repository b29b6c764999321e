package dev.coreloop.examples.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The sequencer on its own: request order whatever the arrival order, and what it holds against its budget. */
class ReplySequencerTest
{
    private final ShardCluster cluster = new ShardCluster(1);
    private final FakeConnection connection = cluster.connect(0);

    /**
     * Replies of random sizes, some local, most "remote" and completed in random order, so they are stored in an
     * order that is not request order and the arena fills with holes: they leave in request order, the arena is
     * compacted rather than grown, and the count of held bytes follows what is really held.
     */
    @Test
    void shouldWriteRepliesInRequestOrderWhateverTheArrivalOrderAndReuseTheArena()
    {
        final Random random = new Random(11);
        final ReplySequencer sequencer = new ReplySequencer(connection, new RespConfig().conclude());
        final StringBuilder expected = new StringBuilder();
        final StringBuilder actual = new StringBuilder();
        final List<long[]> outstanding = new ArrayList<>(); // {seq, payload length}
        final List<String> payloads = new ArrayList<>();
        long heldBytes = 0;
        int maxArenaBytes = 0;
        for (int step = 0; step < 40_000; step++)
        {
            final int choice = random.nextInt(10);
            if (choice < 4 && outstanding.size() < 200)
            {
                final long seq = sequencer.reserveBytes();
                final String payload = payload(step, random);
                outstanding.add(new long[]{seq});
                payloads.add(payload);
                expected.append(payload);
            }
            else if (choice < 6)
            {
                final String payload = payload(step, random);
                sequencer.local(payload.getBytes(StandardCharsets.ISO_8859_1));
                expected.append(payload);
            }
            else if (!outstanding.isEmpty())
            {
                final int index = random.nextInt(outstanding.size());
                final long seq = outstanding.remove(index)[0];
                sequencer.complete(seq, payloads.remove(index).getBytes(StandardCharsets.ISO_8859_1));
            }
            heldBytes = Math.max(heldBytes, sequencer.bufferedBytes());
            maxArenaBytes = Math.max(maxArenaBytes, sequencer.arenaCapacityBytes());
            actual.append(connection.takeOutput());
        }
        while (!outstanding.isEmpty())
        {
            final int index = random.nextInt(outstanding.size());
            sequencer.complete(outstanding.remove(index)[0], payloads.remove(index).getBytes(StandardCharsets.ISO_8859_1));
        }
        actual.append(connection.takeOutput());

        assertThat(actual.toString()).isEqualTo(expected.toString());
        assertThat(sequencer.isAborted()).isFalse();
        assertThat(sequencer.pendingCount()).isZero();
        assertThat(sequencer.bufferedBytes()).isZero();
        assertThat(sequencer.compactionCount()).as("the arena was compacted").isPositive();
        assertThat((long)maxArenaBytes).as("arena capacity against the most ever held (%d bytes)", heldBytes)
            .isLessThanOrEqualTo(4 * heldBytes + 4096);
    }

    /** @return a reply-like text that names its step, of 1 to ~3,000 bytes. */
    private static String payload(final int step, final Random random)
    {
        final int fill = random.nextInt(random.nextInt(8) == 0 ? 3000 : 60);
        return "+" + step + ":" + "x".repeat(fill) + "\r\n";
    }
}
