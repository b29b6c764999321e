package dev.coreloop.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.coreloop.affinity.CpuSet;
import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.affinity.PinMode;
import dev.coreloop.affinity.PinningPlan;
import dev.coreloop.affinity.ResolvedPlan;
import dev.coreloop.core.IdleMode;
import dev.coreloop.deploy.HostCheck.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code coreloop check} on the sysfs/procfs fixture trees under src/test/resources/host (see its README). */
class HostCheckTest
{
    private static final String SPEC = "acceptor=1 reactors=2-3";
    private static final long POOL_BYTES = 64L << 20;
    private static final long ENOUGH_DIRECT_BYTES = 1L << 30;

    static Path fixture(final String name)
    {
        final URL url = HostCheckTest.class.getResource("/host/" + name);
        if (url == null)
        {
            throw new IllegalArgumentException("no fixture " + name);
        }
        try
        {
            return Path.of(url.toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static HostCheck check(final String fixture, final String spec, final PinMode mode,
        final IdleMode idleMode, final int backlog, final long directBytes)
    {
        final Path root = fixture(fixture);
        final ResolvedPlan plan = PinningPlan.parse(spec).resolve(CpuTopology.detect(root));
        return new HostCheck(root, new HostCheck.Plan(plan, mode, idleMode, backlog,
            2L * 65_536, POOL_BYTES, directBytes));
    }

    private static HostCheck check(final String fixture)
    {
        return check(fixture, SPEC, PinMode.BEST_EFFORT, IdleMode.SELECT, 4096, ENOUGH_DIRECT_BYTES);
    }

    private static HostCheck.Finding finding(final HostCheck check, final String name)
    {
        return check.run().stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0} on {1}: {2}")
    @CsvSource({
        "cpu-isolation,         tuned,   PASS",
        "cpu-isolation,         untuned, WARN",
        "cpu-isolation,         vm,      WARN",
        "irq-affinity,          tuned,   PASS",
        "irq-affinity,          untuned, WARN",
        "irq-affinity,          vm,      SKIP",
        "rps-xps,               tuned,   PASS",
        "rps-xps,               untuned, WARN",
        "rps-xps,               vm,      SKIP",
        "cpu-governor,          tuned,   PASS",
        "cpu-governor,          untuned, WARN",
        "cpu-governor,          vm,      SKIP",
        "transparent-hugepages, tuned,   PASS",
        "transparent-hugepages, untuned, WARN",
        "transparent-hugepages, vm,      PASS",
        "somaxconn,             tuned,   PASS",
        "somaxconn,             untuned, WARN",
        "nofile,                tuned,   PASS",
        "nofile,                untuned, WARN",
        "nofile,                vm,      WARN",
        "cfs-quota,             tuned,   PASS",
        "cfs-quota,             untuned, WARN",
        "cfs-quota,             vm,      PASS",
        "direct-memory,         tuned,   PASS",
    })
    void shouldJudgeEachFixture(final String name, final String fixture, final Status expected)
    {
        final HostCheck.Finding finding = finding(check(fixture), name);

        assertThat(finding.status()).as("%s", finding).isEqualTo(expected);
        assertThat(finding.fix()).as("a finding that is not a pass names its fix: %s", finding)
            .matches(fix -> (expected == Status.WARN || expected == Status.FAIL) == (fix != null));
    }

    @Test
    void shouldNameTheIrqsAndTheMasksOnReactorCpus()
    {
        final HostCheck check = check("untuned");

        assertThat(finding(check, "irq-affinity").message())
            .isEqualTo("3 of 4 IRQs may land on reactor CPUs 2-3: 24 (eth0-rx-0) -> 0-3 (now 2), " +
                "25 (eth0-tx-0) -> 0-3 (now 3), 26 (nvme0q0) -> 0-3 (now 0)");
        assertThat(finding(check, "irq-affinity").fix()).startsWith("deploy/scripts/irq-affinity.sh --reactor-cpus 2-3");
        assertThat(finding(check, "rps-xps").message())
            .isEqualTo("2 of 4 RPS/XPS masks steer packet work to reactor CPUs: eth0/rx-0/rps_cpus=0-3, " +
                "eth0/tx-0/xps_cpus=0-3");
        assertThat(finding(check, "cpu-isolation").fix())
            .contains("isolcpus=2-3 nohz_full=2-3 rcu_nocbs=2-3");
        assertThat(finding(check, "cpu-governor").message()).contains("cpu2=powersave, cpu3=powersave");
        assertThat(finding(check, "somaxconn").fix()).isEqualTo(
            "sysctl -w net.core.somaxconn=4096 (and in /etc/sysctl.d/ to keep it)");
        assertThat(finding(check, "nofile").message()).startsWith("open-file limit 1024 ");
    }

    @Test
    void shouldWarnWhenReactorsTakeEveryCpuEvenIfIsolated()
    {
        final HostCheck.Finding finding = finding(check("tuned", "reserve=none reactors=0-3", PinMode.BEST_EFFORT,
            IdleMode.SELECT, 4096, ENOUGH_DIRECT_BYTES), "cpu-isolation");

        assertThat(finding.status()).isEqualTo(Status.WARN);
        assertThat(finding.message()).contains("are every CPU this process may use (0-3)");
        assertThat(finding.fix()).startsWith("leave a housekeeping CPU: --pin 'reserve=0 reactors=auto'");
    }

    @Test
    void shouldPassSomaxconnWhenTheBacklogFits()
    {
        assertThat(finding(check("untuned", SPEC, PinMode.BEST_EFFORT, IdleMode.SELECT, 128, ENOUGH_DIRECT_BYTES),
            "somaxconn").status()).isEqualTo(Status.PASS);
    }

    @Test
    void shouldFailBusySpinUnderACfsQuota()
    {
        final HostCheck.Finding spin = finding(
            check("untuned", SPEC, PinMode.BEST_EFFORT, IdleMode.SPIN, 4096, ENOUGH_DIRECT_BYTES), "cfs-quota");

        assertThat(spin.status()).isEqualTo(Status.FAIL);
        assertThat(spin.message()).startsWith("CFS quota of 1.50 CPUs").contains("idle mode spin");
        assertThat(finding(check("tuned", SPEC, PinMode.BEST_EFFORT, IdleMode.SPIN, 4096, ENOUGH_DIRECT_BYTES),
            "cfs-quota").status()).isEqualTo(Status.PASS);
    }

    @Test
    void shouldWarnWhenDirectMemoryCannotHoldThePools()
    {
        final HostCheck.Finding small = finding(
            check("tuned", SPEC, PinMode.BEST_EFFORT, IdleMode.SELECT, 4096, 100L << 20), "direct-memory");
        final HostCheck.Finding unknown = finding(
            check("tuned", SPEC, PinMode.BEST_EFFORT, IdleMode.SELECT, 4096, -1), "direct-memory");

        assertThat(small.status()).isEqualTo(Status.WARN);
        assertThat(small.fix()).isEqualTo("JAVA_OPTS=-XX:MaxDirectMemorySize=144m");
        assertThat(unknown.status()).isEqualTo(Status.SKIP);
    }

    @Test
    void shouldSkipTheCpuChecksWhenPinningIsOff()
    {
        final HostCheck check = check("untuned", SPEC, PinMode.OFF, IdleMode.SELECT, 4096, ENOUGH_DIRECT_BYTES);

        assertThat(check.reactorCpus().isEmpty()).isTrue();
        for (final String name : List.of("cpu-isolation", "irq-affinity", "rps-xps", "cpu-governor"))
        {
            assertThat(finding(check, name).status()).as(name).isEqualTo(Status.SKIP);
        }
    }

    @Test
    void shouldParseKernelCommandLinesAndHexMasks()
    {
        assertThat(HostCheck.cmdlineCpus("a isolcpus=managed_irq,domain,2-5,7 b", "isolcpus"))
            .isEqualTo(CpuSet.parse("2-5,7"));
        assertThat(HostCheck.cmdlineCpus("nohz_full=1", "isolcpus").isEmpty()).isTrue();
        assertThat(HostCheck.parseHexMask("00000000,00000101")).isEqualTo(CpuSet.parse("0,8"));
        assertThat(HostCheck.parseHexMask("0").isEmpty()).isTrue();
        assertThat(HostCheck.parseHexMask("f0")).isEqualTo(CpuSet.parse("4-7"));
    }

    @Test
    void worstStatusDecidesTheExitStatus()
    {
        assertThat(exit("tuned")).isEqualTo(CheckCommand.EXIT_PASS);
        assertThat(exit("untuned")).isEqualTo(CheckCommand.EXIT_WARN);
        assertThat(exit("untuned", "--idle-mode", "spin")).isEqualTo(CheckCommand.EXIT_FAIL);
        assertThat(exit("untuned", "--idle-mode", "spin", "--warn-only")).isEqualTo(CheckCommand.EXIT_PASS);
        assertThat(exit("tuned", "--pin", "reactors=9-12")).isEqualTo(Main.EXIT_USAGE);
        assertThat(exit("tuned", "--warn-only", "--backlog", "+1")).isEqualTo(Main.EXIT_USAGE);
    }

    @Test
    void shouldPrintEveryCheckWithItsFix()
    {
        final StringWriter out = new StringWriter();
        final int status = Main.execute(args("untuned", "--idle-mode", "spin", "--warn-only"), new PrintWriter(out),
            new PrintWriter(new StringWriter()), Map.of(), (settings, o, e) -> Main.EXIT_FAILURE);
        final String report = out.toString();

        assertThat(status).isEqualTo(CheckCommand.EXIT_PASS);
        assertThat(report).startsWith("plan: ").contains("; reactor CPUs 2-3\n")
            .contains("fail  cfs-quota ").contains("warn  irq-affinity ").contains("pass  direct-memory ")
            .contains("fix: deploy/scripts/irq-affinity.sh --reactor-cpus 2-3")
            .endsWith("result: fail (--warn-only: exit 0)\n");
        for (final String name : HostCheck.NAMES)
        {
            assertThat(report).containsPattern("(?m)^(pass|skip|warn|fail)  " + name + " ");
        }
    }

    private static String[] args(final String fixture, final String... more)
    {
        final String[] base = {"check", "--root", fixture(fixture).toString(), "--pin", SPEC,
            "--buffer-pool-bytes", "4194304"};
        final String[] all = new String[base.length + more.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    private static int exit(final String fixture, final String... more)
    {
        final String[] all = args(fixture, more);
        // a later --pin wins in picocli only if repeated options are allowed; drop the default one when overridden
        final boolean pinGiven = List.of(more).contains("--pin");
        final String[] used = pinGiven ? dropDefaultPin(all) : all;
        return Main.execute(used, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(),
            (settings, o, e) -> Main.EXIT_FAILURE);
    }

    private static String[] dropDefaultPin(final String[] all)
    {
        final String[] used = new String[all.length - 2];
        int j = 0;
        for (int i = 0; i < all.length; i++)
        {
            if (i == 3 || i == 4)
            {
                continue;
            }
            used[j++] = all[i];
        }
        return used;
    }
}
