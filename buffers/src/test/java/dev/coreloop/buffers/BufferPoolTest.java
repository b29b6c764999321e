package dev.coreloop.buffers;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class BufferPoolTest
{
    @Test
    void shouldCarveTheSlabIntoAlignedChunksAndCountUse()
    {
        try (BufferPool pool = new BufferPool(1024, 8))
        {
            final int a = pool.acquire(1);
            final int b = pool.acquire(2);
            assertThat(pool.buffer(a).capacity()).isEqualTo(8 * 1024);
            assertThat(pool.buffer(a).addressOffset() % BufferPool.SLAB_ALIGNMENT_BYTES).isZero();
            assertThat(pool.buffer(b)).isSameAs(pool.buffer(a));
            assertThat(pool.bufferOffset(b)).isEqualTo(1024);
            assertThat(a).isZero();
            assertThat(b).isEqualTo(1024);
            assertThat(pool.chunksInUse()).isEqualTo(3);
            pool.release(a, 1);
            assertThat(pool.chunksInUse()).isEqualTo(2);
            assertThat(pool.highWaterMarkChunks()).isEqualTo(3);
        }
    }

    @Test
    void shouldFailAcquiresPastTheCapAndCountThem()
    {
        try (BufferPool pool = new BufferPool(64, 3))
        {
            assertThat(pool.acquire(3)).isZero();
            assertThat(pool.acquire(1)).isEqualTo(-1);
            assertThat(pool.acquire(4)).isEqualTo(-1);
            assertThat(pool.failedAcquires()).isEqualTo(2);
            pool.release(0, 3);
            assertThat(pool.acquire(1)).isZero();
        }
    }

    @Test
    void shouldFindAContiguousRunDespiteFragmentation()
    {
        try (BufferPool pool = new BufferPool(64, 130))
        {
            for (int i = 0; i < 130; i++)
            {
                assertThat(pool.acquire(1)).isEqualTo(i * 64);
            }
            pool.release(5 * 64, 1);
            pool.release(70 * 64, 1);
            pool.release(71 * 64, 1);
            pool.release(72 * 64, 1);
            assertThat(pool.acquire(2)).isEqualTo(70 * 64);   // first fit across the free chunks
            assertThat(pool.acquire(2)).isEqualTo(-1);        // 5 and 72 are free but not adjacent
            assertThat(pool.acquire(1)).isEqualTo(5 * 64);
        }
    }

    @Test
    void shouldNeverHandOutChunksPastTheLastOne()
    {
        try (BufferPool pool = new BufferPool(64, 65))
        {
            assertThat(pool.acquire(65)).isZero();
            assertThat(pool.acquire(1)).isEqualTo(-1);
            pool.release(64 * 64, 1);
            assertThat(pool.acquire(1)).isEqualTo(64 * 64);
        }
    }

    @Test
    void shouldRejectDoubleAndForeignReleases()
    {
        try (BufferPool pool = new BufferPool(64, 4))
        {
            final int a = pool.acquire(1);
            pool.release(a, 1);
            assertThatThrownBy(() -> pool.release(a, 1)).hasMessageContaining("released twice");
            assertThatThrownBy(() -> pool.release(10, 1)).hasMessageContaining("runOffset=10");
            assertThatThrownBy(() -> pool.release(0, 5)).hasMessageContaining("chunks=5");
        }
    }

    @Test
    void shouldNameTheFieldAndValueOfABadSize()
    {
        assertThatThrownBy(() -> new BufferPool(100, 4)).hasMessageContaining("chunkSizeBytes=100");
        assertThatThrownBy(() -> new BufferPool(64, 0)).hasMessageContaining("chunkCount=0");
        assertThatThrownBy(() -> new BufferPool(1 << 20, 4096)).hasMessageContaining("chunkCount=4096");
    }

    @Test
    void shouldReturnTheSlabToTheOperatingSystemOnCloseWithoutWaitingForGc()
    {
        final BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(bean -> "direct".equals(bean.getName())).findFirst().orElse(null);
        assumeTrue(direct != null, "no direct buffer pool MXBean");
        final long slabBytes = 8L << 20;
        final long before = direct.getMemoryUsed();
        final BufferPool pool = new BufferPool(64 * 1024, 128);
        assertThat(direct.getMemoryUsed() - before).as("nothing allocated before use").isLessThan(slabBytes);
        pool.release(pool.acquire(1), 1);
        assertThat(direct.getMemoryUsed() - before).isGreaterThanOrEqualTo(slabBytes);
        pool.close();
        // the cleaner ran synchronously: the JVM's direct memory accounting drops at once, no GC involved
        assertThat(direct.getMemoryUsed() - before).isLessThan(slabBytes);
    }

    @Test
    void shouldAcquireSingleChunksFromTheLowestFreeWordAfterRelease()
    {
        try (BufferPool pool = new BufferPool(64, 200))
        {
            for (int i = 0; i < 200; i++)
            {
                pool.acquire(1);
            }
            assertThat(pool.acquire(1)).isEqualTo(-1);
            pool.release(190 * 64, 1);
            pool.release(3 * 64, 1);
            assertThat(pool.acquire(1)).isEqualTo(3 * 64);
            assertThat(pool.acquire(1)).isEqualTo(190 * 64);
            assertThat(pool.failedAcquires()).isEqualTo(1);
            assertThat(pool.highWaterMarkChunks()).isEqualTo(200);
        }
    }

    @Test
    void shouldRejectANonPositiveRunLength()
    {
        try (BufferPool pool = new BufferPool(64, 4))
        {
            assertThatThrownBy(() -> pool.acquire(0)).hasMessageContaining("chunks=0");
        }
    }

    @Test
    void shouldFreeTheSlabOnCloseAndRefuseUseAfterwards()
    {
        final BufferPool pool = new BufferPool(4096, 256);
        pool.close();
        assertThat(pool.isClosed()).isTrue();
        assertThat(pool.committedBytes()).isZero();
        assertThatThrownBy(() -> pool.acquire(1)).hasMessageContaining("closed");
        pool.close();
    }

    @Test
    void shouldCommitNoMemoryUntilASegmentIsUsed()
    {
        try (BufferPool pool = new BufferPool(1024, 64, 16))
        {
            assertThat(pool.segmentCount()).isEqualTo(4);
            assertThat(pool.segmentsAllocated()).isZero();
            assertThat(pool.committedBytes()).isZero();
            final int first = pool.acquire(1);
            assertThat(first).isZero();
            assertThat(pool.segmentsAllocated()).isEqualTo(1);
            assertThat(pool.committedBytes()).isEqualTo(16 * 1024);
            for (int i = 1; i < 16; i++)
            {
                pool.acquire(1);
            }
            assertThat(pool.segmentsAllocated()).as("segment 0 holds 16 chunks").isEqualTo(1);
            assertThat(pool.acquire(1)).as("the 17th opens segment 1").isEqualTo(16 * 1024);
            assertThat(pool.segmentsAllocated()).isEqualTo(2);
            assertThat(pool.committedBytes()).isEqualTo(32 * 1024);
            assertThat(pool.segmentAllocations()).isEqualTo(2);
        }
    }

    @Test
    void shouldPreferAnAllocatedSegmentToANewOne()
    {
        try (BufferPool pool = new BufferPool(64, 64, 16))
        {
            final int[] offsets = new int[17];
            for (int i = 0; i < offsets.length; i++)
            {
                offsets[i] = pool.acquire(1);
            }
            pool.release(offsets[3], 1);
            pool.release(offsets[16], 1); // segment 1 empty, still allocated
            assertThat(pool.trim()).as("used since the last trim").isZero();
            assertThat(pool.trim()).as("segment 1 idle for a whole period").isEqualTo(1);
            assertThat(pool.segmentsAllocated()).isEqualTo(1);
            assertThat(pool.acquire(1)).as("the free chunk of segment 0, not a new segment").isEqualTo(offsets[3]);
            assertThat(pool.segmentAllocations()).isEqualTo(2);
            assertThat(pool.acquire(4)).as("no run in segment 0: the lowest unallocated segment").isEqualTo(16 * 64);
            assertThat(pool.segmentAllocations()).isEqualTo(3);
        }
    }

    @Test
    void shouldReturnASegmentOnlyAfterAWholeTrimPeriodWithoutUse()
    {
        try (BufferPool pool = new BufferPool(1024, 64, 16))
        {
            final int kept = pool.acquire(1);
            final int run = pool.acquire(16); // segment 1, whole
            assertThat(pool.segmentsAllocated()).isEqualTo(2);
            pool.release(run, 16);
            assertThat(pool.trim()).isZero();
            assertThat(pool.segmentsAllocated()).as("released in this period: kept").isEqualTo(2);
            pool.release(pool.acquire(16), 16); // busy again: the period starts over
            assertThat(pool.trim()).isZero();
            assertThat(pool.trim()).isEqualTo(1);
            assertThat(pool.segmentsAllocated()).isEqualTo(1);
            assertThat(pool.committedBytes()).isEqualTo(16 * 1024);
            assertThat(pool.segmentReleases()).isEqualTo(1);
            assertThat(pool.trim()).as("segment 0 has a chunk in use").isZero();
            pool.release(kept, 1);
            pool.trim();
            assertThat(pool.trim()).isEqualTo(1);
            assertThat(pool.committedBytes()).isZero();
            assertThat(pool.chunksInUse()).isZero();
            assertThat(pool.acquire(16)).as("committed again on demand").isZero();
            assertThat(pool.segmentAllocations()).isEqualTo(3);
        }
    }

    @Test
    void shouldNeverLetARunCrossASegment()
    {
        try (BufferPool pool = new BufferPool(64, 32, 8))
        {
            assertThat(pool.acquire(6)).isZero();
            assertThat(pool.acquire(4)).as("2 chunks left in segment 0: the run starts segment 1").isEqualTo(8 * 64);
            assertThat(pool.acquire(2)).as("the tail of segment 0").isEqualTo(6 * 64);
            assertThat(pool.acquire(9)).as("longer than a segment").isEqualTo(-1);
            assertThat(pool.failedAcquires()).isEqualTo(1);
            assertThatThrownBy(() -> pool.release(6 * 64, 4)).hasMessageContaining("not a run of this pool");
        }
    }

    @Test
    void shouldRefuseARingGrowthPastASegment()
    {
        try (BufferPool pool = new BufferPool(64, 32, 8); ByteRing ring = new ByteRing(pool, 16 * 64))
        {
            assertThat(ring.append(new byte[8 * 64], 0, 8 * 64)).isEqualTo(8 * 64);
            assertThat(ring.append(new byte[1], 0, 1)).isEqualTo(ByteRing.NO_MEMORY);
            assertThat(ring.readableBytes()).isEqualTo(8 * 64);
        }
        assertThatThrownBy(() -> new BufferPool(64, 32, 6)).hasMessageContaining("segmentChunks=6");
    }
}
