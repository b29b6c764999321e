package com.example.echo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The guide's example server is this test tree's {@link EmbeddedEcho}, verbatim: docs/embedding.md shows the file
 * between the {@code <!-- EmbeddedEcho.java -->} marker and the end of the code block that follows it. Changing one
 * without the other fails here; {@code EmbeddedEchoIT} runs it, and .ci/embed-check.sh builds it in a project of its
 * own against the installed artifacts.
 */
class EmbeddedEchoTest
{
    static final String MARKER = "<!-- EmbeddedEcho.java -->";

    @Test
    void shouldShowTheTestedSourceInTheGuide() throws IOException
    {
        final Path root = repositoryRoot();
        final String source = Files.readString(
            root.resolve("core/src/test/java/com/example/echo/EmbeddedEcho.java"), StandardCharsets.UTF_8);
        assertThat(guideSnippet(root.resolve("docs/embedding.md"))).isEqualTo(source);
        assertThat(source.lines().count()).as("the guide promises a server in at most 40 lines").isLessThanOrEqualTo(40);
    }

    /** {@return the code block after the marker in {@code guide}, with a final newline} */
    static String guideSnippet(final Path guide) throws IOException
    {
        final List<String> lines = Files.readAllLines(guide, StandardCharsets.UTF_8);
        final int marker = lines.indexOf(MARKER);
        assertThat(marker).as(MARKER + " in " + guide).isNotNegative();
        assertThat(lines.get(marker + 1)).isEqualTo("```java");
        final StringBuilder sb = new StringBuilder();
        for (int i = marker + 2; !lines.get(i).equals("```"); i++)
        {
            sb.append(lines.get(i)).append('\n');
        }
        return sb.toString();
    }

    static Path repositoryRoot()
    {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/embedding.md")))
        {
            dir = dir.getParent();
        }
        assertThat(dir).as("docs/embedding.md above " + Path.of("").toAbsolutePath()).isNotNull();
        return dir;
    }
}
