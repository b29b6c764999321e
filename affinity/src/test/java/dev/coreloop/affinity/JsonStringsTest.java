package dev.coreloop.affinity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonStringsTest
{
    @Test
    void shouldEscapeQuotesBackslashesAndEveryControlCharacter()
    {
        final StringBuilder all = new StringBuilder("a\"b\\c/");
        for (char c = 0; c < 0x20; c++)
        {
            all.append(c);
        }
        final String quoted = JsonStrings.quote(all.toString());
        assertThat(quoted).startsWith("\"a\\\"b\\\\c/\\u0000\\u0001").endsWith("\\u001f\"")
            .contains("\\b\\t\\n\\u000b\\f\\r");
        for (int i = 1; i < quoted.length() - 1; i++)
        {
            assertThat(quoted.charAt(i)).as("no raw control character at %d", i).isGreaterThanOrEqualTo(' ');
        }
        JsonSyntax.check(quoted);
        assertThat(JsonStrings.quote("hé ✓")).isEqualTo("\"hé ✓\"");
        assertThat(JsonStrings.quote(null)).isEqualTo("null");
        assertThat(JsonStrings.append(new StringBuilder("x:"), "y").toString()).isEqualTo("x:\"y\"");
    }
}
