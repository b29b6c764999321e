package dev.coreloop.examples.resp;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

import org.agrona.DirectBuffer;

/**
 * Scores as redis 7.0 reads and writes them. Reading accepts what C's {@code strtod} accepts in decimal — an optional
 * sign, digits with an optional point, an optional exponent, or {@code inf}/{@code infinity} in any case — over the
 * whole argument, and refuses NaN, surrounding spaces, and a value that overflows to infinity or underflows to zero;
 * hexadecimal floats (which {@code strtod} also reads) are refused here. Writing is C's {@code "%.17g"} (17
 * significant digits, trailing zeros dropped, an exponent below 1e-4 and from 1e17), {@code inf} and {@code -inf},
 * and {@code 0} for either zero.
 *
 * <p><b>Threading:</b> stateless; safe on any thread. Both directions allocate (collections only).
 */
final class RedisDouble
{
    private static final MathContext SEVENTEEN_DIGITS = new MathContext(17, RoundingMode.HALF_EVEN);

    private RedisDouble()
    {
    }

    /** {@return the value of the argument, or NaN if redis would answer "value is not a valid float"} */
    static double parse(final DirectBuffer buffer, final int offset, final int length)
    {
        final String text = buffer.getStringWithoutLengthAscii(offset, length);
        int i = 0;
        if (i < length && (text.charAt(i) == '+' || text.charAt(i) == '-'))
        {
            i++;
        }
        final String unsigned = text.substring(i);
        if (unsigned.equalsIgnoreCase("inf") || unsigned.equalsIgnoreCase("infinity"))
        {
            return text.charAt(0) == '-' ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        boolean digits = false;
        boolean nonZeroDigit = false;
        while (i < length && isDigit(text.charAt(i)))
        {
            nonZeroDigit |= text.charAt(i) != '0';
            digits = true;
            i++;
        }
        if (i < length && text.charAt(i) == '.')
        {
            i++;
            while (i < length && isDigit(text.charAt(i)))
            {
                nonZeroDigit |= text.charAt(i) != '0';
                digits = true;
                i++;
            }
        }
        if (!digits)
        {
            return Double.NaN;
        }
        if (i < length && (text.charAt(i) == 'e' || text.charAt(i) == 'E'))
        {
            i++;
            if (i < length && (text.charAt(i) == '+' || text.charAt(i) == '-'))
            {
                i++;
            }
            final int exponentStart = i;
            while (i < length && isDigit(text.charAt(i)))
            {
                i++;
            }
            if (i == exponentStart)
            {
                return Double.NaN;
            }
        }
        if (i != length)
        {
            return Double.NaN;
        }
        final double value = Double.parseDouble(text);
        if (Double.isInfinite(value) || (value == 0 && nonZeroDigit))
        {
            return Double.NaN; // strtod's ERANGE: overflow or underflow to zero
        }
        return value;
    }

    /** {@return the score as redis 7.0 writes it in a reply} */
    static byte[] format(final double value)
    {
        return toText(value).getBytes(StandardCharsets.US_ASCII);
    }

    /** {@return the score as redis 7.0 writes it in a reply, as text} */
    static String toText(final double value)
    {
        if (value == Double.POSITIVE_INFINITY)
        {
            return "inf";
        }
        if (value == Double.NEGATIVE_INFINITY)
        {
            return "-inf";
        }
        if (value == 0)
        {
            return "0";
        }
        final BigDecimal rounded = new BigDecimal(value).round(SEVENTEEN_DIGITS);
        String digits = rounded.unscaledValue().abs().toString();
        final int exponent = digits.length() - 1 - rounded.scale();
        int end = digits.length();
        while (end > 1 && digits.charAt(end - 1) == '0')
        {
            end--;
        }
        digits = digits.substring(0, end);
        final StringBuilder text = new StringBuilder(32);
        if (value < 0)
        {
            text.append('-');
        }
        if (exponent < -4 || exponent >= 17)
        {
            text.append(digits.charAt(0));
            if (digits.length() > 1)
            {
                text.append('.').append(digits, 1, digits.length());
            }
            text.append('e').append(exponent < 0 ? '-' : '+');
            final int magnitude = Math.abs(exponent);
            if (magnitude < 10)
            {
                text.append('0');
            }
            text.append(magnitude);
        }
        else if (exponent >= 0)
        {
            if (digits.length() <= exponent + 1)
            {
                text.append(digits);
                for (int i = digits.length(); i <= exponent; i++)
                {
                    text.append('0');
                }
            }
            else
            {
                text.append(digits, 0, exponent + 1).append('.').append(digits, exponent + 1, digits.length());
            }
        }
        else
        {
            text.append("0.");
            for (int i = -1; i > exponent; i--)
            {
                text.append('0');
            }
            text.append(digits);
        }
        return text.toString();
    }

    private static boolean isDigit(final char c)
    {
        return c >= '0' && c <= '9';
    }
}
