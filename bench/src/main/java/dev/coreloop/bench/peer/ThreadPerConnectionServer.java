package dev.coreloop.bench.peer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The "just use threads" peer: blocking I/O with one thread per connection, either a platform thread or a virtual
 * thread ({@link #virtualThreadFactory(String)}, JDK 21+). It serves the scaling workloads the plain way such a server
 * is written: a {@link ServerSocket} accept loop on its own thread, and per connection a loop of blocking
 * {@code read}, handle every complete request in the buffer, one {@code write} of the replies.
 *
 * <ul>
 *   <li>{@code echo}: writes back what it read.</li>
 *   <li>{@code http}: {@code GET /plaintext} answers {@code Hello, World!} with Server, Date (cached per second),
 *   Content-Type and Content-Length, keep-alive; any other path gets 404; pipelined requests are answered in order.
 *   Requests with a body are not supported: 400 and close. A header block over 8 KiB: 431 and close.</li>
 *   <li>{@code resp}: GET, SET (two arguments), PING over one {@link ConcurrentHashMap} keyspace shared by all
 *   connections; anything else gets an error reply.</li>
 * </ul>
 *
 * <p><b>Threading:</b> {@link #start} and {@link #close} from any thread. The acceptor thread is named
 * {@value #ACCEPTOR_THREAD_NAME}; each connection runs on its own thread from the given factory. Threads started by
 * the acceptor inherit its CPU mask, so pinning the acceptor (the {@code onAcceptorStart} hook) places the
 * connection threads (and, for virtual threads, the carrier threads the scheduler starts from them) on the same
 * CPUs.
 */
public final class ThreadPerConnectionServer implements AutoCloseable
{
    /** The accept loop's thread name. */
    public static final String ACCEPTOR_THREAD_NAME = "tpc-acceptor";
    /** Name prefix of platform connection threads from {@link #platformThreadFactory(String)}. */
    public static final String PLATFORM_THREAD_PREFIX = "tpc-conn-";

    private static final int BUFFER_BYTES = 16 * 1024;
    private static final int MAX_HEADER_BYTES = 8 * 1024;
    private static final byte[] PLAINTEXT = ascii("Hello, World!");
    private static final byte[] NOT_FOUND = ascii("Not Found\n");
    private static final DateTimeFormatter HTTP_DATE =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT);
    private static final byte[] OK = ascii("+OK\r\n");
    private static final byte[] PONG = ascii("+PONG\r\n");
    private static final byte[] NULL_BULK = ascii("$-1\r\n");

    private final String family;
    private final ThreadFactory connectionThreads;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final Map<String, byte[]> keyspace = new ConcurrentHashMap<>();
    private final AtomicLong connections = new AtomicLong();
    private volatile boolean closed;
    private volatile long dateSecond = Long.MIN_VALUE;
    private volatile byte[] dateHeader;

    private ThreadPerConnectionServer(final String family, final ThreadFactory connectionThreads,
        final InetSocketAddress address, final Consumer<Thread> onAcceptorStart) throws IOException
    {
        if (!family.equals("echo") && !family.equals("http") && !family.equals("resp"))
        {
            throw new IllegalArgumentException("protocol must be echo, http or resp but was '" + family + "'");
        }
        this.family = family;
        this.connectionThreads = connectionThreads;
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(address, 4096);
        this.acceptor = new Thread(() ->
        {
            onAcceptorStart.accept(Thread.currentThread());
            acceptLoop();
        }, ACCEPTOR_THREAD_NAME);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Binds and starts accepting.
     *
     * @param family            {@code echo}, {@code http} or {@code resp}.
     * @param connectionThreads makes each connection's thread (platform or virtual).
     * @param address           where to listen (port 0: ephemeral).
     * @param onAcceptorStart   runs first on the acceptor thread (e.g. to pin it).
     * @return the running server.
     * @throws IOException if the address cannot be bound.
     */
    public static ThreadPerConnectionServer start(final String family, final ThreadFactory connectionThreads,
        final InetSocketAddress address, final Consumer<Thread> onAcceptorStart) throws IOException
    {
        return new ThreadPerConnectionServer(family, connectionThreads, address, onAcceptorStart);
    }

    /**
     * @param prefix thread name prefix.
     * @return a factory of daemon platform threads named {@code prefix + n}.
     */
    public static ThreadFactory platformThreadFactory(final String prefix)
    {
        final AtomicLong next = new AtomicLong();
        return runnable ->
        {
            final Thread thread = new Thread(runnable, prefix + next.getAndIncrement());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * A factory of virtual threads, through reflection so that this class compiles for Java 17
     * ({@code Thread.ofVirtual().name(prefix, 0).factory()}).
     *
     * @param prefix thread name prefix.
     * @return the factory, or null when this JVM has no virtual threads (before JDK 21).
     */
    public static ThreadFactory virtualThreadFactory(final String prefix)
    {
        try
        {
            final Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            final Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            final Object named = builderType.getMethod("name", String.class, long.class).invoke(builder, prefix, 0L);
            return (ThreadFactory)builderType.getMethod("factory").invoke(named);
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            return null;
        }
    }

    /** {@return true if this JVM has virtual threads (JDK 21+)} */
    public static boolean virtualThreadsAvailable()
    {
        return virtualThreadFactory("probe-") != null;
    }

    /** {@return the bound address} */
    public InetSocketAddress localAddress()
    {
        return (InetSocketAddress)listener.getLocalSocketAddress();
    }

    /** {@return connections accepted so far} */
    public long connectionsAccepted()
    {
        return connections.get();
    }

    /** Closes the listener; connection threads end when their peers close (they are daemon threads). */
    @Override
    public void close()
    {
        closed = true;
        try
        {
            listener.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
        try
        {
            acceptor.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final Socket socket;
            try
            {
                socket = listener.accept();
                socket.setTcpNoDelay(true);
            }
            catch (final IOException ex)
            {
                if (!closed)
                {
                    System.err.println("tpc accept failed: " + ex);
                }
                continue;
            }
            connections.incrementAndGet();
            try
            {
                connectionThreads.newThread(() -> serve(socket)).start();
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                System.err.println("tpc cannot start a connection thread: " + ex);
                closeQuietly(socket);
            }
        }
    }

    private void serve(final Socket socket)
    {
        try (socket)
        {
            final InputStream in = socket.getInputStream();
            final OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[BUFFER_BYTES];
            final Reply reply = new Reply();
            int filled = 0;
            while (true)
            {
                if (filled == buffer.length)
                {
                    buffer = Arrays.copyOf(buffer, buffer.length * 2);
                }
                final int n = in.read(buffer, filled, buffer.length - filled);
                if (n < 0)
                {
                    return;
                }
                filled += n;
                final int consumed;
                switch (family)
                {
                    case "echo":
                        reply.append(buffer, 0, filled);
                        consumed = filled;
                        break;
                    case "http":
                        consumed = handleHttp(buffer, filled, reply);
                        break;
                    default:
                        consumed = handleResp(buffer, filled, reply);
                        break;
                }
                if (reply.length > 0)
                {
                    out.write(reply.bytes, 0, reply.length);
                    reply.length = 0;
                }
                if (consumed < 0)
                {
                    return;
                }
                System.arraycopy(buffer, consumed, buffer, 0, filled - consumed);
                filled -= consumed;
            }
        }
        catch (final SocketException ignore)
        {
            // reset by the peer: the connection ends
        }
        catch (final IOException | RuntimeException ex)
        {
            if (!closed)
            {
                System.err.println("tpc connection failed: " + ex);
            }
        }
    }

    /** @return bytes consumed, or -1 to close after the reply. */
    private int handleHttp(final byte[] buffer, final int filled, final Reply reply)
    {
        int start = 0;
        while (true)
        {
            final int end = indexOf(buffer, start, filled, "\r\n\r\n");
            if (end < 0)
            {
                if (filled - start > MAX_HEADER_BYTES)
                {
                    httpError(reply, "431 Request Header Fields Too Large");
                    return -1;
                }
                return start;
            }
            final String head = new String(buffer, start, end - start, StandardCharsets.ISO_8859_1);
            final String lower = head.toLowerCase(Locale.ROOT);
            if (lower.contains("\r\ncontent-length:") || lower.contains("\r\ntransfer-encoding:"))
            {
                httpError(reply, "400 Bad Request");
                return -1;
            }
            final boolean plaintext = head.startsWith("GET /plaintext ");
            final byte[] body = plaintext ? PLAINTEXT : NOT_FOUND;
            reply.append(ascii((plaintext ? "HTTP/1.1 200 OK" : "HTTP/1.1 404 Not Found") +
                "\r\nServer: tpc\r\nDate: "));
            reply.append(date());
            reply.append(ascii("\r\nContent-Type: text/plain\r\nContent-Length: " + body.length + "\r\n\r\n"));
            reply.append(body, 0, body.length);
            start = end + 4;
        }
    }

    private static void httpError(final Reply reply, final String status)
    {
        reply.append(ascii("HTTP/1.1 " + status + "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
    }

    private byte[] date()
    {
        final long second = System.currentTimeMillis() / 1000;
        if (second != dateSecond)
        {
            dateHeader = ascii(HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
            dateSecond = second;
        }
        return dateHeader;
    }

    /** @return bytes consumed, or -1 to close after the reply. */
    private int handleResp(final byte[] buffer, final int filled, final Reply reply)
    {
        int start = 0;
        while (start < filled)
        {
            final int[] cursor = {start};
            final String[] args = readCommand(buffer, filled, cursor);
            if (args == null)
            {
                return start;
            }
            if (args.length == 0)
            {
                reply.append(ascii("-ERR Protocol error\r\n"));
                return -1;
            }
            start = cursor[0];
            final String name = args[0].toUpperCase(Locale.ROOT);
            if (name.equals("GET") && args.length == 2)
            {
                final byte[] value = keyspace.get(args[1]);
                if (value == null)
                {
                    reply.append(NULL_BULK);
                }
                else
                {
                    reply.append(ascii("$" + value.length + "\r\n"));
                    reply.append(value);
                    reply.append(ascii("\r\n"));
                }
            }
            else if (name.equals("SET") && args.length == 3)
            {
                keyspace.put(args[1], args[2].getBytes(StandardCharsets.ISO_8859_1));
                reply.append(OK);
            }
            else if (name.equals("PING"))
            {
                reply.append(PONG);
            }
            else
            {
                reply.append(ascii("-ERR unsupported command '" + name + "'\r\n"));
            }
        }
        return start;
    }

    /** @return the arguments, null if incomplete, an empty array if malformed; advances cursor[0] past it. */
    private static String[] readCommand(final byte[] buffer, final int filled, final int[] cursor)
    {
        int pos = cursor[0];
        if (buffer[pos] != '*')
        {
            return new String[0];
        }
        int eol = indexOf(buffer, pos, filled, "\r\n");
        if (eol < 0)
        {
            return null;
        }
        final int count = parseInt(buffer, pos + 1, eol);
        if (count < 1 || count > 64)
        {
            return new String[0];
        }
        pos = eol + 2;
        final String[] args = new String[count];
        for (int i = 0; i < count; i++)
        {
            if (pos >= filled)
            {
                return null;
            }
            if (buffer[pos] != '$')
            {
                return new String[0];
            }
            eol = indexOf(buffer, pos, filled, "\r\n");
            if (eol < 0)
            {
                return null;
            }
            final int length = parseInt(buffer, pos + 1, eol);
            if (length < 0 || length > 512 * 1024)
            {
                return new String[0];
            }
            pos = eol + 2;
            if (pos + length + 2 > filled)
            {
                return null;
            }
            args[i] = new String(buffer, pos, length, StandardCharsets.ISO_8859_1);
            pos += length + 2;
        }
        cursor[0] = pos;
        return args;
    }

    private static int parseInt(final byte[] buffer, final int from, final int to)
    {
        if (from >= to || to - from > 9)
        {
            return -1;
        }
        int value = 0;
        for (int i = from; i < to; i++)
        {
            if (buffer[i] < '0' || buffer[i] > '9')
            {
                return -1;
            }
            value = value * 10 + buffer[i] - '0';
        }
        return value;
    }

    private static int indexOf(final byte[] buffer, final int from, final int to, final String pattern)
    {
        outer:
        for (int i = from; i + pattern.length() <= to; i++)
        {
            for (int j = 0; j < pattern.length(); j++)
            {
                if (buffer[i + j] != pattern.charAt(j))
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** A growable reply buffer, one per connection. */
    private static final class Reply
    {
        byte[] bytes = new byte[BUFFER_BYTES];
        int length;

        void append(final byte[] data)
        {
            append(data, 0, data.length);
        }

        void append(final byte[] data, final int offset, final int count)
        {
            if (length + count > bytes.length)
            {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + count));
            }
            System.arraycopy(data, offset, bytes, length, count);
            length += count;
        }
    }
}
