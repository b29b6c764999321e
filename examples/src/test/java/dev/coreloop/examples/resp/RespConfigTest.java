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
        assertThat(config.maxBulkBytes()).isEqualTo(512 * 1024);
        assertThat(config.commandTimeoutMs()).isEqualTo(10_000);
        assertThat(config.idleTimeoutMs()).isEqualTo(3_600_000);
        assertThat(config.isConcluded()).isTrue();
    }

    @Test
    void shouldNameTheFieldAndValueOutOfRange()
    {
        assertThatThrownBy(() -> new RespConfig().maxBulkBytes(0).conclude())
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBulkBytes").hasMessageContaining("0");
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
    void shouldRejectBadCommandLineOptionsNamingThem()
    {
        assertThatThrownBy(() -> RespServer.main(new String[]{"--port", "x"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--port").hasMessageContaining("'x'");
        assertThatThrownBy(() -> RespServer.main(new String[]{"--reactors", "0"}))
            .hasMessageContaining("--reactors").hasMessageContaining("0");
        assertThatThrownBy(() -> RespServer.main(new String[]{"--idle-mode", "nap"}))
            .hasMessageContaining("--idle-mode").hasMessageContaining("nap");
        assertThatThrownBy(() -> RespServer.main(new String[]{"--bogus", "1"})).hasMessageContaining("--bogus");
        assertThatThrownBy(() -> RespServer.main(new String[]{"--port"})).hasMessageContaining("missing value");
    }
}
