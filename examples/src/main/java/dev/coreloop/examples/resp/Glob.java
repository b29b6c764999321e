package dev.coreloop.examples.resp;

/**
 * Redis-style glob matching (the semantics of redis's {@code stringmatchlen} in util.c), used for
 * {@code CONFIG GET} patterns. Not for hot paths.
 *
 * <ul>
 *   <li>{@code *} matches any run of characters, empty included; {@code ?} matches one character.</li>
 *   <li>{@code [abc]} matches one of the listed characters, {@code [^abc]} one that is not listed, {@code [a-z]} a
 *       range (either order: {@code [z-a]} is the same range). Inside brackets {@code \x} is the character {@code x}
 *       (compared exactly, even when ignoring case, as redis does). An unterminated {@code [} runs to the end of
 *       the pattern; {@code []} matches nothing.</li>
 *   <li>{@code \x} outside brackets is the character {@code x}; a trailing {@code \} is itself.</li>
 *   <li>Ignoring case (as {@code CONFIG GET} does) folds ASCII letters.</li>
 * </ul>
 *
 * <p>One difference from redis: {@code *} matches the empty text (redis's loop answers "no" for an empty string);
 * no name {@code CONFIG GET} matches against is empty.
 *
 * <p>Cost: the classic two-pointer matcher with one backtrack point, the last {@code *} seen. Every token but
 * {@code *} matches exactly one character, so when a later token fails it is always enough to retry from the last
 * star one character further on: earlier stars never need revisiting. Time is at most O(pattern length x text
 * length), memory O(1), and nothing recurses, so no pattern can freeze a reactor (the recursive matcher this
 * replaces took 4.6 s for 14 stars) or overflow its stack. {@code CONFIG GET} also refuses patterns longer than
 * {@link #MAX_PATTERN_BYTES}, which bounds the work one request can ask for.
 *
 * <p><b>Threading:</b> stateless; safe on any thread.
 */
final class Glob
{
    /** Longest pattern {@code CONFIG GET} accepts, in bytes; a longer one is an error reply. */
    static final int MAX_PATTERN_BYTES = 1024;

    private Glob()
    {
    }

    /** @return whether {@code text} matches {@code pattern}, case-sensitively. */
    static boolean matches(final String pattern, final String text)
    {
        return matches(pattern, text, false);
    }

    /**
     * @param ignoreCase fold ASCII letters (redis's {@code nocase}).
     * @return whether {@code text} matches {@code pattern}.
     */
    static boolean matches(final String pattern, final String text, final boolean ignoreCase)
    {
        final int patternLength = pattern.length();
        final int textLength = text.length();
        int p = 0;
        int t = 0;
        int starNext = -1; // pattern index after the last star run, or -1 before any star
        int starText = 0;  // text index that star run is currently taken to end at
        while (t < textLength)
        {
            if (p < patternLength)
            {
                if (pattern.charAt(p) == '*')
                {
                    while (p < patternLength && pattern.charAt(p) == '*')
                    {
                        p++;
                    }
                    if (p == patternLength)
                    {
                        return true; // a trailing star takes the rest of the text
                    }
                    starNext = p;
                    starText = t;
                    continue;
                }
                final int next = matchOne(pattern, p, text.charAt(t), ignoreCase);
                if (next >= 0)
                {
                    p = next;
                    t++;
                    continue;
                }
            }
            if (starNext < 0)
            {
                return false;
            }
            // let the last star take one more character, and match the rest of the pattern again from there
            starText++;
            t = starText;
            p = starNext;
        }
        while (p < patternLength && pattern.charAt(p) == '*')
        {
            p++;
        }
        return p == patternLength;
    }

    /**
     * Matches the one-character token at {@code pattern[p]} (not a star) against {@code c}.
     *
     * @return the index after the token if it matches, else -1.
     */
    private static int matchOne(final String pattern, final int p, final char c, final boolean ignoreCase)
    {
        final int patternLength = pattern.length();
        final char token = pattern.charAt(p);
        switch (token)
        {
            case '?':
                return p + 1;

            case '[':
                return matchClass(pattern, p + 1, c, ignoreCase);

            case '\\':
                if (patternLength - p >= 2)
                {
                    return same(pattern.charAt(p + 1), c, ignoreCase) ? p + 2 : -1;
                }
                return same(token, c, ignoreCase) ? p + 1 : -1;

            default:
                return same(token, c, ignoreCase) ? p + 1 : -1;
        }
    }

    /**
     * Matches a bracket expression whose body starts at {@code pattern[start]} (just after the {@code [}), step by
     * step as redis does, quirks included.
     *
     * @return the index after its closing {@code ]} (or the pattern's end if unterminated) if {@code c} matches, else -1.
     */
    private static int matchClass(final String pattern, final int start, final char c, final boolean ignoreCase)
    {
        final int patternLength = pattern.length();
        int i = start;
        final boolean negated = i < patternLength && pattern.charAt(i) == '^';
        if (negated)
        {
            i++;
        }
        boolean matched = false;
        int end;
        while (true)
        {
            if (i >= patternLength)
            {
                end = patternLength; // unterminated: the class runs to the end of the pattern
                break;
            }
            final char member = pattern.charAt(i);
            if (member == '\\' && patternLength - i >= 2)
            {
                i++;
                if (pattern.charAt(i) == c)
                {
                    matched = true;
                }
            }
            else if (member == ']')
            {
                end = i + 1;
                break;
            }
            else if (patternLength - i >= 3 && pattern.charAt(i + 1) == '-')
            {
                char low = member;
                char high = pattern.charAt(i + 2);
                if (low > high)
                {
                    final char swap = low;
                    low = high;
                    high = swap;
                }
                char probe = c;
                if (ignoreCase)
                {
                    low = lower(low);
                    high = lower(high);
                    probe = lower(probe);
                }
                if (probe >= low && probe <= high)
                {
                    matched = true;
                }
                i += 2;
            }
            else if (same(member, c, ignoreCase))
            {
                matched = true;
            }
            i++;
        }
        return matched != negated ? end : -1;
    }

    private static boolean same(final char patternChar, final char c, final boolean ignoreCase)
    {
        return patternChar == c || (ignoreCase && lower(patternChar) == lower(c));
    }

    private static char lower(final char c)
    {
        return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
    }
}
