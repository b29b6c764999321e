package dev.coreloop.affinity;

import java.util.Locale;

/**
 * JSON string literals for the reports that coreloop prints as JSON (the pin report here, the launcher's
 * {@code topology --json}): one escaper, so that every report escapes alike.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
public final class JsonStrings
{
    private JsonStrings()
    {
    }

    /**
     * Appends {@code value} as a JSON string literal: in quotes, with {@code "} and {@code \} escaped, the common
     * control characters as {@code \n \r \t \b \f} and the other ones below U+0020 as {@code \}{@code u00XX}.
     *
     * @param sb    where to append.
     * @param value the text; null appends the JSON literal {@code null}.
     * @return {@code sb}.
     */
    public static StringBuilder append(final StringBuilder sb, final String value)
    {
        if (value == null)
        {
            return sb.append("null");
        }
        sb.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default ->
                {
                    if (c < 0x20)
                    {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"');
    }

    /**
     * {@return {@code value} as a JSON string literal, see {@link #append(StringBuilder, String)}}
     *
     * @param value the text; null gives the JSON literal {@code null}.
     */
    public static String quote(final String value)
    {
        return append(new StringBuilder(value == null ? 4 : value.length() + 2), value).toString();
    }
}
