package dev.coreloop.examples.resp;

import org.agrona.DirectBuffer;

/**
 * Parses a signed 64-bit decimal the way redis's {@code string2ll} does: an optional '-', then digits, no leading
 * zeros (except "0" itself), no '+', no spaces, no overflow. The result is kept in a field so that parsing
 * allocates nothing.
 *
 * <p><b>Threading:</b> one instance per owner thread; not thread-safe.
 */
final class StrictLong
{
    private static final int MAX_DIGITS_WITH_SIGN = 20;

    private long value;

    /** @return true if the bytes are a valid integer; then {@link #value()} holds it. */
    boolean parse(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1 || length > MAX_DIGITS_WITH_SIGN)
        {
            return false;
        }
        int i = offset;
        final int end = offset + length;
        final boolean negative = buffer.getByte(i) == '-';
        if (negative)
        {
            i++;
            if (i == end)
            {
                return false;
            }
        }
        if (buffer.getByte(i) == '0')
        {
            if (i + 1 == end && !negative)
            {
                value = 0;
                return true;
            }
            return false;
        }
        // accumulate as a negative number so that Long.MIN_VALUE fits
        long result = 0;
        for (; i < end; i++)
        {
            final int digit = buffer.getByte(i) - '0';
            if (digit < 0 || digit > 9)
            {
                return false;
            }
            if (result < (Long.MIN_VALUE + digit) / 10)
            {
                return false;
            }
            result = result * 10 - digit;
        }
        if (!negative)
        {
            if (result == Long.MIN_VALUE)
            {
                return false;
            }
            result = -result;
        }
        value = result;
        return true;
    }

    long value()
    {
        return value;
    }
}
