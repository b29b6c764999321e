package dev.coreloop.buffers;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.agrona.DirectBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random sequences of ring operations (append, fill from a channel taking a random number of bytes per call,
 * drain to one, consume, linearise, clear) checked against a plain queue of bytes after every step, on pools
 * small enough that growth hits both the ring's cap and the pool's.
 */
class ByteRingPropertyTest
{
    private static final int CHUNK = 64;

    @Property(tries = 300)
    void shouldBehaveLikeAQueueOfBytes(
        @ForAll("operations") final List<int[]> operations,
        @ForAll @IntRange(min = 1, max = 6) final int maxChunks,
        @ForAll @IntRange(min = 1, max = 8) final int poolChunks) throws IOException
    {
        try (BufferPool pool = new BufferPool(CHUNK, poolChunks))
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
        }
    }

    @Provide
    Arbitrary<List<int[]>> operations()
    {
        final Arbitrary<int[]> op = Arbitraries.frequencyOf(
            Tuple.of(6, Arbitraries.integers().between(0, 4)), Tuple.of(1, Arbitraries.just(5))).flatMap(kind ->
            Arbitraries.integers().between(0, 200).flatMap(amount ->
                Arbitraries.integers().between(1, 150).flatMap(perCall ->
                    Arbitraries.integers().between(0, 200).map(budget -> new int[]{ kind, amount, perCall, budget }))));
        return op.list().ofMinSize(1).ofMaxSize(60);
    }
}
