package dev.coreloop.deploy;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the launcher's runnable jar (and the {@code ./coreloop} script) in forked JVMs on ephemeral loopback ports.
 */
class LauncherIT
{
    private static final Pattern LISTENING =
        Pattern.compile("coreloop: (echo|http|resp|proxy) listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final long START_TIMEOUT_MS = 60_000;
    private static final int SOCKET_TIMEOUT_MS = 10_000;

    private static Path jar;
    private static Path repoRoot;

    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void findTheJar()
    {
        final String jarProperty = System.getProperty("coreloop.launcher.jar", "target/missing.jar");
        jar = Path.of(jarProperty).toAbsolutePath().normalize();
        repoRoot = Path.of(System.getProperty("coreloop.repo.root", "..")).toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(jar), "the runnable jar is not built: " + jar);
    }

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
    void shouldServeEchoHttpRespAndProxyOnOneServerAndStopWithExitZeroOnSigterm() throws Exception
    {
        final ServerSocket upstream = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        final Thread upstreamThread = startUpstream(upstream);
        final Running server = start("serve", "--bind", "127.0.0.1", "--reactors", "2", "--pin-mode", "best-effort",
            "--echo-port", "ephemeral", "--http-port", "ephemeral", "--resp-port", "ephemeral",
            "--proxy-port", "ephemeral", "--proxy-upstream", "127.0.0.1:" + upstream.getLocalPort(),
            "--shutdown-deadline-ms", "2000");
        final Map<String, Integer> ports = server.awaitReady();
        assertThat(ports).containsOnlyKeys("echo", "http", "resp", "proxy");
        assertThat(server.stdout()).contains("coreloop: proxy listening on 127.0.0.1:" + ports.get("proxy") +
            ", relaying to 127.0.0.1:" + upstream.getLocalPort() + "\n");
        assertThat(server.stdout()).contains("coreloop: ready: 2 reactors, pid " + server.process.pid());

        // echo
        try (Socket socket = connect(ports.get("echo")))
        {
            final byte[] message = "hello coreloop\n".getBytes(US_ASCII);
            socket.getOutputStream().write(message);
            assertThat(readExactly(socket.getInputStream(), message.length)).isEqualTo(message);
        }

        // HTTP: two pipelined requests on one connection, the second closes it.
        try (Socket socket = connect(ports.get("http")))
        {
            socket.getOutputStream().write(("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n" +
                "GET /json HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").getBytes(US_ASCII));
            final String responses = new String(socket.getInputStream().readAllBytes(), US_ASCII);
            assertThat(responses).startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(responses.indexOf("Hello, World!")).isLessThan(responses.indexOf("{\"message\":\"Hello, World!\"}"));
            assertThat(responses.split("HTTP/1.1 200 OK", -1)).hasSize(3);
        }

        // RESP: keys spread over both reactors' shards.
        try (Socket socket = connect(ports.get("resp")))
        {
            assertThat(resp(socket, "PING")).isEqualTo("+PONG\r\n");
            for (int i = 0; i < 16; i++)
            {
                assertThat(resp(socket, "SET", "key:" + i, "value-" + i)).isEqualTo("+OK\r\n");
            }
            for (int i = 0; i < 16; i++)
            {
                final String value = "value-" + i;
                assertThat(resp(socket, "GET", "key:" + i)).isEqualTo("$" + value.length() + "\r\n" + value + "\r\n");
            }
            assertThat(resp(socket, "DBSIZE")).isEqualTo(":16\r\n");
        }

        // Proxy: a round trip through the relay to the test's upstream, then a half-close each way.
        try (Socket socket = connect(ports.get("proxy")))
        {
            socket.getOutputStream().write("hello upstream\n".getBytes(US_ASCII));
            socket.shutdownOutput();
            assertThat(new String(socket.getInputStream().readAllBytes(), US_ASCII))
                .isEqualTo("upstream got: hello upstream\n");
        }
        finally
        {
            upstream.close();
            upstreamThread.join(10_000);
        }

        // Real clients, when this host has them.
        if (onPath("curl"))
        {
            assertThat(runTool("curl", "-s", "-m", "10", "http://127.0.0.1:" + ports.get("http") + "/json"))
                .isEqualTo("{\"message\":\"Hello, World!\"}");
        }
        if (onPath("redis-cli"))
        {
            assertThat(runTool("redis-cli", "-h", "127.0.0.1", "-p", String.valueOf(ports.get("resp")), "GET", "key:3"))
                .isEqualTo("value-3\n");
        }

        // SIGTERM through the handle: Process.destroy() would also close our ends of the pipes and lose the last lines.
        assertThat(server.process.toHandle().destroy()).isTrue();
        assertThat(server.process.waitFor(30, TimeUnit.SECONDS)).as("exited after SIGTERM").isTrue();
        assertThat(server.process.exitValue()).as("exit status; stderr:%n%s", server.stderr()).isZero();
        assertThat(server.stdout())
            .contains("coreloop: SIGTERM received, shutting down (deadline 2000 ms)")
            .endsWith("coreloop: stopped\n");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldExitOneNamingTheAddressWhenThePortIsInUse() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final int port = taken.getLocalPort();
            final Running server = start("serve", "--pin-mode", "off", "--reactors", "1", "--echo-port", "0",
                "--http-port", String.valueOf(port), "--resp-port", "ephemeral");

            assertThat(server.process.waitFor(45, TimeUnit.SECONDS)).isTrue();
            assertThat(server.process.exitValue()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(server.stderr())
                .contains("coreloop: cannot start: cannot listen on 127.0.0.1:" + port)
                .contains("the http listener");
            assertThat(server.stdout()).doesNotContain("listening on");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldExitTwoWithOneLineOnBadInput() throws Exception
    {
        final Running server = start("serve", "--resp-port", "99999");

        assertThat(server.process.waitFor(45, TimeUnit.SECONDS)).isTrue();
        assertThat(server.process.exitValue()).isEqualTo(Main.EXIT_USAGE);
        assertThat(server.stderr()).isEqualTo(
            "coreloop serve: --resp-port: '99999' is not a port (1-65535; 0 disables the listener; 'ephemeral' lets" +
            " the OS pick one) (see 'coreloop serve --help')\n");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldPrintHelpThroughTheScriptAndHonourJavaOpts() throws Exception
    {
        final Path script = repoRoot.resolve("coreloop");
        assumeTrue(Files.isExecutable(script), "no ./coreloop script at " + script);
        final Map<String, String> env = scriptEnvironment("-XX:+PrintCommandLineFlags");

        final Running help = startCommand(env, script.toString(), "--help");

        assertThat(help.process.waitFor(45, TimeUnit.SECONDS)).isTrue();
        assertThat(help.process.exitValue()).as("stderr: %s", help.stderr()).isZero();
        assertThat(help.stdout())
            .contains("-XX:+PrintCommandLineFlags")
            .contains("Usage: coreloop")
            .contains("serve")
            .contains("topology");
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldStartTheJvmWithSmallFootprintDefaultsThatJavaOptsOverride() throws Exception
    {
        final Path script = repoRoot.resolve("coreloop");
        assumeTrue(Files.isExecutable(script), "no ./coreloop script at " + script);
        final Map<String, String> env = scriptEnvironment("-XX:+PrintCommandLineFlags");
        final Running defaults = startCommand(env, script.toString(), "--help");
        assertThat(defaults.process.waitFor(45, TimeUnit.SECONDS)).isTrue();
        assertThat(defaults.stdout()).contains("-XX:+UseSerialGC").contains("-XX:InitialHeapSize=16777216")
            .contains("-XX:MaxNewSize=8388608");
        final java.util.regex.Matcher direct =
            java.util.regex.Pattern.compile("-XX:MaxDirectMemorySize=(\\d+)").matcher(defaults.stdout());
        assertThat(direct.find()).as(defaults.stdout()).isTrue();
        assertThat(Long.parseLong(direct.group(1)))
            .as("64 MiB per reactor, one reactor per usable CPU at most (nproc), plus 64 MiB")
            .isGreaterThanOrEqualTo(128L << 20)
            .satisfies(bytes -> assertThat(bytes % (64L << 20)).isZero());

        env.put("JAVA_OPTS", "-XX:+PrintCommandLineFlags -XX:+UseParallelGC -Xms32m -XX:MaxDirectMemorySize=1g");
        final Running overridden = startCommand(env, script.toString(), "--help");
        assertThat(overridden.process.waitFor(45, TimeUnit.SECONDS)).isTrue();
        assertThat(overridden.process.exitValue()).as("stderr: %s", overridden.stderr()).isZero();
        assertThat(overridden.stdout())
            .contains("-XX:+UseParallelGC")
            .doesNotContain("-XX:+UseSerialGC")
            .doesNotContain("-XX:MaxNewSize=8388608")
            .contains("-XX:InitialHeapSize=33554432")
            .contains("-XX:MaxDirectMemorySize=1073741824");
    }

    /** {@return the script's environment: this jar, this JDK, {@code javaOpts}} */
    private Map<String, String> scriptEnvironment(final String javaOpts)
    {
        final Map<String, String> env = new HashMap<>();
        env.put("CORELOOP_JAR", jar.toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("JAVA_OPTS", javaOpts);
        return env;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseAJavaOlderThan17InTheScript(@TempDir final Path fakeJavaHome) throws Exception
    {
        final Path script = repoRoot.resolve("coreloop");
        assumeTrue(Files.isExecutable(script), "no ./coreloop script at " + script);
        final Path java = fakeJavaHome.resolve("bin/java");
        Files.createDirectories(java.getParent());
        Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        final Running run = startCommand(Map.of("JAVA_HOME", fakeJavaHome.toString()), script.toString(), "--help");

        assertThat(run.process.waitFor(45, TimeUnit.SECONDS)).isTrue();
        assertThat(run.process.exitValue()).isEqualTo(1);
        assertThat(run.stderr()).isEqualTo("coreloop: Java 17 or newer is required, but " + java +
            " is version 11.0.22; set JAVA_HOME to a JDK 17+\n");
    }

    /** One connection: reads until EOF, answers {@code upstream got: <what it read>}, closes. */
    private static Thread startUpstream(final ServerSocket upstream)
    {
        final Thread thread = new Thread(() ->
        {
            try (Socket socket = upstream.accept())
            {
                socket.setSoTimeout(SOCKET_TIMEOUT_MS);
                final byte[] request = socket.getInputStream().readAllBytes();
                socket.getOutputStream().write(("upstream got: " + new String(request, US_ASCII)).getBytes(US_ASCII));
            }
            catch (final IOException ignore)
            {
                // closed by the test; the client's assertion reports what went wrong
            }
        }, "test-upstream");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private Running start(final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-ea");
        command.add("-jar");
        command.add(jar.toString());
        Collections.addAll(command, args);
        return startCommand(Map.of(), command.toArray(String[]::new));
    }

    private Running startCommand(final Map<String, String> env, final String... command) throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder(command);
        // The launcher reads CORELOOP_*; the test must not inherit a developer's settings.
        builder.environment().keySet().removeIf(name -> name.startsWith(Setting.ENV_PREFIX) || name.equals("JAVA_OPTS"));
        builder.environment().putAll(env);
        final Process process = builder.start();
        processes.add(process);
        return new Running(process);
    }

    private static Socket connect(final int port) throws IOException
    {
        final Socket socket = new Socket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), SOCKET_TIMEOUT_MS);
        socket.setSoTimeout(SOCKET_TIMEOUT_MS);
        return socket;
    }

    private static byte[] readExactly(final InputStream in, final int length) throws IOException
    {
        final byte[] bytes = in.readNBytes(length);
        assertThat(bytes).hasSize(length);
        return bytes;
    }

    /** Sends one RESP command and reads one simple reply (status, integer or bulk string). */
    private static String resp(final Socket socket, final String... args) throws IOException
    {
        final StringBuilder request = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (final String arg : args)
        {
            request.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
        }
        final OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(UTF_8));
        final InputStream in = socket.getInputStream();
        final String first = readLine(in);
        if (first.startsWith("$") && !first.equals("$-1\r\n"))
        {
            final int length = Integer.parseInt(first.substring(1, first.length() - 2));
            return first + new String(readExactly(in, length + 2), UTF_8);
        }
        return first;
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true)
        {
            final int b = in.read();
            assertThat(b).as("connection closed mid-reply after '%s'", line).isNotNegative();
            line.write(b);
            if (previous == '\r' && b == '\n')
            {
                return line.toString(UTF_8);
            }
            previous = b;
        }
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

    private static String runTool(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s: %s", command[0], new String(output, UTF_8)).isZero();
        return new String(output, UTF_8);
    }

    /** A forked process whose stdout and stderr are collected by two reader threads. */
    private static final class Running
    {
        final Process process;
        private final StringBuffer stdout = new StringBuffer();
        private final StringBuffer stderr = new StringBuffer();
        /** Counted down by the stdout reader at the {@code ready} line or at end of stream. */
        private final CountDownLatch readyOrEnd = new CountDownLatch(1);
        private final Thread stdoutReader;
        private final Thread stderrReader;

        Running(final Process process)
        {
            this.process = process;
            this.stdoutReader = drain(process.getInputStream(), stdout, readyOrEnd, "stdout-" + process.pid());
            this.stderrReader = drain(process.getErrorStream(), stderr, new CountDownLatch(1), "stderr-" + process.pid());
        }

        private static Thread drain(final InputStream in, final StringBuffer into, final CountDownLatch readyOrEnd,
            final String name)
        {
            final Thread thread = new Thread(() ->
            {
                try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, UTF_8)))
                {
                    String line;
                    while ((line = reader.readLine()) != null)
                    {
                        into.append(line).append('\n');
                        if (line.startsWith("coreloop: ready:"))
                        {
                            readyOrEnd.countDown();
                        }
                    }
                }
                catch (final IOException ignore)
                {
                    // the process went away; what was read is kept
                }
                finally
                {
                    readyOrEnd.countDown();
                }
            }, name);
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        /** Waits for the {@code ready} line and returns the listening ports by listener name. */
        Map<String, Integer> awaitReady() throws InterruptedException
        {
            assertThat(readyOrEnd.await(START_TIMEOUT_MS, TimeUnit.MILLISECONDS))
                .as("no ready line in %d ms; stdout:%n%s%nstderr:%n%s", START_TIMEOUT_MS, stdout, stderr).isTrue();
            assertThat(stdout.toString()).as("server exited before it was ready; stderr:%n%s", stderr)
                .contains("coreloop: ready:");
            final Map<String, Integer> ports = new HashMap<>();
            final Matcher matcher = LISTENING.matcher(stdout);
            while (matcher.find())
            {
                ports.put(matcher.group(1), Integer.parseInt(matcher.group(2)));
            }
            return ports;
        }

        String stdout() throws InterruptedException
        {
            joinIfExited(stdoutReader);
            return stdout.toString();
        }

        String stderr() throws InterruptedException
        {
            joinIfExited(stderrReader);
            return stderr.toString();
        }

        private void joinIfExited(final Thread reader) throws InterruptedException
        {
            if (!process.isAlive())
            {
                reader.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }
}
