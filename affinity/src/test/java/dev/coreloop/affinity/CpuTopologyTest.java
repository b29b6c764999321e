package dev.coreloop.affinity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CpuTopologyTest
{
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        // fixture       | online  | offline | allowed  | cores | sockets | nodes                  | hybrid | isolated | nohz | cgroup | cpuset   | quota
        "server-2s-smt    | 0-15    | ''      | 0-15     | 8     | 2       | 0=0-3,8-11;1=4-7,12-15 | false  | ''       | ''   | v2     | 0-15     | null",
        "desktop-smt      | 0-7     | ''      | 0-7      | 4     | 1       | 0=0-7                  | false  | ''       | ''   | v2     | 0-7      | null",
        "hybrid           | 0-7     | ''      | 0-7      | 6     | 1       | 0=0-7                  | true   | ''       | ''   | v2     | 0-7      | null",
        "vm-nosmt         | 0-3     | ''      | 0-3      | 4     | 1       | 0=0-3                  | false  | 2-3      | 2-3  | hybrid | 0-3      | null",
        "container-subset | 0-7     | ''      | 2-3,6-7  | 4     | 1       | 0=0-7                  | false  | ''       | ''   | v2     | 2-3,6-7  | 4.0",
        "offline-cpu      | 0-1,3   | 2       | 0-1,3    | 3     | 1       | 0=0-1,3                | false  | ''       | ''   | v2     | 0-1,3    | null",
    })
    void shouldReadFixture(
        final String fixture,
        final String online,
        final String offline,
        final String allowed,
        final int physicalCores,
        final int sockets,
        final String nodes,
        final boolean hybrid,
        final String isolated,
        final String nohzFull,
        final String cgroupVersion,
        final String cpuset,
        final Double quotaCpus)
    {
        final CpuTopology topology = Fixtures.topology(fixture);

        assertThat(topology.warnings()).isEmpty();
        assertThat(topology.pinningSupported()).isTrue();
        assertThat(topology.online().toString()).isEqualTo(online);
        assertThat(topology.offline().toString()).isEqualTo(offline);
        assertThat(topology.allowed().toString()).isEqualTo(allowed);
        assertThat(topology.cpuCount()).isEqualTo(topology.online().size());
        assertThat(topology.cpus()).hasSize(topology.online().size());
        assertThat(topology.physicalCores(topology.online())).hasSize(physicalCores);
        assertThat(topology.cpus().stream().map(LogicalCpu::packageId).distinct().count()).isEqualTo(sockets);
        final Map<Integer, String> nodeLists = new TreeMap<>();
        topology.nodes().forEach((id, cpus) -> nodeLists.put(id, cpus.toString()));
        assertThat(nodeLists.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(";"))).isEqualTo(nodes);
        assertThat(topology.hybrid()).isEqualTo(hybrid);
        assertThat(topology.isolated().toString()).isEqualTo(isolated);
        assertThat(topology.nohzFull().toString()).isEqualTo(nohzFull);
        assertThat(topology.cgroupVersion()).isEqualTo(cgroupVersion);
        assertThat(topology.cgroupCpuset().toString()).isEqualTo(cpuset);
        if (quotaCpus == null)
        {
            assertThat(topology.quota()).isNull();
        }
        else
        {
            assertThat(topology.quota().cpus()).isCloseTo(quotaCpus, within(1e-9));
        }
        for (final LogicalCpu cpu : topology.cpus())
        {
            assertThat(cpu.threadSiblings().contains(cpu.id())).isTrue();
            assertThat(topology.nodes().get(cpu.nodeId()).contains(cpu.id())).isTrue();
            assertThat(cpu.isolated()).isEqualTo(topology.isolated().contains(cpu.id()));
        }
        assertThat(topology.describe()).contains("allowed: " + allowed);
    }

    @Test
    void shouldReadSmtSiblingsCachesAndNodesOfTwoSocketServer()
    {
        final CpuTopology topology = Fixtures.topology(Fixtures.SERVER);

        final LogicalCpu cpu9 = topology.cpu(9);
        assertThat(cpu9.coreId()).isEqualTo(1);
        assertThat(cpu9.packageId()).isZero();
        assertThat(cpu9.nodeId()).isZero();
        assertThat(cpu9.threadSiblings().toString()).isEqualTo("1,9");
        assertThat(cpu9.physicalCoreKey()).isEqualTo(1);
        assertThat(cpu9.l2Shared().toString()).isEqualTo("1,9");
        assertThat(cpu9.l3Shared().toString()).isEqualTo("0-3,8-11");
        final LogicalCpu cpu12 = topology.cpu(12);
        assertThat(cpu12.coreId()).isZero();
        assertThat(cpu12.packageId()).isEqualTo(1);
        assertThat(cpu12.nodeId()).isEqualTo(1);
        assertThat(cpu12.physicalCoreKey()).isEqualTo(4);
        assertThat(cpu12.coreType()).isEqualTo(CoreType.UNIFORM);
    }

    @Test
    void shouldIgnoreLevelOneAndInstructionCaches()
    {
        final LogicalCpu cpu5 = Fixtures.topology(Fixtures.DESKTOP).cpu(5);

        assertThat(cpu5.l2Shared().toString()).isEqualTo("1,5");
        assertThat(cpu5.l3Shared().toString()).isEqualTo("0-7");
    }

    @Test
    void shouldTellPerformanceFromEfficiencyCores()
    {
        final CpuTopology topology = Fixtures.topology(Fixtures.HYBRID);

        for (int cpu = 0; cpu < 4; cpu++)
        {
            assertThat(topology.cpu(cpu).coreType()).isEqualTo(CoreType.PERFORMANCE);
        }
        for (int cpu = 4; cpu < 8; cpu++)
        {
            assertThat(topology.cpu(cpu).coreType()).isEqualTo(CoreType.EFFICIENCY);
            assertThat(topology.cpu(cpu).threadSiblings()).isEqualTo(CpuSet.of(cpu));
        }
    }

    @Test
    void shouldMarkIsolatedAndNohzFullCpus()
    {
        final CpuTopology topology = Fixtures.topology(Fixtures.VM);

        assertThat(topology.cpu(2).isolated()).isTrue();
        assertThat(topology.cpu(2).nohzFull()).isTrue();
        assertThat(topology.cpu(1).isolated()).isFalse();
        assertThat(topology.cgroupCpusetSource()).isEqualTo("/sys/fs/cgroup/cpuset/cpuset.effective_cpus");
    }

    @Test
    void shouldLeaveOfflineCpuOut()
    {
        final CpuTopology topology = Fixtures.topology(Fixtures.OFFLINE);

        assertThat(topology.cpu(2)).isNull();
        assertThat(topology.cpu(3).id()).isEqualTo(3);
        assertThat(topology.describe()).contains("offline: 2");
    }

    @Test
    void shouldNarrowAllowedSetToThreadAffinity()
    {
        final CpuTopology topology = CpuTopology.detect(Fixtures.root(Fixtures.CONTAINER), CpuSet.parse("3,6-7"));

        assertThat(topology.allowed().toString()).isEqualTo("3,6-7");
        assertThat(topology.threadAffinity().toString()).isEqualTo("3,6-7");
        assertThat(topology.cgroupCpuset().toString()).isEqualTo("2-3,6-7");
    }

    @Test
    void shouldFallBackToContainerMountWhenCgroupPathIsTheHosts()
    {
        final CpuTopology topology = Fixtures.topology(Fixtures.CONTAINER);

        assertThat(topology.cgroupCpusetSource()).isEqualTo("/sys/fs/cgroup/cpuset.cpus.effective");
        assertThat(topology.quota().source()).isEqualTo("/sys/fs/cgroup/cpu.max");
        assertThat(topology.quota().quotaUs()).isEqualTo(400_000);
        assertThat(topology.quota().periodUs()).isEqualTo(100_000);
    }

    @Test
    void shouldKnowOnlyTheCountOffLinux()
    {
        final CpuTopology topology = CpuTopology.countOnly(6, "Mac OS X");

        assertThat(topology.pinningSupported()).isFalse();
        assertThat(topology.hasDetails()).isFalse();
        assertThat(topology.cpuCount()).isEqualTo(6);
        assertThat(topology.allowed().toString()).isEqualTo("0-5");
        assertThat(topology.warnings()).containsExactly(
            "CPU topology is only read on Linux (os.name=Mac OS X): 6 CPUs counted, pinning is off");
    }
}
