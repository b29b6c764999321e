package dev.coreloop.core.acceptor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.ServerContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link AcceptLoop#hold()} stops accepting at once, mid-batch, and leaves the remaining connections in the kernel's
 * listen queue (no OP_ACCEPT interest, so the selector cannot report the listener); {@link AcceptLoop#release()}
 * takes them from there. Real sockets on 127.0.0.1, driven by hand on the test thread.
 */
@Timeout(30)
class AcceptLoopHoldIT
{
    private static final int PENDING = 5;

    private final List<SocketChannel> accepted = new ArrayList<>();
    private final List<SocketChannel> clients = new ArrayList<>();
    private ServerSocketChannel listener;
    private Selector selector;
    private AcceptLoop loop;
    private boolean holdOnNext;

    @AfterEach
    void tearDown() throws IOException
    {
        for (final SocketChannel channel : accepted)
        {
            channel.close();
        }
        for (final SocketChannel channel : clients)
        {
            channel.close();
        }
        if (loop != null)
        {
            loop.close();
        }
        if (selector != null)
        {
            selector.close();
        }
    }

    @Test
    void shouldStopAcceptingMidBatchWhileHeldAndResumeOnRelease() throws Exception
    {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0), 64);
        final AtomicCounter emfileBackoffs = new CountersManager(
            new UnsafeBuffer(new byte[64 * 1024]), new UnsafeBuffer(new byte[16 * 1024])).newCounter("emfile");
        loop = new AcceptLoop("test", new ServerSocketChannel[] {listener}, new ServerContext(), emfileBackoffs,
            (channel, listenerIndex, nowNs) ->
            {
                accepted.add(channel);
                if (holdOnNext)
                {
                    holdOnNext = false;
                    loop.hold();
                }
            });
        selector = Selector.open();
        loop.register(selector);
        for (int i = 0; i < PENDING; i++)
        {
            clients.add(SocketChannel.open(listener.getLocalAddress())); // the kernel completes the handshake
        }

        holdOnNext = true;
        assertThat(selectAndAccept()).as("accepted in the batch that held").isEqualTo(1);
        assertThat(loop.isHeld()).isTrue();
        final SelectionKey key = selector.keys().iterator().next();
        assertThat(key.interestOps()).as("interest while held").isZero();
        assertThat(selector.select(k -> { }, 50)).as("the held listener is not reported").isZero();

        loop.release();
        assertThat(loop.isHeld()).isFalse();
        assertThat(key.interestOps()).isEqualTo(SelectionKey.OP_ACCEPT);
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (accepted.size() < PENDING && System.nanoTime() - deadlineNs < 0)
        {
            selectAndAccept();
        }
        assertThat(accepted).as("every pending connection, from the listen queue").hasSize(PENDING);
        assertThat(emfileBackoffs.get()).isZero();
    }

    private int selectAndAccept() throws IOException
    {
        final int[] count = new int[1];
        selector.select(key -> count[0] += loop.onAcceptable((AcceptLoop.ListenerSlot)key.attachment(), System.nanoTime()),
            1_000);
        return count[0];
    }
}
