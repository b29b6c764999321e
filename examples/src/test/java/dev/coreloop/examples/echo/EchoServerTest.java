package dev.coreloop.examples.echo;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EchoServerTest
{
    @Test
    void defaults()
    {
        final EchoServer.Options options = EchoServer.parse();
        assertThat(options.port()).isEqualTo(7007);
        assertThat(options.host()).isEqualTo("127.0.0.1");
        assertThat(options.reactors()).isZero();
        assertThat(options.help()).isFalse();
    }

    @Test
    void parsesEveryOption()
    {
        final EchoServer.Options options = EchoServer.parse("--port", "0", "--reactors", "3", "--host", "::1");
        assertThat(options).isEqualTo(new EchoServer.Options("::1", 0, 3, false));
        assertThat(EchoServer.parse("-h").help()).isTrue();
    }

    @Test
    void errorsNameTheOptionAndTheValue()
    {
        assertThatThrownBy(() -> EchoServer.parse("--port", "70000"))
            .hasMessage("--port must be in 0..65535: 70000");
        assertThatThrownBy(() -> EchoServer.parse("--reactors", "0"))
            .hasMessage("--reactors must be in 1..4096: 0");
        assertThatThrownBy(() -> EchoServer.parse("--reactors", "four"))
            .hasMessage("--reactors must be an integer: four");
        assertThatThrownBy(() -> EchoServer.parse("--port")).hasMessage("--port needs a value");
        assertThatThrownBy(() -> EchoServer.parse("--verbose")).hasMessage("unknown option: --verbose");
    }

    @Test
    void usageErrorExitsWithTwoAndPrintsUsage() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = EchoServer.run(new String[]{"--port", "x"}, print(out), print(err));
        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
            .contains("error: --port must be an integer: x")
            .contains("usage: EchoServer");
        assertThat(out.size()).isZero();
    }

    @Test
    void helpPrintsUsageAndExitsWithZero() throws Exception
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final int status = EchoServer.run(new String[]{"--help"}, print(out), print(new ByteArrayOutputStream()));
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--reactors N");
    }

    private static PrintStream print(final ByteArrayOutputStream bytes)
    {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}
