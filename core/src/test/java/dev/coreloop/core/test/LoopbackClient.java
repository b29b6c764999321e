package dev.coreloop.core.test;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * A small blocking-style TCP client for integration tests: connects to {@code 127.0.0.1}, writes and reads
 * exact byte counts, half-closes, resets, and reads until EOF, every operation bounded by a deadline.
 *
 * <p>The channel is non-blocking underneath, driven by two private {@link Selector}s (one for reads, one
 * for writes and the connect), so that every read and write honours a timeout (a plain blocking {@link SocketChannel}
 * ignores {@code SO_TIMEOUT}). Waiting goes through the selector, which allocates: this client is for correctness
 * tests, not for allocation-free benchmark loops.
 *
 * <p><b>Threading:</b> at most one thread reads and at most one thread writes at a time (so a test may
 * write a large payload on one thread while it reads the echo on another). {@link #close()} and
 * {@link #reset()} must not race with a read or a write.
 */
public final class LoopbackClient implements AutoCloseable
{
    /** Default bound for one operation when the caller does not give one. */
    public static final long DEFAULT_TIMEOUT_MS = 10_000;

    private final SocketChannel channel;
    private final Selector readSelector;
    private final Selector writeSelector;
    private final SelectionKey readKey;
    private final SelectionKey writeKey;
    private final long timeoutMs;
    private boolean closed;

    private LoopbackClient(final SocketChannel channel, final Selector readSelector, final Selector writeSelector,
        final long timeoutMs) throws IOException
    {
        this.channel = channel;
        this.readSelector = readSelector;
        this.writeSelector = writeSelector;
        this.timeoutMs = timeoutMs;
        this.readKey = channel.register(readSelector, 0);
        this.writeKey = channel.register(writeSelector, 0);
    }

    /** Connects to {@code 127.0.0.1:port} with {@link #DEFAULT_TIMEOUT_MS}. */
    public static LoopbackClient connect(final int port) throws IOException
    {
        return connect(new InetSocketAddress("127.0.0.1", port), DEFAULT_TIMEOUT_MS);
    }

    /**
     * Connects to {@code address}, waiting at most {@code timeoutMs}; the same bound applies to every later
     * operation that does not take its own.
     *
     * @throws SocketTimeoutException if the connection is not established in time.
     */
    public static LoopbackClient connect(final InetSocketAddress address, final long timeoutMs) throws IOException
    {
        return connect(address, timeoutMs, 0);
    }

    /**
     * As {@link #connect(InetSocketAddress, long)}, with {@code SO_RCVBUF} set before connecting (so the TCP
     * window is small from the start), for tests that need the server to meet a slow or stopped reader soon.
     *
     * @param receiveBufferBytes the receive buffer size, or 0 for the OS default.
     */
    public static LoopbackClient connect(final InetSocketAddress address, final long timeoutMs,
        final int receiveBufferBytes) throws IOException
    {
        if (timeoutMs <= 0)
        {
            throw new IllegalArgumentException("timeoutMs must be > 0: " + timeoutMs);
        }
        final SocketChannel channel = SocketChannel.open();
        Selector readSelector = null;
        Selector writeSelector = null;
        try
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            if (receiveBufferBytes > 0)
            {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes);
            }
            readSelector = Selector.open();
            writeSelector = Selector.open();
            final LoopbackClient client = new LoopbackClient(channel, readSelector, writeSelector, timeoutMs);
            if (!channel.connect(address))
            {
                client.awaitOp(SelectionKey.OP_CONNECT, deadlineNs(timeoutMs), "connect to " + address);
                while (!channel.finishConnect())
                {
                    client.awaitOp(SelectionKey.OP_CONNECT, deadlineNs(timeoutMs), "connect to " + address);
                }
            }
            return client;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            closeQuietly(readSelector);
            closeQuietly(writeSelector);
            throw ex;
        }
    }

    /** @return the underlying channel (non-blocking), for tests that need socket options or raw calls. */
    public SocketChannel channel()
    {
        return channel;
    }

    /** @return the local (client side) port. */
    public int localPort() throws IOException
    {
        return ((InetSocketAddress)channel.getLocalAddress()).getPort();
    }

    /** Writes all of {@code bytes}, waiting for socket space as needed, within the client's timeout. */
    public void writeFully(final byte[] bytes) throws IOException
    {
        writeFully(ByteBuffer.wrap(bytes));
    }

    /** Writes all remaining bytes of {@code src} (any kind of buffer) within the client's timeout. */
    public void writeFully(final ByteBuffer src) throws IOException
    {
        final long deadlineNs = deadlineNs(timeoutMs);
        while (src.hasRemaining())
        {
            if (channel.write(src) == 0)
            {
                awaitOp(SelectionKey.OP_WRITE, deadlineNs, "write");
            }
        }
    }

    /**
     * Writes {@code message} and reads as many bytes back (one echo round trip) within the client's timeout.
     *
     * @return the bytes read.
     */
    public byte[] roundTrip(final byte[] message) throws IOException
    {
        writeFully(message);
        return readExactly(message.length);
    }

    /**
     * Writes what the socket takes now, without waiting.
     *
     * @return bytes written, possibly 0 when the send buffer is full.
     */
    public int writeSome(final ByteBuffer src) throws IOException
    {
        return channel.write(src);
    }

    /**
     * Reads exactly {@code length} bytes within the client's timeout.
     *
     * @throws EOFException if the peer closes first.
     */
    public byte[] readExactly(final int length) throws IOException
    {
        final ByteBuffer dst = ByteBuffer.allocate(length);
        readFully(dst);
        return dst.array();
    }

    /**
     * Fills the remaining space of {@code dst} within the client's timeout.
     *
     * @throws EOFException if the peer closes first.
     */
    public void readFully(final ByteBuffer dst) throws IOException
    {
        final long deadlineNs = deadlineNs(timeoutMs);
        while (dst.hasRemaining())
        {
            final int n = channel.read(dst);
            if (n < 0)
            {
                throw new EOFException("EOF with " + dst.remaining() + " bytes still expected");
            }
            if (n == 0)
            {
                awaitOp(SelectionKey.OP_READ, deadlineNs, "read");
            }
        }
    }

    /**
     * One read of at most {@code dst.remaining()} bytes, waiting up to {@code timeoutMs} for data.
     *
     * @return bytes read (&gt; 0), or -1 at EOF.
     * @throws SocketTimeoutException if nothing arrives in time.
     */
    public int readSome(final ByteBuffer dst, final long timeoutMs) throws IOException
    {
        final long deadlineNs = deadlineNs(timeoutMs);
        while (true)
        {
            final int n = channel.read(dst);
            if (n != 0)
            {
                return n;
            }
            awaitOp(SelectionKey.OP_READ, deadlineNs, "read");
        }
    }

    /**
     * Reads until the peer closes (EOF) or {@code timeoutMs} passes.
     *
     * @return everything read.
     * @throws SocketTimeoutException if EOF did not come in time.
     * @throws IOException            if the peer reset the connection.
     */
    public byte[] readUntilEof(final long timeoutMs) throws IOException
    {
        final long deadlineNs = deadlineNs(timeoutMs);
        ByteBuffer dst = ByteBuffer.allocate(8 * 1024);
        while (true)
        {
            if (!dst.hasRemaining())
            {
                final ByteBuffer bigger = ByteBuffer.allocate(dst.capacity() * 2);
                dst.flip();
                bigger.put(dst);
                dst = bigger;
            }
            final int n = channel.read(dst);
            if (n < 0)
            {
                final byte[] result = new byte[dst.position()];
                dst.flip();
                dst.get(result);
                return result;
            }
            if (n == 0)
            {
                awaitOp(SelectionKey.OP_READ, deadlineNs, "read until EOF (" + dst.position() + " bytes so far)");
            }
        }
    }

    /**
     * Waits up to {@code timeoutMs} for EOF, discarding data.
     *
     * @return true at EOF, false if the peer reset the connection (also an end).
     * @throws SocketTimeoutException if neither came in time.
     */
    public boolean awaitEnd(final long timeoutMs) throws IOException
    {
        final long deadlineNs = deadlineNs(timeoutMs);
        final ByteBuffer scratch = ByteBuffer.allocate(4096);
        while (true)
        {
            final int n;
            try
            {
                n = channel.read(scratch);
            }
            catch (final IOException ex)
            {
                if (isReset(ex))
                {
                    return false;
                }
                throw ex;
            }
            if (n < 0)
            {
                return true;
            }
            scratch.clear();
            if (n == 0)
            {
                awaitOp(SelectionKey.OP_READ, deadlineNs, "await EOF");
            }
        }
    }

    /** Sends FIN: no more writes, reading continues. */
    public void shutdownOutput() throws IOException
    {
        channel.shutdownOutput();
    }

    /** Closes with a reset (SO_LINGER 0): the peer sees ECONNRESET rather than EOF. */
    public void reset() throws IOException
    {
        if (!closed)
        {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            close();
        }
    }

    /** Closes normally (FIN). Idempotent. */
    @Override
    public void close() throws IOException
    {
        if (!closed)
        {
            closed = true;
            closeQuietly(readSelector);
            closeQuietly(writeSelector);
            channel.close();
        }
    }

    /** @return true if {@code ex} is a connection reset or broken pipe as the JDK reports them on Linux. */
    public static boolean isReset(final IOException ex)
    {
        final String message = ex.getMessage();
        return message != null &&
            (message.contains("reset") || message.contains("Broken pipe") || message.contains("Connection reset"));
    }

    private void awaitOp(final int op, final long deadlineNs, final String what) throws IOException
    {
        final long remainingNs = deadlineNs - System.nanoTime();
        if (remainingNs <= 0)
        {
            throw new SocketTimeoutException(what + ": deadline passed");
        }
        final boolean read = op == SelectionKey.OP_READ;
        final SelectionKey key = read ? readKey : writeKey;
        final Selector selector = read ? readSelector : writeSelector;
        key.interestOps(op);
        selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remainingNs)));
        selector.selectedKeys().clear();
        key.interestOps(0);
    }

    private static void closeQuietly(final Selector selector)
    {
        if (selector != null)
        {
            try
            {
                selector.close();
            }
            catch (final IOException ignore)
            {
                // closing a selector of a test client: nothing to recover
            }
        }
    }

    private static long deadlineNs(final long timeoutMs)
    {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    }
}
