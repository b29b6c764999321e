package dev.coreloop.examples.resp;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.TreeSet;

/**
 * A redis sorted set: members to scores in a hash map (ZSCORE, ZADD's lookups in constant time) and the same entries
 * in a red-black tree ordered by score, then by member bytes as redis's {@code memcmp} orders them (ZPOPMIN/ZPOPMAX
 * in logarithmic time). A range by rank walks the tree from its low or high end, so ZRANGE costs the rank it starts
 * at plus what it returns (redis's skiplist finds a rank in logarithmic time; this is an example store).
 *
 * <p><b>Threading:</b> confined to the reactor of its shard.
 */
final class ZSetValue extends CollectionValue implements CollectionValue.Members
{
    /** A member and its score; immutable (a new score is a new entry). */
    static final class Entry
    {
        final Bytes member;
        final double score;

        Entry(final Bytes member, final double score)
        {
            this.member = member;
            this.score = score;
        }
    }

    private static final Comparator<Entry> ORDER = (a, b) ->
    {
        final int byScore = Double.compare(a.score, b.score);
        return byScore != 0 ? byScore : a.member.compareTo(b.member);
    };

    private final HashMap<Bytes, Entry> byMember = new HashMap<>();
    private final TreeSet<Entry> byScore = new TreeSet<>(ORDER);

    ZSetValue(final CollectionStore.Account account)
    {
        super(account);
    }

    @Override
    String typeName()
    {
        return "zset";
    }

    @Override
    int size()
    {
        return byMember.size();
    }

    /** {@return the entry of {@code member}, or null} */
    Entry get(final Bytes member)
    {
        return byMember.get(member);
    }

    /** Sets the score of {@code member}, adding it if absent. {@return true if it was added} */
    boolean put(final Bytes member, final double score)
    {
        final Entry previous = byMember.get(member);
        if (previous != null)
        {
            if (previous.score == score) // 0 and -0 are one score, as in redis
            {
                return false;
            }
            byScore.remove(previous);
        }
        final Entry entry = new Entry(member, score);
        byMember.put(member, entry);
        byScore.add(entry);
        if (previous == null)
        {
            grow(member.length() + 2L * ENTRY_OVERHEAD_BYTES);
            return true;
        }
        return false;
    }

    /** {@return true if {@code member} was there} */
    @Override
    public boolean remove(final Bytes member)
    {
        final Entry entry = byMember.remove(member);
        if (entry == null)
        {
            return false;
        }
        byScore.remove(entry);
        grow(-(member.length() + 2L * ENTRY_OVERHEAD_BYTES));
        return true;
    }

    /** {@return the entry with the lowest (or, if {@code max}, highest) score, removed; the set must not be empty} */
    Entry pop(final boolean max)
    {
        final Entry entry = max ? byScore.pollLast() : byScore.pollFirst();
        byMember.remove(entry.member);
        grow(-(entry.member.length() + 2L * ENTRY_OVERHEAD_BYTES));
        return entry;
    }

    /** {@return the entries from the lowest score up, or from the highest down if {@code reverse}} */
    Iterator<Entry> iterator(final boolean reverse)
    {
        return reverse ? byScore.descendingIterator() : byScore.iterator();
    }
}
