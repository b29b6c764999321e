package dev.coreloop.core.conn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/connection-states.md and {@link ConnTransitions} must say the same thing: the allowed transitions, the
 * timers per state, the events, and every cell of the (event x state) matrix.
 */
class ConnTransitionsDocTest
{
    private static List<List<List<String>>> tables;

    @BeforeAll
    static void parse() throws IOException
    {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/connection-states.md")))
        {
            dir = dir.getParent();
        }
        assertThat(dir).as("docs/connection-states.md above " + Path.of("").toAbsolutePath()).isNotNull();
        tables = parseTables(Files.readAllLines(dir.resolve("docs/connection-states.md"), StandardCharsets.UTF_8));
    }

    /** Every markdown table as rows of trimmed cells, without the header separator. */
    static List<List<List<String>>> parseTables(final List<String> lines)
    {
        final List<List<List<String>>> result = new ArrayList<>();
        List<List<String>> current = null;
        for (final String raw : lines)
        {
            final String line = raw.trim();
            if (!line.startsWith("|"))
            {
                current = null;
                continue;
            }
            if (current == null)
            {
                current = new ArrayList<>();
                result.add(current);
            }
            if (line.matches("\\|(\\s*:?-+:?\\s*\\|)+"))
            {
                continue;
            }
            final List<String> cells = new ArrayList<>();
            for (final String cell : line.substring(1, line.length() - 1).split("\\|", -1))
            {
                cells.add(cell.trim());
            }
            current.add(cells);
        }
        return result;
    }

    private static List<List<String>> table(final String firstHeader)
    {
        for (final List<List<String>> table : tables)
        {
            if (table.get(0).get(0).equals(firstHeader))
            {
                return table;
            }
        }
        throw new AssertionError("no table whose first header is '" + firstHeader + "'");
    }

    @Test
    void shouldDocumentTheAllowedTransitionsExactly()
    {
        final List<List<String>> table = table("From");
        final Map<ConnState, Set<ConnState>> documented = new LinkedHashMap<>();
        for (final List<String> row : table.subList(1, table.size()))
        {
            final Set<ConnState> targets = EnumSet.noneOf(ConnState.class);
            if (!row.get(1).equals("(none)"))
            {
                for (final String name : row.get(1).split(","))
                {
                    targets.add(ConnState.valueOf(name.trim()));
                }
            }
            documented.put(ConnState.valueOf(row.get(0)), targets);
        }
        assertThat(documented.keySet()).containsExactly(ConnState.values());
        for (final ConnState from : ConnState.values())
        {
            for (final ConnState to : ConnState.values())
            {
                assertThat(documented.get(from).contains(to)).as("%s -> %s", from, to)
                    .isEqualTo(ConnTransitions.isAllowed(from, to));
            }
        }
    }

    @Test
    void shouldDocumentTheTimersOfEveryState()
    {
        final List<List<String>> table = table("State");
        final List<List<String>> timerTable = tables.stream()
            .filter(t -> t.get(0).get(0).equals("State") && t.get(0).get(1).equals("Timers"))
            .findFirst().orElseThrow(() -> new AssertionError("no State | Timers table: " + table.get(0)));
        assertThat(timerTable).hasSize(ConnState.values().length + 1);
        for (final List<String> row : timerTable.subList(1, timerTable.size()))
        {
            assertThat(row.get(1)).as("timers of %s", row.get(0))
                .isEqualTo(ConnTransitions.timers(ConnState.valueOf(row.get(0))));
        }
    }

    @Test
    void shouldDocumentEveryEvent()
    {
        final List<List<String>> table = table("Event");
        final List<String> names = new ArrayList<>();
        for (final List<String> row : table.subList(1, table.size()))
        {
            names.add(row.get(0));
            assertThat(row.get(1)).isEqualTo(ConnEvent.valueOf(row.get(0)).description());
        }
        final List<String> expected = new ArrayList<>();
        for (final ConnEvent event : ConnEvent.values())
        {
            expected.add(event.name());
        }
        assertThat(names).isEqualTo(expected);
    }

    @Test
    void shouldDocumentEveryCellOfTheMatrix()
    {
        final List<List<String>> table = table("Event \\ State");
        final List<String> header = table.get(0);
        final List<String> states = new ArrayList<>();
        for (final ConnState state : ConnState.values())
        {
            states.add(state.name());
        }
        assertThat(header.subList(1, header.size())).isEqualTo(states);
        assertThat(table).hasSize(ConnEvent.values().length + 1);
        for (final List<String> row : table.subList(1, table.size()))
        {
            final ConnEvent event = ConnEvent.valueOf(row.get(0));
            assertThat(row).hasSize(states.size() + 1);
            for (int i = 1; i < row.size(); i++)
            {
                final ConnState state = ConnState.valueOf(header.get(i));
                assertThat(row.get(i)).as("%s x %s", state, event).isEqualTo(ConnTransitions.describe(state, event));
            }
        }
    }

    @Test
    void shouldDocumentFlowControlBesideTheLifecycle()
    {
        final List<List<String>> table = table("Field");
        final List<String> fields = new ArrayList<>();
        for (final List<String> row : table.subList(1, table.size()))
        {
            fields.add(row.get(0));
        }
        assertThat(fields).as("the flow-control fields of docs/connection-states.md")
            .containsExactly("writable", "readPausePolicy", "readPausedByHandler", "inbound ring full");
        final String policyRow = table.get(2).get(1);
        for (final dev.coreloop.core.ReadPausePolicy policy : dev.coreloop.core.ReadPausePolicy.values())
        {
            assertThat(policyRow).as("read-pause policy %s documented", policy).contains("`" + policy.name() + "`");
        }
        for (final ConnState state : ConnState.values())
        {
            assertThat(state.name()).as("flow control is not a lifecycle state").doesNotContain("BACKPRESSURE");
        }
    }
}
