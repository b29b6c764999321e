package dev.coreloop.examples.http;

import org.agrona.MutableDirectBuffer;

/**
 * Formats an HTTP date (IMF-fixdate, RFC 9110 §5.6.7, e.g. {@code Sun, 06 Nov 1994 08:49:37 GMT}) straight
 * into a buffer, with integer arithmetic only: no {@code java.time}, no String, no allocation.
 */
public final class HttpDate
{
    /** Length of an IMF-fixdate in bytes. */
    public static final int LENGTH = 29;

    private static final byte[] DAY_NAMES = HttpMethod.ascii("SunMonTueWedThuFriSat");
    private static final byte[] MONTH_NAMES = HttpMethod.ascii("JanFebMarAprMayJunJulAugSepOctNovDec");

    private HttpDate()
    {
    }

    /**
     * Writes {@link #LENGTH} bytes at {@code offset}.
     *
     * @param epochMs wall-clock time in epoch milliseconds (UTC); milliseconds are truncated.
     */
    public static void format(final long epochMs, final MutableDirectBuffer buffer, final int offset)
    {
        final long epochSeconds = Math.floorDiv(epochMs, 1000L);
        final long days = Math.floorDiv(epochSeconds, 86_400L);
        final int secondOfDay = (int)(epochSeconds - days * 86_400L);
        final int dayOfWeek = (int)Math.floorMod(days + 4, 7L); // 1970-01-01 was a Thursday; 0 = Sunday

        // civil-from-days (proleptic Gregorian), eras of 400 years starting on 0000-03-01
        final long z = days + 719_468L;
        final long era = Math.floorDiv(z, 146_097L);
        final long dayOfEra = z - era * 146_097L;
        final long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        final long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        final long shiftedMonth = (5 * dayOfYear + 2) / 153;
        final int day = (int)(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1);
        final int month = (int)(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9);
        final long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

        int i = offset;
        buffer.putBytes(i, DAY_NAMES, dayOfWeek * 3, 3);
        i += 3;
        buffer.putByte(i++, (byte)',');
        buffer.putByte(i++, (byte)' ');
        i = putTwoDigits(buffer, i, day);
        buffer.putByte(i++, (byte)' ');
        buffer.putBytes(i, MONTH_NAMES, (month - 1) * 3, 3);
        i += 3;
        buffer.putByte(i++, (byte)' ');
        final int year4 = (int)Math.floorMod(year, 10_000L);
        i = putTwoDigits(buffer, i, year4 / 100);
        i = putTwoDigits(buffer, i, year4 % 100);
        buffer.putByte(i++, (byte)' ');
        i = putTwoDigits(buffer, i, secondOfDay / 3600);
        buffer.putByte(i++, (byte)':');
        i = putTwoDigits(buffer, i, (secondOfDay / 60) % 60);
        buffer.putByte(i++, (byte)':');
        i = putTwoDigits(buffer, i, secondOfDay % 60);
        buffer.putByte(i++, (byte)' ');
        buffer.putByte(i++, (byte)'G');
        buffer.putByte(i++, (byte)'M');
        buffer.putByte(i, (byte)'T');
    }

    private static int putTwoDigits(final MutableDirectBuffer buffer, final int index, final int value)
    {
        buffer.putByte(index, (byte)('0' + value / 10));
        buffer.putByte(index + 1, (byte)('0' + value % 10));
        return index + 2;
    }
}
