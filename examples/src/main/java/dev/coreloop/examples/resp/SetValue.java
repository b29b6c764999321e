package dev.coreloop.examples.resp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.SplittableRandom;

/**
 * A redis set: its members in an array (so that SPOP picks a uniformly random one in constant time) and a hash map
 * from member to its position in that array (so that SADD, SREM and SISMEMBER are constant time). A removed member's
 * place is taken by the last member.
 *
 * <p><b>Threading:</b> confined to the reactor of its shard.
 */
final class SetValue extends CollectionValue implements CollectionValue.Members
{
    private final ArrayList<Bytes> members = new ArrayList<>();
    private final HashMap<Bytes, Integer> positions = new HashMap<>();

    SetValue(final CollectionStore.Account account)
    {
        super(account);
    }

    @Override
    String typeName()
    {
        return "set";
    }

    @Override
    int size()
    {
        return members.size();
    }

    /** {@return the member at {@code index} (0 ≤ index &lt; size), in no particular order} */
    Bytes get(final int index)
    {
        return members.get(index);
    }

    boolean contains(final Bytes member)
    {
        return positions.containsKey(member);
    }

    /** {@return true if {@code member} was not there} */
    boolean add(final Bytes member)
    {
        if (positions.putIfAbsent(member, members.size()) != null)
        {
            return false;
        }
        members.add(member);
        grow(member.length() + ENTRY_OVERHEAD_BYTES);
        return true;
    }

    /** {@return true if {@code member} was there} */
    @Override
    public boolean remove(final Bytes member)
    {
        final Integer position = positions.remove(member);
        if (position == null)
        {
            return false;
        }
        removeAt(position);
        return true;
    }

    /** {@return a uniformly chosen member, removed; the set must not be empty} */
    Bytes popRandom(final SplittableRandom random)
    {
        final int position = random.nextInt(members.size());
        final Bytes member = members.get(position);
        positions.remove(member);
        removeAt(position);
        return member;
    }

    private void removeAt(final int position)
    {
        final Bytes removed = members.get(position);
        final Bytes last = members.remove(members.size() - 1);
        if (position < members.size())
        {
            members.set(position, last);
            positions.put(last, position);
        }
        grow(-(removed.length() + ENTRY_OVERHEAD_BYTES));
    }
}
