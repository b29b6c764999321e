package dev.coreloop.core.reactor;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import dev.coreloop.core.status.ServerCounters;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What the jcstress tests of {@link ReactorProxy} share: a small real proxy per test state, a wake-up that counts,
 * and the entries the producers publish.
 *
 * <p><b>Threading:</b> the constants are immutable and safe to share. A {@link CountingWakeup} is called by one
 * producer thread and read by the arbiter, which jcstress runs after the actors (happens-before).
 */
final class StressProxies
{
    /** One set of counters for every proxy of a run: the proxies only ever update theirs atomically. */
    static final ServerCounters COUNTERS = new ServerCounters(1);
    /** A hand-off without a channel: the tests never touch the channel. */
    static final HandOff HAND_OFF = new HandOff(null, 0);
    /** A task that does nothing (the wake-up tests only look at whether it is queued). */
    static final Runnable NOOP_TASK = () ->
    {
    };
    /** A consumer for the close of a test that does not care about hand-offs. */
    static final Consumer<HandOff> IGNORE_HAND_OFF = handOff ->
    {
    };
    /** Message type id used by the message tests. */
    static final int MSG_TYPE_ID = 42;
    /** The service index the message tests send to. */
    static final int SERVICE_INDEX = 7;
    /** The source reactor the message tests claim to be. */
    static final int SOURCE_REACTOR = 3;
    /** First payload word of the message tests. */
    static final long PAYLOAD_0 = 0x0102_0304_0506_0708L;
    /** Second payload word of the message tests. */
    static final long PAYLOAD_1 = 0x1112_1314_1516_1718L;
    /** Payload length of the message tests. */
    static final int PAYLOAD_LENGTH = 16;
    /** The payload the message tests send; only ever read. */
    static final UnsafeBuffer PAYLOAD = payload();

    private static final int INBOX_CAPACITY = 4;
    private static final int TASK_QUEUE_CAPACITY = 4;
    private static final int MESSAGE_RING_BYTES = 1024;
    private static final Class<?>[] NO_SERVICES = new Class<?>[0];

    private StressProxies()
    {
    }

    /** @return a fresh proxy with small queues, as a reactor would build it. */
    static ReactorProxy newProxy()
    {
        return new ReactorProxy(0, INBOX_CAPACITY, TASK_QUEUE_CAPACITY, MESSAGE_RING_BYTES, NO_SERVICES, COUNTERS);
    }

    /** @return a counting wake-up, installed in {@code proxy} through the seam. */
    static CountingWakeup countingWakeup(final ReactorProxy proxy)
    {
        final CountingWakeup wakeup = new CountingWakeup();
        proxy.wakeup(wakeup);
        return wakeup;
    }

    /** @return true if the ring held one message and the reactor read it. */
    static boolean readOneMessage(final ReactorProxy proxy)
    {
        return proxy.readMessages((msgTypeId, buffer, index, length) ->
        {
        }, 1) == 1;
    }

    private static UnsafeBuffer payload()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(PAYLOAD_LENGTH));
        buffer.putLong(0, PAYLOAD_0);
        buffer.putLong(8, PAYLOAD_1);
        return buffer;
    }

    /**
     * Counts the wake-ups a producer issues instead of waking a selector.
     *
     * <p><b>Threading:</b> one producer calls {@link #wake()}; the arbiter reads {@link #count} after the actors.
     */
    static final class CountingWakeup implements Wakeup
    {
        /** Wake-ups issued so far (plain: a single writer, read after it finished). */
        int count;

        @Override
        public void wake()
        {
            count++;
        }
    }
}
