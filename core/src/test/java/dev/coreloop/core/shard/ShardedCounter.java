package dev.coreloop.core.shard;

import java.net.InetSocketAddress;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.ReactorService;
import dev.coreloop.core.ServerContext;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/** Counters sharded per reactor: a line "id\n" adds one to counter id (on shard id mod N); the reply is "value\n". */
public final class ShardedCounter implements ReactorService, ShardExecutor
{
    private final Long2LongHashMap counters = new Long2LongHashMap(0);
    private final ShardRouter router;

    public ShardedCounter(final ReactorContext reactor)
    {
        router = new ShardRouter(reactor, ShardedCounter.class, this, new ShardLimits());
    }

    public static void install(final ServerContext ctx, final InetSocketAddress address)
    {
        ctx.reactorService(ShardedCounter.class, ShardedCounter::new);
        ctx.listen(address, reactor -> new Handler(reactor.service(ShardedCounter.class).router));
    }

    @Override
    public void onMessage(final int source, final int type, final DirectBuffer buffer, final int offset,
        final int length)
    {
        router.onMessage(source, type, buffer, offset, length);
    }

    @Override // runs on the owner of the counter: the request is its id, the reply its new value as a line
    public int execute(final DirectBuffer request, final int offset, final int length, final MutableDirectBuffer reply,
        final int replyOffset)
    {
        final long value = counters.get(request.getLong(offset)) + 1;
        counters.put(request.getLong(offset), value);
        final int digits = reply.putLongAscii(replyOffset, value);
        reply.putByte(replyOffset + digits, (byte)'\n');
        return digits + 1;
    }

    static final class Handler implements ConnectionHandler
    {
        private final UnsafeBuffer request = new UnsafeBuffer(new byte[8]);
        private final ShardRouter router;
        private ShardCalls calls;

        Handler(final ShardRouter router)
        {
            this.router = router;
        }

        @Override
        public void onOpened(final Connection connection)
        {
            calls = router.open(connection);
        }

        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            int start = offset;
            for (int i = offset; i < offset + length; i++)
            {
                if (buffer.getByte(i) == '\n')
                {
                    if (calls.mustPause()) // backpressure: reading resumes, with the rest, when there is room
                    {
                        break;
                    }
                    final long id = buffer.parseLongAscii(start, i - start); // a bad line throws: closes only this
                    request.putLong(0, id);
                    calls.call((int)Math.floorMod(id, (long)router.shardCount()), request, 0, 8);
                    start = i + 1;
                }
            }
            return start - offset;
        }

        @Override
        public void onWritabilityChanged(final Connection connection, final boolean writable)
        {
            calls.onWritabilityChanged(writable);
        }

        @Override
        public void onInputClosed(final Connection connection)
        {
            calls.closeAfterReplies(CloseReason.PEER_CLOSED);
        }

        @Override
        public void onClosed(final Connection connection, final CloseReason reason)
        {
            calls.close();
        }
    }
}
