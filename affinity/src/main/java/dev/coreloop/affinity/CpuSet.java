package dev.coreloop.affinity;

import java.util.Arrays;
import java.util.BitSet;

/**
 * An immutable set of logical CPU ids, printed in the kernel's list form ({@code "0-3,8,10-11"}).
 *
 * <p><b>Threading:</b> immutable; any thread.
 */
public final class CpuSet
{
    /** The largest CPU id accepted by the parser (the kernel's NR_CPUS ceiling on x86-64 and arm64). */
    public static final int MAX_CPU_ID = 8191;

    private static final CpuSet EMPTY = new CpuSet(new BitSet());

    private final BitSet bits;

    private CpuSet(final BitSet bits)
    {
        this.bits = bits;
    }

    /** {@return the empty set} */
    public static CpuSet empty()
    {
        return EMPTY;
    }

    /**
     * {@return a set of the given CPU ids}
     *
     * @param cpuIds CPU ids, each in 0..{@link #MAX_CPU_ID}.
     */
    public static CpuSet of(final int... cpuIds)
    {
        final BitSet bits = new BitSet();
        for (final int cpuId : cpuIds)
        {
            checkCpuId(cpuId);
            bits.set(cpuId);
        }
        return new CpuSet(bits);
    }

    /**
     * {@return a copy of {@code bits} as a set}
     *
     * @param bits one bit set per CPU id.
     */
    public static CpuSet of(final BitSet bits)
    {
        final BitSet copy = (BitSet)bits.clone();
        if (copy.length() > MAX_CPU_ID + 1)
        {
            throw new IllegalArgumentException("CPU id " + (copy.length() - 1) + " is above " + MAX_CPU_ID);
        }
        return new CpuSet(copy);
    }

    /**
     * Parses the kernel's CPU list form: comma-separated CPU ids and inclusive ranges ({@code "0-3,8,10-11"}),
     * whitespace around items ignored. An empty or blank string is the empty set (the kernel writes an empty line
     * for "none", e.g. in {@code isolated}).
     *
     * @param list the text.
     * @return the set.
     * @throws IllegalArgumentException naming the bad item and its position.
     */
    public static CpuSet parse(final String list)
    {
        final int[] sequence = parseSequence(list);
        final BitSet bits = new BitSet();
        for (final int cpuId : sequence)
        {
            bits.set(cpuId);
        }
        return new CpuSet(bits);
    }

    /**
     * Parses a CPU list like {@link #parse(String)} but keeps the written order and any repeats, so that a caller
     * placing one thread per item can detect a CPU named twice.
     *
     * @param list the text.
     * @return the CPU ids in the written order, ranges expanded.
     * @throws IllegalArgumentException naming the bad item and its position.
     */
    public static int[] parseSequence(final String list)
    {
        if (list == null || list.isBlank())
        {
            return new int[0];
        }
        int[] out = new int[8];
        int size = 0;
        int itemStart = 0;
        final int length = list.length();
        while (itemStart <= length)
        {
            int itemEnd = list.indexOf(',', itemStart);
            if (itemEnd < 0)
            {
                itemEnd = length;
            }
            final String item = list.substring(itemStart, itemEnd).trim();
            if (item.isEmpty())
            {
                throw new IllegalArgumentException(
                    "bad CPU list '" + list + "': empty item at position " + itemStart);
            }
            final int dash = item.indexOf('-');
            final int first;
            final int last;
            if (dash < 0)
            {
                first = parseCpuId(list, item, itemStart);
                last = first;
            }
            else
            {
                first = parseCpuId(list, item.substring(0, dash).trim(), itemStart);
                last = parseCpuId(list, item.substring(dash + 1).trim(), itemStart);
                if (last < first)
                {
                    throw new IllegalArgumentException(
                        "bad CPU list '" + list + "': range '" + item + "' at position " + itemStart + " runs backwards");
                }
            }
            for (int cpuId = first; cpuId <= last; cpuId++)
            {
                if (size == out.length)
                {
                    out = Arrays.copyOf(out, size * 2);
                }
                out[size++] = cpuId;
            }
            itemStart = itemEnd + 1;
        }
        return Arrays.copyOf(out, size);
    }

    private static int parseCpuId(final String list, final String text, final int position)
    {
        if (text.isEmpty())
        {
            throw new IllegalArgumentException(
                "bad CPU list '" + list + "': missing CPU number at position " + position);
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                throw new IllegalArgumentException(
                    "bad CPU list '" + list + "': '" + text + "' at position " + position + " is not a CPU number");
            }
            value = value * 10 + (c - '0');
            if (value > MAX_CPU_ID)
            {
                throw new IllegalArgumentException(
                    "bad CPU list '" + list + "': CPU " + text + " at position " + position + " is above " + MAX_CPU_ID);
            }
        }
        return value;
    }

    private static void checkCpuId(final int cpuId)
    {
        if (cpuId < 0 || cpuId > MAX_CPU_ID)
        {
            throw new IllegalArgumentException("CPU id " + cpuId + " is outside 0-" + MAX_CPU_ID);
        }
    }

    /**
     * {@return true if the set holds {@code cpuId}}
     *
     * @param cpuId a CPU id.
     */
    public boolean contains(final int cpuId)
    {
        return cpuId >= 0 && bits.get(cpuId);
    }

    /**
     * {@return true if every CPU of {@code other} is in this set}
     *
     * @param other another set.
     */
    public boolean containsAll(final CpuSet other)
    {
        final BitSet missing = (BitSet)other.bits.clone();
        missing.andNot(bits);
        return missing.isEmpty();
    }

    /**
     * {@return true if the two sets share a CPU}
     *
     * @param other another set.
     */
    public boolean intersects(final CpuSet other)
    {
        return bits.intersects(other.bits);
    }

    /** {@return how many CPUs the set holds} */
    public int size()
    {
        return bits.cardinality();
    }

    /** {@return true if the set holds no CPU} */
    public boolean isEmpty()
    {
        return bits.isEmpty();
    }

    /** {@return the lowest CPU id, or -1 when empty} */
    public int first()
    {
        return bits.nextSetBit(0);
    }

    /** {@return the highest CPU id, or -1 when empty} */
    public int last()
    {
        return bits.length() - 1;
    }

    /**
     * {@return the lowest CPU id above {@code cpuId}, or -1 when none}
     *
     * @param cpuId a CPU id, or -1 to start from the lowest.
     */
    public int next(final int cpuId)
    {
        return bits.nextSetBit(cpuId + 1);
    }

    /** {@return the CPU ids in ascending order} */
    public int[] toArray()
    {
        return bits.stream().toArray();
    }

    /** {@return a copy as a {@link BitSet}} */
    public BitSet toBitSet()
    {
        return (BitSet)bits.clone();
    }

    /**
     * {@return the CPUs in either set}
     *
     * @param other another set.
     */
    public CpuSet union(final CpuSet other)
    {
        final BitSet result = (BitSet)bits.clone();
        result.or(other.bits);
        return new CpuSet(result);
    }

    /**
     * {@return the CPUs in both sets}
     *
     * @param other another set.
     */
    public CpuSet intersect(final CpuSet other)
    {
        final BitSet result = (BitSet)bits.clone();
        result.and(other.bits);
        return new CpuSet(result);
    }

    /**
     * {@return the CPUs of this set that are not in {@code other}}
     *
     * @param other another set.
     */
    public CpuSet minus(final CpuSet other)
    {
        final BitSet result = (BitSet)bits.clone();
        result.andNot(other.bits);
        return new CpuSet(result);
    }

    /** {@return the kernel list form, e.g. {@code "0-3,8"}; the empty set prints as {@code ""}} */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        int start = bits.nextSetBit(0);
        while (start >= 0)
        {
            final int end = bits.nextClearBit(start) - 1;
            if (sb.length() > 0)
            {
                sb.append(',');
            }
            sb.append(start);
            if (end > start)
            {
                sb.append('-').append(end);
            }
            start = bits.nextSetBit(end + 1);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof CpuSet && ((CpuSet)o).bits.equals(bits);
    }

    @Override
    public int hashCode()
    {
        return bits.hashCode();
    }
}
