package dev.coreloop.core.reactor;

import java.util.ArrayList;
import java.util.List;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import org.agrona.DirectBuffer;

/**
 * A handler for deterministic tests: echoes (as much as the outbound ring takes) or swallows, and records what
 * the kit told it.
 *
 * <p><b>Threading:</b> the reactor thread (the test thread under a harness).
 */
final class TestHandler implements ConnectionHandler
{
    boolean echo = true;
    Connection connection;
    int opened;
    long bytesSeen;
    int inputClosed;
    final List<Boolean> writabilityChanges = new ArrayList<>();
    CloseReason closedWith;

    @Override
    public void onOpened(final Connection connection)
    {
        assert connection.reactor() instanceof ReactorHandle : "handlers see the handle, never the agent";
        this.connection = connection;
        opened++;
    }

    @Override
    public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
    {
        bytesSeen += length;
        if (!echo)
        {
            return length;
        }
        if (connection.write(buffer, offset, length))
        {
            return length;
        }
        int written = 0;
        int chunk = length >>> 1;
        while (chunk > 0 && written < length)
        {
            final int size = Math.min(chunk, length - written);
            if (connection.write(buffer, offset + written, size))
            {
                written += size;
            }
            else
            {
                chunk >>>= 1;
            }
        }
        return written;
    }

    @Override
    public void onWritabilityChanged(final Connection connection, final boolean writable)
    {
        writabilityChanges.add(writable);
    }

    @Override
    public void onInputClosed(final Connection connection)
    {
        inputClosed++;
        connection.close();
    }

    @Override
    public void onClosed(final Connection connection, final CloseReason reason)
    {
        if (closedWith != null)
        {
            throw new AssertionError("onClosed twice: " + closedWith + ", " + reason);
        }
        closedWith = reason;
    }
}
