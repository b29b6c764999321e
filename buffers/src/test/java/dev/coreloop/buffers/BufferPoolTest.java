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
            assertThat(pool.slab().capacity()).isEqualTo(8 * 1024);
            assertThat(pool.slab().addressOffset() % BufferPool.SLAB_ALIGNMENT_BYTES).isZero();
            final int a = pool.acquire(1);
            final int b = pool.acquire(2);
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
            assertThatThrownBy(() -> pool.release(10, 1)).hasMessageContaining("slabOffset=10");
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
        assertThat(pool.slab().capacity()).isZero();
        assertThatThrownBy(() -> pool.acquire(1)).hasMessageContaining("closed");
        pool.close();
    }
}
