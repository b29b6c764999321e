package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.coreloop.affinity.CpuSet;
import dev.coreloop.affinity.topology.ProcStatusReader;

/**
 * On a 2-CPU machine, {@code coreloop serve --pin 'reserve=0 reactors=1'} puts its reactor on CPU 1 and, with the
 * default {@code --jvm-threads-cpus auto}, every other thread of the JVM (GC, JIT compilers, VM thread, main, the
 * acceptor) on CPU 0: read from {@code /proc/<pid>/task/<tid>/status} of the launched server. (Plain
 * {@code reactors=1} places its one reactor on CPU 0, next to the acceptor; the JVM's threads then go to CPU 1.)
 */
class JvmThreadsIT
{
    private static final long START_TIMEOUT_MS = 60_000;

    private static Path jar;

    @TempDir
    Path claims;

    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void findTheJarAndTwoCpus()
    {
        jar = Path.of(System.getProperty("coreloop.launcher.jar", "target/missing.jar")).toAbsolutePath().normalize();
        assumeTrue(Files.isRegularFile(jar), "the runnable jar is not built: " + jar);
        assumeTrue(CpuSet.parse("0-1").equals(ProcStatusReader.cpusAllowed(Path.of("/proc/self/status"))),
            "needs a process allowed on exactly CPUs 0-1");
    }

    @AfterEach
    void stop() throws InterruptedException
    {
        for (final Process process : processes)
        {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void dryRunShowsWhereTheJvmThreadsGo() throws Exception
    {
        final Process process = start("serve", "--pin", "reserve=0 reactors=1", "--dry-run");
        final String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).isZero();
        assertThat(stdout).contains("jvm-threads-cpus      = auto");
        assertThat(stdout).contains("jvm threads cpus      = 0 (auto: the allowed CPUs 0-1 minus the reactor CPUs 1)");

        final Process plain = start("serve", "--pin", "reactors=1", "--dry-run");
        final String plainOut = new String(plain.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(plain.waitFor()).isZero();
        assertThat(plainOut).contains("jvm threads cpus      = 1 (auto: the allowed CPUs 0-1 minus the reactor CPUs 0)");

        final Process off = start("serve", "--pin", "reserve=0 reactors=1", "--jvm-threads-cpus", "1", "--dry-run");
        final String err = new String(off.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(off.waitFor()).isEqualTo(Main.EXIT_USAGE);
        assertThat(err).contains("--jvm-threads-cpus: '1' includes CPUs 1 of the reactors (reactor CPUs 1)");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyThreadButTheReactorEndsOnTheHousekeepingCpu() throws Exception
    {
        final Process server = start("serve", "--pin", "reserve=0 reactors=1", "--echo-port", "ephemeral", "--http-port", "0",
            "--resp-port", "0");
        final BufferedReader stdout = new BufferedReader(new InputStreamReader(server.getInputStream(),
            StandardCharsets.UTF_8));
        final StringBuilder seen = new StringBuilder();
        final long deadlineMs = System.currentTimeMillis() + START_TIMEOUT_MS;
        String line;
        String moved = null;
        while ((line = stdout.readLine()) != null && System.currentTimeMillis() < deadlineMs)
        {
            seen.append(line).append('\n');
            if (line.startsWith("coreloop: jvm threads: "))
            {
                moved = line;
            }
            if (line.startsWith("coreloop: ready:"))
            {
                break;
            }
        }
        assertThat(seen.toString()).contains("coreloop: ready:");
        assertThat(moved).as(seen.toString())
            .matches("coreloop: jvm threads: moved [1-9][0-9]* JVM threads to CPUs 0.*; left [0-9]+ pinned threads? " +
                "\\(.*reactor-0/[0-9]+.*\\) \\(auto: the allowed CPUs 0-1 minus the reactor CPUs 1\\); re-checked every " +
                "second");

        // Threads the JVM adds later are moved by the once-a-second sweep: poll until all are where they belong.
        final Path tasks = Path.of("/proc", Long.toString(server.pid()), "task");
        Map<String, String> wrong = Map.of("not read", "yet");
        Map<String, String> all = Map.of();
        for (int attempt = 0; attempt < 50 && !wrong.isEmpty(); attempt++)
        {
            all = threads(tasks);
            wrong = new TreeMap<>(all);
            wrong.entrySet().removeIf(e -> e.getKey().startsWith("reactor-0/") ? e.getValue().equals("1") :
                e.getValue().equals("0"));
            if (!wrong.isEmpty())
            {
                Thread.sleep(200);
            }
        }
        assertThat(all.keySet()).anyMatch(name -> name.startsWith("reactor-0/"));
        assertThat(all.keySet()).anyMatch(name -> name.startsWith("acceptor/"));
        assertThat(all.size()).isGreaterThan(10);
        assertThat(wrong).as("threads not where they belong (name/tid -> Cpus_allowed_list), of %s", all).isEmpty();
        assertThat(server.isAlive()).isTrue();
    }

    /** {@return comm/tid to Cpus_allowed_list of every thread of the process} */
    private static Map<String, String> threads(final Path tasks) throws IOException
    {
        final Map<String, String> threads = new TreeMap<>();
        try (Stream<Path> list = Files.list(tasks))
        {
            for (final Path task : (Iterable<Path>)list::iterator)
            {
                try
                {
                    final String name = Files.readString(task.resolve("comm")).trim();
                    final CpuSet cpus = ProcStatusReader.cpusAllowed(task.resolve("status"));
                    if (cpus != null)
                    {
                        threads.put(name + "/" + task.getFileName(), cpus.toString());
                    }
                }
                catch (final IOException ex)
                {
                    // the thread exited while we looked
                }
            }
        }
        return threads;
    }

    private Process start(final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Dcoreloop.cpu.lock.dir=" + claims);
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith(Setting.ENV_PREFIX) || name.equals("JAVA_OPTS"));
        builder.redirectError(ProcessBuilder.Redirect.PIPE);
        final Process process = builder.start();
        processes.add(process);
        return process;
    }
}
