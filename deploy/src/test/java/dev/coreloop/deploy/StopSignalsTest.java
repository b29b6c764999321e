package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class StopSignalsTest
{
    private final AtomicInteger aborts = new AtomicInteger();
    private final StopSignals signals = new StopSignals(aborts::incrementAndGet);

    @Test
    void shouldReportNoStopBeforeASignal() throws InterruptedException
    {
        assertThat(signals.awaitStop(0)).isNull();
    }

    @Test
    void shouldReleaseTheWaiterWithTheFirstSignalAsReason() throws InterruptedException
    {
        signals.onSignal("SIGTERM");

        assertThat(signals.awaitStop()).isEqualTo("SIGTERM");
        assertThat(aborts.get()).isZero();
    }

    @Test
    void shouldAbortOnEverySignalAfterTheFirst() throws InterruptedException
    {
        signals.onSignal("SIGINT");
        signals.onSignal("SIGTERM");
        signals.onSignal("SIGINT");

        assertThat(signals.awaitStop(0)).isEqualTo("SIGINT");
        assertThat(aborts.get()).isEqualTo(2);
    }
}
