package dev.coreloop.core.it;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import dev.coreloop.core.test.EchoTestServer;
import dev.coreloop.core.test.LoopbackClient;
import dev.coreloop.core.test.ServerThreads;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An idle reactor burns (almost) no CPU, including when it holds a half-closed connection: a socket whose
 * peer sent FIN stays "readable" forever, so a loop that kept read interest on it would spin.
 */
class IdleLoopCpuIT extends EchoServerTestBase
{
    private static final long IDLE_WINDOW_MS = 1_000;
    /** A spinning loop burns the whole window; an idle one a few milliseconds. Generous for a busy machine. */
    private static final long MAX_IDLE_CPU_MS = 150;

    @Test
    @Timeout(20)
    void halfClosedConnectionDoesNotMakeTheLoopSpin() throws Exception
    {
        assumeTrue(ServerThreads.cpuTimeSupported(), "thread CPU time is needed");
        server = EchoTestServer.start(1, true, ctx -> ctx.idleTimeoutMs(60_000));
        final byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
        try (LoopbackClient halfClosed = server.connect();
            LoopbackClient open = server.connect())
        {
            assertThat(halfClosed.roundTrip(ping)).isEqualTo(ping);
            assertThat(open.roundTrip(ping)).isEqualTo(ping);
            halfClosed.shutdownOutput();
            server.events().await(() -> server.events().inputClosed() == 1, 5_000, "the server sees the FIN");
            assertThat(server.events().closed()).as("the handler keeps the half-closed connection").isZero();

            final long cpuMs = reactorCpuMsOver(IDLE_WINDOW_MS);
            System.out.printf("reactor-0 CPU over %d ms idle with a half-closed connection: %d ms%n",
                IDLE_WINDOW_MS, cpuMs);
            assertThat(cpuMs).isLessThan(MAX_IDLE_CPU_MS);

            // The other connection on the same reactor is still served.
            assertThat(open.roundTrip(ping)).isEqualTo(ping);
            assertThat(server.events().closed()).isZero();
        }
        // The half-closed connections stay open (no read interest, so our close is invisible to them) until
        // the server shuts down after the test.
    }

    @Test
    @Timeout(20)
    void idleReactorWithOpenConnectionsDoesNotSpin() throws Exception
    {
        assumeTrue(ServerThreads.cpuTimeSupported(), "thread CPU time is needed");
        server = EchoTestServer.start(1, false, ctx -> ctx.idleTimeoutMs(60_000));
        final byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
        try (LoopbackClient a = server.connect();
            LoopbackClient b = server.connect())
        {
            assertThat(a.roundTrip(ping)).isEqualTo(ping);
            assertThat(b.roundTrip(ping)).isEqualTo(ping);
            final long cpuMs = reactorCpuMsOver(IDLE_WINDOW_MS);
            System.out.printf("reactor-0 CPU over %d ms idle: %d ms%n", IDLE_WINDOW_MS, cpuMs);
            assertThat(cpuMs).isLessThan(MAX_IDLE_CPU_MS);
        }
    }

    private static long reactorCpuMsOver(final long windowMs) throws InterruptedException
    {
        final Thread reactor = ServerThreads.reactor(0);
        Thread.sleep(100); // let the reactor finish the cycle that saw the last event
        final long startCpuNs = ServerThreads.cpuTimeNs(reactor);
        Thread.sleep(windowMs);
        final long endCpuNs = ServerThreads.cpuTimeNs(reactor);
        assertThat(startCpuNs).as("reactor CPU time readable").isGreaterThanOrEqualTo(0);
        return TimeUnit.NANOSECONDS.toMillis(endCpuNs - startCpuNs);
    }
}
