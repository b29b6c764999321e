package dev.coreloop.examples.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.zip.CRC32;

import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.test.DumpServerThreadsOnFailure;
import dev.coreloop.core.test.LoopbackClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The proxy over real sockets on 127.0.0.1: a test client, the proxy (one reactor, small outbound caps so that
 * backpressure engages after a few hundred KiB) and a blocking upstream ({@link UpstreamServer}). Payloads are
 * seeded pseudo-random bytes compared by length and CRC32 at both ends.
 */
@ExtendWith(DumpServerThreadsOnFailure.class)
class ProxyServerIT
{
    private static final int MIB = 1 << 20;
    private static final int CHUNK_BYTES = 16 * 1024;
    private static final int OUTBOUND_CAP_BYTES = 256 * 1024;
    private static final int HIGH_WATERMARK_BYTES = 128 * 1024;
    private static final int LOW_WATERMARK_BYTES = 32 * 1024;
    /** SO_RCVBUF / SO_SNDBUF of every socket in the slow-reader tests, so the kernel hides little. */
    private static final int SOCKET_BUFFER_BYTES = 64 * 1024;
    private static final long CLIENT_TIMEOUT_MS = 30_000;

    private Server server;
    private ProxyStats stats;
    private UpstreamServer upstream;

    @AfterEach
    void stop() throws InterruptedException
    {
        if (server != null)
        {
            server.shutdown(1_000);
        }
        if (upstream != null)
        {
            upstream.close();
        }
    }

    @Test
    @Timeout(60)
    void shouldRelay16MiBEachWayAtOnceToAnUpstreamThatWritesEverythingBeforeReading() throws Exception
    {
        final int totalBytes = 16 * MIB;
        final AtomicLong upstreamSentCrc = new AtomicLong();
        final AtomicReference<Received> upstreamReceived = new AtomicReference<>();
        upstream = UpstreamServer.start(0, socket ->
        {
            upstreamSentCrc.set(send(socket.getOutputStream(), 2, totalBytes, new AtomicLong()));
            upstreamReceived.set(receiveUntilEof(socket.getInputStream()));
        });
        startProxy(upstream.port(), ProxyConfig.CONNECT_TIMEOUT_MS_DEFAULT, ctx -> { });

        try (LoopbackClient client = connectClient(0))
        {
            final CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() ->
            {
                final long crc = send(client, 1, totalBytes, new AtomicLong());
                shutdownOutput(client);
                return crc;
            });
            final Received clientReceived = receiveUntilEof(client, 0);
            final long clientSentCrc = writer.get(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            upstream.awaitSessions(1, 10_000);

            assertThat(clientReceived.bytes()).isEqualTo(totalBytes);
            assertThat(clientReceived.crc32()).isEqualTo(upstreamSentCrc.get());
            assertThat(upstreamReceived.get().bytes()).isEqualTo(totalBytes);
            assertThat(upstreamReceived.get().crc32()).isEqualTo(clientSentCrc);
        }
        assertThat(stats.readPauses()).as("backpressure engaged").isPositive();
        awaitTrue(() -> stats.relaysOpen() == 0, 5_000, "relay ended: " + stats);
        assertThat(stats.resetsPropagated()).isZero();
    }

    @Test
    @Timeout(30)
    void shouldPassTheClientsFinAfterItsDataAndStillRelayTheUpstreamsReply() throws Exception
    {
        final int requestBytes = MIB;
        final int replyBytes = 512 * 1024;
        final AtomicReference<Received> upstreamReceived = new AtomicReference<>();
        final AtomicLong upstreamSentCrc = new AtomicLong();
        upstream = UpstreamServer.start(0, socket ->
        {
            upstreamReceived.set(receiveUntilEof(socket.getInputStream())); // returns at the client's FIN
            upstreamSentCrc.set(send(socket.getOutputStream(), 4, replyBytes, new AtomicLong()));
        });
        startProxy(upstream.port(), ProxyConfig.CONNECT_TIMEOUT_MS_DEFAULT, ctx -> { });

        try (LoopbackClient client = connectClient(0))
        {
            final long requestCrc = send(client, 3, requestBytes, new AtomicLong());
            client.shutdownOutput();
            final Received reply = receiveUntilEof(client, 0);
            upstream.awaitSessions(1, 10_000);

            assertThat(upstreamReceived.get()).isEqualTo(new Received(requestBytes, requestCrc));
            assertThat(reply).isEqualTo(new Received(replyBytes, upstreamSentCrc.get()));
        }
        awaitTrue(() -> stats.relaysOpen() == 0, 5_000, "relay ended: " + stats);
    }

    @Test
    @Timeout(30)
    void shouldPassTheUpstreamsFinAfterItsDataAndStillRelayTheClientsBytes() throws Exception
    {
        final int greetingBytes = MIB;
        final int requestBytes = 512 * 1024;
        final AtomicReference<Received> upstreamReceived = new AtomicReference<>();
        final AtomicLong greetingCrc = new AtomicLong();
        upstream = UpstreamServer.start(0, socket ->
        {
            greetingCrc.set(send(socket.getOutputStream(), 5, greetingBytes, new AtomicLong()));
            socket.shutdownOutput();
            upstreamReceived.set(receiveUntilEof(socket.getInputStream()));
        });
        startProxy(upstream.port(), ProxyConfig.CONNECT_TIMEOUT_MS_DEFAULT, ctx -> { });

        try (LoopbackClient client = connectClient(0))
        {
            final Received greeting = receiveUntilEof(client, 0);
            final long requestCrc = send(client, 6, requestBytes, new AtomicLong());
            client.shutdownOutput();
            upstream.awaitSessions(1, 10_000);

            assertThat(greeting).isEqualTo(new Received(greetingBytes, greetingCrc.get()));
            assertThat(upstreamReceived.get()).isEqualTo(new Received(requestBytes, requestCrc));
            assertThat(client.awaitEnd(5_000)).as("clean end, not a reset").isTrue();
        }
        awaitTrue(() -> stats.relaysOpen() == 0, 5_000, "relay ended: " + stats);
        assertThat(stats.resetsPropagated()).isZero();
    }

    @Test
    @Timeout(30)
    void shouldCloseTheClientPromptlyWhenTheUpstreamRefuses() throws Exception
    {
        final int deadPort;
        try (ServerSocket reserved = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            deadPort = reserved.getLocalPort(); // closed again: nothing listens there
        }
        startProxy(deadPort, 5_000, ctx -> { });

        try (LoopbackClient client = connectClient(0))
        {
            final long startNs = System.nanoTime();
            client.writeFully("hello?".getBytes());
            final boolean eof = client.awaitEnd(5_000);
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

            assertThat(eof).as("a graceful close (EOF), not a reset").isTrue();
            assertThat(elapsedMs).as("closed long before the connect timeout").isLessThan(2_000);
        }
        awaitTrue(() -> stats.upstreamConnectFailed() == 1, 5_000, "connect failure counted: " + stats);
        assertThat(server.counters().total(ReactorCounter.CLOSE_CONNECT_FAILED)).isEqualTo(1);
        assertThat(stats.upstreamConnected()).isZero();
        awaitTrue(() -> stats.relaysOpen() == 0, 5_000, "relay ended: " + stats);
    }

    @Test
    @Timeout(30)
    void shouldCloseTheClientAfterTheConnectTimeoutWhenTheUpstreamNeverAnswers() throws Exception
    {
        final long connectTimeoutMs = 300;
        final List<SocketChannel> fillers = new ArrayList<>();
        try (ServerSocketChannel full = ServerSocketChannel.open())
        {
            // A listener that never accepts, its accept queue filled: the kernel drops further SYNs, so the proxy's
            // connect stays pending until its timeout (as in core's ReactorBehaviourTest).
            full.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            for (int i = 0; i < 4; i++)
            {
                final SocketChannel filler = SocketChannel.open();
                filler.configureBlocking(false);
                filler.connect(full.getLocalAddress());
                fillers.add(filler);
            }
            startProxy(((InetSocketAddress)full.getLocalAddress()).getPort(), connectTimeoutMs, ctx -> { });

            try (LoopbackClient client = connectClient(0))
            {
                final long startNs = System.nanoTime();
                boolean ended = true;
                try
                {
                    client.awaitEnd(3_000); // EOF or reset: either way the proxy closed us
                }
                catch (final java.net.SocketTimeoutException ex)
                {
                    ended = false;
                }
                final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                assumeTrue(stats.upstreamConnectTimeouts() == 1, "the kernel completed or refused the connect (" +
                    stats + "): no pending connect to time out");

                assertThat(ended).as("client closed").isTrue();
                assertThat(elapsedMs).as("closed after about connectTimeoutMs")
                    .isGreaterThanOrEqualTo(connectTimeoutMs - 50).isLessThan(connectTimeoutMs + 1_500);
                assertThat(server.counters().total(ReactorCounter.CLOSE_CONNECT_TIMEOUT)).isEqualTo(1);
            }
        }
        finally
        {
            for (final SocketChannel filler : fillers)
            {
                filler.close();
            }
        }
        awaitTrue(() -> stats.relaysOpen() == 0, 5_000, "relay ended: " + stats);
    }

    @Test
    @Timeout(60)
    void shouldBlockTheClientByTcpFlowControlWhileTheUpstreamDoesNotReadAndDeliverEverythingOnceItDoes()
        throws Exception
    {
        final int totalBytes = 16 * MIB;
        final CountDownLatch startReading = new CountDownLatch(1);
        final AtomicReference<Received> upstreamReceived = new AtomicReference<>();
        upstream = UpstreamServer.start(SOCKET_BUFFER_BYTES, socket ->
        {
            if (!startReading.await(30, TimeUnit.SECONDS))
            {
                throw new AssertionError("never told to read");
            }
            upstreamReceived.set(receiveUntilEof(socket.getInputStream()));
        });
        startProxy(upstream.port(), ProxyConfig.CONNECT_TIMEOUT_MS_DEFAULT, ProxyServerIT::smallSocketBuffers);

        try (LoopbackClient client = connectClient(0))
        {
            client.channel().setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
            final AtomicLong sentBytes = new AtomicLong();
            final CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() ->
            {
                final long crc = send(client, 7, totalBytes, sentBytes);
                shutdownOutput(client);
                return crc;
            });

            final long blockedAtBytes = awaitStall(sentBytes, 10_000);
            final long boundBytes = inFlightBoundBytes();
            System.out.println("client blocked after " + blockedAtBytes + " bytes (bound " + boundBytes + ")");
            assertThat(blockedAtBytes).as("client blocked by TCP flow control").isLessThan(boundBytes);
            assertThat(server.counters().total(ReactorCounter.UNWRITABLE)).as("upstream side unwritable now")
                .isEqualTo(1);
            assertThat(stats.readPauses()).as("client side paused").isPositive();

            startReading.countDown();
            final long sentCrc = writer.get(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            upstream.awaitSessions(1, 20_000);
            assertThat(upstreamReceived.get()).isEqualTo(new Received(totalBytes, sentCrc));
            assertThat(client.awaitEnd(5_000)).as("clean end after the upstream closed").isTrue();
        }
        finally
        {
            startReading.countDown(); // never leave the session waiting
        }
        awaitTrue(() -> stats.relaysOpen() == 0, 5_000, "relay ended: " + stats);
    }

    @Test
    @Timeout(30)
    void shouldDeliverTheWholeTailToASlowClientAfterBothSidesSentFin() throws Exception
    {
        // The client half-closes at once and reads slowly; the upstream writes its reply and FIN. When the proxy reads
        // the upstream's FIN, the client side still holds up to a full outbound ring: it must reach the client at the
        // client's pace (bounded by the write-stall timeout), not be cut off by the much shorter drain deadline.
        final int replyBytes = 512 * 1024;
        final long drainTimeoutMs = 200;
        final AtomicLong upstreamSentCrc = new AtomicLong();
        upstream = UpstreamServer.start(SOCKET_BUFFER_BYTES, socket ->
        {
            socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
            assertThat(receiveUntilEof(socket.getInputStream()).bytes()).isZero();
            upstreamSentCrc.set(send(socket.getOutputStream(), 9, replyBytes, new AtomicLong()));
            socket.shutdownOutput();
        });
        startProxy(upstream.port(), ProxyConfig.CONNECT_TIMEOUT_MS_DEFAULT,
            ctx -> smallSocketBuffers(ctx.drainTimeoutMs(drainTimeoutMs)));

        try (LoopbackClient client = connectClient(SOCKET_BUFFER_BYTES))
        {
            client.shutdownOutput();
            // 16 KiB per 100 ms: what the proxy holds for us when it reads the upstream's FIN (at least the low
            // watermark plus what the upstream side had read, typically 64-256 KiB) takes 0.4-1.6 s, past the deadline.
            final Received reply = receiveUntilEof(client, 100);
            upstream.awaitSessions(1, 20_000);
            assertThat(reply).isEqualTo(new Received(replyBytes, upstreamSentCrc.get()));
        }
        awaitTrue(() -> stats.relaysOpen() == 0, 5_000, "relay ended: " + stats);
        assertThat(stats.resetsPropagated()).isZero();
    }

    @Test
    @Timeout(60)
    void shouldBlockTheUpstreamByTcpFlowControlWhileTheClientDoesNotReadAndDeliverEverythingOnceItDoes()
        throws Exception
    {
        final int totalBytes = 16 * MIB;
        final AtomicLong upstreamSentBytes = new AtomicLong();
        final AtomicLong upstreamSentCrc = new AtomicLong();
        upstream = UpstreamServer.start(SOCKET_BUFFER_BYTES, socket ->
        {
            socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
            upstreamSentCrc.set(send(socket.getOutputStream(), 8, totalBytes, upstreamSentBytes));
            socket.shutdownOutput();
            assertThat(receiveUntilEof(socket.getInputStream()).bytes()).isZero();
        });
        startProxy(upstream.port(), ProxyConfig.CONNECT_TIMEOUT_MS_DEFAULT, ProxyServerIT::smallSocketBuffers);

        try (LoopbackClient client = connectClient(SOCKET_BUFFER_BYTES))
        {
            final long blockedAtBytes = awaitStall(upstreamSentBytes, 10_000);
            final long boundBytes = inFlightBoundBytes();
            System.out.println("upstream blocked after " + blockedAtBytes + " bytes (bound " + boundBytes + ")");
            assertThat(blockedAtBytes).as("upstream blocked by TCP flow control").isLessThan(boundBytes);
            assertThat(server.counters().total(ReactorCounter.UNWRITABLE)).as("client side unwritable now")
                .isEqualTo(1);
            assertThat(stats.readPauses()).as("upstream side paused").isPositive();

            final Received received = receiveUntilEof(client, 0);
            client.shutdownOutput();
            upstream.awaitSessions(1, 20_000);
            assertThat(received).isEqualTo(new Received(totalBytes, upstreamSentCrc.get()));
        }
        awaitTrue(() -> stats.relaysOpen() == 0, 5_000, "relay ended: " + stats);
    }

    @Test
    @Timeout(30)
    void shouldDeliverTheWholeTailToASlowClientThatSendsFinAfterTheUpstreamDid() throws Exception
    {
        // The other order: the upstream's FIN reaches the proxy first (the client side still owes bytes), then the
        // client half-closes while it is still reading slowly.
        final int replyBytes = 512 * 1024;
        final AtomicLong upstreamSentCrc = new AtomicLong();
        upstream = UpstreamServer.start(SOCKET_BUFFER_BYTES, socket ->
        {
            socket.setSendBufferSize(SOCKET_BUFFER_BYTES);
            upstreamSentCrc.set(send(socket.getOutputStream(), 10, replyBytes, new AtomicLong()));
            socket.shutdownOutput();
            assertThat(receiveUntilEof(socket.getInputStream()).bytes()).isZero();
        });
        startProxy(upstream.port(), ProxyConfig.CONNECT_TIMEOUT_MS_DEFAULT,
            ctx -> smallSocketBuffers(ctx.drainTimeoutMs(200)));

        try (LoopbackClient client = connectClient(SOCKET_BUFFER_BYTES))
        {
            final CompletableFuture<Received> reader = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    return receiveUntilEof(client, 100);
                }
                catch (final IOException | InterruptedException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            awaitTrue(() -> server.counter(0, ReactorCounter.STATE_INPUT_CLOSED) == 1, 10_000,
                "the proxy read the upstream's FIN");
            client.shutdownOutput();
            final Received reply = reader.get(CLIENT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            upstream.awaitSessions(1, 20_000);
            assertThat(reply).isEqualTo(new Received(replyBytes, upstreamSentCrc.get()));
        }
        awaitTrue(() -> stats.relaysOpen() == 0, 5_000, "relay ended: " + stats);
        assertThat(stats.resetsPropagated()).isZero();
    }

    @Test
    @Timeout(30)
    void shouldResetTheUpstreamWhenTheClientResets() throws Exception
    {
        final CountDownLatch gotHello = new CountDownLatch(1);
        final AtomicReference<String> upstreamSaw = new AtomicReference<>();
        upstream = UpstreamServer.start(0, socket ->
        {
            final InputStream in = socket.getInputStream();
            assertThat(in.readNBytes(5)).isEqualTo("hello".getBytes());
            gotHello.countDown();
            upstreamSaw.set(readToEnd(in));
        });
        startProxy(upstream.port(), ProxyConfig.CONNECT_TIMEOUT_MS_DEFAULT, ctx -> { });

        try (LoopbackClient client = connectClient(0))
        {
            client.writeFully("hello".getBytes());
            assertThat(gotHello.await(10, TimeUnit.SECONDS)).isTrue();
            client.reset();
        }
        upstream.awaitSessions(1, 10_000);
        assertThat(upstreamSaw.get()).isEqualTo("reset");
        awaitTrue(() -> stats.relaysOpen() == 0, 5_000, "relay ended: " + stats);
        assertThat(stats.resetsPropagated()).isEqualTo(1);
    }

    @Test
    @Timeout(30)
    void shouldResetTheClientWhenTheUpstreamResets() throws Exception
    {
        upstream = UpstreamServer.start(0, socket ->
        {
            assertThat(socket.getInputStream().readNBytes(5)).isEqualTo("hello".getBytes());
            socket.setSoLinger(true, 0);
            socket.close();
        });
        startProxy(upstream.port(), ProxyConfig.CONNECT_TIMEOUT_MS_DEFAULT, ctx -> { });

        try (LoopbackClient client = connectClient(0))
        {
            client.writeFully("hello".getBytes());
            assertThat(client.awaitEnd(10_000)).as("EOF instead of the reset").isFalse();
        }
        upstream.awaitSessions(1, 10_000);
        awaitTrue(() -> stats.relaysOpen() == 0, 5_000, "relay ended: " + stats);
        assertThat(stats.resetsPropagated()).isEqualTo(1);
    }

    // ================================================================================================================

    private void startProxy(final int upstreamPort, final long connectTimeoutMs, final Consumer<ServerContext> tuning)
        throws IOException
    {
        final ServerContext ctx = new ServerContext()
            .reactorCount(1)
            .outboundCapBytes(OUTBOUND_CAP_BYTES)
            .highWatermarkBytes(HIGH_WATERMARK_BYTES)
            .lowWatermarkBytes(LOW_WATERMARK_BYTES);
        tuning.accept(ctx);
        stats = ProxyServer.install(ctx, new ProxyConfig()
            .upstreamHost("127.0.0.1")
            .upstreamPort(upstreamPort)
            .connectTimeoutMs(connectTimeoutMs));
        server = Server.start(ctx);
    }

    /**
     * @return what can be between a blocked sender and a reader that stopped: the proxy's share is one inbound ring
     * (the reading side) and one outbound ring (the writing side, at most its cap); the rest is four kernel socket
     * buffers (sender's send, proxy's receive, proxy's send, reader's receive), each at most twice its size (Linux
     * doubles SO_RCVBUF/SO_SNDBUF). About 0.8 MiB, against the 16 MiB offered.
     */
    private static long inFlightBoundBytes()
    {
        return ServerContext.INBOUND_CAP_BYTES_DEFAULT + OUTBOUND_CAP_BYTES + 4L * 2 * SOCKET_BUFFER_BYTES;
    }

    private static void smallSocketBuffers(final ServerContext ctx)
    {
        ctx.socketReceiveBufferBytes(SOCKET_BUFFER_BYTES).socketSendBufferBytes(SOCKET_BUFFER_BYTES);
    }

    private LoopbackClient connectClient(final int receiveBufferBytes) throws IOException
    {
        return LoopbackClient.connect(server.localAddress(0), CLIENT_TIMEOUT_MS, receiveBufferBytes);
    }

    /** Bytes and CRC32 of what arrived. */
    record Received(long bytes, long crc32)
    {
    }

    /** Sends {@code totalBytes} pseudo-random bytes from {@code seed}. @return their CRC32. */
    static long send(final OutputStream out, final long seed, final int totalBytes, final AtomicLong progress)
        throws IOException
    {
        final Random random = new Random(seed);
        final CRC32 crc = new CRC32();
        final byte[] chunk = new byte[CHUNK_BYTES];
        for (int sent = 0; sent < totalBytes; sent += chunk.length)
        {
            random.nextBytes(chunk);
            final int length = Math.min(chunk.length, totalBytes - sent);
            crc.update(chunk, 0, length);
            out.write(chunk, 0, length);
            progress.addAndGet(length);
        }
        out.flush();
        return crc.getValue();
    }

    /** As {@link #send(OutputStream, long, int, AtomicLong)} through a test client (each chunk within its timeout). */
    static long send(final LoopbackClient client, final long seed, final int totalBytes, final AtomicLong progress)
    {
        try
        {
            final Random random = new Random(seed);
            final CRC32 crc = new CRC32();
            final byte[] chunk = new byte[CHUNK_BYTES];
            for (int sent = 0; sent < totalBytes; sent += chunk.length)
            {
                random.nextBytes(chunk);
                final int length = Math.min(chunk.length, totalBytes - sent);
                crc.update(chunk, 0, length);
                client.writeFully(ByteBuffer.wrap(chunk, 0, length));
                progress.addAndGet(length);
            }
            return crc.getValue();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("client send failed", ex);
        }
    }

    static Received receiveUntilEof(final InputStream in) throws IOException
    {
        final CRC32 crc = new CRC32();
        final byte[] chunk = new byte[CHUNK_BYTES];
        long total = 0;
        int n;
        while ((n = in.read(chunk)) >= 0)
        {
            crc.update(chunk, 0, n);
            total += n;
        }
        return new Received(total, crc.getValue());
    }

    /** Reads until EOF, sleeping {@code pauseMs} after each read (a slow reader) when it is positive. */
    static Received receiveUntilEof(final LoopbackClient client, final long pauseMs)
        throws IOException, InterruptedException
    {
        final CRC32 crc = new CRC32();
        final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
        long total = 0;
        while (true)
        {
            chunk.clear();
            final int n = client.readSome(chunk, CLIENT_TIMEOUT_MS);
            if (n < 0)
            {
                return new Received(total, crc.getValue());
            }
            crc.update(chunk.array(), 0, n);
            total += n;
            if (pauseMs > 0)
            {
                Thread.sleep(pauseMs);
            }
        }
    }

    /** @return "eof" or "reset", after discarding whatever arrives first. */
    private static String readToEnd(final InputStream in)
    {
        try
        {
            while (in.read() >= 0)
            {
                // discard
            }
            return "eof";
        }
        catch (final IOException ex)
        {
            return LoopbackClient.isReset(ex) ? "reset" : ex.toString();
        }
    }

    private static void shutdownOutput(final LoopbackClient client)
    {
        try
        {
            client.shutdownOutput();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Waits until {@code progress} has not moved for 500 ms (at most {@code timeoutMs}). @return its value then. */
    private static long awaitStall(final AtomicLong progress, final long timeoutMs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long last = -1;
        long stableSinceNs = System.nanoTime();
        while (System.nanoTime() - deadlineNs < 0)
        {
            final long now = progress.get();
            if (now != last)
            {
                last = now;
                stableSinceNs = System.nanoTime();
            }
            else if (System.nanoTime() - stableSinceNs >= TimeUnit.MILLISECONDS.toNanos(500))
            {
                return now;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the sender never stalled: " + last + " bytes sent in " + timeoutMs + " ms");
    }

    private static void awaitTrue(final BooleanSupplier condition, final long timeoutMs, final String what)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                throw new AssertionError("not within " + timeoutMs + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }
}
