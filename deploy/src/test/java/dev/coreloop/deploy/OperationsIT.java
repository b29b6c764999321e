package dev.coreloop.deploy;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.status.CountersFile;
import dev.coreloop.examples.echo.EchoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An operator's tools against live servers: {@code coreloop stat --json} run in a second JVM against an embedded server
 * under load, and {@code /metrics} and {@code /health} of a launcher-started server scraped with curl.
 */
class OperationsIT
{
    private static final int SOCKET_TIMEOUT_MS = 10_000;
    private static final Pattern BYTES_READ = Pattern.compile("\"role\":\"reactor-(\\d+)\".*?\"bytes_read\":(\\d+)");
    private static final Pattern BYTES_READ_RATE =
        Pattern.compile("\"ratesPerSecond\":\\{[^}]*\"bytes_read\":([0-9.]+)");
    private static final Pattern METRICS_LINE =
        Pattern.compile("coreloop: metrics listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ECHO_LINE = Pattern.compile("coreloop: echo listening on 127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path tmp;

    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void killWhatIsLeft() throws InterruptedException
    {
        for (final Process process : processes)
        {
            if (process.isAlive())
            {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldShowAnEmbeddedServersCountersMovingToStatInASecondJvm() throws Exception
    {
        final Path runDir = tmp.resolve("coreloop-embedded");
        final ServerContext ctx = new ServerContext().reactorCount(2).countersDirectory(runDir)
            .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), EchoHandler.FACTORY);
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicLong echoed = new AtomicLong();
        try (Server server = Server.start(ctx))
        {
            assertThat(server.countersFile()).isEqualTo(runDir.resolve(CountersFile.FILE_NAME));
            final Thread load = startEchoLoad(server.localAddress(0).getPort(), stop, echoed);

            final String first = stat(runDir.toString(), "--once", "--json", "--interval-ms", "300");
            final String second = stat(runDir.toString(), "--once", "--json", "--interval-ms", "300");
            stop.set(true);
            load.join(15_000);

            assertThat(first).contains("\"state\":\"running\"").contains("\"reactors\":2").contains("\"stale\":null");
            assertThat(totalBytesRead(second)).as("bytes read grew between two stat runs:%n%s%n%s", first, second)
                .isGreaterThan(totalBytesRead(first));
            final Matcher rate = BYTES_READ_RATE.matcher(second);
            double rates = 0;
            while (rate.find())
            {
                rates += Double.parseDouble(rate.group(1));
            }
            assertThat(rates).as("a positive rate while the load ran:%n%s", second).isPositive();
            assertThat(echoed.get()).isPositive();

            // The table form, once.
            final String table = stat(runDir.toString(), "--once", "--interval-ms", "200");
            assertThat(table).contains("coreloop pid " + ProcessHandle.current().pid() + "  running")
                .containsPattern("(?m)^reactor-0 +\\d+ +\\d+")
                .containsPattern("(?m)^reactor-1 ")
                .containsPattern("(?m)^acceptor ");
        }
        assertThat(runDir).as("a clean stop removes the run directory").doesNotExist();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldServeMetricsAndHealthScrapedWithCurlAndReportALostPin() throws Exception
    {
        assumeTrue(onPath("curl"), "curl is not installed");
        final Path jar = Path.of(System.getProperty("coreloop.launcher.jar", "target/missing.jar"));
        assumeTrue(Files.isRegularFile(jar), "the runnable jar is not built: " + jar);
        final Path runParent = tmp.resolve("run");
        final ProcessBuilder builder = new ProcessBuilder(javaBin(), "-jar", jar.toString(), "serve",
            "--bind", "127.0.0.1", "--pin", "reactors=1", "--pin-mode", "best-effort",
            "--echo-port", "ephemeral", "--http-port", "0", "--resp-port", "0", "--metrics-port", "ephemeral",
            "--run-dir", runParent.toString(), "--shutdown-deadline-ms", "1000");
        builder.environment().keySet().removeIf(name -> name.startsWith(Setting.ENV_PREFIX) || name.equals("JAVA_OPTS"));
        final Path stdoutFile = tmp.resolve("serve.out");
        builder.redirectOutput(stdoutFile.toFile()).redirectError(tmp.resolve("serve.err").toFile());
        final Process server = builder.start();
        processes.add(server);
        final String ready = awaitLine(server, stdoutFile, "coreloop: ready:");
        final int metricsPort = port(METRICS_LINE, ready);
        final int echoPort = port(ECHO_LINE, ready);
        assertThat(ready).contains("coreloop: counters in " + runParent.resolve("coreloop-" + server.pid())
            .resolve(CountersFile.FILE_NAME));

        try (Socket socket = connect(echoPort))
        {
            socket.getOutputStream().write("ping\n".getBytes(US_ASCII));
            assertThat(new String(socket.getInputStream().readNBytes(5), US_ASCII)).isEqualTo("ping\n");
        }

        final String metrics = runTool("curl", "-s", "-i", "-m", "10", "http://127.0.0.1:" + metricsPort + "/metrics");
        assertThat(metrics).startsWith("HTTP/1.1 200 OK\r\n")
            .contains("Content-Type: " + PrometheusText.CONTENT_TYPE + "\r\n")
            .contains("# TYPE coreloop_accepted_total counter\n")
            .containsPattern("\ncoreloop_accepted_total\\{role=\"reactor-0\"\\} [1-9]\\d*\n")
            .containsPattern("\ncoreloop_acceptor_accepted_total\\{role=\"acceptor\"\\} [1-9]\\d*\n")
            .containsPattern("\ncoreloop_bytes_read_total\\{role=\"reactor-0\"\\} [1-9]\\d*\n")
            .contains("# TYPE coreloop_connections gauge\n")
            .contains("coreloop_connections{role=\"reactor-0\",state=\"active\"} ")
            .contains("coreloop_closes_total{role=\"reactor-0\",reason=\"peer_closed\"} ");
        PrometheusTextTest.assertWellFormed(metrics.substring(metrics.indexOf("\r\n\r\n") + 4));

        final String health = runTool("curl", "-s", "-i", "-m", "10", "http://127.0.0.1:" + metricsPort + "/health");
        assertThat(health).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nok\n");
        assertThat(runTool("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "10",
            "http://127.0.0.1:" + metricsPort + "/nothing")).isEqualTo("404");

        // SIGHUP is logged and ignored: the server keeps serving.
        runTool("kill", "-HUP", String.valueOf(server.pid()));
        Thread.sleep(500);
        assertThat(server.isAlive()).isTrue();
        assertThat(runTool("curl", "-s", "-m", "10", "http://127.0.0.1:" + metricsPort + "/health")).isEqualTo("ok\n");
        assertThat(Files.readString(tmp.resolve("serve.err")))
            .contains("coreloop: SIGHUP ignored: nothing here reloads live; restart to change settings");

        // stat through the launcher jar, by run directory.
        final Path runDir = runParent.resolve("coreloop-" + server.pid());
        final String json = runTool(javaBin(), "-jar", jar.toString(), "stat", runDir.toString(), "--once", "--json",
            "--interval-ms", "200");
        assertThat(json).contains("\"pid\":" + server.pid()).contains("\"role\":\"reactor-0\"");

        // A lost pin: move the pinned reactor's thread elsewhere, as `taskset -p` or a shrunk cpuset would.
        final String pinned = pinnedReactorCpu(metrics);
        final Integer tid = threadId(server.pid(), "reactor-0");
        if (pinned != null && tid != null && onPath("taskset") && Runtime.getRuntime().availableProcessors() > 1)
        {
            final int other = Integer.parseInt(pinned) == 0 ? 1 : 0;
            runTool("taskset", "-p", "-c", String.valueOf(other), String.valueOf(tid));
            String lost = "";
            for (int i = 0; i < 50 && !lost.startsWith("HTTP/1.1 503"); i++)
            {
                Thread.sleep(100);
                lost = runTool("curl", "-s", "-i", "-m", "10", "http://127.0.0.1:" + metricsPort + "/health");
            }
            assertThat(lost).startsWith("HTTP/1.1 503 Service Unavailable\r\n")
                .contains("reactor-0 lost its pin (CPUs changed while running, now on CPU ");
            final String after = runTool("curl", "-s", "-m", "10", "http://127.0.0.1:" + metricsPort + "/metrics");
            assertThat(after).contains("coreloop_pin_status{role=\"reactor-0\"} 4\n")
                .contains("coreloop_pin_changes_total{role=\"reactor-0\"} 1\n");
            assertThat(Files.readString(tmp.resolve("serve.err")))
                .contains("reactor-0: allowed CPUs changed from " + pinned + " to " + other + " while running");
        }

        assertThat(server.toHandle().destroy()).isTrue();
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.exitValue()).isZero();
        assertThat(runDir).as("a clean stop removes the run directory").doesNotExist();
        assertThat(Files.readString(stdoutFile))
            .containsPattern("coreloop: drained \\d+ of \\d+ open connections in \\d+ ms, 0 aborted at the deadline\n")
            .containsPattern("coreloop: totals: [1-9]\\d* connections accepted, ")
            .endsWith("coreloop: stopped\n");
    }

    /** @return the CPU reactor-0 is pinned to, from coreloop_planned_cpu and coreloop_pin_status 1, or null. */
    private static String pinnedReactorCpu(final String metrics)
    {
        final Matcher status = Pattern.compile("\ncoreloop_pin_status\\{role=\"reactor-0\"\\} (\\d+)\n").matcher(metrics);
        final Matcher planned = Pattern.compile("\ncoreloop_planned_cpu\\{role=\"reactor-0\"\\} (\\d+)\n")
            .matcher(metrics);
        return status.find() && status.group(1).equals("1") && planned.find() ? planned.group(1) : null;
    }

    /** @return the kernel thread id of the thread called {@code name} in process {@code pid}, or null. */
    private static Integer threadId(final long pid, final String name) throws IOException
    {
        final Path tasks = Path.of("/proc", String.valueOf(pid), "task");
        if (!Files.isDirectory(tasks))
        {
            return null;
        }
        try (var stream = Files.list(tasks))
        {
            for (final Path task : (Iterable<Path>)stream::iterator)
            {
                final Path comm = task.resolve("comm");
                if (Files.isReadable(comm) && Files.readString(comm).strip().equals(name))
                {
                    return Integer.parseInt(task.getFileName().toString());
                }
            }
        }
        return null;
    }

    private Thread startEchoLoad(final int port, final AtomicBoolean stop, final AtomicLong echoed)
    {
        final Thread thread = new Thread(() ->
        {
            final byte[] message = new byte[512];
            final long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (Socket a = connect(port); Socket b = connect(port))
            {
                for (long i = 0; i < 5_000_000 && !stop.get() && System.nanoTime() - endNs < 0; i++)
                {
                    final Socket socket = (i & 1) == 0 ? a : b;
                    socket.getOutputStream().write(message);
                    final InputStream in = socket.getInputStream();
                    if (in.readNBytes(message.length).length != message.length)
                    {
                        return;
                    }
                    echoed.addAndGet(message.length);
                }
            }
            catch (final IOException ignore)
            {
                // the assertion on the counters reports what went wrong
            }
        }, "echo-load");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /** Runs {@code Main stat ...} in a second JVM on this test's class path. */
    private String stat(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of(javaBin(), Server.REQUIRED_JVM_OPTION, "-cp",
            System.getProperty("java.class.path"), Main.class.getName(), "stat"));
        command.addAll(List.of(args));
        return runTool(command.toArray(String[]::new));
    }

    private static long totalBytesRead(final String json)
    {
        final Matcher matcher = BYTES_READ.matcher(json);
        long total = 0;
        while (matcher.find())
        {
            total += Long.parseLong(matcher.group(2));
        }
        return total;
    }

    private String runTool(final String... command) throws IOException, InterruptedException
    {
        final Path out = Files.createTempFile(tmp, "tool", ".out");
        final Path err = Files.createTempFile(tmp, "tool", ".err");
        final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
            .start();
        processes.add(process);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
        assertThat(process.exitValue()).as("%s exit status; stderr:%n%s", List.of(command), Files.readString(err))
            .isZero();
        return Files.readString(out, UTF_8);
    }

    private static String awaitLine(final Process process, final Path stdout, final String prefix)
        throws IOException, InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final String text = Files.readString(stdout);
            if (text.contains(prefix))
            {
                return text;
            }
            assertThat(process.isAlive()).as("server exited early:%n%s", text).isTrue();
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + prefix + "' line in 60 s: " + Files.readString(stdout));
    }

    private static int port(final Pattern pattern, final String text)
    {
        final Matcher matcher = pattern.matcher(text);
        assertThat(matcher.find()).as("%s in%n%s", pattern, text).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    private static Socket connect(final int port) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), SOCKET_TIMEOUT_MS);
        socket.setSoTimeout(SOCKET_TIMEOUT_MS);
        return socket;
    }

    private static String javaBin()
    {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static boolean onPath(final String tool)
    {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":"))
        {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool)))
            {
                return true;
            }
        }
        return false;
    }
}
