package dev.coreloop.deploy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.conn.ConnState;
import dev.coreloop.core.status.ReactorCounter;
import org.agrona.MutableDirectBuffer;

/**
 * Writes a server's counters in the Prometheus text exposition format, version 0.0.4: per metric family one
 * {@code # HELP} and one {@code # TYPE} line, then one sample line per row, {@code name{labels} value}, each ended by
 * {@code \n}. Every counter becomes a family named {@code coreloop_<counter>} (with {@code _total} for the counters
 * that only count up, type {@code counter}; the others are {@code gauge}s) labelled {@code role="reactor-N"} or
 * {@code role="acceptor"}; the per-state connection gauges form one family {@code coreloop_connections} with a
 * {@code state} label, and the closes by reason one family {@code coreloop_closes_total} with a {@code reason} label.
 * The acceptor's row shows only the counters its thread writes.
 *
 * <p>Allocation: every line's text but the value is built once, here, as bytes; {@link #write} copies those bytes and
 * the values (as ASCII digits) into the caller's buffer and allocates nothing.
 *
 * <p><b>Threading:</b> immutable after construction; {@link #write} may run on any thread with its own buffer.
 */
final class PrometheusText
{
    /** The {@code Content-Type} of the format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** Where the values come from: a row per reactor, then the acceptor's. */
    interface CounterSource
    {
        /** @return the current value, read without locks. */
        long value(int row, ReactorCounter counter);
    }

    /** One family: its header lines and, per sample, the line's prefix (name and labels, then a space). */
    private record Family(byte[] header, ReactorCounter[] counters, int[] rows, byte[][] prefixes)
    {
    }

    private final Family[] families;

    /**
     * Builds every line prefix for a server of {@code reactorCount} reactors.
     *
     * @param reactorCount the reactor rows; the acceptor's row is the one after them.
     */
    PrometheusText(final int reactorCount)
    {
        final Map<String, List<ReactorCounter>> byFamily = new LinkedHashMap<>();
        for (final ReactorCounter counter : ReactorCounter.values())
        {
            if (counter == ReactorCounter.STATE_CLOSED || counter == ReactorCounter.CLOSE_NONE)
            {
                continue; // always 0: a closed connection leaves its reactor at once; every close has a reason
            }
            byFamily.computeIfAbsent(familyName(counter), name -> new ArrayList<>()).add(counter);
        }
        final List<Family> built = new ArrayList<>();
        for (final Map.Entry<String, List<ReactorCounter>> entry : byFamily.entrySet())
        {
            final String name = entry.getKey();
            final ReactorCounter first = entry.getValue().get(0);
            final String help = name.equals("coreloop_connections") ? "connections now in each state" :
                name.equals("coreloop_closes_total") ? "connections closed, by reason" : first.label();
            final String type = first.kind() == ReactorCounter.Kind.COUNT ? "counter" : "gauge";
            final String header = "# HELP " + name + " " + escapeHelp(help) + "\n# TYPE " + name + " " + type + "\n";
            final List<ReactorCounter> counters = new ArrayList<>();
            final List<Integer> rows = new ArrayList<>();
            final List<byte[]> prefixes = new ArrayList<>();
            for (final ReactorCounter counter : entry.getValue())
            {
                for (int row = 0; row <= reactorCount; row++)
                {
                    final boolean acceptor = row == reactorCount;
                    if (acceptor ? !counter.onAcceptorRow() : counter.acceptorOnly())
                    {
                        continue;
                    }
                    final String role = acceptor ? "acceptor" : "reactor-" + row;
                    counters.add(counter);
                    rows.add(row);
                    prefixes.add((name + "{role=\"" + role + "\"" + extraLabel(counter) + "} ")
                        .getBytes(StandardCharsets.UTF_8));
                }
            }
            built.add(new Family(header.getBytes(StandardCharsets.UTF_8), counters.toArray(ReactorCounter[]::new),
                rows.stream().mapToInt(Integer::intValue).toArray(), prefixes.toArray(byte[][]::new)));
        }
        families = built.toArray(Family[]::new);
    }

    /**
     * Writes every family at {@code offset}.
     *
     * @param source where the values come from.
     * @param buffer an expandable buffer (it grows on the first scrapes, then is reused).
     * @param offset where to start.
     * @return the bytes written.
     */
    int write(final CounterSource source, final MutableDirectBuffer buffer, final int offset)
    {
        int position = offset;
        for (final Family family : families)
        {
            buffer.putBytes(position, family.header);
            position += family.header.length;
            final byte[][] prefixes = family.prefixes;
            for (int i = 0; i < prefixes.length; i++)
            {
                buffer.putBytes(position, prefixes[i]);
                position += prefixes[i].length;
                position += buffer.putLongAscii(position, source.value(family.rows[i], family.counters[i]));
                buffer.putByte(position++, (byte)'\n');
            }
        }
        return position - offset;
    }

    /** @return the family name of {@code counter}. */
    static String familyName(final ReactorCounter counter)
    {
        final String name = counter.name();
        if (name.startsWith("STATE_"))
        {
            return "coreloop_connections";
        }
        if (name.startsWith("CLOSE_"))
        {
            return "coreloop_closes_total";
        }
        final String base = "coreloop_" + name.toLowerCase(Locale.ROOT);
        return counter.kind() == ReactorCounter.Kind.COUNT ? base + "_total" : base;
    }

    private static String extraLabel(final ReactorCounter counter)
    {
        final String name = counter.name();
        if (name.startsWith("STATE_"))
        {
            for (final ConnState state : ConnState.values())
            {
                if (ReactorCounter.forState(state) == counter)
                {
                    return ",state=\"" + state.name().toLowerCase(Locale.ROOT) + "\"";
                }
            }
        }
        if (name.startsWith("CLOSE_"))
        {
            for (final CloseReason reason : CloseReason.values())
            {
                if (ReactorCounter.forCloseReason(reason) == counter)
                {
                    return ",reason=\"" + reason.name().toLowerCase(Locale.ROOT) + "\"";
                }
            }
        }
        return "";
    }

    /** HELP text escapes only backslash and line feed (format 0.0.4). */
    private static String escapeHelp(final String help)
    {
        return help.replace("\\", "\\\\").replace("\n", "\\n");
    }
}
