package dev.coreloop.core.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A reactor that cannot be created (here: its message ring needs more direct memory than the JVM may reserve) fails
 * {@link Server#start} with a message that names the reactor and the setting, and leaves nothing behind: the port is
 * free again, the counters directory is gone and no server thread runs, so a corrected start can follow in the same
 * process. Runs in a child JVM with {@code -XX:MaxDirectMemorySize=16m}; the same child with small rings starts, so
 * the test cannot pass because the child fails for another reason.
 */
class ReactorCreationFailureIT
{
    @Test
    @Timeout(60)
    void shouldReleaseTheListenersAndCountersWhenAReactorCannotBeCreated() throws Exception
    {
        final List<String> output = runChild(8 << 20); // 4 reactors x 8 MiB of ring > 16 MiB

        assertThat(output).anySatisfy(line -> assertThat(line)
            .startsWith("FAILED java.lang.IllegalStateException: server failed to start: cannot create reactor-")
            .contains("messageRingBytes=8388608"));
        assertThat(output).contains("REBIND ok", "COUNTERS absent", "THREADS ");
    }

    @Test
    @Timeout(60)
    void shouldStartWithRingsThatFit() throws Exception
    {
        final List<String> output = runChild(64 << 10);

        assertThat(output).contains("STARTED", "REBIND ok", "COUNTERS absent");
    }

    private static List<String> runChild(final int messageRingBytes) throws IOException, InterruptedException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:MaxDirectMemorySize=16m",
            "-XX:TieredStopAtLevel=1", Server.REQUIRED_JVM_OPTION, "-cp", System.getProperty("java.class.path"),
            ReactorCreationFailureMain.class.getName(), Integer.toString(messageRingBytes)));
        final Path stderr = Files.createTempFile("reactor-creation-failure", ".err");
        try
        {
            final Process child = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            final String stdout = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child exits").isTrue();
            assertThat(child.exitValue()).as("child exit status; stdout:%n%s%nstderr:%n%s", stdout,
                Files.readString(stderr)).isZero();
            return stdout.lines().toList();
        }
        finally
        {
            Files.deleteIfExists(stderr);
        }
    }
}
