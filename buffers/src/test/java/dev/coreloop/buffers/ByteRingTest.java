package dev.coreloop.buffers;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ByteRingTest
{
    private static final int CHUNK = 64;

    private final BufferPool pool = new BufferPool(CHUNK, 16);

    @AfterEach
    void closePool()
    {
        pool.close();
    }

    @Test
    void shouldHoldNoStorageUntilFirstUseAndReleaseItWhenEmptied()
    {
        final ByteRing ring = new ByteRing(pool, 4 * CHUNK);
        assertThat(ring.capacity()).isZero();
        assertThat(pool.chunksInUse()).isZero();

        ring.append(bytes(10, 1), 0, 10);
        assertThat(ring.capacity()).isEqualTo(CHUNK);
        assertThat(pool.chunksInUse()).isEqualTo(1);

        ring.consume(10);
        assertThat(ring.capacity()).isZero();
        assertThat(pool.chunksInUse()).isZero();
        assertThat(ring.readOffset()).isZero();
    }

    @Test
    void shouldWrapAppendAcrossTheEndAndReadItBackInOrder()
    {
        final ByteRing ring = new ByteRing(pool, CHUNK);
        ring.append(bytes(50, 0), 0, 50);
        ring.consume(40);                                  // head = 40, 10 readable
        assertThat(ring.append(bytes(40, 50), 0, 40)).isEqualTo(40);  // 24 at the end, 16 wrapped to the start

        assertThat(ring.readableBytes()).isEqualTo(50);
        for (int i = 0; i < 50; i++)
        {
            assertThat(ring.getByte(i)).isEqualTo((byte)(40 + i));
        }
    }

    @Test
    void shouldAppendExactlyToCapacityThenRefuseOneMoreByteAtTheCap()
    {
        final ByteRing ring = new ByteRing(pool, CHUNK);
        assertThat(ring.append(bytes(CHUNK, 0), 0, CHUNK)).isEqualTo(CHUNK);
        assertThat(ring.append(bytes(1, 0), 0, 1)).isEqualTo(ByteRing.FULL);
        assertThat(ring.readableBytes()).isEqualTo(CHUNK);
    }

    @Test
    void shouldRefuseAnAppendPastTheCapWithoutWritingAnyOfIt()
    {
        final ByteRing ring = new ByteRing(pool, 2 * CHUNK);
        ring.append(bytes(100, 0), 0, 100);
        assertThat(ring.append(bytes(29, 0), 0, 29)).isEqualTo(ByteRing.FULL);
        assertThat(ring.readableBytes()).isEqualTo(100);
        assertThat(ring.append(bytes(28, 100), 0, 28)).isEqualTo(28);
        assertThat(ring.readableBytes()).isEqualTo(128);
    }

    @Test
    void shouldGrowInChunkStepsWhileWrappedKeepingOrder()
    {
        final ByteRing ring = new ByteRing(pool, 8 * CHUNK);
        ring.append(bytes(60, 0), 0, 60);
        ring.consume(50);
        ring.append(bytes(40, 60), 0, 40);                 // wrapped: head 50, 50 readable in a 64-byte ring
        ring.append(bytes(100, 100), 0, 100);              // forces growth
        assertThat(ring.capacity()).isEqualTo(4 * CHUNK);  // max(64 + 64, 128) = 128 < 150 -> 256
        assertThat(ring.readableBytes()).isEqualTo(150);
        for (int i = 0; i < 150; i++)
        {
            assertThat(ring.getByte(i)).isEqualTo((byte)(50 + i));
        }
        assertThat(pool.chunksInUse()).isEqualTo(4);
    }

    @Test
    void shouldReportNoMemoryWhenThePoolCannotServeTheGrowth()
    {
        final BufferPool small = new BufferPool(CHUNK, 2);
        try
        {
            final ByteRing a = new ByteRing(small, 4 * CHUNK);
            final ByteRing b = new ByteRing(small, 4 * CHUNK);
            a.append(bytes(10, 0), 0, 10);
            b.append(bytes(10, 0), 0, 10);
            assertThat(a.append(bytes(100, 0), 0, 100)).isEqualTo(ByteRing.NO_MEMORY);
            assertThat(a.readableBytes()).isEqualTo(10);
            assertThat(small.failedAcquires()).isEqualTo(1);
        }
        finally
        {
            small.close();
        }
    }

    @Test
    void shouldLineariseAWrappedFrameAndLeaveAContiguousOneUntouched()
    {
        final ByteRing ring = new ByteRing(pool, CHUNK);
        ring.append(bytes(30, 0), 0, 30);
        DirectBuffer view = ring.linearise();
        final int offset = ring.readOffset();
        assertThat(offset).isZero();
        assertThat(view.getByte(offset + 29)).isEqualTo((byte)29);

        ring.consume(20);
        ring.append(bytes(50, 30), 0, 50);                 // 10 + 50 = 60 readable, wrapped
        view = ring.linearise();
        for (int i = 0; i < 60; i++)
        {
            assertThat(view.getByte(ring.readOffset() + i)).isEqualTo((byte)(20 + i));
        }
    }

    @Test
    void shouldLineariseInPlaceWhenThePoolIsExhausted()
    {
        final BufferPool one = new BufferPool(CHUNK, 1);
        try
        {
            final ByteRing ring = new ByteRing(one, CHUNK);
            ring.append(bytes(50, 0), 0, 50);
            ring.consume(45);
            ring.append(bytes(40, 50), 0, 40);             // 45 readable, wrapped, pool has no spare chunk
            final DirectBuffer view = ring.linearise();
            assertThat(ring.readOffset()).isZero();
            for (int i = 0; i < 45; i++)
            {
                assertThat(view.getByte(i)).isEqualTo((byte)(45 + i));
            }
            assertThat(one.failedAcquires()).isEqualTo(1);
        }
        finally
        {
            one.close();
        }
    }

    @Test
    void shouldFillBothFreeSegmentsWithOneScatteringRead() throws IOException
    {
        final ByteRing ring = new ByteRing(pool, CHUNK);
        ring.append(bytes(40, 0), 0, 40);
        ring.consume(30);                                  // head 30, tail 40: free [40,64) and [0,30)
        final ScriptedChannel channel = new ScriptedChannel(bytes(54, 40), 1000);
        assertThat(ring.fillFrom(channel, 1000)).isEqualTo(54);
        assertThat(channel.scatteringReads).isEqualTo(1);
        assertThat(channel.singleReads).isZero();
        assertThat(ring.readableBytes()).isEqualTo(64);
        for (int i = 0; i < 64; i++)
        {
            assertThat(ring.getByte(i)).isEqualTo((byte)(30 + i));
        }
    }

    @Test
    void shouldDrainBothReadableSegmentsWithOneGatheringWrite() throws IOException
    {
        final ByteRing ring = new ByteRing(pool, CHUNK);
        ring.append(bytes(60, 0), 0, 60);
        ring.consume(50);
        ring.append(bytes(30, 60), 0, 30);                 // readable [50,64) + [0,26)
        final ScriptedChannel channel = new ScriptedChannel(new byte[0], 1000);
        assertThat(ring.drainTo(channel, 1000)).isEqualTo(40);
        assertThat(channel.gatheringWrites).isEqualTo(1);
        assertThat(channel.singleWrites).isZero();
        assertThat(channel.written()).isEqualTo(bytes(40, 50));
        assertThat(ring.isEmpty()).isTrue();
        assertThat(pool.chunksInUse()).isZero();
    }

    @Test
    void shouldConsumeOnlyWhatAPartialWriteTook() throws IOException
    {
        final ByteRing ring = new ByteRing(pool, CHUNK);
        ring.append(bytes(50, 0), 0, 50);
        final ScriptedChannel channel = new ScriptedChannel(new byte[0], 7);
        assertThat(ring.drainTo(channel, 1000)).isEqualTo(7);
        assertThat(ring.readableBytes()).isEqualTo(43);
        assertThat(ring.getByte(0)).isEqualTo((byte)7);
        assertThat(ring.drainTo(channel, 3)).isEqualTo(3);
        assertThat(ring.getByte(0)).isEqualTo((byte)10);
    }

    @Test
    void shouldReportEofFullAndGrowOnFill() throws IOException
    {
        final ByteRing ring = new ByteRing(pool, 2 * CHUNK);
        final ScriptedChannel channel = new ScriptedChannel(bytes(200, 0), 1000);
        assertThat(ring.fillFrom(channel, 1000)).isEqualTo(CHUNK);
        assertThat(ring.fillFrom(channel, 1000)).isEqualTo(CHUNK);       // grew to the cap
        assertThat(ring.fillFrom(channel, 1000)).isEqualTo(ByteRing.FULL);
        ring.consume(2 * CHUNK);                                         // empty: storage went back to the pool
        assertThat(ring.fillFrom(channel, 1000)).isEqualTo(CHUNK);
        assertThat(ring.fillFrom(channel, 1000)).isEqualTo(200 - 3 * CHUNK);
        ring.consume(200 - 2 * CHUNK);
        assertThat(ring.fillFrom(channel, 1000)).isEqualTo(ByteRing.EOF);
        assertThat(pool.chunksInUse()).isZero();
    }

    @Test
    void shouldRespectTheReadBudget() throws IOException
    {
        final ByteRing ring = new ByteRing(pool, CHUNK);
        final ScriptedChannel channel = new ScriptedChannel(bytes(60, 0), 1000);
        assertThat(ring.fillFrom(channel, 5)).isEqualTo(5);
        assertThat(ring.readableBytes()).isEqualTo(5);
    }

    @Test
    void shouldAppendFromByteBufferAndAdvanceItsPositionOnlyOnSuccess()
    {
        final ByteRing ring = new ByteRing(pool, CHUNK);
        final ByteBuffer src = ByteBuffer.wrap(bytes(70, 0));
        assertThat(ring.append(src)).isEqualTo(ByteRing.FULL);
        assertThat(src.position()).isZero();
        src.limit(20);
        assertThat(ring.append(src)).isEqualTo(20);
        assertThat(src.position()).isEqualTo(20);
        final ByteBuffer direct = ByteBuffer.allocateDirect(10).put(bytes(10, 20)).flip();
        assertThat(ring.append(direct)).isEqualTo(10);
        assertThat(ring.getByte(29)).isEqualTo((byte)29);
    }

    @Test
    void shouldAppendFromDirectBuffer()
    {
        final ByteRing ring = new ByteRing(pool, CHUNK);
        final UnsafeBuffer src = new UnsafeBuffer(bytes(20, 5));
        assertThat(ring.append(src, 3, 10)).isEqualTo(10);
        assertThat(ring.getByte(0)).isEqualTo((byte)8);
    }

    @Test
    void shouldRejectBadArgumentsWithNamedValues()
    {
        assertThatThrownBy(() -> new ByteRing(pool, 10)).hasMessageContaining("maxCapacityBytes=10");
        final ByteRing ring = new ByteRing(pool, CHUNK);
        ring.append(bytes(5, 0), 0, 5);
        assertThatThrownBy(() -> ring.consume(6)).hasMessageContaining("consume length=6");
        assertThatThrownBy(() -> ring.getByte(5)).isInstanceOf(IndexOutOfBoundsException.class);
        ring.close();
        assertThatThrownBy(() -> ring.append(bytes(1, 0), 0, 1)).hasMessageContaining("closed");
        assertThat(pool.chunksInUse()).isZero();
    }

    @Test
    void shouldClearKeepingStorageAndResettingPositions()
    {
        final ByteRing ring = new ByteRing(pool, 2 * CHUNK);
        ring.append(bytes(100, 0), 0, 100);
        ring.consume(30);
        ring.clear();
        assertThat(ring.isEmpty()).isTrue();
        assertThat(ring.readOffset()).isZero();
        assertThat(ring.capacity()).isEqualTo(2 * CHUNK);
        assertThat(pool.chunksInUse()).isEqualTo(2);
        assertThat(ring.append(bytes(3, 9), 0, 3)).isEqualTo(3);
        assertThat(ring.getByte(0)).isEqualTo((byte)9);
        ring.close();
        assertThat(pool.chunksInUse()).isZero();
    }

    @Test
    void shouldConsumeAcrossTheEndAndResetWhenEmptied()
    {
        final ByteRing ring = new ByteRing(pool, CHUNK);
        ring.append(bytes(60, 0), 0, 60);
        ring.consume(55);
        ring.append(bytes(20, 60), 0, 20);                 // readable [55,64) + [0,16)
        ring.consume(12);                                  // read position crosses the end
        assertThat(ring.readOffset()).isEqualTo(3);
        assertThat(ring.getByte(0)).isEqualTo((byte)67);
        assertThat(ring.linearise().getByte(ring.readOffset() + 12)).isEqualTo((byte)79);
        ring.consume(13);
        assertThat(ring.isEmpty()).isTrue();
        assertThat(ring.readOffset()).isZero();
        assertThat(pool.chunksInUse()).isZero();
    }

    @Test
    void shouldAppendExactlyUpToTheEndWithoutWrapping()
    {
        final ByteRing ring = new ByteRing(pool, CHUNK);
        ring.append(bytes(20, 0), 0, 20);
        ring.consume(10);
        assertThat(ring.append(bytes(44, 20), 0, 44)).isEqualTo(44);   // tail lands exactly on the end
        assertThat(ring.linearise().getByte(ring.readOffset() + 53)).isEqualTo((byte)63);
        assertThat(ring.readOffset()).isEqualTo(10);                  // contiguous: linearise did not move it
        assertThat(ring.append(bytes(10, 64), 0, 10)).isEqualTo(10);   // fills [0,10) exactly
        assertThat(ring.append(bytes(1, 0), 0, 1)).isEqualTo(ByteRing.FULL);
        assertThat(ring.getByte(63)).isEqualTo((byte)73);
    }

    @Test
    void shouldDrainAContiguousRunEndingExactlyAtTheEnd() throws IOException
    {
        final ByteRing ring = new ByteRing(pool, CHUNK);
        ring.append(bytes(CHUNK, 0), 0, CHUNK);
        ring.consume(40);
        final ScriptedChannel channel = new ScriptedChannel(new byte[0], 1000);
        assertThat(ring.drainTo(channel, 1000)).isEqualTo(24);
        assertThat(channel.gatheringWrites).isZero();
        assertThat(channel.singleWrites).isEqualTo(1);
        assertThat(channel.written()).isEqualTo(bytes(24, 40));
        assertThat(ring.isEmpty()).isTrue();
    }

    @Test
    void shouldRefuseUseAfterThePoolIsClosedInsteadOfTouchingFreedMemory() throws IOException
    {
        final BufferPool own = new BufferPool(CHUNK, 2);
        final ByteRing ring = new ByteRing(own, CHUNK);
        ring.append(bytes(10, 0), 0, 10);
        own.close();
        assertThatThrownBy(() -> ring.getByte(0)).hasMessageContaining("pool is closed");
        assertThatThrownBy(() -> ring.append(bytes(1, 0), 0, 1)).hasMessageContaining("pool is closed");
        assertThatThrownBy(ring::linearise).hasMessageContaining("pool is closed");
        ring.close();
        assertThat(ring.isClosed()).isTrue();
    }

    @Test
    void shouldRejectANegativeBudgetAndDoNothingForAZeroOne() throws IOException
    {
        final ByteRing ring = new ByteRing(pool, CHUNK);
        final ScriptedChannel channel = new ScriptedChannel(bytes(10, 0), 1000);
        assertThatThrownBy(() -> ring.fillFrom(channel, -1)).hasMessageContaining("maxBytes=-1");
        assertThatThrownBy(() -> ring.drainTo(channel, -2)).hasMessageContaining("maxBytes=-2");
        assertThat(ring.fillFrom(channel, 0)).isZero();
        assertThat(pool.chunksInUse()).isZero();
    }

    static byte[] bytes(final int length, final int firstValue)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(firstValue + i);
        }
        return bytes;
    }
}
