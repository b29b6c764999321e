package dev.coreloop.affinity;

/** A strict JSON syntax checker for tests (the module has no JSON library): throws on the first error. */
final class JsonSyntax
{
    private final String text;
    private int pos;

    private JsonSyntax(final String text)
    {
        this.text = text;
    }

    static void check(final String json)
    {
        final JsonSyntax parser = new JsonSyntax(json);
        parser.value();
        parser.whitespace();
        if (parser.pos != json.length())
        {
            throw parser.error("trailing characters");
        }
    }

    private IllegalArgumentException error(final String what)
    {
        return new IllegalArgumentException(what + " at " + pos + ": " +
            text.substring(Math.max(0, pos - 20), Math.min(text.length(), pos + 20)));
    }

    private void whitespace()
    {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0)
        {
            pos++;
        }
    }

    private void expect(final char c)
    {
        whitespace();
        if (pos >= text.length() || text.charAt(pos) != c)
        {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private void value()
    {
        whitespace();
        if (pos >= text.length())
        {
            throw error("unexpected end");
        }
        final char c = text.charAt(pos);
        if (c == '{')
        {
            pos++;
            whitespace();
            if (text.charAt(pos) == '}')
            {
                pos++;
                return;
            }
            do
            {
                whitespace();
                string();
                expect(':');
                value();
                whitespace();
            }
            while (text.charAt(pos++) == ',');
            pos--;
            expect('}');
        }
        else if (c == '[')
        {
            pos++;
            whitespace();
            if (text.charAt(pos) == ']')
            {
                pos++;
                return;
            }
            do
            {
                value();
                whitespace();
            }
            while (text.charAt(pos++) == ',');
            pos--;
            expect(']');
        }
        else if (c == '"')
        {
            string();
        }
        else if (text.startsWith("true", pos) || text.startsWith("null", pos))
        {
            pos += 4;
        }
        else if (text.startsWith("false", pos))
        {
            pos += 5;
        }
        else
        {
            final int start = pos;
            while (pos < text.length() && "-+.eE0123456789".indexOf(text.charAt(pos)) >= 0)
            {
                pos++;
            }
            if (start == pos)
            {
                throw error("unexpected character");
            }
            Double.parseDouble(text.substring(start, pos));
        }
    }

    private void string()
    {
        if (text.charAt(pos) != '"')
        {
            throw error("expected string");
        }
        pos++;
        while (pos < text.length())
        {
            final char c = text.charAt(pos++);
            if (c == '"')
            {
                return;
            }
            if (c < 0x20)
            {
                throw error("control character in string");
            }
            if (c == '\\')
            {
                final char escaped = text.charAt(pos++);
                if (escaped == 'u')
                {
                    Integer.parseInt(text.substring(pos, pos + 4), 16);
                    pos += 4;
                }
                else if ("\"\\/bfnrt".indexOf(escaped) < 0)
                {
                    throw error("bad escape");
                }
            }
        }
        throw error("unterminated string");
    }
}
