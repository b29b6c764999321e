package dev.coreloop.examples.resp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A redis hash: fields to values in a {@link LinkedHashMap}, so that HGETALL lists fields in the order they were first
 * set, as redis does for the small hashes it keeps as listpacks.
 *
 * <p><b>Threading:</b> confined to the reactor of its shard.
 */
final class HashValue extends CollectionValue implements CollectionValue.Members
{
    private final LinkedHashMap<Bytes, byte[]> fields = new LinkedHashMap<>();

    HashValue(final CollectionStore.Account account)
    {
        super(account);
    }

    @Override
    String typeName()
    {
        return "hash";
    }

    @Override
    int size()
    {
        return fields.size();
    }

    /** {@return the value of {@code field}, or null} */
    byte[] get(final Bytes field)
    {
        return fields.get(field);
    }

    /** Sets {@code field}. {@return true if it is a new field} */
    boolean put(final Bytes field, final byte[] value)
    {
        final byte[] previous = fields.put(field, value);
        if (previous == null)
        {
            grow(field.length() + value.length + ENTRY_OVERHEAD_BYTES);
            return true;
        }
        grow(value.length - previous.length);
        return false;
    }

    /** {@return true if {@code field} was there} */
    @Override
    public boolean remove(final Bytes field)
    {
        final byte[] previous = fields.remove(field);
        if (previous == null)
        {
            return false;
        }
        grow(-(field.length() + previous.length + ENTRY_OVERHEAD_BYTES));
        return true;
    }

    /** {@return the fields and values, in the order the fields were first set} */
    Iterable<Map.Entry<Bytes, byte[]>> entries()
    {
        return fields.entrySet();
    }
}
