package dev.coreloop.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Server#start} in a JVM without {@link Server#REQUIRED_JVM_OPTION}: it refuses up front, before any server
 * thread exists, with an {@link IllegalStateException} that names the option, instead of Agrona's bare
 * {@link IllegalAccessError} from a reactor's first buffer. The same child with the option starts, so the test
 * cannot pass because the child fails for another reason. Runs on whatever JDK runs the tests (17 and 25 in CI).
 */
class MissingJvmOptionIT
{
    @Test
    @Timeout(60)
    void shouldRefuseToStartAndNameTheOptionWhenJdkInternalMiscIsNotExported() throws Exception
    {
        final List<String> output = runChild(false);

        assertThat(output).as("child output").anySatisfy(line -> assertThat(line).startsWith("REFUSED "));
        final String refusal = output.stream().filter(line -> line.startsWith("REFUSED ")).findFirst().orElseThrow();
        assertThat(refusal).contains("Add the JVM option " + Server.REQUIRED_JVM_OPTION + " ");
        assertThat(output).as("no server thread was started").contains("THREADS ");
    }

    @Test
    @Timeout(60)
    void shouldStartWithTheOption() throws Exception
    {
        final List<String> output = runChild(true);

        assertThat(output).as("child output").contains("STARTED");
        assertThat(output).anySatisfy(line -> assertThat(line).startsWith("THREADS ").contains("reactor-0"));
    }

    @Test
    void testJvmShouldRunWithExactlyTheDocumentedOption()
    {
        // One flag everywhere: the build's test JVMs (test.jvm.args) use the option the server names.
        assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments())
            .contains(Server.REQUIRED_JVM_OPTION)
            .noneMatch(arg -> arg.startsWith("--add-opens"));
    }

    /** Runs {@link MissingJvmOptionMain} with no module option but, if {@code withOption}, the required one. */
    private static List<String> runChild(final boolean withOption) throws IOException, InterruptedException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1", "-ea"));
        if (withOption)
        {
            command.add(Server.REQUIRED_JVM_OPTION);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), MissingJvmOptionMain.class.getName()));
        // The test JVM's own module options must not leak in through the environment either.
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        final Path stderr = Files.createTempFile("missing-jvm-option", ".err");
        try
        {
            final Process child = builder.redirectError(stderr.toFile()).start();
            final String stdout = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child exits").isTrue();
            final String errors = Files.readString(stderr);
            assertThat(child.exitValue()).as("child exit status; stdout:%n%s%nstderr:%n%s", stdout, errors).isZero();
            return stdout.lines().toList();
        }
        finally
        {
            Files.deleteIfExists(stderr);
        }
    }
}
