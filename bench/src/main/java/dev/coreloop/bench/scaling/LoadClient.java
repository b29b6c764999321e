package dev.coreloop.bench.scaling;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;

/**
 * A small non-blocking load client: one selector driving many connections, each a closed loop that writes a batch of
 * {@link Protocol#depth()} requests and writes the next batch once every response of the previous one has arrived.
 * Each response's latency (batch written to response parsed) goes into an HdrHistogram. One thread per client; a few
 * clients saturate a server because none of them blocks on a connection.
 *
 * <p>The latencies are those of a closed loop at saturation: a slow response delays the next request instead of
 * queueing behind it, so they understate what an open-loop client at the same rate would see (coordinated omission);
 * they compare servers under the same load, they are not a service-level prediction.
 *
 * <p><b>Threading:</b> confined to the thread that calls {@link #open()} and {@link #awaitResponse()}.
 */
public final class LoadClient implements AutoCloseable
{
    private static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long SELECT_TIMEOUT_MS = 10;
    private static final int INBOUND_BYTES = 64 * 1024;
    private static final long CONNECT_DEADLINE_NS = TimeUnit.SECONDS.toNanos(30);

    /** One connection's state. */
    private static final class Conn
    {
        final SocketChannel channel;
        final ByteBuffer in = ByteBuffer.allocateDirect(INBOUND_BYTES);
        final ByteBuffer out;
        final RequestWriter writer;
        final ResponseParser parser;
        SelectionKey key;
        int outstanding;
        long batchSentNs;

        Conn(final SocketChannel channel, final Protocol protocol, final long seed)
        {
            this.channel = channel;
            this.writer = new RequestWriter(protocol, seed);
            this.parser = ResponseParser.forProtocol(protocol);
            this.out = ByteBuffer.allocateDirect(writer.maxBatchBytes());
        }
    }

    private final Protocol protocol;
    private final InetSocketAddress address;
    private final int connectionCount;
    private final long seed;
    private final Histogram latencyNs = new Histogram(HIGHEST_TRACKABLE_NS, 3);
    private final Consumer<SelectionKey> onReady = this::onReady;
    private Selector selector;
    private Conn[] conns;
    private long banked;
    private long completed;
    private long nowNs;
    private IOException failure;

    /**
     * @param protocol        the workload.
     * @param address         the server.
     * @param connectionCount connections this client drives (at least 1).
     * @param seed            seeds the RESP key sequences.
     */
    public LoadClient(final Protocol protocol, final InetSocketAddress address, final int connectionCount,
        final long seed)
    {
        if (connectionCount < 1)
        {
            throw new IllegalArgumentException("connectionCount must be at least 1 but was " + connectionCount);
        }
        this.protocol = protocol;
        this.address = address;
        this.connectionCount = connectionCount;
        this.seed = seed;
    }

    /**
     * Connects every connection (blocking connects, one at a time, bounded by 30 s in all) and writes each one's first
     * batch.
     *
     * @throws IOException if a connection cannot be made.
     */
    public void open() throws IOException
    {
        selector = Selector.open();
        conns = new Conn[connectionCount];
        final long deadlineNs = System.nanoTime() + CONNECT_DEADLINE_NS;
        for (int i = 0; i < connectionCount; i++)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IOException("could not open " + connectionCount + " connections to " + address +
                    " within 30 s (" + i + " open)");
            }
            final SocketChannel channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(address);
            channel.configureBlocking(false);
            final Conn conn = new Conn(channel, protocol, seed * 1_000_003L + i + 1);
            conn.key = channel.register(selector, SelectionKey.OP_READ, conn);
            conns[i] = conn;
        }
        nowNs = System.nanoTime();
        for (final Conn conn : conns)
        {
            sendBatch(conn);
        }
        if (failure != null)
        {
            throw failure;
        }
    }

    /**
     * Returns once one more response has completed (responses completed together are banked and handed out one per
     * call), so that each call is one operation.
     *
     * @throws IOException if a connection failed or the server answered with an error.
     */
    public void awaitResponse() throws IOException
    {
        while (banked == 0)
        {
            selector.select(onReady, SELECT_TIMEOUT_MS);
            if (failure != null)
            {
                throw failure;
            }
        }
        banked--;
        completed++;
    }

    /**
     * Like {@link #awaitResponse()}, but gives up at a deadline.
     *
     * @param deadlineNs on the {@link System#nanoTime()} clock.
     * @return true if a response completed, false if the deadline passed first.
     * @throws IOException if a connection failed or the server answered with an error.
     */
    public boolean awaitResponseUntil(final long deadlineNs) throws IOException
    {
        while (banked == 0)
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                return false;
            }
            selector.select(onReady, SELECT_TIMEOUT_MS);
            if (failure != null)
            {
                throw failure;
            }
        }
        banked--;
        completed++;
        return true;
    }

    /** {@return the latency histogram (ns); reset it at the start of each measured period} */
    public Histogram latencyNs()
    {
        return latencyNs;
    }

    /** {@return the responses handed out by {@link #awaitResponse()} so far} */
    public long completed()
    {
        return completed;
    }

    /** {@return the connections this client drives} */
    public int connectionCount()
    {
        return connectionCount;
    }

    private void onReady(final SelectionKey key)
    {
        final Conn conn = (Conn)key.attachment();
        nowNs = System.nanoTime();
        try
        {
            if (key.isWritable())
            {
                flush(conn);
            }
            if (key.isReadable())
            {
                read(conn);
            }
        }
        catch (final IOException ex)
        {
            failure = ex;
        }
    }

    private void read(final Conn conn) throws IOException
    {
        final ByteBuffer in = conn.in;
        if (conn.channel.read(in) < 0)
        {
            throw new EOFException("the server closed a connection (" + protocol.id() + ")");
        }
        in.flip();
        final int responses = conn.parser.parse(in);
        in.compact();
        if (responses == ResponseParser.MALFORMED)
        {
            throw new IOException("the server answered " + protocol.id() + " with an error or a malformed response");
        }
        if (responses == 0)
        {
            return;
        }
        if (responses > conn.outstanding)
        {
            throw new IOException("more responses than requests on a " + protocol.id() + " connection");
        }
        final long latency = Math.min(nowNs - conn.batchSentNs, HIGHEST_TRACKABLE_NS);
        latencyNs.recordValueWithCount(latency, responses);
        banked += responses;
        conn.outstanding -= responses;
        if (conn.outstanding == 0)
        {
            sendBatch(conn);
        }
    }

    private void sendBatch(final Conn conn)
    {
        conn.out.clear();
        conn.writer.writeBatch(conn.out);
        conn.out.flip();
        conn.outstanding = protocol.depth();
        conn.batchSentNs = nowNs;
        try
        {
            flush(conn);
        }
        catch (final IOException ex)
        {
            failure = ex;
        }
    }

    private void flush(final Conn conn) throws IOException
    {
        conn.channel.write(conn.out);
        final int interest = conn.out.hasRemaining() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
        if (conn.key.interestOps() != interest)
        {
            conn.key.interestOps(interest);
        }
    }

    /** Closes every connection and the selector. */
    @Override
    public void close()
    {
        if (conns != null)
        {
            for (final Conn conn : conns)
            {
                if (conn != null)
                {
                    try
                    {
                        conn.channel.close();
                    }
                    catch (final IOException ignore)
                    {
                        // closing anyway
                    }
                }
            }
        }
        if (selector != null)
        {
            try
            {
                selector.close();
            }
            catch (final IOException ignore)
            {
                // closing anyway
            }
        }
    }
}
