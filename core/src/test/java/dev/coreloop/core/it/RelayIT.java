package dev.coreloop.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ConnectionHandlerFactory;
import dev.coreloop.core.ReactorContext;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.ReadPausePolicy;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.test.DumpServerThreadsOnFailure;
import dev.coreloop.core.test.LoopbackClient;
import dev.coreloop.core.test.RecordingTransitionSink;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A relay between two connections of one reactor does not deadlock when both peers write a lot before reading
 * anything. The relay sets {@link ReadPausePolicy#MANUAL} on both sides and pauses the side it reads from when the
 * other side refuses a write, resuming it when the other side is writable again: so a side whose backlog is above the
 * high watermark (its peer is not reading yet) keeps reading its own peer, who can then finish writing and start
 * reading. In the old code "backpressured" was a lifecycle state that stopped that side's own reads: each peer blocked
 * in its write, never read, and the relay stalled for good.
 */
@ExtendWith(DumpServerThreadsOnFailure.class)
@Timeout(60)
class RelayIT
{
    private static final int PAYLOAD_BYTES = 4 << 20;
    private static final int SOCKET_BUFFER_BYTES = 64 * 1024;
    private static final long PEER_TIMEOUT_MS = 15_000;

    private final RecordingTransitionSink transitions = new RecordingTransitionSink();
    private final Queue<String> relayEvents = new ConcurrentLinkedQueue<>();
    private final AtomicInteger relayErrors = new AtomicInteger();
    private Server server;

    @AfterEach
    void stopServer()
    {
        if (server != null)
        {
            server.shutdown(0);
        }
    }

    /**
     * One side of a relay: what it reads it writes to the other side; a refused write pauses this side (the input is
     * held), and the other side's {@code onWritabilityChanged(true)} resumes it. The first connection of a pair waits
     * for the second; the test sends nothing before both are open.
     */
    private final class RelaySide implements ConnectionHandler
    {
        private final RelayPairing pairing;
        private Connection connection;
        private RelaySide other;
        private boolean pausedForOther;

        RelaySide(final RelayPairing pairing)
        {
            this.pairing = pairing;
        }

        @Override
        public void onOpened(final Connection connection)
        {
            this.connection = connection;
            connection.readPausePolicy(ReadPausePolicy.MANUAL);
            pairing.onOpened(this);
        }

        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            if (other == null)
            {
                relayErrors.incrementAndGet(); // the test sends only once both sides are open
                return length;
            }
            if (other.connection.write(buffer, offset, length))
            {
                return length;
            }
            pausedForOther = true;
            connection.pauseReading();
            return 0;
        }

        @Override
        public void onWritabilityChanged(final Connection connection, final boolean writable)
        {
            relayEvents.add(connection.id() + (writable ? " writable" : " unwritable"));
            if (writable && other != null && other.pausedForOther)
            {
                other.pausedForOther = false;
                other.connection.resumeReading();
            }
        }

        @Override
        public void onInputClosed(final Connection connection)
        {
            // A peer that finished keeps its side open until the other is done too: the test closes both.
        }

        @Override
        public void onClosed(final Connection connection, final CloseReason reason)
        {
            if (other != null && other.connection.state() != ConnState.CLOSED)
            {
                other.connection.close();
            }
        }
    }

    /** Pairs connections in the order they open. Reactor thread only (one reactor). */
    private final class RelayPairing implements ConnectionHandlerFactory
    {
        private RelaySide waiting;
        final AtomicInteger pairs = new AtomicInteger();

        @Override
        public ConnectionHandler newHandler(final ReactorContext reactor)
        {
            return new RelaySide(this);
        }

        void onOpened(final RelaySide side)
        {
            if (waiting == null)
            {
                waiting = side;
                return;
            }
            side.other = waiting;
            waiting.other = side;
            waiting = null;
            pairs.incrementAndGet();
        }
    }

    /** A peer that writes its whole payload, then reads the other peer's, verifying every byte. */
    private static final class Peer implements Runnable
    {
        final String name;
        final LoopbackClient client;
        final int sendSeed;
        final int receiveSeed;
        final AtomicLong written = new AtomicLong();
        final AtomicLong read = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean done;

        Peer(final String name, final LoopbackClient client, final int sendSeed, final int receiveSeed)
        {
            this.name = name;
            this.client = client;
            this.sendSeed = sendSeed;
            this.receiveSeed = receiveSeed;
        }

        @Override
        public void run()
        {
            try
            {
                final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                while (written.get() < PAYLOAD_BYTES)
                {
                    chunk.clear();
                    final long position = written.get();
                    final int length = (int)Math.min(chunk.capacity(), PAYLOAD_BYTES - position);
                    for (int i = 0; i < length; i++)
                    {
                        chunk.put(patternByte(sendSeed, position + i));
                    }
                    chunk.flip();
                    client.writeFully(chunk);
                    written.addAndGet(length);
                }
                while (read.get() < PAYLOAD_BYTES)
                {
                    chunk.clear();
                    chunk.limit((int)Math.min(chunk.capacity(), PAYLOAD_BYTES - read.get()));
                    client.readFully(chunk);
                    final int length = chunk.position();
                    chunk.flip();
                    final long position = read.get();
                    for (int i = 0; chunk.hasRemaining(); i++)
                    {
                        final byte expected = patternByte(receiveSeed, position + i);
                        final byte actual = chunk.get();
                        if (actual != expected)
                        {
                            throw new AssertionError(name + ": byte " + (position + i) + " is " + actual +
                                ", expected " + expected);
                        }
                    }
                    read.addAndGet(length);
                }
                done = true;
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }

        static byte patternByte(final int seed, final long position)
        {
            return (byte)(seed + position * 31 + (position >>> 13));
        }

        String progress()
        {
            return name + " wrote " + written.get() + " and read " + read.get() + " of " + PAYLOAD_BYTES + " bytes" +
                (failure.get() == null ? "" : " (" + failure.get() + ")");
        }
    }

    @Test
    void shouldRelayFourMebibytesEachWayWhenBothPeersWriteBeforeReading() throws Exception
    {
        final RelayPairing pairing = new RelayPairing();
        server = Server.start(new ServerContext()
            .reactorCount(1)
            .bufferPoolBytesPerReactor(32L << 20)
            .outboundCapBytes(8 << 20).highWatermarkBytes(1 << 20).lowWatermarkBytes(256 * 1024)
            .socketReceiveBufferBytes(SOCKET_BUFFER_BYTES).socketSendBufferBytes(SOCKET_BUFFER_BYTES)
            .transitionSink(transitions)
            .listen(new InetSocketAddress("127.0.0.1", 0), pairing));

        try (LoopbackClient x = connectPeer(); LoopbackClient y = connectPeer())
        {
            final long pairedDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (pairing.pairs.get() == 0)
            {
                assertThat(System.nanoTime() - pairedDeadlineNs).as("both relay sides open").isNegative();
                LockSupport.parkNanos(1_000_000L);
            }
            final Peer peerX = new Peer("X (behind A)", x, 11, 97);
            final Peer peerY = new Peer("Y (behind B)", y, 97, 11);
            final Thread threadX = new Thread(peerX, "relay-peer-x");
            final Thread threadY = new Thread(peerY, "relay-peer-y");
            threadX.start();
            threadY.start();
            threadX.join(PEER_TIMEOUT_MS + 5_000);
            threadY.join(PEER_TIMEOUT_MS + 5_000);

            final String progress = peerX.progress() + "; " + peerY.progress() + "; relay events " + relayEvents +
                transitions.dump(20);
            assertThat(peerX.done && peerY.done).as("everything arrived: %s", progress).isTrue();
            assertThat(relayErrors.get()).isZero();
            assertThat(relayEvents).as("the relay sides really went above the high watermark")
                .anyMatch(event -> event.endsWith(" unwritable"));
            assertThat(server.counter(0, ReactorCounter.HANDLER_ERRORS)).isZero();
            assertThat(server.counter(0, ReactorCounter.BYTES_READ)).isEqualTo(2L * PAYLOAD_BYTES);
        }
    }

    private LoopbackClient connectPeer() throws IOException
    {
        final LoopbackClient client = LoopbackClient.connect(server.localAddress(0), PEER_TIMEOUT_MS,
            SOCKET_BUFFER_BYTES);
        client.channel().setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER_BYTES);
        return client;
    }
}
