package dev.coreloop.examples.resp;

import java.util.Random;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * N fake reactors with one {@link RespShard} each and bounded message rings between them, driven by hand: messages
 * are delivered only when a test pumps them, so tests choose the interleaving. Deterministic: a fake clock.
 * Sending and delivering allocate nothing once the ring buffers have grown, so allocation tests can pump.
 *
 * <p><b>Threading:</b> single test thread (every "reactor" runs on it).
 */
final class ShardCluster
{
    private static final int RECORD_HEADER_BYTES = 12;

    private final FakeReactor[] reactors;
    private final ExpandableArrayBuffer[] rings;
    private final int[] ringHead;
    private final int[] ringTail;
    private final int[] ringCount;
    private final UnsafeBuffer deliveryView = new UnsafeBuffer(new byte[0]);
    private final int[] ringUsedBytes;
    private final boolean[] blocked;
    private int ringCapacityBytes = 1 << 20;
    private int maxMessageLength = 128 * 1024;
    private long nowNs = 1_000_000_000L;

    ShardCluster(final int reactorCount, final RespConfig config)
    {
        reactors = new FakeReactor[reactorCount];
        rings = new ExpandableArrayBuffer[reactorCount];
        ringHead = new int[reactorCount];
        ringTail = new int[reactorCount];
        ringCount = new int[reactorCount];
        ringUsedBytes = new int[reactorCount];
        blocked = new boolean[reactorCount];
        for (int i = 0; i < reactorCount; i++)
        {
            reactors[i] = new FakeReactor(this, i);
            rings[i] = new ExpandableArrayBuffer(4096);
        }
        final RespKeyspace keyspace = new RespKeyspace(config);
        for (int i = 0; i < reactorCount; i++)
        {
            reactors[i].shard(new RespShard(reactors[i], config, keyspace));
            reactors[i].shard().onStart();
        }
    }

    ShardCluster(final int reactorCount)
    {
        this(reactorCount, new RespConfig());
    }

    int reactorCount()
    {
        return reactors.length;
    }

    FakeReactor reactor(final int index)
    {
        return reactors[index];
    }

    RespShard shard(final int index)
    {
        return reactors[index].shard();
    }

    FakeConnection connect(final int reactorIndex)
    {
        return new FakeConnection(reactors[reactorIndex]);
    }

    long nowNs()
    {
        return nowNs;
    }

    void advanceMs(final long ms)
    {
        nowNs += ms * 1_000_000L;
        for (final FakeReactor reactor : reactors)
        {
            reactor.fireDueTimers();
        }
    }

    void advanceNs(final long ns)
    {
        nowNs += ns;
        for (final FakeReactor reactor : reactors)
        {
            reactor.fireDueTimers();
        }
    }

    int maxMessageLength()
    {
        return maxMessageLength;
    }

    void maxMessageLength(final int bytes)
    {
        this.maxMessageLength = bytes;
    }

    void ringCapacityBytes(final int bytes)
    {
        this.ringCapacityBytes = bytes;
    }

    int queuedMessages()
    {
        int count = 0;
        for (final int ringMessages : ringCount)
        {
            count += ringMessages;
        }
        return count;
    }

    /** While blocked, every message to {@code destination} is refused as if its ring were full. */
    void blockRing(final int destination, final boolean blocked)
    {
        this.blocked[destination] = blocked;
    }

    boolean offer(final int source, final int destination, final int type, final DirectBuffer buffer,
        final int offset, final int length)
    {
        if (blocked[destination] || ringUsedBytes[destination] + length > ringCapacityBytes)
        {
            return false;
        }
        // records [source][type][length][bytes], appended without allocating (the buffer grows once)
        final ExpandableArrayBuffer ring = rings[destination];
        final int tail = ringTail[destination];
        ring.putInt(tail, source);
        ring.putInt(tail + 4, type);
        ring.putInt(tail + 8, length);
        ring.putBytes(tail + RECORD_HEADER_BYTES, buffer, offset, length);
        ringTail[destination] = tail + RECORD_HEADER_BYTES + length;
        ringCount[destination]++;
        ringUsedBytes[destination] += length;
        return true;
    }

    /** Delivers one message to {@code destination}. @return false if its ring was empty. */
    boolean deliverOne(final int destination)
    {
        if (ringCount[destination] == 0)
        {
            return false;
        }
        final ExpandableArrayBuffer ring = rings[destination];
        final int head = ringHead[destination];
        final int source = ring.getInt(head);
        final int type = ring.getInt(head + 4);
        final int length = ring.getInt(head + 8);
        ringHead[destination] = head + RECORD_HEADER_BYTES + length;
        ringCount[destination]--;
        ringUsedBytes[destination] -= length;
        // the view stays valid while the shard appends to this ring: appends go after the tail, and growing
        // copies into a new array, leaving the old one intact
        deliveryView.wrap(ring.byteArray(), head + RECORD_HEADER_BYTES, length);
        shard(destination).onMessage(source, type, deliveryView, 0, length);
        if (ringCount[destination] == 0)
        {
            ringHead[destination] = 0;
            ringTail[destination] = 0;
        }
        return true;
    }

    /** Delivers messages until every ring is empty. @return messages delivered. */
    int pump()
    {
        int delivered = 0;
        for (int round = 0; round < 1_000_000; round++)
        {
            boolean any = false;
            for (int i = 0; i < reactors.length; i++)
            {
                while (deliverOne(i))
                {
                    delivered++;
                    any = true;
                }
            }
            if (!any)
            {
                return delivered;
            }
        }
        throw new AssertionError("messages still flowing after 1M rounds");
    }

    /** Delivers messages in a random order of rings (each ring stays FIFO) until all are empty. */
    int pumpRandomly(final Random random)
    {
        int delivered = 0;
        for (int step = 0; step < 10_000_000; step++)
        {
            if (queuedMessages() == 0)
            {
                return delivered;
            }
            if (deliverOne(random.nextInt(reactors.length)))
            {
                delivered++;
            }
        }
        throw new AssertionError("messages still flowing after 10M steps");
    }

}
