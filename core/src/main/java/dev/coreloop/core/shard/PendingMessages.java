package dev.coreloop.core.shard;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

/**
 * Messages for one destination that its ring refused, in sending order: {@code [type int][length int][bytes]}
 * records, FIFO. While it is not empty, every newer message to that destination joins it too, so messages (and the
 * fragments of one message) reach the destination in the order they were sent. The space of sent records is reused:
 * the buffer is compacted before it would grow, so it stays within a small factor of what is queued.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class PendingMessages
{
    private static final int RECORD_HEADER_LENGTH = 8;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(256);
    private int head;
    private int tail;
    private int count;

    boolean isEmpty()
    {
        return count == 0;
    }

    int count()
    {
        return count;
    }

    int bytes()
    {
        return tail - head;
    }

    void add(final int msgTypeId, final DirectBuffer src, final int offset, final int length)
    {
        if (tail + RECORD_HEADER_LENGTH + length > buffer.capacity() && head > 0)
        {
            buffer.putBytes(0, buffer, head, tail - head);
            tail -= head;
            head = 0;
        }
        buffer.putInt(tail, msgTypeId);
        buffer.putInt(tail + 4, length);
        buffer.putBytes(tail + RECORD_HEADER_LENGTH, src, offset, length);
        tail += RECORD_HEADER_LENGTH + length;
        count++;
    }

    DirectBuffer buffer()
    {
        return buffer;
    }

    int headType()
    {
        return buffer.getInt(head);
    }

    int headOffset()
    {
        return head + RECORD_HEADER_LENGTH;
    }

    int headLength()
    {
        return buffer.getInt(head + 4);
    }

    void removeHead()
    {
        head += RECORD_HEADER_LENGTH + buffer.getInt(head + 4);
        if (--count == 0)
        {
            head = 0;
            tail = 0;
        }
    }
}
