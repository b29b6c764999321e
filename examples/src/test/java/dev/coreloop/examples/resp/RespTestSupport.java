package dev.coreloop.examples.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Encoding of requests and a small reader of RESP2 replies, for tests. */
final class RespTestSupport
{
    private RespTestSupport()
    {
    }

    /** @return the RESP array of bulk strings for {@code args}, as ISO-8859-1 text. */
    static String command(final String... args)
    {
        final StringBuilder out = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (final String arg : args)
        {
            out.append('$').append(arg.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(arg)
                .append("\r\n");
        }
        return out.toString();
    }

    /** @return how many complete top-level replies {@code text} holds. */
    static int countTopLevelReplies(final String text)
    {
        return parseReplies(text).size();
    }

    /**
     * Reads RESP2 replies: simple strings as "+x", errors as "-x", integers as Long, bulk strings as String, null
     * as null, arrays as List.
     */
    static List<Object> parseReplies(final String text)
    {
        final List<Object> replies = new ArrayList<>();
        final int[] position = {0};
        while (position[0] < text.length())
        {
            replies.add(readReply(text, position));
        }
        return replies;
    }

    private static Object readReply(final String text, final int[] position)
    {
        final char type = text.charAt(position[0]);
        final int lineEnd = text.indexOf("\r\n", position[0]);
        if (lineEnd < 0)
        {
            throw new IllegalArgumentException("incomplete reply at " + position[0]);
        }
        final String line = text.substring(position[0] + 1, lineEnd);
        position[0] = lineEnd + 2;
        switch (type)
        {
            case '+':
                return "+" + line;
            case '-':
                return "-" + line;
            case ':':
                return Long.parseLong(line);
            case '$':
            {
                final int length = Integer.parseInt(line);
                if (length < 0)
                {
                    return null;
                }
                final String value = text.substring(position[0], position[0] + length);
                position[0] += length + 2;
                return value;
            }
            case '*':
            {
                final int count = Integer.parseInt(line);
                if (count < 0)
                {
                    return null;
                }
                final List<Object> elements = new ArrayList<>();
                for (int i = 0; i < count; i++)
                {
                    elements.add(readReply(text, position));
                }
                return elements;
            }
            default:
                throw new IllegalArgumentException("bad reply type '" + type + "' at " + (position[0] - 1));
        }
    }
}
