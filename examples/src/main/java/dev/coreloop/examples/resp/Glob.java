package dev.coreloop.examples.resp;

/**
 * Redis-style glob matching with {@code *} and {@code ?} (CONFIG GET patterns). Not for hot paths.
 *
 * <p><b>Threading:</b> stateless; safe on any thread.
 */
final class Glob
{
    private Glob()
    {
    }

    static boolean matches(final String pattern, final String text)
    {
        return matches(pattern, 0, text, 0);
    }

    private static boolean matches(final String pattern, final int p, final String text, final int t)
    {
        if (p == pattern.length())
        {
            return t == text.length();
        }
        final char c = pattern.charAt(p);
        if (c == '*')
        {
            for (int i = t; i <= text.length(); i++)
            {
                if (matches(pattern, p + 1, text, i))
                {
                    return true;
                }
            }
            return false;
        }
        return t < text.length() && (c == '?' || c == text.charAt(t)) && matches(pattern, p + 1, text, t + 1);
    }
}
