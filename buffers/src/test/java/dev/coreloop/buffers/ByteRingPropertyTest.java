package dev.coreloop.buffers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.Lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

/**
 * Random sequences of ring operations (append, fill from a channel taking a random number of bytes per call,
 * drain to one, consume, linearise, clear) checked against a plain queue of bytes after every step, on pools
 * small enough that growth hits both the ring's cap and the pool's.
 * <p>
 * Property-based with QuickTheories: a failure is shrunk and reported with its seed; rerun it with
 * {@code -DQT_SEED=<seed>}.
 */
class ByteRingPropertyTest
{
    private static final int CHUNK = 64;

    private static final int TRIES = 300;

    /**
     * QuickTheories skips, but counts, an example it has already run: its first three (the shrink target, the
     * minima, the maxima) can coincide, and small inputs can repeat. These few extra keep the distinct cases run
     * at or above {@link #TRIES}.
     */
    private static final int REPEATS = 4;

    @Test
    void shouldBehaveLikeAQueueOfBytes()
    {
        qt().withExamples(TRIES + REPEATS)
            .forAll(operations(), integers().between(1, 6), integers().between(1, 8))
            .checkAssert((operations, maxChunks, poolChunks) ->
            {
                try
                {
                    checkAgainstModel(operations, maxChunks, new BufferPool(CHUNK, poolChunks), false);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
    }

    /**
     * The same on a pool of 8 chunks in segments of 1, 2, 4 or 8, trimmed after every operation: a ring's run never
     * crosses a segment, growth past a segment is refused like growth past the pool, and trimming never frees a
     * segment the ring's bytes are in.
     */
    @Test
    void shouldBehaveLikeAQueueOfBytesOnASegmentedPoolTrimmedAfterEveryStep()
    {
        qt().withExamples(TRIES + REPEATS)
            .forAll(operations(), integers().between(1, 6), integers().between(0, 3))
            .checkAssert((operations, maxChunks, segmentShift) ->
            {
                try
                {
                    checkAgainstModel(operations, maxChunks, new BufferPool(CHUNK, 8, 1 << segmentShift), true);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
    }

    private static void checkAgainstModel(final List<int[]> operations, final int maxChunks, final BufferPool pool,
        final boolean trimEveryStep) throws IOException
    {
        try (pool)
        {
            final ByteRing ring = new ByteRing(pool, maxChunks * CHUNK);
            final ArrayDeque<Byte> model = new ArrayDeque<>();
            int next = 0;
            for (final int[] op : operations)
            {
                final int amount = op[1];
                switch (op[0])
                {
                    case 0 ->
                    {
                        final byte[] src = ByteRingTest.bytes(amount, next);
                        final int result = ring.append(src, 0, amount);
                        if (result == amount)
                        {
                            next += amount;
                            for (final byte b : src)
                            {
                                model.add(b);
                            }
                        }
                        else
                        {
                            assertThat(result).isIn(ByteRing.FULL, ByteRing.NO_MEMORY);
                            if (result == ByteRing.FULL)
                            {
                                assertThat(model.size() + amount).isGreaterThan(ring.maxCapacityBytes());
                            }
                        }
                    }
                    case 1 ->
                    {
                        final ScriptedChannel channel = new ScriptedChannel(ByteRingTest.bytes(amount, next), op[2]);
                        final int result = ring.fillFrom(channel, op[3]);
                        if (result >= 0)
                        {
                            assertThat(result).isLessThanOrEqualTo(Math.min(op[2], op[3]));
                            for (int i = 0; i < result; i++)
                            {
                                model.add((byte)(next + i));
                            }
                            next += result;
                        }
                        else if (result == ByteRing.FULL)
                        {
                            assertThat(model.size()).isEqualTo(ring.maxCapacityBytes());
                        }
                    }
                    case 2 ->
                    {
                        final ScriptedChannel channel = new ScriptedChannel(new byte[0], op[2]);
                        final int written = ring.drainTo(channel, amount);
                        assertThat(written).isEqualTo(Math.min(model.size(), Math.min(amount, op[2])));
                        for (final byte b : channel.written())
                        {
                            assertThat(model.poll()).isEqualTo(b);
                        }
                    }
                    case 3 ->
                    {
                        final int n = Math.min(amount, model.size());
                        ring.consume(n);
                        for (int i = 0; i < n; i++)
                        {
                            model.poll();
                        }
                    }
                    case 5 ->
                    {
                        ring.clear();
                        model.clear();
                        assertThat(ring.readOffset()).isZero();
                    }
                    default ->
                    {
                        final DirectBuffer view = ring.linearise();
                        int i = 0;
                        for (final byte b : model)
                        {
                            assertThat(view.getByte(ring.readOffset() + i++)).isEqualTo(b);
                        }
                    }
                }
                if (trimEveryStep)
                {
                    pool.trim();
                    assertThat(ring.capacity()).isLessThanOrEqualTo(pool.segmentChunks() * CHUNK);
                }
                assertThat(ring.readableBytes()).isEqualTo(model.size());
                assertThat(ring.capacity()).isLessThanOrEqualTo(ring.maxCapacityBytes());
                int i = 0;
                for (final byte b : model)
                {
                    assertThat(ring.getByte(i++)).isEqualTo(b);
                }
            }
            ring.close();
            assertThat(pool.chunksInUse()).isZero();
            if (trimEveryStep)
            {
                pool.trim();
                pool.trim();
                assertThat(pool.committedBytes()).as("all given back").isZero();
            }
        }
    }

    /**
     * Operations as {@code {kind, amount, perCall, budget}}: kinds 0..4 (append, fill, drain, consume, linearise)
     * together six times as likely as 5 (clear); 1 to 60 of them.
     */
    private static Gen<List<int[]>> operations()
    {
        final Gen<Integer> kind = Generate.frequency(
            Pair.of(6, integers().between(0, 4)), Pair.of(1, Generate.constant(5)));
        final Gen<int[]> op = kind.zip(integers().between(0, 200), integers().between(1, 150),
                integers().between(0, 200), (k, amount, perCall, budget) -> new int[]{ k, amount, perCall, budget })
            .describedAs(Arrays::toString);
        return lists().of(op).ofType(Lists.arrayList()).ofSizeBetween(1, 60);
    }
}
