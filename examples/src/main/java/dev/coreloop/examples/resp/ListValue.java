package dev.coreloop.examples.resp;

/**
 * A redis list: a double-ended queue of byte strings in a circular array that doubles when full, with constant-time
 * push and pop at both ends and by-index access (LRANGE, LINDEX).
 *
 * <p><b>Threading:</b> confined to the reactor of its shard.
 */
final class ListValue extends CollectionValue
{
    private static final int INITIAL_CAPACITY = 8;

    private byte[][] elements = new byte[INITIAL_CAPACITY][];
    private int head;
    private int size;

    ListValue(final CollectionStore.Account account)
    {
        super(account);
        grow(INITIAL_CAPACITY * 8L);
    }

    @Override
    String typeName()
    {
        return "list";
    }

    @Override
    int size()
    {
        return size;
    }

    /** {@return the element at {@code index} from the head (0 ≤ index &lt; size)} */
    byte[] get(final int index)
    {
        return elements[(head + index) & (elements.length - 1)];
    }

    void pushLeft(final byte[] element)
    {
        ensureRoom();
        head = (head - 1) & (elements.length - 1);
        elements[head] = element;
        size++;
        grow(element.length + ENTRY_OVERHEAD_BYTES);
    }

    void pushRight(final byte[] element)
    {
        ensureRoom();
        elements[(head + size) & (elements.length - 1)] = element;
        size++;
        grow(element.length + ENTRY_OVERHEAD_BYTES);
    }

    /** {@return the head element, removed; the list must not be empty} */
    byte[] popLeft()
    {
        final byte[] element = elements[head];
        elements[head] = null;
        head = (head + 1) & (elements.length - 1);
        size--;
        grow(-(element.length + ENTRY_OVERHEAD_BYTES));
        return element;
    }

    /** {@return the tail element, removed; the list must not be empty} */
    byte[] popRight()
    {
        final int tail = (head + size - 1) & (elements.length - 1);
        final byte[] element = elements[tail];
        elements[tail] = null;
        size--;
        grow(-(element.length + ENTRY_OVERHEAD_BYTES));
        return element;
    }

    private void ensureRoom()
    {
        if (size < elements.length)
        {
            return;
        }
        final byte[][] larger = new byte[elements.length * 2][];
        for (int i = 0; i < size; i++)
        {
            larger[i] = get(i);
        }
        grow((larger.length - elements.length) * 8L);
        elements = larger;
        head = 0;
    }
}
