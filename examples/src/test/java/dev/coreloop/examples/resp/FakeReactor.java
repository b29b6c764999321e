package dev.coreloop.examples.resp;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ConnectionSettings;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.ReactorService;
import dev.coreloop.core.TimerHandler;
import org.agrona.DirectBuffer;

/**
 * One reactor of a {@link ShardCluster}: a fake clock, timers in a list, messages into the cluster's rings.
 *
 * <p><b>Threading:</b> single test thread.
 */
final class FakeReactor implements ReactorContext
{
    private final ShardCluster cluster;
    private final int index;
    private final List<long[]> timers = new ArrayList<>();
    private final List<TimerHandler> timerHandlers = new ArrayList<>();
    private RespShard shard;
    private long nextTimerId = 1;

    FakeReactor(final ShardCluster cluster, final int index)
    {
        this.cluster = cluster;
        this.index = index;
    }

    void shard(final RespShard shard)
    {
        this.shard = shard;
    }

    RespShard shard()
    {
        return shard;
    }

    /** Fires every timer due at the cluster's clock. @return timers fired. */
    int fireDueTimers()
    {
        int fired = 0;
        for (int i = 0; i < timers.size(); i++)
        {
            final long[] timer = timers.get(i);
            if (timer[1] - cluster.nowNs() <= 0)
            {
                timers.remove(i);
                final TimerHandler handler = timerHandlers.remove(i);
                handler.onTimer(timer[0], cluster.nowNs());
                fired++;
                i = -1;
            }
        }
        return fired;
    }

    int armedTimers()
    {
        return timers.size();
    }

    @Override
    public int index()
    {
        return index;
    }

    @Override
    public int reactorCount()
    {
        return cluster.reactorCount();
    }

    @Override
    public long nowNs()
    {
        return cluster.nowNs();
    }

    @Override
    public long epochMs()
    {
        return cluster.nowNs() / 1_000_000L;
    }

    @Override
    public boolean execute(final Runnable task)
    {
        throw new UnsupportedOperationException("the RESP server does not use tasks");
    }

    @Override
    public boolean execute(final int reactorIndex, final Runnable task)
    {
        throw new UnsupportedOperationException("the RESP server does not use tasks");
    }

    @Override
    public boolean sendMessage(final int reactorIndex, final Class<? extends ReactorService> service,
        final int msgTypeId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length > cluster.maxMessageLength() || msgTypeId < 1 || msgTypeId > 0xFFFF || service != RespShard.class)
        {
            throw new IllegalArgumentException("bad message: length " + length + " type " + msgTypeId);
        }
        return cluster.offer(index, reactorIndex, msgTypeId, buffer, offset, length);
    }

    @Override
    public int maxMessageLength()
    {
        return cluster.maxMessageLength();
    }

    @Override
    public long scheduleTimer(final long deadlineNs, final TimerHandler handler)
    {
        final long id = nextTimerId++;
        timers.add(new long[]{id, deadlineNs});
        timerHandlers.add(handler);
        return id;
    }

    @Override
    public boolean cancelTimer(final long timerId)
    {
        for (int i = 0; i < timers.size(); i++)
        {
            if (timers.get(i)[0] == timerId)
            {
                timers.remove(i);
                timerHandlers.remove(i);
                return true;
            }
        }
        return false;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends ReactorService> T service(final Class<T> type)
    {
        return type == RespShard.class ? (T)shard : null;
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
