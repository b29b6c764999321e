package dev.coreloop.core.it;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.test.EchoTestServer;
import dev.coreloop.core.test.FileDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Ten thousand connect/close cycles leave no file descriptor behind (server and client run in this JVM, so
 * {@code /proc/self/fd} sees both sides).
 */
class ConnectCloseCycleIT extends EchoServerTestBase
{
    private static final int WARM_UP_CYCLES = 200;
    private static final int CYCLES = 10_000;
    /** Descriptors the JVM may open lazily meanwhile (a jar, a class-data file); a leak of 0.2% of cycles is more. */
    private static final int FD_SLACK = 20;

    @Test
    @Timeout(90)
    void tenThousandConnectCloseCyclesLeakNoFileDescriptors() throws Exception
    {
        assumeTrue(FileDescriptors.supported(), "/proc/self/fd is needed");
        server = EchoTestServer.start(2);
        final InetSocketAddress address = server.address();
        final ByteBuffer out = ByteBuffer.allocateDirect(1);
        final ByteBuffer in = ByteBuffer.allocateDirect(1);

        cycles(address, WARM_UP_CYCLES, out, in);
        server.events().await(() -> server.events().closed() == WARM_UP_CYCLES, 10_000, "warm-up connections closed");
        final SortedMap<Integer, String> fdsBefore = FileDescriptors.snapshot();

        final long startNs = System.nanoTime();
        cycles(address, CYCLES, out, in);
        final int total = WARM_UP_CYCLES + CYCLES;
        // A reactor starved of CPU (a loaded CI machine) can let its bounded inbox fill; the acceptor then holds the
        // channel and stops accepting until there is room (InboxBackpressureIT), so every connection is opened.
        server.events().await(() -> server.events().opened() == total && server.events().closed() == total, 20_000,
            "every connection opened and closed on the server");
        final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        // A channel closed while registered with a selector releases its descriptor at that selector's next
        // select, so give the reactors a moment (bounded) before judging.
        final long settleDeadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (FileDescriptors.count() > fdsBefore.size() + FD_SLACK && System.nanoTime() - settleDeadlineNs < 0)
        {
            Thread.sleep(10);
        }
        final SortedMap<Integer, String> fdsAfter = FileDescriptors.snapshot();
        assertThat(server.total(ReactorCounter.INBOX_REJECTIONS)).as("connections closed at a full inbox").isZero();
        assertThat(server.total(ReactorCounter.ACCEPTED)).isEqualTo(total);
        assertThat(server.total(ReactorCounter.CLOSED)).isEqualTo(total);
        assertThat(server.total(ReactorCounter.STATE_ACTIVE)).as("connections still ACTIVE").isZero();

        System.out.printf("%d connect/close cycles in %d ms; fds before %d, after %d%n", CYCLES, tookMs,
            fdsBefore.size(), fdsAfter.size());
        assertThat(fdsAfter.size()).as("open fds after %d cycles (before: %d); new ones:%n%s", CYCLES,
            fdsBefore.size(), FileDescriptors.added(fdsBefore, fdsAfter))
            .isLessThanOrEqualTo(fdsBefore.size() + FD_SLACK);
    }

    /** Connects and closes {@code count} times; every tenth connection first does a one-byte echo. */
    private static void cycles(final InetSocketAddress address, final int count, final ByteBuffer out,
        final ByteBuffer in) throws Exception
    {
        for (int i = 0; i < count; i++)
        {
            try (SocketChannel channel = SocketChannel.open(address))
            {
                if (i % 10 == 0)
                {
                    out.clear().put(0, (byte)i);
                    channel.write(out);
                    in.clear();
                    while (in.hasRemaining())
                    {
                        assertThat(channel.read(in)).as("echo on cycle %d", i).isGreaterThanOrEqualTo(0);
                    }
                    assertThat(in.get(0)).isEqualTo((byte)i);
                }
            }
        }
    }
}
