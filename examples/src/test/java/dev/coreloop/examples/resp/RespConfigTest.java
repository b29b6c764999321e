package dev.coreloop.examples.resp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RespConfigTest
{
    @Test
    void shouldAcceptTheDefaults()
    {
        final RespConfig config = new RespConfig().conclude();
        assertThat(config.protoMaxBulkLen()).isEqualTo(64 * 1024 * 1024);
        assertThat(config.largeValueThresholdBytes()).isEqualTo(512 * 1024);
        assertThat(config.maxmemory()).as("half the heap").isEqualTo(Runtime.getRuntime().maxMemory() / 2);
        assertThat(config.maxmemoryPolicy()).isEqualTo("noeviction");
        assertThat(config.commandTimeoutMs()).isEqualTo(10_000);
        assertThat(config.idleTimeoutMs()).isEqualTo(3_600_000);
        assertThat(config.isConcluded()).isTrue();
    }

    @Test
    void shouldNameTheFieldAndValueOutOfRange()
    {
        assertThatThrownBy(() -> new RespConfig().protoMaxBulkLen(0).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("protoMaxBulkLen").hasMessageContaining("0");
        assertThatThrownBy(() -> new RespConfig().protoMaxBulkLen(512 * 1024 * 1024 + 1).conclude())
            .hasMessage("RespConfig.protoMaxBulkLen must be in [1, 536870912] but was 536870913");
        assertThatThrownBy(() -> new RespConfig().maxmemory(-2).conclude())
            .hasMessageContaining("maxmemory").hasMessageContaining("-2");
        assertThatThrownBy(() -> new RespConfig().maxRequestBytes(1024).conclude())
            .hasMessageContaining("maxRequestBytes").hasMessageContaining("1024");
        assertThatThrownBy(() -> new RespConfig().sweepIntervalMs(-5).conclude())
            .hasMessageContaining("sweepIntervalMs").hasMessageContaining("-5");
        assertThatThrownBy(() -> new RespConfig().commandTimeoutMs(0).conclude())
            .hasMessage("RespConfig.commandTimeoutMs must be in [1, 86400000] but was 0");
        assertThatThrownBy(() -> new RespConfig().idleTimeoutMs(-1).conclude())
            .hasMessage("RespConfig.idleTimeoutMs must be in [1, 31536000000] but was -1");
    }

    @Test
    void shouldBeReadOnlyOnceConcluded()
    {
        final RespConfig config = new RespConfig().conclude();
        assertThatThrownBy(() -> config.maxArgs(3)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRejectBadCommandLineOptionsNamingThem() throws InterruptedException
    {
        assertThat(usageError("--port", "x")).contains("--port must be an integer: x");
        assertThat(usageError("--reactors", "0")).contains("--reactors must be in 1..4096: 0");
        assertThat(usageError("--idle-mode", "nap")).contains("--idle-mode").contains("nap");
        assertThat(usageError("--bogus", "1")).contains("unknown option: --bogus");
        assertThat(usageError("--port")).contains("--port needs a value");
        assertThat(usageError("--proto-max-bulk-len", "536870913")).contains("--proto-max-bulk-len must be in 1..")
            .contains("536870913");
        assertThat(usageError("--maxmemory", "lots")).contains("--maxmemory must be an integer: lots");
        assertThat(usageError("--maxmemory", "-1")).contains("--maxmemory must be in 0..");
    }

    private static String usageError(final String... args) throws InterruptedException
    {
        final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        final int status = RespServer.run(args, new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
            new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(dev.coreloop.examples.ExampleMain.EXIT_USAGE);
        final String text = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(text).contains("usage: RespServer");
        return text;
    }
}
