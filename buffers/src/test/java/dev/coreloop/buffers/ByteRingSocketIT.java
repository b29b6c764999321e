package dev.coreloop.buffers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rings moving data through a real TCP connection on 127.0.0.1, with the data wrapping on both sides: a
 * gathering write from a wrapped ring and scattering reads into a wrapped ring.
 */
class ByteRingSocketIT
{
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldMoveWrappedDataThroughALoopbackSocketIntact() throws IOException
    {
        try (ServerSocketChannel server = ServerSocketChannel.open();
            BufferPool pool = new BufferPool(4096, 64))
        {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                SocketChannel accepted = server.accept())
            {
                client.configureBlocking(false);
                accepted.configureBlocking(false);
                final ByteRing out = new ByteRing(pool, 8192);
                final ByteRing in = new ByteRing(pool, 8192);
                final int total = 4 * 1024 * 1024;
                int sent = 0;
                int received = 0;
                int next = 0;
                final byte[] block = new byte[1000];
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (received < total)
                {
                    assertThat(System.nanoTime() - deadlineNs).as("transfer timed out").isNegative();
                    while (sent < total)
                    {
                        final int n = Math.min(block.length, total - sent);
                        for (int i = 0; i < n; i++)
                        {
                            block[i] = (byte)(sent + i);
                        }
                        if (out.append(block, 0, n) < 0)
                        {
                            break;
                        }
                        sent += n;
                    }
                    out.drainTo(client, 3000);                 // odd budgets keep both rings wrapping
                    final int read = in.fillFrom(accepted, 2500);
                    assertThat(read).isNotEqualTo(ByteRing.EOF);
                    final int check = Math.min(in.readableBytes(), 1700);
                    for (int i = 0; i < check; i++)
                    {
                        assertThat(in.getByte(i)).isEqualTo((byte)(next + i));
                    }
                    in.consume(check);
                    next += check;
                    received += check;
                }
                assertThat(received).isEqualTo(total);
                out.close();
                in.close();
                assertThat(pool.chunksInUse()).isZero();
            }
        }
    }
}
