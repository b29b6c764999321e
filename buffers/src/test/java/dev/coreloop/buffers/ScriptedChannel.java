package dev.coreloop.buffers;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ScatteringByteChannel;

/**
 * A test channel: reads serve bytes from a script then EOF; writes are recorded. Each call moves at most
 * {@code maxBytesPerCall}, which can be changed between calls to model partial reads and writes.
 */
final class ScriptedChannel implements ScatteringByteChannel, GatheringByteChannel
{
    private final byte[] input;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private int inputPosition;
    int maxBytesPerCall;
    int scatteringReads;
    int gatheringWrites;
    int singleReads;
    int singleWrites;

    ScriptedChannel(final byte[] input, final int maxBytesPerCall)
    {
        this.input = input;
        this.maxBytesPerCall = maxBytesPerCall;
    }

    byte[] written()
    {
        return output.toByteArray();
    }

    @Override
    public long read(final ByteBuffer[] dsts, final int offset, final int length)
    {
        scatteringReads++;
        return readInto(dsts, offset, length);
    }

    private long readInto(final ByteBuffer[] dsts, final int offset, final int length)
    {
        if (inputPosition == input.length)
        {
            return -1;
        }
        long total = 0;
        int budget = maxBytesPerCall;
        for (int i = offset; i < offset + length && budget > 0 && inputPosition < input.length; i++)
        {
            final int n = Math.min(Math.min(dsts[i].remaining(), budget), input.length - inputPosition);
            dsts[i].put(input, inputPosition, n);
            inputPosition += n;
            budget -= n;
            total += n;
        }
        return total;
    }

    @Override
    public long read(final ByteBuffer[] dsts)
    {
        return read(dsts, 0, dsts.length);
    }

    @Override
    public int read(final ByteBuffer dst)
    {
        singleReads++;
        return (int)readInto(new ByteBuffer[]{ dst }, 0, 1);
    }

    @Override
    public long write(final ByteBuffer[] srcs, final int offset, final int length)
    {
        gatheringWrites++;
        return writeFrom(srcs, offset, length);
    }

    private long writeFrom(final ByteBuffer[] srcs, final int offset, final int length)
    {
        long total = 0;
        int budget = maxBytesPerCall;
        for (int i = offset; i < offset + length && budget > 0; i++)
        {
            final int n = Math.min(srcs[i].remaining(), budget);
            final byte[] chunk = new byte[n];
            srcs[i].get(chunk);
            output.write(chunk, 0, n);
            budget -= n;
            total += n;
        }
        return total;
    }

    @Override
    public long write(final ByteBuffer[] srcs)
    {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public int write(final ByteBuffer src)
    {
        singleWrites++;
        return (int)writeFrom(new ByteBuffer[]{ src }, 0, 1);
    }

    @Override
    public boolean isOpen()
    {
        return true;
    }

    @Override
    public void close()
    {
    }
}
