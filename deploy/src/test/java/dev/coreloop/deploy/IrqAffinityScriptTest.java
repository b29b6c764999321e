package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.affinity.PinMode;
import dev.coreloop.affinity.PinningPlan;
import dev.coreloop.core.IdleMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** deploy/scripts/irq-affinity.sh against the host fixtures (--root), dry run and real writes into a copy. */
class IrqAffinityScriptTest
{
    private static final Path SCRIPT = Path.of("scripts/irq-affinity.sh");

    private record Result(int status, String stdout, String stderr)
    {
    }

    private static Result run(final String... args) throws IOException, InterruptedException
    {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "no bash");
        final List<String> command = new ArrayList<>(List.of("/bin/bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).start();
        final byte[] out = process.getInputStream().readAllBytes();
        final byte[] err = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
            new String(err, StandardCharsets.UTF_8));
    }

    @Test
    @Timeout(60)
    void shouldPrintWhatItWouldWriteAndWriteNothing() throws Exception
    {
        final Path root = HostCheckTest.fixture("untuned");
        final String before = Files.readString(root.resolve("proc/irq/24/smp_affinity_list"));

        final Result result = run("--reactor-cpus", "2-3", "--root", root.toString(), "--dry-run");

        assertThat(result.status).as(result.stderr).isZero();
        assertThat(result.stdout).isEqualTo("""
            reactor CPUs 2-3; housekeeping CPUs 0-1 (dry run: nothing is written)
            would write 3 to /proc/irq/default_smp_affinity (was f)
            would write 0-1 to /proc/irq/24/smp_affinity_list (was 0-3)
            would write 0-1 to /proc/irq/25/smp_affinity_list (was 0-3)
            would write 0-1 to /proc/irq/26/smp_affinity_list (was 0-3)
            would write 3 to /sys/class/net/eth0/queues/rx-0/rps_cpus (was f)
            would write 00000003 to /sys/class/net/eth0/queues/tx-0/xps_cpus (was 0000000f)
            """);
        assertThat(Files.readString(root.resolve("proc/irq/24/smp_affinity_list"))).isEqualTo(before);
    }

    @Test
    @Timeout(60)
    void shouldFindNothingToDoOnATunedHost() throws Exception
    {
        final Result result = run("--reactor-cpus", "2-3", "--root", HostCheckTest.fixture("tuned").toString(),
            "--dry-run");

        assertThat(result.status).isZero();
        assertThat(result.stdout).endsWith(
            "nothing to change: no IRQ, default affinity, RPS or XPS mask names a reactor CPU\n");
    }

    @Test
    @Timeout(60)
    void shouldMakeTheHostCheckPassOnceApplied(@TempDir final Path copy) throws Exception
    {
        final Path source = HostCheckTest.fixture("untuned");
        try (Stream<Path> files = Files.walk(source))
        {
            for (final Path file : files.toList())
            {
                final Path target = copy.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(file, target);
                }
            }
        }

        final Result result = run("--reactor-cpus", "2-3", "--root", copy.toString());

        assertThat(result.status).as(result.stderr).isZero();
        assertThat(result.stdout).contains("wrote 0-1 to /proc/irq/25/smp_affinity_list (was 0-3)");
        final HostCheck check = new HostCheck(copy, new HostCheck.Plan(
            PinningPlan.parse("acceptor=1 reactors=2-3").resolve(CpuTopology.detect(copy)), PinMode.BEST_EFFORT,
            IdleMode.SELECT, 128, 1, 1 << 22, 1L << 30));
        assertThat(check.irqAffinity().status()).as("%s", check.irqAffinity()).isEqualTo(HostCheck.Status.PASS);
        assertThat(check.rpsXps().status()).as("%s", check.rpsXps()).isEqualTo(HostCheck.Status.PASS);
        assertThat(Files.readString(copy.resolve("sys/class/net/eth0/queues/tx-0/xps_cpus"))).isEqualTo("00000003\n");
    }

    @Test
    @Timeout(60)
    void shouldRefuseBadInput() throws Exception
    {
        final String root = HostCheckTest.fixture("tuned").toString();

        assertThat(run("--root", root).stderr).isEqualTo(
            "irq-affinity.sh: --reactor-cpus LIST is required (e.g. --reactor-cpus 2-7)\n");
        assertThat(run("--reactor-cpus", "2-x", "--root", root).status).isEqualTo(2);
        final Result all = run("--reactor-cpus", "0-3", "--root", root, "--dry-run");
        assertThat(all.status).isEqualTo(2);
        assertThat(all.stderr).contains("no housekeeping CPU left");
    }
}
