package dev.coreloop.examples.resp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.Lists;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/**
 * A request stream delivered in any fragmentation parses to the same commands: every single split point, and
 * random splits into many pieces, fed the way the core feeds a handler (unconsumed bytes presented again).
 * <p>
 * Property-based with QuickTheories: a failure is shrunk and reported with its seed; rerun it with
 * {@code -DQT_SEED=<seed>}.
 */
class RespParserFragmentationTest
{
    private static final RespConfig CONFIG = new RespConfig().conclude();

    /**
     * QuickTheories skips, but counts, an example it has already run: its first three (the shrink target, the
     * minima, the maxima) can coincide, and small inputs can repeat. These few extra keep the distinct cases run
     * at or above each property's tries.
     */
    private static final int REPEATS = 4;

    /** The characters an inline command's tokens are made of. */
    private static final List<Byte> TOKEN_CHARS = tokenChars("abcXYZ019:_-{}");

    @Test
    void shouldParseTheSameCommandsWhateverTheSplitPoint()
    {
        qt().withExamples(60 + REPEATS).forAll(requests()).checkAssert(requests ->
        {
            final byte[] stream = encode(requests);
            final List<List<String>> expected = expected(requests);
            for (int split = 0; split <= stream.length; split++)
            {
                final int[] cuts = {split};
                assertThat(feed(stream, cuts)).as("split at %d of %d", split, stream.length).isEqualTo(expected);
            }
        });
    }

    @Test
    void shouldParseTheSameCommandsWhateverTheFragmentation()
    {
        qt().withExamples(200 + REPEATS).forAll(requests(), longs().all(), integers().between(1, 40))
            .checkAssert((requests, seed, pieces) ->
            {
                final byte[] stream = encode(requests);
                final java.util.Random random = new java.util.Random(seed);
                final int[] cuts = new int[pieces];
                for (int i = 0; i < pieces; i++)
                {
                    cuts[i] = stream.length == 0 ? 0 : random.nextInt(stream.length + 1);
                }
                Arrays.sort(cuts);
                assertThat(feed(stream, cuts)).isEqualTo(expected(requests));
            });
    }

    @Test
    void shouldParseOneByteAtATime()
    {
        qt().withExamples(30 + REPEATS).forAll(requests()).checkAssert(requests ->
        {
            final byte[] stream = encode(requests);
            final int[] cuts = new int[stream.length];
            for (int i = 0; i < cuts.length; i++)
            {
                cuts[i] = i;
            }
            assertThat(feed(stream, cuts)).isEqualTo(expected(requests));
        });
    }

    /**
     * 1 to 8 requests, each either a RESP array of 1 to 6 bulk strings of 0 to 24 arbitrary bytes, or an inline
     * command of 1 to 6 tokens of 1 to 12 characters from {@link #TOKEN_CHARS}.
     */
    private static Gen<List<Request>> requests()
    {
        final Gen<byte[]> anyBytes = Generate.byteArrays(integers().between(0, 24),
            Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte)0));
        final Gen<byte[]> token = Generate.byteArrays(integers().between(1, 12), Generate.pick(TOKEN_CHARS));
        final Gen<Request> array = listsOf(anyBytes, 1, 6).map(args -> new Request(args, false));
        final Gen<Request> inline = listsOf(token, 1, 6).map(args -> new Request(args, true));
        return listsOf(Generate.oneOf(array, inline), 1, 8);
    }

    /** {@code ArrayList}s of {@code min} to {@code max} elements, described element by element when reported. */
    private static <T> Gen<List<T>> listsOf(final Gen<T> elements, final int min, final int max)
    {
        return lists().of(elements).ofType(Lists.arrayList()).ofSizeBetween(min, max);
    }

    private static List<Byte> tokenChars(final String chars)
    {
        final List<Byte> bytes = new ArrayList<>();
        for (final byte b : chars.getBytes(StandardCharsets.US_ASCII))
        {
            bytes.add(b);
        }
        return List.copyOf(bytes);
    }

    /** Feeds {@code stream} cut at {@code cuts} (sorted offsets) the way the core does. */
    static List<List<String>> feed(final byte[] stream, final int[] cuts)
    {
        final RespParser parser = new RespParser(CONFIG);
        final ExpandableArrayBuffer inbound = new ExpandableArrayBuffer(64);
        int inboundLength = 0;
        final List<List<String>> commands = new ArrayList<>();
        int from = 0;
        for (int c = 0; c <= cuts.length; c++)
        {
            final int to = c < cuts.length ? cuts[c] : stream.length;
            if (to < from)
            {
                continue;
            }
            inbound.putBytes(inboundLength, stream, from, to - from);
            inboundLength += to - from;
            from = to;
            int position = 0;
            while (position < inboundLength)
            {
                final int status = parser.parse(inbound, position, inboundLength - position);
                position += parser.consumed();
                if (status == RespParser.NEED_MORE)
                {
                    break;
                }
                if (status == RespParser.ERROR)
                {
                    throw new AssertionError("protocol error: " + parser.errorMessage());
                }
                final List<String> args = new ArrayList<>();
                for (int i = 0; i < parser.argCount(); i++)
                {
                    final byte[] bytes = new byte[parser.argLength(i)];
                    parser.argBuffer().getBytes(parser.argOffset(i), bytes);
                    args.add(new String(bytes, StandardCharsets.ISO_8859_1));
                }
                commands.add(args);
            }
            inbound.putBytes(0, inbound, position, inboundLength - position);
            inboundLength -= position;
        }
        assertThat(inboundLength).as("bytes left unconsumed").isZero();
        return commands;
    }

    static byte[] encode(final List<Request> requests)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final Request request : requests)
        {
            if (request.inline)
            {
                for (int i = 0; i < request.args.size(); i++)
                {
                    if (i > 0)
                    {
                        out.write(' ');
                    }
                    out.writeBytes(request.args.get(i));
                }
                out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            else
            {
                out.writeBytes(("*" + request.args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
                for (final byte[] arg : request.args)
                {
                    out.writeBytes(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.writeBytes(arg);
                    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
        }
        return out.toByteArray();
    }

    static List<List<String>> expected(final List<Request> requests)
    {
        final List<List<String>> commands = new ArrayList<>();
        for (final Request request : requests)
        {
            final List<String> args = new ArrayList<>();
            for (final byte[] arg : request.args)
            {
                args.add(new String(arg, StandardCharsets.ISO_8859_1));
            }
            commands.add(args);
        }
        return commands;
    }

    record Request(List<byte[]> args, boolean inline)
    {
        /** As reported for a falsifying example: each argument quoted, bytes outside printable ASCII as {@code \xNN}. */
        @Override
        public String toString()
        {
            final StringBuilder out = new StringBuilder(inline ? "inline[" : "array[");
            for (int i = 0; i < args.size(); i++)
            {
                out.append(i > 0 ? ", \"" : "\"");
                for (final byte b : args.get(i))
                {
                    if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\')
                    {
                        out.append((char)b);
                    }
                    else
                    {
                        out.append(String.format("\\x%02x", b & 0xff));
                    }
                }
                out.append('"');
            }
            return out.append(']').toString();
        }
    }
}
