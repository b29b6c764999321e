package dev.coreloop.affinity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.coreloop.affinity.topology.TreeWriter;

class PinningPlanTest
{
    private static CpuTopology topology(final String fixture, final String affinity)
    {
        return affinity == null ? Fixtures.topology(fixture) :
            CpuTopology.detect(Fixtures.root(fixture), CpuSet.parse(affinity));
    }

    /** "acceptor=0,8 reactors=1,2,3": the acceptor's CPUs (or float) and the reactor CPUs in index order. */
    private static String placement(final ResolvedPlan plan)
    {
        final StringBuilder sb = new StringBuilder("acceptor=");
        sb.append(plan.acceptorCpus() == null ? "float" : plan.acceptorCpus().toString()).append(" reactors=");
        for (int i = 0; i < plan.reactorCount(); i++)
        {
            sb.append(i == 0 ? "" : ",").append(plan.reactorCpu(i));
        }
        return sb.toString();
    }

    @ParameterizedTest(name = "{0} {2}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        // fixture       | sched_getaffinity | spec                                 | placement
        "server-2s-smt    | null      | reactors=auto                         | acceptor=0,8 reactors=1,2,3,4,5,6,7",
        "server-2s-smt    | null      | ''                                    | acceptor=0,8 reactors=1,2,3,4,5,6,7",
        "server-2s-smt    | null      | reactors=2                            | acceptor=0,8 reactors=1,2",
        "server-2s-smt    | null      | reactors=4                            | acceptor=0,8 reactors=4,5,6,7",
        "server-2s-smt    | null      | reactors=10                           | acceptor=0,8 reactors=1,2,3,4,5,6,7,9,10,11",
        "server-2s-smt    | null      | acceptor=0 reactors=2-9               | acceptor=0 reactors=2,3,4,5,6,7,8,9",
        "server-2s-smt    | null      | reactors=node1                        | acceptor=0,8 reactors=4,5,6,7",
        "server-2s-smt    | null      | reactors=auto smt=avoid reserve=0     | acceptor=0 reactors=1,2,3,4,5,6,7",
        "server-2s-smt    | null      | reactors=auto smt=allow               | acceptor=0,8 reactors=1,2,3,4,5,6,7,9,10,11,12,13,14,15",
        "server-2s-smt    | null      | reactors=3 acceptor=float             | acceptor=float reactors=1,2,3",
        "server-2s-smt    | null      | reactors=auto reserve=none            | acceptor=0 reactors=0,1,2,3,4,5,6,7",
        "server-2s-smt    | 4-7,12-15 | reactors=auto                         | acceptor=4,12 reactors=5,6,7",
        "desktop-smt      | null      | reactors=auto                         | acceptor=0,4 reactors=1,2,3",
        "desktop-smt      | null      | reactors=4                            | acceptor=0,4 reactors=1,2,3,5",
        "desktop-smt      | null      | reactors=8                            | acceptor=0 reactors=0,1,2,3,4,5,6,7",
        "desktop-smt      | null      | reactors=3,1 acceptor=0               | acceptor=0 reactors=3,1",
        "hybrid           | null      | reactors=auto                         | acceptor=4 reactors=0,2",
        "hybrid           | null      | reactors=auto smt=allow               | acceptor=4 reactors=0,2,1,3",
        "hybrid           | null      | reactors=4                            | acceptor=4 reactors=0,2,5,6",
        "vm-nosmt         | null      | reactors=auto                         | acceptor=0 reactors=2,3,1",
        "vm-nosmt         | null      | reactors=4                            | acceptor=0 reactors=2,3,0,1",
        "container-subset | null      | reactors=auto                         | acceptor=2 reactors=2,3",
        "container-subset | null      | reactors=auto smt=allow               | acceptor=2 reactors=2,3,6,7",
        "offline-cpu      | null      | reactors=auto                         | acceptor=0 reactors=0,1,3",
        "offline-cpu      | null      | reactors=auto reserve=0               | acceptor=0 reactors=1,3",
        "offline-cpu      | 1         | reactors=auto                         | acceptor=1 reactors=1",
    })
    void shouldPlaceRoles(final String fixture, final String affinity, final String spec, final String expected)
    {
        final ResolvedPlan plan = PinningPlan.parse(spec).resolve(topology(fixture, affinity));

        assertThat(placement(plan)).isEqualTo(expected);
        assertThat(plan.pinned()).isTrue();
        for (int i = 0; i < plan.reactorCount(); i++)
        {
            assertThat(plan.allowed().contains(plan.reactorCpu(i))).isTrue();
            assertThat(plan.cpusFor(ResolvedPlan.reactorRole(i))).isEqualTo(CpuSet.of(plan.reactorCpu(i)));
        }
    }

    @ParameterizedTest(name = "{0} {2}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "desktop-smt      | null      | reactors=3,12             | reactors=3,12: CPU 12 is not in the allowed set 0-7",
        "desktop-smt      | null      | reactors=1,3,3            | reactors=1,3,3: two reactors on CPU 3",
        "desktop-smt      | null      | reactors=16               | reactors=16: 16 reactors for 8 allowed CPUs (allowed set 0-7)",
        "desktop-smt      | null      | acceptor=12               | acceptor=12: CPU 12 is not in the allowed set 0-7",
        "desktop-smt      | null      | reserve=12                | reserve=12: CPU 12 is not in the allowed set 0-7",
        "desktop-smt      | null      | reserve=0-7               | reserve=0-7 leaves no allowed CPU for reactors (allowed set 0-7)",
        "desktop-smt      | null      | reserve=0 reactors=0-3    | reactors=0-3: CPU 0 is reserved by reserve=0",
        "desktop-smt      | null      | reserve=0-1 reactors=7    | reactors=7: 7 reactors for 6 allowed CPUs outside reserve=0-1 (allowed set 0-7)",
        "server-2s-smt    | null      | reactors=node3            | reactors=node3: NUMA node 3 does not exist (nodes 0-1)",
        "server-2s-smt    | 0-3,8-11  | reactors=node1            | reactors=node1: NUMA node 1 (CPUs 4-7,12-15) has no CPU in the allowed set 0-3,8-11 outside the reserved CPUs 0,8",
        "container-subset | null      | acceptor=0                | acceptor=0: CPU 0 is not in the allowed set 2-3,6-7",
        "container-subset | null      | reactors=2-5              | reactors=2-5: CPU 4 is not in the allowed set 2-3,6-7",
        "offline-cpu      | null      | reactors=0-3              | reactors=0-3: CPU 2 is not in the allowed set 0-1,3",
    })
    void shouldRejectImpossiblePlans(
        final String fixture, final String affinity, final String spec, final String message)
    {
        final PinningPlan plan = PinningPlan.parse(spec);
        final CpuTopology topology = topology(fixture, affinity);

        assertThatThrownBy(() -> plan.resolve(topology)).isInstanceOf(PinningException.class).hasMessage(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "reactor=4                | pinning spec 'reactor=4': unknown key 'reactor' (keys: acceptor, mode, reactors, reserve, smt)",
        "reactors                 | pinning spec 'reactors': 'reactors' is not key=value (keys: acceptor, mode, reactors, reserve, smt)",
        "reactors=4 reactors=5    | pinning spec 'reactors=4 reactors=5': reactors is given twice",
        "off mode=strict          | pinning spec 'off mode=strict': mode is given twice",
        "reactors=                | pinning spec 'reactors=': reactors= has no value",
        "reactors=0               | pinning spec 'reactors=0': reactors=0 places no reactor; give at least 1",
        "reactors=2-x             | pinning spec 'reactors=2-x': reactors=2-x: bad CPU list '2-x': 'x' at position 0 is not a CPU number (expected auto, a count, a CPU list such as 2-9 or 3,5, or nodeK)",
        "reactors=99999           | pinning spec 'reactors=99999': reactors=99999: 99999 is above 8191",
        "acceptor=any             | pinning spec 'acceptor=any': acceptor=any: expected auto, float or one CPU number",
        "smt=maybe                | pinning spec 'smt=maybe': smt=maybe: expected avoid or allow",
        "mode=loose               | pinning spec 'mode=loose': mode=loose: expected strict, best-effort or off",
    })
    void shouldRejectMalformedSpecs(final String spec, final String message)
    {
        assertThatThrownBy(() -> PinningPlan.parse(spec)).isInstanceOf(PinningException.class).hasMessage(message);
    }

    @Test
    void shouldParseEveryKey()
    {
        final PinningPlan plan = PinningPlan.parse("  acceptor=0   reactors=2-9 reserve=0,1 smt=allow mode=strict ");

        assertThat(plan.spec()).isEqualTo("acceptor=0   reactors=2-9 reserve=0,1 smt=allow mode=strict");
        assertThat(plan.acceptorKind()).isEqualTo(PinningPlan.AcceptorKind.CPU);
        assertThat(plan.acceptorCpu()).isZero();
        assertThat(plan.reactorsKind()).isEqualTo(PinningPlan.ReactorsKind.CPUS);
        assertThat(plan.reactorCpus()).containsExactly(2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(plan.reserveKind()).isEqualTo(PinningPlan.ReserveKind.CPUS);
        assertThat(plan.reserve()).isEqualTo(CpuSet.of(0, 1));
        assertThat(plan.smt()).isEqualTo(PinningPlan.SmtPolicy.ALLOW);
        assertThat(plan.mode()).isEqualTo(PinMode.STRICT);
        assertThat(PinningPlan.parse("reactors=node1").reactorNode()).isEqualTo(1);
        assertThat(PinningPlan.parse("reactors=4").reactorCount()).isEqualTo(4);
        assertThat(PinningPlan.parse(null).spec()).isEqualTo(PinningPlan.SPEC_DEFAULT);
        assertThat(PinningPlan.parse("off").mode()).isEqualTo(PinMode.OFF);
        assertThat(PinningPlan.parse("mode=BEST_EFFORT").mode()).isEqualTo(PinMode.BEST_EFFORT);
    }

    @Test
    void shouldPreferTheSystemPropertyForTheSpec()
    {
        final String previous = System.getProperty(PinningPlan.SPEC_PROP_NAME);
        try
        {
            System.setProperty(PinningPlan.SPEC_PROP_NAME, "reactors=3");
            assertThat(PinningPlan.specFromEnvironment()).isEqualTo("reactors=3");
            System.clearProperty(PinningPlan.SPEC_PROP_NAME);
            final String env = System.getenv(PinningPlan.SPEC_ENV_NAME);
            assertThat(PinningPlan.specFromEnvironment())
                .isEqualTo(env == null || env.isBlank() ? PinningPlan.SPEC_DEFAULT : env);
        }
        finally
        {
            if (previous == null)
            {
                System.clearProperty(PinningPlan.SPEC_PROP_NAME);
            }
            else
            {
                System.setProperty(PinningPlan.SPEC_PROP_NAME, previous);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "desktop-smt      | reactors=4              | reactor-0 (CPU 1) and reactor-3 (CPU 5) share a physical core (SMT siblings)",
        "offline-cpu      | reactors=auto           | acceptor shares CPU 0 with reactor-0",
        "container-subset | reactors=auto           | acceptor shares CPU 2 with reactor-0",
        "server-2s-smt    | acceptor=0 reactors=2-9 | reactor-6 (CPU 8) shares a physical core with CPU 0, kept for the OS and the acceptor",
        "hybrid           | reactors=3              | reactor-2 (CPU 5) runs on an efficiency core while other reactors run on performance cores",
        "server-2s-smt    | reactors=auto           | ''",
        "desktop-smt      | reactors=4 smt=allow    | ''",
    })
    void shouldWarnAboutPoorPlacements(final String fixture, final String spec, final String warnings)
    {
        final ResolvedPlan plan = PinningPlan.parse(spec).resolve(Fixtures.topology(fixture));

        assertThat(String.join(" | ", plan.warnings())).isEqualTo(warnings);
        assertThat(plan.warnings(false)).isEqualTo(plan.warnings());
    }

    @Test
    void shouldWarnThatBusySpinIsThrottledByCfsQuota()
    {
        final ResolvedPlan plan = PinningPlan.parse("reactors=auto").resolve(Fixtures.topology(Fixtures.CONTAINER));

        assertThat(plan.quotaWarning(false)).isNull();
        assertThat(plan.warnings(false)).isEqualTo(plan.warnings());
        assertThat(plan.quotaWarning(true)).isEqualTo(
            "CFS quota of 4.00 CPUs (/sys/fs/cgroup/cpu.max) with 2 busy-spinning reactors: each spinning reactor " +
            "burns a whole CPU, so the cgroup is throttled every 100000 us period; use a blocking idle mode " +
            "(SELECT or BACKOFF) or raise the quota to at least 3 CPUs");
        assertThat(plan.warnings(true)).endsWith(plan.quotaWarning(true));
        assertThat(PinningPlan.parse("reactors=auto").resolve(Fixtures.topology(Fixtures.DESKTOP))
            .quotaWarning(true)).isNull();
    }

    @Test
    void shouldWarnWhenQuotaIsBelowReactorCount(@TempDir final Path root)
    {
        TreeWriter.write(root, "sys/devices/system/cpu/online", "0-3");
        TreeWriter.write(root, "proc/self/cgroup", "0::/");
        TreeWriter.write(root, "sys/fs/cgroup/cgroup.controllers", "cpu");
        TreeWriter.write(root, "sys/fs/cgroup/cpu.max", "150000 100000");

        final ResolvedPlan plan = PinningPlan.parse("reactors=4").resolve(CpuTopology.detect(root));

        assertThat(plan.warnings()).contains(
            "CFS quota of 1.50 CPUs (/sys/fs/cgroup/cpu.max) is below the 4 planned reactors: under full load the " +
            "cgroup is throttled every 100000 us period");
    }

    @Test
    void shouldKeepTheReactorCountWhenPinningIsOff()
    {
        final ResolvedPlan off = PinningPlan.parse("reactors=3 mode=off").resolve(Fixtures.topology(Fixtures.SERVER));
        assertThat(off.pinned()).isFalse();
        assertThat(off.placed()).isTrue();
        assertThat(off.reactorCount()).isEqualTo(3);
        final FakeAffinityBackend backend = new FakeAffinityBackend(CpuSet.parse("0-15"));
        try (PlanPinner pinner = new PlanPinner(off, off.mode(), backend, null))
        {
            assertThat(pinner.pinCurrentThread("reactor-0").status()).isEqualTo(PinResult.Status.UNPINNED);
            assertThat(backend.setCalls).isZero();
        }

        final CpuTopology mac = CpuTopology.countOnly(6, "Mac OS X");
        assertThat(PinningPlan.parse("reactors=auto").resolve(mac).reactorCount()).isEqualTo(6);
        assertThat(PinningPlan.parse("reactors=2").resolve(mac).reactorCount()).isEqualTo(2);
        final ResolvedPlan macPlan = PinningPlan.parse("reactors=1-3").resolve(mac);
        assertThat(macPlan.pinned()).isFalse();
        assertThat(macPlan.placed()).isFalse();
        assertThat(macPlan.cpusFor("reactor-0")).isNull();
        final FakeAffinityBackend macBackend = new FakeAffinityBackend(CpuSet.parse("0-5"));
        try (PlanPinner pinner = new PlanPinner(macPlan, PinMode.BEST_EFFORT, macBackend, null))
        {
            assertThat(pinner.pinCurrentThread("reactor-0").status()).isEqualTo(PinResult.Status.UNPINNED);
            assertThat(pinner.warnings()).isEmpty();
            assertThat(pinner.plannedReactorCount()).isEqualTo(3);
        }
        assertThatThrownBy(() -> new PlanPinner(macPlan, PinMode.STRICT, macBackend, null))
            .isInstanceOf(PinningException.class)
            .hasMessageStartingWith("mode=strict: this OS or JVM cannot pin threads");
    }
}
