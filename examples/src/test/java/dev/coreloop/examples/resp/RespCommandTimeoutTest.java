package dev.coreloop.examples.resp;

import java.nio.charset.StandardCharsets;

import dev.coreloop.core.CloseReason;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slowloris: a request that has started must complete within the command timeout, however its bytes trickle in.
 * Driven by the fake reactor clock; the connection's timers are the fake reactor's.
 */
class RespCommandTimeoutTest
{
    private static final String SET = RespTestSupport.command("SET", "slow:key", "v".repeat(100));

    @Test
    void shouldCloseAClientThatTricklesACommandByteBySecondWithTheDefaultConfig()
    {
        final ShardCluster cluster = new ShardCluster(1);
        final FakeConnection client = cluster.connect(0);
        assertThat(client.send("PING\r\n").takeOutput()).isEqualTo("+PONG\r\n");
        final byte[] command = SET.getBytes(StandardCharsets.ISO_8859_1);
        int sent = 0;
        while (sent < command.length && client.closeReason() == null)
        {
            client.send(new byte[]{command[sent++]}); // every byte would reset an idle timer
            cluster.advanceMs(1_000);
        }
        assertThat(client.closeReason()).as("closed after %d of %d bytes", sent, command.length)
            .isEqualTo(CloseReason.PROTOCOL_ERROR);
        assertThat(sent).as("seconds from the first byte to the close").isEqualTo(10);
        assertThat(client.takeOutput()).isEqualTo("-ERR Protocol error: command not completed within 10000 ms\r\n");
        assertThat(cluster.shard(0).store().size()).as("the command never ran").isZero();
    }

    @Test
    void shouldCloseExactlyAtTheConfiguredDeadlineCountedFromTheFirstByte()
    {
        final ShardCluster cluster = new ShardCluster(1, new RespConfig().commandTimeoutMs(500).conclude());
        final FakeConnection client = cluster.connect(0);
        client.send("*2\r\n$3\r\nGET\r\n");
        assertThat(client.armedTimers()).isEqualTo(1);
        cluster.advanceMs(300);
        client.send("$3\r\nk"); // progress does not move the deadline
        cluster.advanceMs(199);
        assertThat(client.closeReason()).isNull();
        cluster.advanceMs(1);
        assertThat(client.takeOutput()).isEqualTo("-ERR Protocol error: command not completed within 500 ms\r\n");
        assertThat(client.closeReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
        assertThat(client.armedTimers()).isZero();
    }

    @Test
    void shouldCountAnIncompleteInlineLineOrHeaderAsAStartedRequest()
    {
        final ShardCluster cluster = new ShardCluster(1, new RespConfig().commandTimeoutMs(500).conclude());
        final FakeConnection inline = cluster.connect(0);
        final FakeConnection header = cluster.connect(0);
        inline.send("PIN");
        header.send("*1\r");
        assertThat(inline.unconsumedBytes()).isEqualTo(3);
        cluster.advanceMs(500);
        assertThat(inline.closeReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
        assertThat(header.closeReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
    }

    @Test
    void shouldLeaveAConnectionOpenOnceTheSlowRequestCompletesInTime()
    {
        final ShardCluster cluster = new ShardCluster(1, new RespConfig().commandTimeoutMs(500).conclude());
        final FakeConnection client = cluster.connect(0);
        final byte[] command = SET.getBytes(StandardCharsets.ISO_8859_1);
        client.send(java.util.Arrays.copyOf(command, 20));
        cluster.advanceMs(499);
        client.send(java.util.Arrays.copyOfRange(command, 20, command.length));
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n");
        cluster.advanceMs(60_000);
        assertThat(client.closeReason()).isNull();
        assertThat(client.armedTimers()).as("the timer fired, found no request pending, and was not re-armed").isZero();
        assertThat(client.send("PING\r\n").takeOutput()).isEqualTo("+PONG\r\n");
    }

    @Test
    void shouldNeverCloseAPipeliningClientWhoseReadsEndMidRequestAndArmOneTimerPerPeriod()
    {
        final ShardCluster cluster = new ShardCluster(1, new RespConfig().commandTimeoutMs(1_000).conclude());
        final FakeConnection client = cluster.connect(0);
        client.send("PI");
        for (int i = 0; i < 100; i++)
        {
            client.send("NG\r\nPING\r\nPI"); // completes the previous request, starts the next
            assertThat(client.takeOutput()).isEqualTo("+PONG\r\n+PONG\r\n");
            cluster.advanceMs(300);
        }
        assertThat(client.closeReason()).isNull();
        // each expiry re-arms for the request pending then (started at most 300 ms earlier): one timer per 0.7-1 s,
        // not one per delivery (100) or per request (200)
        assertThat(client.timersScheduled()).as("30 s of requests, a 1 s timeout").isBetween(30, 44);
    }

    @Test
    void shouldNotArmATimerForCompleteRequests()
    {
        final ShardCluster cluster = new ShardCluster(1);
        final FakeConnection client = cluster.connect(0);
        for (int i = 0; i < 100; i++)
        {
            client.send(RespTestSupport.command("SET", "k" + i, "v") + "PING\r\n");
        }
        assertThat(client.timersScheduled()).isZero();
    }

    @Test
    void shouldDeferTheDeadlineWhileTheConnectionsOwnBacklogPausesItsReads()
    {
        final ShardCluster cluster = new ShardCluster(1, new RespConfig().commandTimeoutMs(500).conclude());
        final FakeConnection client = cluster.connect(0);
        client.outboundCapBytes(7);
        client.send("PING\r\n*1\r\n$4\r\nPI"); // +PONG fills the outbound cap: unwritable, reads paused
        cluster.advanceMs(500);
        assertThat(client.closeReason()).as("deferred while unwritable").isNull();
        assertThat(client.takeOutput()).isEqualTo("+PONG\r\n");
        client.outboundCapBytes(Integer.MAX_VALUE);
        client.drainAndSignalWritable();
        cluster.advanceMs(499);
        assertThat(client.closeReason()).isNull();
        cluster.advanceMs(1);
        assertThat(client.closeReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
    }
}
