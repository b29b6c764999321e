package dev.coreloop.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

class ConnectionSettingsTest
{
    private static final ConnectionHandlerFactory NONE = reactor -> null;

    @Test
    void shouldTakeUnsetFieldsFromTheContext()
    {
        final ServerContext ctx = new ServerContext().idleTimeoutMs(5_000).outboundCapBytes(1 << 20).conclude();
        final ConnectionSettings resolved = ConnectionSettings.INHERIT.inboundCapBytes(32 * 1024).resolve(ctx);
        assertThat(resolved.isResolved()).isTrue();
        assertThat(resolved.idleTimeoutMs()).isEqualTo(5_000);
        assertThat(resolved.writeStallTimeoutMs()).isEqualTo(ctx.writeStallTimeoutMs());
        assertThat(resolved.inboundCapBytes()).isEqualTo(32 * 1024);
        assertThat(resolved.outboundCapBytes()).isEqualTo(1 << 20);
        assertThat(resolved.highWatermarkBytes()).isEqualTo(ctx.highWatermarkBytes());
        assertThat(resolved.lowWatermarkBytes()).isEqualTo(ctx.lowWatermarkBytes());
        assertThat(ConnectionSettings.INHERIT.resolve(ctx)).isEqualTo(ctx.connectionSettings());
    }

    @Test
    void shouldLowerInheritedWatermarksUnderASmallerCapButNotExplicitOnes()
    {
        final ServerContext ctx = new ServerContext().conclude(); // high 1 MiB, low 256 KiB
        final ConnectionSettings small = ConnectionSettings.INHERIT.outboundCapBytes(64 * 1024).resolve(ctx);
        assertThat(small.highWatermarkBytes()).isEqualTo(64 * 1024);
        assertThat(small.lowWatermarkBytes()).isEqualTo(64 * 1024 - 1);
        assertThatThrownBy(() -> ConnectionSettings.INHERIT.outboundCapBytes(64 * 1024).highWatermarkBytes(128 * 1024)
            .resolve(ctx)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("ConnectionSettings.highWatermarkBytes=131072: must be in 1..outboundCapBytes (65536)");
        assertThatThrownBy(() -> ConnectionSettings.INHERIT.highWatermarkBytes(1000).lowWatermarkBytes(1000)
            .resolve(ctx)).hasMessage("ConnectionSettings.lowWatermarkBytes=1000: must be in 0..highWatermarkBytes-1 (999)");
    }

    @Test
    void shouldNameFieldAndValueOfAnInvalidSetting()
    {
        assertThatThrownBy(() -> ConnectionSettings.INHERIT.idleTimeoutMs(0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("ConnectionSettings.idleTimeoutMs=0: must be in 1..31536000000");
        assertThatThrownBy(() -> ConnectionSettings.INHERIT.writeStallTimeoutMs(-5))
            .hasMessageStartingWith("ConnectionSettings.writeStallTimeoutMs=-5: ");
        assertThatThrownBy(() -> ConnectionSettings.INHERIT.outboundCapBytes(0))
            .hasMessage("ConnectionSettings.outboundCapBytes=0: must be >= 1");
        assertThatThrownBy(() -> ConnectionSettings.INHERIT.lowWatermarkBytes(-1))
            .hasMessage("ConnectionSettings.lowWatermarkBytes=-1: must be >= 0");
        final ServerContext ctx = new ServerContext().conclude();
        assertThatThrownBy(() -> ConnectionSettings.INHERIT.inboundCapBytes(1000).resolve(ctx))
            .hasMessage("ConnectionSettings.inboundCapBytes=1000: must be in bufferChunkBytes..bufferSegmentBytes" +
                " (16384..4194304)");
        assertThatThrownBy(() -> ConnectionSettings.INHERIT.outboundCapBytes(8 << 20).resolve(ctx))
            .as("a connect's ring must fit the segments the context derived")
            .hasMessage("ConnectionSettings.outboundCapBytes=8388608: must be in bufferChunkBytes..bufferSegmentBytes" +
                " (16384..4194304)");
        assertThatThrownBy(() -> ConnectionSettings.INHERIT.resolve(new ServerContext()))
            .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldNameTheListenerWhoseSettingsDoNotResolve()
    {
        final ServerContext ctx = new ServerContext()
            .listen(new InetSocketAddress(0), NONE)
            .listen(new InetSocketAddress(0), NONE, ConnectionSettings.INHERIT.outboundCapBytes(128 << 20));
        assertThatThrownBy(ctx::conclude).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("ServerContext.listen[1].settings.outboundCapBytes=134217728: must be in " +
                "bufferChunkBytes..bufferPoolBytesPerReactor (16384..67108864)");
        assertThat(ctx.isConcluded()).isFalse();
    }

    @Test
    void shouldResolveEachListenerAtConclude()
    {
        final ServerContext ctx = new ServerContext().idleTimeoutMs(1_000)
            .listen(new InetSocketAddress(0), NONE)
            .listen(new InetSocketAddress(0), NONE, 60_000)
            .listen(new InetSocketAddress(0), NONE, ConnectionSettings.INHERIT.outboundCapBytes(32 * 1024)
                .writeStallTimeoutMs(250))
            .conclude();
        assertThat(ctx.listeners().get(0).settings()).isEqualTo(ctx.connectionSettings());
        assertThat(ctx.listeners().get(1).idleTimeoutMs()).isEqualTo(60_000);
        assertThat(ctx.listeners().get(2).settings().idleTimeoutMs()).isEqualTo(1_000);
        assertThat(ctx.listeners().get(2).settings().outboundCapBytes()).isEqualTo(32 * 1024);
        assertThat(ctx.listeners().get(2).settings().writeStallTimeoutMs()).isEqualTo(250);
        assertThat(ctx.listeners().get(2).settings().isResolved()).isTrue();
    }

    @Test
    void shouldBeAValue()
    {
        final ConnectionSettings a = ConnectionSettings.INHERIT.idleTimeoutMs(5).outboundCapBytes(1 << 16);
        final ConnectionSettings b = ConnectionSettings.INHERIT.outboundCapBytes(1 << 16).idleTimeoutMs(5);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(ConnectionSettings.INHERIT);
        assertThat(a).hasToString("ConnectionSettings{idleTimeoutMs=5, outboundCapBytes=65536}");
        assertThat(ConnectionSettings.INHERIT).hasToString("ConnectionSettings{inherit}");
        assertThat(ConnectionSettings.INHERIT.idleTimeoutMs()).isEqualTo(ConnectionSettings.UNSET);
    }
}
