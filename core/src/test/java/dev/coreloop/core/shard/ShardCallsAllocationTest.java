package dev.coreloop.core.shard;

import java.lang.management.ManagementFactory;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The routing path allocates nothing once warm: local calls, cross-shard round trips whose replies arrive out of
 * request order (held in the arena), gathers over every shard, and messages that find a ring full and wait in the
 * router's FIFO. Measured with the thread's allocation counter over a window of work, repeated: the least any window
 * allocated must be exactly 0 (a one-off JIT or class-loading allocation on this thread cannot fail it, a real
 * per-call allocation fails every window).
 */
class ShardCallsAllocationTest
{
    private static final int WINDOWS = 5;
    private static final int ROUNDS_PER_WINDOW = 2_000;

    @Test
    void shouldRouteOrderAndGatherWithoutAllocatingOnceWarm()
    {
        final com.sun.management.ThreadMXBean threads = threadMxBean();
        final ShardTestCluster cluster = new ShardTestCluster(3, new ShardLimits().maxInFlight(64),
            ShardTestCluster::echo);
        cluster.ringCapacityBytes(80); // some messages find the ring full and wait in the FIFO
        final ShardTestCluster.FakeConnection connection = cluster.connect(0);
        connection.recordOutput = false;
        final UnsafeBuffer request = new UnsafeBuffer(new byte[48]);
        final UnsafeBuffer count = new UnsafeBuffer(new byte[8]);
        count.putLong(0, 1);
        final ReplyGather sum = ShardCallsTest.SUM;

        long sink = 0;
        for (int warm = 0; warm < 20; warm++)
        {
            sink += run(cluster, connection, request, count, sum);
        }
        long least = Long.MAX_VALUE;
        for (int window = 0; window < WINDOWS && least != 0; window++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            sink += run(cluster, connection, request, count, sum);
            least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
        }
        assertThat(least).as("bytes allocated by the least of %d windows of %d rounds", WINDOWS, ROUNDS_PER_WINDOW)
            .isZero();
        assertThat(sink).isPositive();
        assertThat(cluster.router(0).messagesQueued()).as("the ring-full path was part of the work").isPositive();
        assertThat(connection.calls.compactionCount() + connection.calls.arenaCapacityBytes())
            .as("replies were held").isPositive();
    }

    private static long run(final ShardTestCluster cluster, final ShardTestCluster.FakeConnection connection,
        final UnsafeBuffer request, final DirectBuffer count, final ReplyGather sum)
    {
        final ShardCalls calls = connection.calls;
        for (int round = 0; round < ROUNDS_PER_WINDOW; round++)
        {
            request.putLong(0, round);
            calls.call(2, request, 0, 48); // remote, answered last
            calls.call(1, request, 0, 24); // remote
            calls.call(0, request, 0, 16); // local: executed at once, held behind the remote ones
            calls.reply(request, 0, 8);
            calls.beginGather(sum);
            calls.gatherCall(1, count, 0, 8);
            calls.gatherCall(2, count, 0, 8);
            calls.gatherReply(count, 0, 8);
            calls.endGather();
            cluster.deliverOne(1); // shard 1 answers before shard 2: replies arrive out of request order
            cluster.deliverOne(1);
            cluster.deliverOne(0);
            cluster.deliverOne(0);
            cluster.pump();
            cluster.advanceNs(ShardLimits.RETRY_DELAY_US_DEFAULT * 1_000);
            cluster.pump();
        }
        if (calls.pendingCount() != 0 || calls.mustPause())
        {
            throw new AssertionError("the round trips did not complete: " + calls.pendingCount() + " pending");
        }
        return connection.bytesWritten;
    }

    private static com.sun.management.ThreadMXBean threadMxBean()
    {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
            "no com.sun.management.ThreadMXBean");
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "thread allocation counter unsupported");
        threads.setThreadAllocatedMemoryEnabled(true);
        return threads;
    }
}
