package dev.coreloop.bench.peer;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.coreloop.examples.http.ExternalHttpClients;
import dev.coreloop.examples.http.ExternalHttpClients.WrkResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The Netty peer answers like the coreloop HTTP example, checked with curl and short wrk runs. */
class NettyHttpServerIT
{
    private static NettyHttpServer server;
    private static String base;

    @BeforeAll
    static void start() throws InterruptedException
    {
        server = NettyHttpServer.start(new InetSocketAddress("127.0.0.1", 0), 2);
        base = "http://127.0.0.1:" + server.localAddress().getPort();
    }

    @AfterAll
    static void stop()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldServeBothRoutesAndErrorsToCurl() throws Exception
    {
        assumeTrue(ExternalHttpClients.onPath("curl"), "curl is not installed");
        assertThat(ExternalHttpClients.curl(base + "/plaintext")).isEqualTo("Hello, World!");
        assertThat(ExternalHttpClients.curl(base + "/json")).isEqualTo("{\"message\":\"Hello, World!\"}");
        final String head = ExternalHttpClients.curl("-I", base + "/json");
        assertThat(head.toLowerCase()).startsWith("http/1.1 200 ok").contains("server: netty").contains("date: ")
            .contains("content-type: application/json").contains("content-length: 27");
        assertThat(ExternalHttpClients.curl("-i", "--http1.0", base + "/plaintext").toLowerCase())
            .contains("connection: close");
        assertThat(ExternalHttpClients.curlStatus(base + "/nope")).isEqualTo("404");
        assertThat(ExternalHttpClients.curlStatus("-X", "POST", "-d", "x", base + "/plaintext")).isEqualTo("405");
        final ExternalHttpClients.ProcessResult reuse = ExternalHttpClients.run("curl", "--max-time", "10", "-sS",
            "-v", base + "/nope", "--next", base + "/plaintext");
        assertThat(reuse.stdout()).as(reuse.stderr()).isEqualTo("404 Not Found\nHello, World!");
        assertThat(reuse.stderr()).as("the 404 keeps the connection, as the coreloop example does")
            .contains("Re-using existing connection");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldServeWrkWithoutErrors(@TempDir final Path dir) throws Exception
    {
        assumeTrue(ExternalHttpClients.onPath("wrk"), "wrk is not installed");
        final WrkResult plain = ExternalHttpClients.wrk(base + "/plaintext", 1, 16, 2, null);
        final WrkResult pipelined = ExternalHttpClients.wrk(base + "/plaintext", 1, 16, 2,
            ExternalHttpClients.pipelineScript(dir, "/plaintext", 16));
        for (final WrkResult result : new WrkResult[]{plain, pipelined})
        {
            assertThat(result.requests()).as(result.report()).isPositive();
            assertThat(result.non2xxResponses()).as(result.report()).isZero();
            assertThat(result.socketErrors()).as(result.report()).isZero();
        }
        System.out.printf("netty http (noisy, unpinned): %.0f req/s, pipelined x16: %.0f req/s%n",
            plain.requestsPerSec(), pipelined.requestsPerSec());
    }
}
