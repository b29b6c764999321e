package dev.coreloop.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;

import org.junit.jupiter.api.Test;

class ServerContextTest
{
    @Test
    void shouldNameFieldAndValueOfInvalidConfig()
    {
        assertThatThrownBy(() -> new ServerContext().lowWatermarkBytes(2 << 20).conclude())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("lowWatermarkBytes=2097152");
        assertThatThrownBy(() -> new ServerContext().messageRingBytes(1000).conclude())
            .hasMessageContaining("messageRingBytes=1000");
        assertThatThrownBy(() -> new ServerContext().reactorCount(-1).conclude())
            .hasMessageContaining("reactorCount=-1");
        assertThatThrownBy(() -> new ServerContext().idleTimeoutMs(0).conclude())
            .hasMessageContaining("idleTimeoutMs=0");
        assertThatThrownBy(() -> new ServerContext().highWatermarkBytes(8 << 20).conclude())
            .hasMessageContaining("highWatermarkBytes=8388608");
        assertThatThrownBy(() -> new ServerContext().listen(new InetSocketAddress(0), reactor -> null, -1))
            .hasMessageStartingWith("ServerContext.listen[0].idleTimeoutMs=-1: must be in 0..31536000000");
        assertThatThrownBy(() -> new ServerContext().listen(new InetSocketAddress(0), reactor -> null)
            .listen(new InetSocketAddress(0), reactor -> null, 400L * 86_400_000))
            .hasMessageContaining("listen[1].idleTimeoutMs=34560000000");
    }

    @Test
    void shouldDeriveDefaultsAndFreeze()
    {
        final ServerContext ctx = new ServerContext().listen(new InetSocketAddress(0), reactor -> null).conclude();
        assertThat(ctx.reactorCount()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(ctx.placement()).isNotNull();
        assertThat(ctx.transitionSink()).isNotNull();
        assertThat(ctx.nanoClock()).isNotNull();
        assertThat(ctx.tcpNoDelay()).isTrue();
        assertThat(ctx.listeners().get(0).idleTimeoutMs()).as("resolved to the context's").isEqualTo(ctx.idleTimeoutMs());
        assertThat(ctx.listeners().get(0).settings()).isEqualTo(ctx.connectionSettings());
        assertThatThrownBy(() -> ctx.idleTimeoutMs(5)).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("idleTimeoutMs");
    }

    @Test
    void shouldRejectTheSameServiceTypeTwice()
    {
        assertThatThrownBy(() -> new ServerContext()
            .reactorService(ReactorService.class, reactor -> new ReactorService() { })
            .reactorService(ReactorService.class, reactor -> new ReactorService() { }))
            .hasMessageContaining("already registered");
    }

    @Test
    void shouldPlaceRoundRobinAndOnLeastConnections()
    {
        final PlacementPolicy roundRobin = PlacementPolicy.roundRobin();
        assertThat(new int[] { roundRobin.select(3, i -> 0), roundRobin.select(3, i -> 0), roundRobin.select(3, i -> 0),
            roundRobin.select(3, i -> 0) }).containsExactly(0, 1, 2, 0);
        final long[] open = { 5, 2, 7, 2 };
        assertThat(PlacementPolicy.leastConnections().select(4, i -> open[i])).isEqualTo(1);
    }

    @Test
    void shouldDeriveTheBufferSegmentFromTheLargestCap()
    {
        assertThat(new ServerContext().conclude().bufferSegmentBytes()).as("the 4 MiB outbound cap").isEqualTo(4 << 20);
        assertThat(new ServerContext().outboundCapBytes(64 * 1024).highWatermarkBytes(32 * 1024).lowWatermarkBytes(0)
            .conclude().bufferSegmentBytes())
            .as("at least 1 MiB").isEqualTo(1 << 20);
        assertThat(new ServerContext().listen(new InetSocketAddress(0), reactor -> null,
            ConnectionSettings.INHERIT.outboundCapBytes(5 << 20)).conclude().bufferSegmentBytes())
            .as("a listener's cap, rounded up to a power-of-two number of chunks").isEqualTo(8 << 20);
        assertThatThrownBy(() -> new ServerContext().bufferSegmentBytes(3 * 16 * 1024).conclude())
            .hasMessageStartingWith("ServerContext.bufferSegmentBytes=49152: must be a power-of-two multiple");
        assertThatThrownBy(() -> new ServerContext().bufferSegmentBytes(1 << 20).conclude())
            .hasMessageStartingWith("ServerContext.outboundCapBytes=4194304: must be <= bufferSegmentBytes (1048576)");
        assertThatThrownBy(() -> new ServerContext().bufferTrimIntervalMs(0).conclude())
            .hasMessageContaining("bufferTrimIntervalMs=0");
    }
}
