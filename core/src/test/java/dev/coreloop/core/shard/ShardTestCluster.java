package dev.coreloop.core.shard;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.IntFunction;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ConnectionSettings;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.ReactorService;
import dev.coreloop.core.ReadPausePolicy;
import dev.coreloop.core.TimerHandler;
import dev.coreloop.core.conn.ConnState;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * N fake reactors, one {@link ShardRouter} each, with bounded message rings between them that deliver only when a
 * test pumps them, so tests choose the interleaving; a fake clock and hand-fired timers. Sending and delivering
 * allocate nothing once the rings have grown, so allocation tests can pump.
 *
 * <p><b>Threading:</b> single test thread (every "reactor" runs on it).
 */
final class ShardTestCluster
{
    /** The service type the routers address (any registered type would do). */
    interface Service extends ReactorService
    {
    }

    private static final int RECORD_HEADER_BYTES = 12;

    private final Reactor[] reactors;
    private final ShardRouter[] routers;
    private final ExpandableArrayBuffer[] rings;
    private final int[] ringHead;
    private final int[] ringTail;
    private final int[] ringCount;
    private final int[] ringUsedBytes;
    private final UnsafeBuffer deliveryView = new UnsafeBuffer(new byte[0]);
    private int ringCapacityBytes = 1 << 20;
    private int maxMessageLength = 64 * 1024;
    private long nowNs = 1_000_000_000L;
    private long nextConnectionId = 1;

    ShardTestCluster(final int reactorCount, final ShardLimits limits, final IntFunction<ShardExecutor> executors)
    {
        reactors = new Reactor[reactorCount];
        routers = new ShardRouter[reactorCount];
        rings = new ExpandableArrayBuffer[reactorCount];
        ringHead = new int[reactorCount];
        ringTail = new int[reactorCount];
        ringCount = new int[reactorCount];
        ringUsedBytes = new int[reactorCount];
        for (int i = 0; i < reactorCount; i++)
        {
            reactors[i] = new Reactor(i);
            rings[i] = new ExpandableArrayBuffer(4096);
        }
        for (int i = 0; i < reactorCount; i++)
        {
            routers[i] = new ShardRouter(reactors[i], Service.class, executors.apply(i), limits);
        }
    }

    /** {@return an executor that answers each request with its own bytes} */
    static ShardExecutor echo(final int shard)
    {
        return (request, offset, length, reply, replyOffset) ->
        {
            reply.putBytes(replyOffset, request, offset, length);
            return length;
        };
    }

    ShardRouter router(final int index)
    {
        return routers[index];
    }

    Reactor reactor(final int index)
    {
        return reactors[index];
    }

    FakeConnection connect(final int reactorIndex)
    {
        final FakeConnection connection = new FakeConnection(nextConnectionId++, reactors[reactorIndex]);
        connection.calls = routers[reactorIndex].open(connection);
        return connection;
    }

    void maxMessageLength(final int bytes)
    {
        maxMessageLength = bytes;
    }

    void ringCapacityBytes(final int bytes)
    {
        ringCapacityBytes = bytes;
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

    /** Advances the clock and fires every timer due. */
    void advanceNs(final long ns)
    {
        nowNs += ns;
        for (final Reactor reactor : reactors)
        {
            reactor.fireDueTimers();
        }
    }

    /** Delivers one message to {@code destination}. {@return false if its ring was empty} */
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
        // appends go after the tail and growing copies into a new array: the view stays valid during the delivery
        deliveryView.wrap(ring.byteArray(), head + RECORD_HEADER_BYTES, length);
        if (!routers[destination].onMessage(source, type, deliveryView, 0, length))
        {
            throw new AssertionError("not a router message: type " + type);
        }
        if (ringCount[destination] == 0)
        {
            ringHead[destination] = 0;
            ringTail[destination] = 0;
        }
        return true;
    }

    /** Delivers until every ring is empty. {@return messages delivered} */
    int pump()
    {
        int delivered = 0;
        boolean any = true;
        while (any)
        {
            any = false;
            for (int i = 0; i < reactors.length; i++)
            {
                while (deliverOne(i))
                {
                    delivered++;
                    any = true;
                }
            }
        }
        return delivered;
    }

    /** Delivers from rings picked at random (each ring stays FIFO) until all are empty. */
    void pumpRandomly(final Random random)
    {
        while (queuedMessages() > 0)
        {
            deliverOne(random.nextInt(reactors.length));
        }
    }

    private boolean offer(final int source, final int destination, final int type, final DirectBuffer buffer,
        final int offset, final int length)
    {
        if (ringUsedBytes[destination] + length > ringCapacityBytes)
        {
            return false;
        }
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

    /** One fake reactor. */
    final class Reactor implements ReactorContext
    {
        private final int index;
        // timers in parallel arrays, so that arming one allocates nothing (allocation tests run through here)
        private final long[] timerIds = new long[64];
        private final long[] timerDeadlines = new long[64];
        private final TimerHandler[] timerHandlers = new TimerHandler[64];
        private int timerCount;
        private long nextTimerId = 1;

        Reactor(final int index)
        {
            this.index = index;
        }

        int armedTimers()
        {
            return timerCount;
        }

        void fireDueTimers()
        {
            for (int i = 0; i < timerCount; i++)
            {
                if (timerDeadlines[i] - nowNs <= 0)
                {
                    final long id = timerIds[i];
                    final TimerHandler handler = timerHandlers[i];
                    timerCount--;
                    timerIds[i] = timerIds[timerCount];
                    timerDeadlines[i] = timerDeadlines[timerCount];
                    timerHandlers[i] = timerHandlers[timerCount];
                    timerHandlers[timerCount] = null;
                    handler.onTimer(id, nowNs);
                    i = -1;
                }
            }
        }

        @Override
        public int index()
        {
            return index;
        }

        @Override
        public int reactorCount()
        {
            return reactors.length;
        }

        @Override
        public long nowNs()
        {
            return nowNs;
        }

        @Override
        public long epochMs()
        {
            return nowNs / 1_000_000L;
        }

        @Override
        public boolean execute(final Runnable task)
        {
            throw new UnsupportedOperationException("the router uses no tasks");
        }

        @Override
        public boolean execute(final int reactorIndex, final Runnable task)
        {
            throw new UnsupportedOperationException("the router uses no tasks");
        }

        @Override
        public boolean sendMessage(final int reactorIndex, final Class<? extends ReactorService> service,
            final int msgTypeId, final DirectBuffer buffer, final int offset, final int length)
        {
            if (length > maxMessageLength || msgTypeId < 1 || msgTypeId > 0xFFFF || service != Service.class)
            {
                throw new IllegalArgumentException("bad message: length " + length + " type " + msgTypeId);
            }
            return offer(index, reactorIndex, msgTypeId, buffer, offset, length);
        }

        @Override
        public int maxMessageLength()
        {
            return maxMessageLength;
        }

        @Override
        public long scheduleTimer(final long deadlineNs, final TimerHandler handler)
        {
            final long id = nextTimerId++;
            timerIds[timerCount] = id;
            timerDeadlines[timerCount] = deadlineNs;
            timerHandlers[timerCount++] = handler;
            return id;
        }

        @Override
        public boolean cancelTimer(final long timerId)
        {
            throw new UnsupportedOperationException("the router cancels no timers");
        }

        @Override
        public <T extends ReactorService> T service(final Class<T> type)
        {
            return null;
        }

        @Override
        public Connection connect(final InetSocketAddress remote, final ConnectionHandler handler,
            final long connectTimeoutMs, final ConnectionSettings settings)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public Connection connection(final long connectionId)
        {
            return null;
        }
    }

    /** A connection that records writes (or only counts them) and its pause, close and abort. */
    static final class FakeConnection implements Connection
    {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        ShardCalls calls;
        boolean recordOutput = true;
        long bytesWritten;
        int outboundCapBytes = Integer.MAX_VALUE;
        int outboundBytes;
        boolean readPaused;
        int resumes;
        CloseReason closeReason;
        boolean aborted;
        private final long id;
        private final ReactorContext reactor;

        FakeConnection(final long id, final ReactorContext reactor)
        {
            this.id = id;
            this.reactor = reactor;
        }

        String takeOutput()
        {
            final String text = written.toString(StandardCharsets.ISO_8859_1);
            written.reset();
            outboundBytes = 0;
            return text;
        }

        @Override
        public long id()
        {
            return id;
        }

        @Override
        public ReactorContext reactor()
        {
            return reactor;
        }

        @Override
        public ConnState state()
        {
            return closeReason == null && !aborted ? ConnState.ACTIVE : ConnState.CLOSED;
        }

        @Override
        public InetSocketAddress remoteAddress()
        {
            return null;
        }

        @Override
        public boolean write(final DirectBuffer src, final int offset, final int length)
        {
            if (closeReason != null || aborted)
            {
                throw new AssertionError("write after close");
            }
            if ((long)outboundBytes + length > outboundCapBytes)
            {
                return false;
            }
            outboundBytes += length;
            bytesWritten += length;
            if (recordOutput)
            {
                for (int i = 0; i < length; i++)
                {
                    written.write(src.getByte(offset + i));
                }
            }
            return true;
        }

        @Override
        public boolean write(final byte[] src, final int offset, final int length)
        {
            return write(new UnsafeBuffer(src), offset, length);
        }

        @Override
        public boolean write(final ByteBuffer src)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public void flush()
        {
        }

        @Override
        public boolean isWritable()
        {
            return outboundBytes < outboundCapBytes;
        }

        @Override
        public int outboundBytes()
        {
            return outboundBytes;
        }

        @Override
        public void shutdownOutput()
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close()
        {
            close(CloseReason.LOCAL_CLOSE);
        }

        @Override
        public void close(final CloseReason reason)
        {
            if (closeReason == null)
            {
                closeReason = reason;
            }
        }

        @Override
        public void abort()
        {
            aborted = true;
        }

        @Override
        public void pauseReading()
        {
            readPaused = true;
        }

        @Override
        public void resumeReading()
        {
            if (readPaused)
            {
                resumes++;
            }
            readPaused = false;
        }

        @Override
        public ReadPausePolicy readPausePolicy()
        {
            return ReadPausePolicy.OWN_BACKLOG;
        }

        @Override
        public void readPausePolicy(final ReadPausePolicy policy)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long scheduleTimer(final long deadlineNs)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean cancelTimer(final long timerId)
        {
            throw new UnsupportedOperationException();
        }
    }
}
