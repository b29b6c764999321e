package dev.coreloop.bench.scaling;

import dev.coreloop.core.status.CountersSnapshot;
import dev.coreloop.core.status.ReactorCounter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The one-line connection report a failed "why not threads" row carries for a coreloop server. */
class ServerKindConnectionReportTest
{
    @Test
    void shouldNameAcceptedRegisteredRejectedAndEveryNonZeroCloseReason()
    {
        final long[][] values = new long[3][ReactorCounter.ID_LIMIT]; // two reactors, then the acceptor's row
        values[2][ReactorCounter.ACCEPTOR_ACCEPTED.id()] = 10_000;
        values[0][ReactorCounter.ACCEPTED.id()] = 4_000;
        values[1][ReactorCounter.ACCEPTED.id()] = 4_515;
        values[0][ReactorCounter.INBOX_REJECTIONS.id()] = 1_485;
        values[0][ReactorCounter.CLOSE_PEER_CLOSED.id()] = 8_000;
        values[1][ReactorCounter.CLOSE_PEER_CLOSED.id()] = 500;
        values[1][ReactorCounter.CLOSE_IDLE_TIMEOUT.id()] = 15;

        assertThat(ServerKind.coreloopConnectionReport(new CountersSnapshot(values))).isEqualTo(
            "accepted 10000, registered 8515, inbox rejections 1485, EMFILE back-offs 0, closed: PEER_CLOSED 8500, " +
            "IDLE_TIMEOUT 15");
    }

    @Test
    void shouldSayNoneWhenNothingClosed()
    {
        assertThat(ServerKind.coreloopConnectionReport(new CountersSnapshot(new long[2][ReactorCounter.ID_LIMIT])))
            .isEqualTo("accepted 0, registered 0, inbox rejections 0, EMFILE back-offs 0, closed: none");
    }
}
