package dev.coreloop.core.it;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.coreloop.core.test.LoopbackClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Running out of file descriptors: a server in a child JVM with a low open-files limit ({@code prlimit})
 * gets more connections than it can accept. Its acceptor must back off (little CPU while the limit is hit)
 * rather than spin on a listener that stays ready, and it must serve again once descriptors are free.
 */
class EmfileIT
{
    private static final int FD_LIMIT = 256;
    private static final int CONNECTIONS_BEYOND_LIMIT = 60;
    private static final long CPU_WINDOW_MS = 1_000;
    /** A spinning acceptor burns the whole window; one that sleeps 100 ms between tries, a few ms. */
    private static final long MAX_ACCEPTOR_CPU_MS = 300;
    private static final Pattern READY = Pattern.compile("READY port=(\\d+) fds=(\\d+)");
    private static final Pattern STAT = Pattern.compile(
        "STAT acceptorCpuNs=(-?\\d+) opened=(\\d+) closed=(\\d+) fds=(-?\\d+) emfileBackoffs=(\\d+)");

    private volatile String lastStat = "";
    private Path childStderr;
    private final StringBuilder childOutput = new StringBuilder();

    @Test
    @Timeout(60)
    void acceptorBacksOffWithoutSpinningOnEmfileAndServesAgainWhenFdsFree() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")) || Files.isExecutable(Path.of("/bin/prlimit")),
            "prlimit (util-linux) is needed to lower the child's open-files limit");
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of("prlimit", "--nofile=" + FD_LIMIT + ":" + FD_LIMIT,
            java, "-Xmx64m", "-XX:MaxDirectMemorySize=64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-ea"));
        // The module flags the test JVM got (Agrona needs jdk.internal.misc), so the child runs as the tests do.
        final List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < jvmArgs.size(); i++)
        {
            final String arg = jvmArgs.get(i);
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports"))
            {
                command.add(arg);
                if (!arg.contains("=") && i + 1 < jvmArgs.size())
                {
                    command.add(jvmArgs.get(++i));
                }
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), EmfileServerMain.class.getName()));
        childStderr = Files.createTempFile("emfile-child", ".err");
        final Process child = new ProcessBuilder(command)
            .redirectError(childStderr.toFile())
            .start();
        final List<SocketChannel> flood = new ArrayList<>();
        try
        {
            final BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            final Matcher ready = READY.matcher(readLine(out, 20_000, "READY"));
            assertThat(ready.matches()).as("child said: %s", childOutput).isTrue();
            final int port = Integer.parseInt(ready.group(1));
            final int childFds = Integer.parseInt(ready.group(2));
            final Thread pump = new Thread(() -> pumpStats(out), "emfile-child-stdout");
            pump.setDaemon(true);
            pump.start();

            // More connections than the child has descriptors left. The kernel completes every handshake
            // into the listen backlog; the child's accept() then fails with EMFILE.
            final InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            final int connections = FD_LIMIT - childFds + CONNECTIONS_BEYOND_LIMIT;
            for (int i = 0; i < connections; i++)
            {
                flood.add(SocketChannel.open(address));
            }
            awaitStat(s -> s.opened > 1 && stableFor(s), 10_000, "the child stops accepting");
            final Stat atLimit = parse(lastStat);
            assertThat(atLimit.opened).as("EMFILE reached before every connection was accepted: %s", lastStat)
                .isLessThan(connections + 1);

            final long cpuStartNs = atLimit.acceptorCpuNs;
            Thread.sleep(CPU_WINDOW_MS);
            final Stat later = parse(lastStat);
            final long acceptorCpuMs = TimeUnit.NANOSECONDS.toMillis(later.acceptorCpuNs - cpuStartNs);
            System.out.printf("EMFILE: child fds at start %d, limit %d, %d connections, accepted %d; " +
                "acceptor CPU over %d ms at the limit: %d ms, back-offs %d%n", childFds, FD_LIMIT, connections,
                later.opened - 1, CPU_WINDOW_MS, acceptorCpuMs, later.emfileBackoffs - atLimit.emfileBackoffs);
            assertThat(later.opened).as("still at the limit").isEqualTo(atLimit.opened);
            assertThat(acceptorCpuMs).as("acceptor CPU while out of descriptors").isLessThan(MAX_ACCEPTOR_CPU_MS);
            assertThat(atLimit.emfileBackoffs).as("EMFILE back-offs counted").isGreaterThanOrEqualTo(1);
            // One back-off per interval at most: ~CPU_WINDOW_MS / EMFILE_BACKOFF_MS, with slack for the edges.
            assertThat(later.emfileBackoffs - atLimit.emfileBackoffs).as("back-offs in %d ms", CPU_WINDOW_MS)
                .isBetween(1L, CPU_WINDOW_MS / EmfileServerMain.EMFILE_BACKOFF_MS + 3);

            // Free the descriptors: the child closes what it accepted, then accepts (and closes) the rest.
            for (final SocketChannel channel : flood)
            {
                channel.close();
            }
            flood.clear();
            final int total = connections + 1;
            awaitStat(s -> s.opened == total && s.closed == total, 20_000, "the child accepts and closes the rest");

            final byte[] message = "served again".getBytes(StandardCharsets.US_ASCII);
            try (LoopbackClient client = LoopbackClient.connect(address, 5_000))
            {
                assertThat(client.roundTrip(message)).isEqualTo(message);
            }

            final OutputStream in = child.getOutputStream();
            in.write("quit\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            assertThat(child.waitFor(15, TimeUnit.SECONDS)).as("child exits after quit").isTrue();
            assertThat(child.exitValue()).isZero();
        }
        finally
        {
            for (final SocketChannel channel : flood)
            {
                channel.close();
            }
            if (child.isAlive())
            {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(childStderr);
        }
    }

    private String readLine(final BufferedReader out, final long timeoutMs, final String what) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() - deadlineNs < 0)
        {
            if (out.ready())
            {
                final String line = out.readLine();
                if (line == null)
                {
                    break;
                }
                childOutput.append(line).append('\n');
                if (line.startsWith(what))
                {
                    return line;
                }
            }
            else
            {
                Thread.sleep(10);
            }
        }
        throw new AssertionError("child did not print " + what + " within " + timeoutMs + " ms; it printed: " +
            childOutput + System.lineSeparator() + "and on stderr: " + childStderr());
    }

    private String childStderr()
    {
        try
        {
            final String text = Files.readString(childStderr);
            return text.length() > 4_000 ? "..." + text.substring(text.length() - 4_000) : text;
        }
        catch (final Exception ex)
        {
            return "(unreadable: " + ex + ")";
        }
    }

    private void pumpStats(final BufferedReader out)
    {
        try
        {
            String line;
            while ((line = out.readLine()) != null)
            {
                if (line.startsWith("STAT"))
                {
                    lastStat = line;
                }
            }
        }
        catch (final Exception ignore)
        {
            // the child exited
        }
    }

    private Stat previous;
    private long stableSinceNs;

    private boolean stableFor(final Stat stat)
    {
        if (previous == null || previous.opened != stat.opened)
        {
            previous = stat;
            stableSinceNs = System.nanoTime();
            return false;
        }
        return System.nanoTime() - stableSinceNs > TimeUnit.MILLISECONDS.toNanos(500);
    }

    private void awaitStat(final java.util.function.Predicate<Stat> condition, final long timeoutMs,
        final String what) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() - deadlineNs < 0)
        {
            final String line = lastStat;
            if (!line.isEmpty() && condition.test(parse(line)))
            {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("timed out waiting for " + what + "; last child stat: " + lastStat +
            System.lineSeparator() + "child stderr: " + childStderr());
    }

    private static Stat parse(final String line)
    {
        final Matcher m = STAT.matcher(line);
        if (!m.matches())
        {
            throw new AssertionError("unexpected child stat line: " + line);
        }
        return new Stat(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
            Long.parseLong(m.group(5)));
    }

    /** One parsed stat line of the child. */
    private record Stat(long acceptorCpuNs, int opened, int closed, long emfileBackoffs)
    {
    }
}
