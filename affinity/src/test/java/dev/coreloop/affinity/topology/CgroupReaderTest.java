package dev.coreloop.affinity.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.coreloop.affinity.CpuSet;

class CgroupReaderTest
{
    @TempDir
    Path root;

    private void write(final String relative, final String content)
    {
        TreeWriter.write(root, relative, content);
    }

    @Test
    void shouldTakeTightestQuotaAlongTheV2Ancestors()
    {
        write("proc/self/cgroup", "0::/kubepods/pod1/ctr");
        write("sys/fs/cgroup/cgroup.controllers", "cpuset cpu");
        write("sys/fs/cgroup/cpuset.cpus.effective", "0-7");
        write("sys/fs/cgroup/kubepods/cpu.max", "max 100000");
        write("sys/fs/cgroup/kubepods/pod1/cpu.max", "150000 100000");
        write("sys/fs/cgroup/kubepods/pod1/ctr/cpu.max", "300000 100000");
        write("sys/fs/cgroup/kubepods/pod1/ctr/cpuset.cpus.effective", "4-5");

        final CgroupReader.Result result = CgroupReader.read(root);

        assertThat(result.version()).isEqualTo("v2");
        assertThat(result.cpuset()).isEqualTo(CpuSet.parse("4-5"));
        assertThat(result.cpusetSource()).isEqualTo("/sys/fs/cgroup/kubepods/pod1/ctr/cpuset.cpus.effective");
        assertThat(result.quota().cpus()).isEqualTo(1.5);
        assertThat(result.quota().source()).isEqualTo("/sys/fs/cgroup/kubepods/pod1/cpu.max");
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void shouldFallBackToV1CpusetCpusInANestedGroup()
    {
        write("proc/self/cgroup", "5:cpuset:/docker/abc\n3:cpu,cpuacct:/docker/abc\n");
        write("sys/fs/cgroup/cpuset/cpuset.cpus", "0-15");
        write("sys/fs/cgroup/cpuset/docker/abc/cpuset.cpus", "1,3");
        write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "50000");
        write("sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000");

        final CgroupReader.Result result = CgroupReader.read(root);

        assertThat(result.version()).isEqualTo("v1");
        assertThat(result.cpuset()).isEqualTo(CpuSet.of(1, 3));
        assertThat(result.cpusetSource()).isEqualTo("/sys/fs/cgroup/cpuset/docker/abc/cpuset.cpus");
        assertThat(result.quota().cpus()).isEqualTo(0.5);
    }

    @Test
    void shouldSkipMalformedFilesWithAWarning()
    {
        write("proc/self/cgroup", "0::/");
        write("sys/fs/cgroup/cgroup.controllers", "cpuset cpu");
        write("sys/fs/cgroup/cpuset.cpus.effective", "0-x");
        write("sys/fs/cgroup/cpu.max", "lots");

        final CgroupReader.Result result = CgroupReader.read(root);

        assertThat(result.cpuset()).isNull();
        assertThat(result.quota()).isNull();
        assertThat(result.warnings()).hasSize(2);
        assertThat(result.warnings().get(0)).contains("cpuset.cpus.effective").contains("'x' at position 0");
        assertThat(result.warnings().get(1)).isEqualTo(
            "/sys/fs/cgroup/cpu.max: expected '<quota|max> <period>', found 'lots'");
    }

    @Test
    void shouldReportNoCgroupWithoutProcFile()
    {
        final CgroupReader.Result result = CgroupReader.read(root);

        assertThat(result.version()).isEqualTo("none");
        assertThat(result.cpuset()).isNull();
        assertThat(result.quota()).isNull();
    }

    @Test
    void shouldReadCpusAllowedListFromProcStatus()
    {
        write("proc/self/task/42/status", "Name:\tjava\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed:\t1");

        assertThat(ProcStatusReader.cpusAllowed(root, 42)).isEqualTo(CpuSet.parse("0-1"));
        assertThat(ProcStatusReader.cpusAllowed(root, 43)).isNull();
    }
}
