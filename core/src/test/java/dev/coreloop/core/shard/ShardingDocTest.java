package dev.coreloop.core.shard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/sharding.md shows {@link ShardedCounter} verbatim (everything after its package line), so the page compiles. */
class ShardingDocTest
{
    @Test
    void shouldShowTheShardedCounterExactlyAsItCompiles() throws IOException
    {
        final Path root = projectRoot();
        final String doc = Files.readString(root.resolve("docs/sharding.md"), StandardCharsets.UTF_8);
        final int section = doc.indexOf("## The example");
        assertThat(section).as("docs/sharding.md has an example section").isNotNegative();
        final int start = doc.indexOf("```java\n", section) + "```java\n".length();
        final int end = doc.indexOf("\n```", start);
        final String shown = doc.substring(start, end);

        final String source = Files.readString(
            root.resolve("core/src/test/java/dev/coreloop/core/shard/ShardedCounter.java"), StandardCharsets.UTF_8);
        final String afterPackage = source.substring(source.indexOf(";\n") + 2).strip();
        assertThat(shown.strip()).isEqualTo(afterPackage);
    }

    private static Path projectRoot()
    {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/sharding.md")))
        {
            dir = dir.getParent();
        }
        assertThat(dir).as("docs/sharding.md above " + Path.of("").toAbsolutePath()).isNotNull();
        return dir;
    }
}
