package dev.coreloop.bench.scaling;

import java.util.concurrent.TimeUnit;

import dev.coreloop.affinity.ThreadPinner;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every server of the sweep answers every workload as the load client expects (status 200, no RESP error, replies
 * counted exactly), with two reactors and several connections, unpinned.
 */
class ServerKindIT
{
    @ParameterizedTest
    @EnumSource(ServerKind.class)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldServeEveryWorkloadToTheLoadClient(final ServerKind kind) throws Exception
    {
        assumeTrue(kind.skipReason() == null, kind.id() + ": " + kind.skipReason());
        for (final Protocol protocol : Protocol.values())
        {
            try (ServerKind.Running server = kind.start(protocol, 2, ThreadPinner.unpinned());
                LoadClient client = new LoadClient(protocol, server.address(), 6, 3))
            {
                client.open();
                for (int i = 0; i < 2_000; i++)
                {
                    client.awaitResponse();
                }
                assertThat(client.completed()).isEqualTo(2_000);
                assertThat(client.latencyNs().getTotalCount()).as(kind + " " + protocol).isGreaterThanOrEqualTo(2_000);
                assertThat(ServerCpuClock.cpuNs(server.serverThreads())).as("server threads found by name")
                    .isPositive();
            }
        }
    }
}
