package dev.coreloop.examples.resp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.agrona.ExpandableArrayBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request stream delivered in any fragmentation parses to the same commands: every single split point, and
 * random splits into many pieces, fed the way the core feeds a handler (unconsumed bytes presented again).
 */
class RespParserFragmentationTest
{
    private static final RespConfig CONFIG = new RespConfig().conclude();

    @Property(tries = 60)
    void shouldParseTheSameCommandsWhateverTheSplitPoint(@ForAll("requests") final List<Request> requests)
    {
        final byte[] stream = encode(requests);
        final List<List<String>> expected = expected(requests);
        for (int split = 0; split <= stream.length; split++)
        {
            final int[] cuts = {split};
            assertThat(feed(stream, cuts)).as("split at %d of %d", split, stream.length).isEqualTo(expected);
        }
    }

    @Property(tries = 200)
    void shouldParseTheSameCommandsWhateverTheFragmentation(
        @ForAll("requests") final List<Request> requests, @ForAll final long seed,
        @ForAll @IntRange(min = 1, max = 40) final int pieces)
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
    }

    @Property(tries = 30)
    void shouldParseOneByteAtATime(@ForAll("requests") final List<Request> requests)
    {
        final byte[] stream = encode(requests);
        final int[] cuts = new int[stream.length];
        for (int i = 0; i < cuts.length; i++)
        {
            cuts[i] = i;
        }
        assertThat(feed(stream, cuts)).isEqualTo(expected(requests));
    }

    @Provide
    Arbitrary<List<Request>> requests()
    {
        final Arbitrary<byte[]> anyBytes = Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(24);
        final Arbitrary<byte[]> token = Arbitraries.strings().withChars("abcXYZ019:_-{}").ofMinLength(1)
            .ofMaxLength(12).map(s -> s.getBytes(StandardCharsets.US_ASCII));
        final Arbitrary<Request> array = anyBytes.list().ofMinSize(1).ofMaxSize(6).map(args -> new Request(args, false));
        final Arbitrary<Request> inline = token.list().ofMinSize(1).ofMaxSize(6).map(args -> new Request(args, true));
        return Arbitraries.oneOf(array, inline).list().ofMinSize(1).ofMaxSize(8);
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
        @Override
        public String toString()
        {
            return (inline ? "inline" : "array") + expected(List.of(this));
        }
    }
}
