package dev.coreloop.examples.resp;

import dev.coreloop.core.CloseReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command's replies and errors, on one reactor (all keys local). */
class RespCommandsTest
{
    private final ShardCluster cluster = new ShardCluster(1);
    private final FakeConnection client = cluster.connect(0);

    private String call(final String... args)
    {
        client.send(RespTestSupport.command(args));
        cluster.pump();
        return client.takeOutput();
    }

    @Test
    void shouldAnswerPingAndEcho()
    {
        assertThat(call("PING")).isEqualTo("+PONG\r\n");
        assertThat(call("ping", "hello")).isEqualTo("$5\r\nhello\r\n");
        assertThat(call("PING", "a", "b")).isEqualTo("-ERR wrong number of arguments for 'ping' command\r\n");
        assertThat(call("ECHO", "")).isEqualTo("$0\r\n\r\n");
        assertThat(call("ECHO")).isEqualTo("-ERR wrong number of arguments for 'echo' command\r\n");
    }

    @Test
    void shouldSetAndGet()
    {
        assertThat(call("GET", "k")).isEqualTo("$-1\r\n");
        assertThat(call("SET", "k", "v1")).isEqualTo("+OK\r\n");
        assertThat(call("GET", "k")).isEqualTo("$2\r\nv1\r\n");
        assertThat(call("SET", "k", "a longer value")).isEqualTo("+OK\r\n");
        assertThat(call("GET", "k")).isEqualTo("$14\r\na longer value\r\n");
        assertThat(call("SET", "k", "")).isEqualTo("+OK\r\n");
        assertThat(call("GET", "k")).isEqualTo("$0\r\n\r\n");
        assertThat(call("SET", "bin", "a\r\nb\0")).isEqualTo("+OK\r\n");
        assertThat(call("GET", "bin")).isEqualTo("$5\r\na\r\nb\0\r\n");
        assertThat(call("GET")).isEqualTo("-ERR wrong number of arguments for 'get' command\r\n");
        assertThat(call("GET", "a", "b")).isEqualTo("-ERR wrong number of arguments for 'get' command\r\n");
        assertThat(call("SET", "k")).isEqualTo("-ERR wrong number of arguments for 'set' command\r\n");
    }

    @Test
    void shouldHonourNxAndXx()
    {
        assertThat(call("SET", "k", "1", "XX")).isEqualTo("$-1\r\n");
        assertThat(call("SET", "k", "1", "NX")).isEqualTo("+OK\r\n");
        assertThat(call("SET", "k", "2", "nx")).isEqualTo("$-1\r\n");
        assertThat(call("SET", "k", "3", "xx")).isEqualTo("+OK\r\n");
        assertThat(call("GET", "k")).isEqualTo("$1\r\n3\r\n");
        assertThat(call("SET", "k", "4", "NX", "XX")).isEqualTo("-ERR syntax error\r\n");
        assertThat(call("SET", "k", "4", "bogus")).isEqualTo("-ERR syntax error\r\n");
        assertThat(call("SET", "k", "4", "EX")).isEqualTo("-ERR syntax error\r\n");
    }

    @Test
    void shouldExpireWithExAndPx()
    {
        assertThat(call("SET", "k", "v", "EX", "10")).isEqualTo("+OK\r\n");
        assertThat(call("TTL", "k")).isEqualTo(":10\r\n");
        cluster.advanceMs(4_400);
        assertThat(call("TTL", "k")).isEqualTo(":6\r\n");
        cluster.advanceMs(5_599);
        assertThat(call("GET", "k")).isEqualTo("$1\r\nv\r\n");
        cluster.advanceMs(1);
        assertThat(call("GET", "k")).isEqualTo("$-1\r\n");
        assertThat(call("TTL", "k")).isEqualTo(":-2\r\n");

        assertThat(call("SET", "p", "v", "PX", "1500", "NX")).isEqualTo("+OK\r\n");
        assertThat(call("TTL", "p")).isEqualTo(":2\r\n");
        cluster.advanceMs(1500);
        assertThat(call("EXISTS", "p")).isEqualTo(":0\r\n");

        assertThat(call("SET", "k", "v", "EX", "0")).isEqualTo("-ERR invalid expire time in 'set' command\r\n");
        assertThat(call("SET", "k", "v", "PX", "-5")).isEqualTo("-ERR invalid expire time in 'set' command\r\n");
        assertThat(call("SET", "k", "v", "EX", "1x")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(call("SET", "k", "v", "EX", "9223372036854775807"))
            .isEqualTo("-ERR invalid expire time in 'set' command\r\n");
        assertThat(call("SET", "k", "v", "EX", "5", "PX", "5")).isEqualTo("-ERR syntax error\r\n");
    }

    @Test
    void shouldClearTtlOnPlainSetAndKeepItOnIncr()
    {
        call("SET", "k", "1", "EX", "100");
        assertThat(call("INCR", "k")).isEqualTo(":2\r\n");
        assertThat(call("TTL", "k")).isEqualTo(":100\r\n");
        call("SET", "k", "1");
        assertThat(call("TTL", "k")).isEqualTo(":-1\r\n");
    }

    @Test
    void shouldExpireAndReportTtl()
    {
        assertThat(call("EXPIRE", "k", "10")).isEqualTo(":0\r\n");
        call("SET", "k", "v");
        assertThat(call("TTL", "k")).isEqualTo(":-1\r\n");
        assertThat(call("EXPIRE", "k", "10")).isEqualTo(":1\r\n");
        assertThat(call("TTL", "k")).isEqualTo(":10\r\n");
        assertThat(call("EXPIRE", "k", "-1")).isEqualTo(":1\r\n");
        assertThat(call("GET", "k")).isEqualTo("$-1\r\n");
        assertThat(call("EXPIRE", "k", "ten")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(call("EXPIRE", "k", "9223372036854775807"))
            .isEqualTo("-ERR invalid expire time in 'expire' command\r\n");
        assertThat(call("TTL")).isEqualTo("-ERR wrong number of arguments for 'ttl' command\r\n");
    }

    @Test
    void shouldSweepExpiredKeysWithoutAccess()
    {
        for (int i = 0; i < 100; i++)
        {
            call("SET", "key" + i, "v", "PX", "50");
        }
        call("SET", "forever", "v");
        assertThat(cluster.shard(0).store().size()).isEqualTo(101);
        cluster.advanceMs(100); // one tick examines at most sweepSlotsPerTick (1024) slots: the table's size
        assertThat(cluster.shard(0).store().size()).isLessThan(101);
        cluster.advanceMs(100);
        assertThat(cluster.shard(0).store().size()).isEqualTo(1);
        assertThat(cluster.shard(0).keysSwept()).isEqualTo(100);
        assertThat(call("DBSIZE")).isEqualTo(":1\r\n");
    }

    @Test
    void shouldIncrementLikeRedis()
    {
        assertThat(call("INCR", "n")).isEqualTo(":1\r\n");
        assertThat(call("INCRBY", "n", "41")).isEqualTo(":42\r\n");
        assertThat(call("DECR", "n")).isEqualTo(":41\r\n");
        assertThat(call("DECRBY", "n", "50")).isEqualTo(":-9\r\n");
        assertThat(call("GET", "n")).isEqualTo("$2\r\n-9\r\n");
        assertThat(call("INCRBY", "n", "x")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(call("INCRBY", "n", "+1")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(call("INCRBY", "n", "01")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(call("INCRBY", "n", "9223372036854775808"))
            .isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(call("DECRBY", "n", "-9223372036854775808")).isEqualTo("-ERR decrement would overflow\r\n");
        call("SET", "s", "abc");
        assertThat(call("INCR", "s")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        call("SET", "s", " 1");
        assertThat(call("INCR", "s")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        call("SET", "s", "");
        assertThat(call("INCR", "s")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        call("SET", "max", "9223372036854775807");
        assertThat(call("INCR", "max")).isEqualTo("-ERR increment or decrement would overflow\r\n");
        assertThat(call("GET", "max")).isEqualTo("$19\r\n9223372036854775807\r\n");
        call("SET", "min", "-9223372036854775808");
        assertThat(call("DECR", "min")).isEqualTo("-ERR increment or decrement would overflow\r\n");
        assertThat(call("INCRBY", "min", "9223372036854775807")).isEqualTo(":-1\r\n");
        assertThat(call("INCR")).isEqualTo("-ERR wrong number of arguments for 'incr' command\r\n");
    }

    @Test
    void shouldDeleteAndCountExisting()
    {
        call("MSET", "a", "1", "b", "2", "c", "3");
        assertThat(call("EXISTS", "a", "b", "a", "zz")).isEqualTo(":3\r\n");
        assertThat(call("DEL", "a", "b", "zz")).isEqualTo(":2\r\n");
        assertThat(call("DEL", "a")).isEqualTo(":0\r\n");
        assertThat(call("MGET", "a", "c", "zz")).isEqualTo("*3\r\n$-1\r\n$1\r\n3\r\n$-1\r\n");
        assertThat(call("MSET", "a", "1", "b")).isEqualTo("-ERR wrong number of arguments for 'mset' command\r\n");
        assertThat(call("DEL")).isEqualTo("-ERR wrong number of arguments for 'del' command\r\n");
        assertThat(call("MGET")).isEqualTo("-ERR wrong number of arguments for 'mget' command\r\n");
    }

    @Test
    void shouldCountAndFlush()
    {
        call("MSET", "a", "1", "b", "2");
        assertThat(call("DBSIZE")).isEqualTo(":2\r\n");
        assertThat(call("FLUSHALL")).isEqualTo("+OK\r\n");
        assertThat(call("DBSIZE")).isEqualTo(":0\r\n");
        assertThat(call("FLUSHALL", "ASYNC")).isEqualTo("+OK\r\n");
        assertThat(call("FLUSHALL", "later")).isEqualTo("-ERR syntax error\r\n");
        assertThat(call("DBSIZE", "x")).isEqualTo("-ERR wrong number of arguments for 'dbsize' command\r\n");
    }

    @Test
    void shouldDescribeCommands()
    {
        assertThat(call("COMMAND", "COUNT")).isEqualTo(":" + RespCommand.count() + "\r\n");
        assertThat(call("COMMAND", "DOCS")).isEqualTo("*0\r\n");
        assertThat(call("COMMAND", "INFO", "get", "nope")).isEqualTo(
            "*2\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*0\r\n*0\r\n*0\r\n*0\r\n" +
            "$-1\r\n");
        final String all = call("COMMAND");
        assertThat(all).startsWith("*" + RespCommand.count() + "\r\n*10\r\n$4\r\nping\r\n:-1\r\n");
        assertThat(RespTestSupport.countTopLevelReplies(all)).isEqualTo(1);
        assertThat(call("COMMAND", "NOPE")).isEqualTo("-ERR unknown subcommand 'NOPE'. Try COMMAND HELP.\r\n");
    }

    @Test
    void shouldAnswerConfigGetForBenchmarkTools()
    {
        assertThat(call("CONFIG", "GET", "save")).isEqualTo("*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
        assertThat(call("CONFIG", "GET", "appendonly")).isEqualTo("*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n");
        assertThat(call("CONFIG", "GET", "nothing")).isEqualTo("*0\r\n");
        assertThat(call("CONFIG", "GET", "APPEND*", "sav?")).isEqualTo(
            "*4\r\n$4\r\nsave\r\n$0\r\n\r\n$10\r\nappendonly\r\n$2\r\nno\r\n");
        assertThat(call("CONFIG", "SET", "save", "")).isEqualTo(
            "-ERR unknown subcommand 'SET'. Try CONFIG HELP.\r\n");
        assertThat(call("CONFIG", "GET")).isEqualTo("-ERR wrong number of arguments for 'config|get' command\r\n");
    }

    @Test
    void shouldMatchConfigGetPatternsLikeRedisWithoutFreezingOnPathologicalOnes()
    {
        assertThat(call("CONFIG", "GET", "[ab]ppend[^x]nly", "PROTO-*-LEN")).isEqualTo(
            "*4\r\n$10\r\nappendonly\r\n$2\r\nno\r\n$18\r\nproto-max-bulk-len\r\n$8\r\n67108864\r\n");
        assertThat(call("CONFIG", "GET", "*a".repeat(30) + "b")).isEqualTo("*0\r\n");
        assertThat(call("CONFIG", "GET", "*".repeat(Glob.MAX_PATTERN_BYTES))).startsWith("*14\r\n");
    }

    @Test
    void shouldRefuseAConfigGetPatternOverTheLengthLimit()
    {
        assertThat(call("CONFIG", "GET", "save", "*".repeat(200_000))).isEqualTo(
            "-ERR CONFIG GET pattern of 200000 bytes is longer than the limit of 1024 bytes\r\n");
        assertThat(call("PING")).as("the connection goes on").isEqualTo("+PONG\r\n");
    }

    @Test
    void shouldAnswerTheCommandsClientLibrariesSendAtConnectLikeRedis()
    {
        assertThat(call("CLIENT", "SETINFO", "LIB-NAME", "jedis")).isEqualTo("+OK\r\n");
        assertThat(call("CLIENT", "SETINFO", "lib-ver", "8.0.2")).isEqualTo("+OK\r\n");
        assertThat(call("CLIENT", "SETINFO", "lib-color", "red")).isEqualTo("-ERR Unrecognized option 'lib-color'\r\n");
        assertThat(call("CLIENT", "SETINFO", "lib-name", "a b")).isEqualTo(
            "-ERR lib-name cannot contain spaces, newlines or special characters.\r\n");
        assertThat(call("CLIENT", "SETINFO", "lib-name")).isEqualTo(
            "-ERR wrong number of arguments for 'client|setinfo' command\r\n");
        assertThat(call("CLIENT", "GETNAME")).isEqualTo("$-1\r\n");
        assertThat(call("CLIENT", "SETNAME", "worker-1")).isEqualTo("+OK\r\n");
        assertThat(call("CLIENT", "GETNAME")).isEqualTo("$8\r\nworker-1\r\n");
        assertThat(call("CLIENT", "SETNAME", "bad name")).isEqualTo(
            "-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
        assertThat(call("CLIENT", "ID")).isEqualTo(":" + client.id() + "\r\n");
        assertThat(call("CLIENT", "KILL", "x")).isEqualTo("-ERR unknown subcommand 'KILL'. Try CLIENT HELP.\r\n");
        assertThat(call("SELECT", "0")).isEqualTo("+OK\r\n");
        assertThat(call("SELECT", "1")).isEqualTo("-ERR DB index is out of range\r\n");
        assertThat(call("SELECT", "x")).isEqualTo("-ERR value is not an integer or out of range\r\n");
        assertThat(call("HELLO", "3")).as("RESP2 only: the answer Jedis and others take as 'stay on RESP2'")
            .isEqualTo("-ERR unknown command 'HELLO', with args beginning with: '3' \r\n");
        final String hello = "*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.0.0\r\n" +
            "$5\r\nproto\r\n:2\r\n$2\r\nid\r\n:" + client.id() + "\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n" +
            "$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
        assertThat(call("HELLO")).isEqualTo(hello);
        assertThat(call("HELLO", "2", "AUTH", "default", "any", "SETNAME", "w2")).isEqualTo(hello);
        assertThat(call("CLIENT", "GETNAME")).isEqualTo("$2\r\nw2\r\n");
        assertThat(call("HELLO", "2", "AUTH", "alice", "pw")).isEqualTo(
            "-WRONGPASS invalid username-password pair or user is disabled.\r\n");
        assertThat(call("HELLO", "4")).isEqualTo("-NOPROTO sorry, this protocol version is not supported.\r\n");
        assertThat(call("HELLO", "x")).isEqualTo("-ERR Protocol version is not an integer or out of range\r\n");
        assertThat(call("HELLO", "2", "BOGUS")).isEqualTo("-ERR Syntax error in HELLO option 'BOGUS'\r\n");
    }

    @Test
    void shouldRejectUnknownCommandLikeRedis()
    {
        assertThat(call("FOO", "a", "b")).isEqualTo(
            "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n");
        assertThat(call("xlen")).isEqualTo("-ERR unknown command 'xlen', with args beginning with: \r\n");
    }

    @Test
    void shouldAcceptInlineCommands()
    {
        client.send("SET k hello\r\nGET k\r\nPING\r\n");
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n$5\r\nhello\r\n+PONG\r\n");
    }

    @Test
    void shouldReplyOkToQuitAndCloseIgnoringLaterInput()
    {
        client.send("PING\r\nQUIT\r\nPING\r\n");
        assertThat(client.takeOutput()).isEqualTo("+PONG\r\n+OK\r\n");
        assertThat(client.closeReason()).isEqualTo(CloseReason.LOCAL_CLOSE);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "bad multibulk length    | *x\\r\\n                   | invalid multibulk length",
        "negative bulk length    | *1\\r\\n$-3\\r\\n            | invalid bulk length",
        "value above the limit   | *2\\r\\n$3\\r\\nGET\\r\\n$67108865\\r\\n | invalid bulk length",
        "nested array            | *1\\r\\n*1\\r\\n             | expected '$', got '*'",
        "unterminated bulk       | *1\\r\\n$4\\r\\nPINGxx       | unterminated bulk string: expected CRLF after 4 bytes",
    })
    void shouldAnswerProtocolErrorAfterEarlierRepliesThenClose(final String name, final String input,
        final String message)
    {
        client.send("PING\r\n" + input.strip().replace("\\r", "\r").replace("\\n", "\n") + "PING\r\n");
        assertThat(client.takeOutput()).isEqualTo("+PONG\r\n-ERR Protocol error: " + message.strip() + "\r\n");
        assertThat(client.closeReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
    }

    @Test
    void shouldAcceptValueOfExactlyTheLimitAndRejectOneMore()
    {
        final int limitBytes = 2 * 1024 * 1024;
        final ShardCluster limited = new ShardCluster(1, new RespConfig().protoMaxBulkLen(limitBytes).conclude());
        final FakeConnection limitedClient = limited.connect(0);
        final String limit = "v".repeat(limitBytes);
        limitedClient.send(RespTestSupport.command("SET", "big", limit));
        assertThat(limitedClient.takeOutput()).isEqualTo("+OK\r\n");
        limitedClient.send(RespTestSupport.command("GET", "big"));
        assertThat(limitedClient.takeOutput()).isEqualTo("$" + limit.length() + "\r\n" + limit + "\r\n");
        limitedClient.send(RespTestSupport.command("SET", "big", limit + "v"));
        assertThat(limitedClient.takeOutput()).isEqualTo("-ERR Protocol error: invalid bulk length\r\n");
        assertThat(limitedClient.closeReason()).isEqualTo(CloseReason.PROTOCOL_ERROR);
    }

    @Test
    void shouldLetRepliesFinishWhenThePeerHalfCloses()
    {
        client.send("SET k v\r\nGET k\r\n");
        client.sendFin();
        assertThat(client.takeOutput()).isEqualTo("+OK\r\n$1\r\nv\r\n");
        assertThat(client.closeReason()).isEqualTo(CloseReason.PEER_CLOSED);
    }

    @Test
    void shouldStageRepliesTheConnectionRefusesAndWriteThemInOrderLater()
    {
        client.outboundCapBytes(12);
        client.send("PING\r\nECHO abcdefghij\r\nPING\r\n");
        assertThat(client.takeOutput()).isEqualTo("+PONG\r\n");
        assertThat(client.handler().calls().heldBytes()).isEqualTo(17 + 7);
        client.drainAndSignalWritable();
        client.outboundCapBytes(Integer.MAX_VALUE);
        client.drainAndSignalWritable();
        assertThat(client.takeOutput()).isEqualTo("$10\r\nabcdefghij\r\n+PONG\r\n");
        assertThat(client.handler().calls().heldBytes()).isZero();
    }

    @Test
    void shouldPauseReadingRatherThanAbortWhenRepliesBackUp()
    {
        final ShardCluster small = new ShardCluster(1, new RespConfig().protoMaxBulkLen(100)
            .maxBufferedReplyBytes(200).conclude());
        final FakeConnection slow = small.connect(0);
        slow.outboundCapBytes(0); // a client that does not read its replies
        slow.send("PING\r\n".repeat(40));

        assertThat(slow.closeReason()).as("held replies over half the budget pause the client, never abort it").isNull();
        assertThat(slow.isReadPaused()).isTrue();
        assertThat(slow.unconsumedBytes()).as("commands left unread while paused").isPositive();
        assertThat(slow.handler().calls().heldBytes()).isLessThanOrEqualTo(200);

        slow.outboundCapBytes(Integer.MAX_VALUE); // the client reads again
        final StringBuilder output = new StringBuilder();
        for (int round = 0; round < 100 && output.length() < "+PONG\r\n".length() * 40; round++)
        {
            slow.drainAndSignalWritable();
            slow.redeliverIfResumed();
            output.append(slow.takeOutput());
        }
        assertThat(output.toString()).isEqualTo("+PONG\r\n".repeat(40));
        assertThat(slow.handler().calls().isAborted()).isFalse();
        assertThat(slow.closeReason()).isNull();
    }

    @Test
    void shouldServeGetAndSetWithoutAllocatingOnceWarm()
    {
        call("SET", "key:000001", "xyz");
        final byte[] pipeline = (RespTestSupport.command("GET", "key:000001") +
            RespTestSupport.command("SET", "key:000001", "abc") + RespTestSupport.command("INCR", "counter") +
            RespTestSupport.command("PING") + RespTestSupport.command("GET", "missing"))
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        final FakeConnection sink = new FakeConnection(cluster.reactor(0), false);
        final long allocated = new AllocationMeter().allocatedBytes(20, () ->
        {
            for (int i = 0; i < 2_000; i++)
            {
                sink.deliver(pipeline);
            }
            return sink.bytesWritten();
        });
        assertThat(allocated).isZero();
    }
}
