package dev.coreloop.affinity.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.coreloop.affinity.CoreType;
import dev.coreloop.affinity.CpuSet;

class SysfsCpuReaderTest
{
    @TempDir
    Path root;

    private void write(final String relative, final String content)
    {
        TreeWriter.write(root, relative, content);
    }

    @Test
    void shouldTellBigFromLittleCoresByCapacity()
    {
        write("sys/devices/system/cpu/online", "0-3");
        final int[] capacities = { 446, 446, 1024, 1024 };
        for (int cpu = 0; cpu < 4; cpu++)
        {
            write("sys/devices/system/cpu/cpu" + cpu + "/cpu_capacity", Integer.toString(capacities[cpu]));
            write("sys/devices/system/cpu/cpu" + cpu + "/topology/core_id", Integer.toString(cpu));
            write("sys/devices/system/cpu/cpu" + cpu + "/topology/physical_package_id", "0");
        }

        final SysfsCpuReader.Result result = SysfsCpuReader.read(root);

        assertThat(result.hybrid()).isTrue();
        assertThat(result.cpus()).extracting(cpu -> cpu.coreType()).containsExactly(
            CoreType.EFFICIENCY, CoreType.EFFICIENCY, CoreType.PERFORMANCE, CoreType.PERFORMANCE);
        assertThat(result.warnings()).isEmpty();
    }

    @Test
    void shouldWarnAndGuessWhenFilesAreMissing()
    {
        write("sys/devices/system/cpu/cpu0/uevent", "");
        write("sys/devices/system/cpu/cpu1/uevent", "");
        write("sys/devices/system/cpu/cpufreq/uevent", "");

        final SysfsCpuReader.Result result = SysfsCpuReader.read(root);

        assertThat(result.online()).isEqualTo(CpuSet.of(0, 1));
        assertThat(result.hybrid()).isFalse();
        assertThat(result.cpus().get(1).threadSiblings()).isEqualTo(CpuSet.of(1));
        assertThat(result.nodes()).containsOnlyKeys(0);
        assertThat(result.warnings()).hasSize(3);
        assertThat(result.warnings().get(0)).endsWith("online is missing; assuming CPUs 0-1 are online");
        assertThat(result.warnings().get(1)).endsWith(
            "cpu0/topology is missing; CPU 0 is treated as its own core on package 0");
    }

    @Test
    void shouldNameTheFileWithAMalformedList()
    {
        write("sys/devices/system/cpu/online", "0-3");
        write("sys/devices/system/cpu/cpu0/topology/thread_siblings_list", "0,q");

        assertThatThrownBy(() -> SysfsCpuReader.read(root))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageEndingWith("cpu0/topology/thread_siblings_list: bad CPU list '0,q': 'q' at position 2 is not a CPU number");
    }
}
