package dev.coreloop.examples.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A plain blocking TCP server on {@code 127.0.0.1} for the proxy's tests: each accepted socket runs a
 * {@link Session} on its own thread, with {@code SO_TIMEOUT} bounding every read. Failures of a session are kept
 * and rethrown by {@link #awaitSessions}.
 *
 * <p><b>Threading:</b> one acceptor thread and one thread per session; the test thread calls {@link #port()},
 * {@link #awaitSessions} and {@link #close()}.
 */
final class UpstreamServer implements AutoCloseable
{
    /** Bound of every blocking read of a session. */
    static final int SO_TIMEOUT_MS = 20_000;

    /** What the upstream does with one accepted connection. */
    @FunctionalInterface
    interface Session
    {
        void run(Socket socket) throws Exception;
    }

    private final ServerSocket listener;
    private final Session session;
    private final Thread acceptor;
    private final List<Socket> sockets = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Semaphore finished = new Semaphore(0);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private UpstreamServer(final ServerSocket listener, final Session session)
    {
        this.listener = listener;
        this.session = session;
        this.acceptor = new Thread(this::acceptLoop, "upstream-acceptor");
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /**
     * @param receiveBufferBytes SO_RCVBUF of accepted sockets (set on the listener so the first window is small), or 0
     *                           for the OS default.
     */
    static UpstreamServer start(final int receiveBufferBytes, final Session session) throws IOException
    {
        final ServerSocket listener = new ServerSocket();
        if (receiveBufferBytes > 0)
        {
            listener.setReceiveBufferSize(receiveBufferBytes);
        }
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        return new UpstreamServer(listener, session);
    }

    int port()
    {
        return listener.getLocalPort();
    }

    /** Waits until {@code count} sessions have returned, then rethrows the first failure of any session. */
    void awaitSessions(final int count, final long timeoutMs) throws Exception
    {
        if (!finished.tryAcquire(count, timeoutMs, TimeUnit.MILLISECONDS))
        {
            throw new AssertionError("upstream: " + count + " session(s) not finished in " + timeoutMs + " ms; " +
                "failure so far: " + failure.get());
        }
        rethrowFailure();
    }

    void rethrowFailure() throws Exception
    {
        final Throwable cause = failure.get();
        if (cause instanceof Exception ex)
        {
            throw ex;
        }
        if (cause instanceof Error error)
        {
            throw error;
        }
    }

    private void acceptLoop()
    {
        while (!listener.isClosed())
        {
            final Socket socket;
            try
            {
                socket = listener.accept();
                socket.setSoTimeout(SO_TIMEOUT_MS);
                socket.setTcpNoDelay(true);
            }
            catch (final IOException ex)
            {
                return; // closed
            }
            final Thread thread = new Thread(() -> runSession(socket), "upstream-session");
            thread.setDaemon(true);
            synchronized (this)
            {
                sockets.add(socket);
                threads.add(thread);
            }
            thread.start();
        }
    }

    private void runSession(final Socket socket)
    {
        try
        {
            session.run(socket);
        }
        catch (final Throwable ex)
        {
            failure.compareAndSet(null, ex);
        }
        finally
        {
            closeQuietly(socket);
            finished.release();
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        closeQuietly(listener);
        final List<Thread> toJoin;
        synchronized (this)
        {
            for (final Socket socket : sockets)
            {
                closeQuietly(socket);
            }
            toJoin = new ArrayList<>(threads);
        }
        acceptor.join(5_000);
        for (final Thread thread : toJoin)
        {
            thread.join(5_000);
        }
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        try
        {
            closeable.close();
        }
        catch (final Exception ignore)
        {
            // test cleanup: nothing to recover
        }
    }
}
