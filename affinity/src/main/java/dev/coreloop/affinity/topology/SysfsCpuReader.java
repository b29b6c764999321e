package dev.coreloop.affinity.topology;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.coreloop.affinity.CoreType;
import dev.coreloop.affinity.CpuSet;
import dev.coreloop.affinity.LogicalCpu;

/**
 * Reads the CPU and NUMA topology from sysfs under a root directory ({@code /} on a live machine, a fixture tree
 * in tests).
 *
 * <p>Files read, relative to the root: {@code sys/devices/system/cpu/{online,offline,isolated,nohz_full}},
 * {@code sys/devices/system/cpu/cpuN/topology/{core_id,physical_package_id,thread_siblings_list}},
 * {@code sys/devices/system/cpu/cpuN/cache/indexK/{level,type,shared_cpu_list}},
 * {@code sys/devices/system/cpu/cpuN/cpu_capacity}, {@code sys/devices/system/node/nodeM/cpulist},
 * {@code sys/devices/cpu_core/cpus} and {@code sys/devices/cpu_atom/cpus} (Intel hybrid).
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
public final class SysfsCpuReader
{
    /**
     * What sysfs says about the CPUs.
     *
     * @param online   the online CPUs.
     * @param offline  the offline CPUs.
     * @param cpus     each online CPU's core, package, node, caches and core type, in id order.
     * @param nodes    NUMA node id to its CPUs.
     * @param isolated the CPUs isolated from the scheduler ({@code isolcpus}).
     * @param nohzFull the adaptive-tick CPUs ({@code nohz_full}).
     * @param hybrid   true when the processor has performance and efficiency cores.
     * @param warnings problems met while reading, one line each.
     */
    public record Result(
        CpuSet online,
        CpuSet offline,
        List<LogicalCpu> cpus,
        Map<Integer, CpuSet> nodes,
        CpuSet isolated,
        CpuSet nohzFull,
        boolean hybrid,
        List<String> warnings)
    {
    }

    private SysfsCpuReader()
    {
    }

    /**
     * {@return the topology of the online CPUs}
     *
     * @param root the root directory.
     * @throws IllegalArgumentException when a CPU list in sysfs is malformed (names the file).
     */
    public static Result read(final Path root)
    {
        final List<String> warnings = new ArrayList<>();
        final Path cpuDir = root.resolve("sys/devices/system/cpu");
        CpuSet online = SysfsFiles.readCpuList(cpuDir.resolve("online"));
        if (online == null)
        {
            online = listNumberedDirs(cpuDir, "cpu");
            warnings.add(cpuDir.resolve("online") + " is missing; assuming CPUs " + online + " are online");
        }
        final CpuSet offline = orEmpty(SysfsFiles.readCpuList(cpuDir.resolve("offline")));
        final CpuSet isolated = orEmpty(SysfsFiles.readCpuList(cpuDir.resolve("isolated")));
        final CpuSet nohzFull = orEmpty(SysfsFiles.readCpuList(cpuDir.resolve("nohz_full")));

        final Map<Integer, CpuSet> nodes = readNodes(root.resolve("sys/devices/system/node"));
        final CoreTypes coreTypes = readCoreTypes(root, cpuDir, online);

        final List<LogicalCpu> cpus = new ArrayList<>();
        for (int id = online.first(); id >= 0; id = online.next(id))
        {
            final Path dir = cpuDir.resolve("cpu" + id);
            final Path topology = dir.resolve("topology");
            if (!Files.isDirectory(topology))
            {
                warnings.add(topology + " is missing; CPU " + id + " is treated as its own core on package 0");
            }
            final int coreId = (int)SysfsFiles.readLong(topology.resolve("core_id"), id);
            final int packageId = (int)SysfsFiles.readLong(topology.resolve("physical_package_id"), 0);
            CpuSet siblings = SysfsFiles.readCpuList(topology.resolve("thread_siblings_list"));
            if (siblings == null || !siblings.contains(id))
            {
                siblings = CpuSet.of(id);
            }
            CpuSet l2 = CpuSet.empty();
            CpuSet l3 = CpuSet.empty();
            for (final Path index : listDirs(dir.resolve("cache"), "index"))
            {
                final String type = SysfsFiles.readTrimmed(index.resolve("type"));
                if ("Instruction".equals(type))
                {
                    continue;
                }
                final long level = SysfsFiles.readLong(index.resolve("level"), -1);
                final CpuSet shared = orEmpty(SysfsFiles.readCpuList(index.resolve("shared_cpu_list")));
                if (level == 2)
                {
                    l2 = shared;
                }
                else if (level == 3)
                {
                    l3 = shared;
                }
            }
            int nodeId = 0;
            for (final Map.Entry<Integer, CpuSet> node : nodes.entrySet())
            {
                if (node.getValue().contains(id))
                {
                    nodeId = node.getKey();
                }
            }
            cpus.add(new LogicalCpu(
                id, coreId, packageId, nodeId, siblings, l2, l3, coreTypes.typeOf(id), isolated.contains(id),
                nohzFull.contains(id)));
        }
        if (nodes.isEmpty())
        {
            nodes.put(0, online);
        }
        return new Result(
            online, offline, List.copyOf(cpus), Collections.unmodifiableMap(nodes), isolated, nohzFull,
            coreTypes.hybrid, List.copyOf(warnings));
    }

    private record CoreTypes(CpuSet performance, CpuSet efficiency, boolean hybrid)
    {
        CoreType typeOf(final int cpuId)
        {
            if (!hybrid)
            {
                return CoreType.UNIFORM;
            }
            return efficiency.contains(cpuId) ? CoreType.EFFICIENCY : CoreType.PERFORMANCE;
        }
    }

    private static CoreTypes readCoreTypes(final Path root, final Path cpuDir, final CpuSet online)
    {
        // Intel hybrid parts expose one PMU per core type, each listing its CPUs.
        final CpuSet pCores = SysfsFiles.readCpuList(root.resolve("sys/devices/cpu_core/cpus"));
        final CpuSet eCores = SysfsFiles.readCpuList(root.resolve("sys/devices/cpu_atom/cpus"));
        if (pCores != null && eCores != null && !pCores.isEmpty() && !eCores.isEmpty())
        {
            return new CoreTypes(pCores, eCores, true);
        }
        // Arm big.LITTLE (and some x86 kernels): cpu_capacity, 1024 for the biggest cores.
        long maxCapacity = -1;
        long minCapacity = Long.MAX_VALUE;
        final long[] capacities = new long[online.last() + 1];
        for (int id = online.first(); id >= 0; id = online.next(id))
        {
            final long capacity = SysfsFiles.readLong(cpuDir.resolve("cpu" + id).resolve("cpu_capacity"), -1);
            if (capacity < 0)
            {
                return new CoreTypes(CpuSet.empty(), CpuSet.empty(), false);
            }
            capacities[id] = capacity;
            maxCapacity = Math.max(maxCapacity, capacity);
            minCapacity = Math.min(minCapacity, capacity);
        }
        if (maxCapacity < 0 || maxCapacity == minCapacity)
        {
            return new CoreTypes(CpuSet.empty(), CpuSet.empty(), false);
        }
        final BitSet efficiency = new BitSet();
        for (int id = online.first(); id >= 0; id = online.next(id))
        {
            if (capacities[id] < maxCapacity)
            {
                efficiency.set(id);
            }
        }
        final CpuSet eSet = CpuSet.of(efficiency);
        return new CoreTypes(online.minus(eSet), eSet, true);
    }

    private static Map<Integer, CpuSet> readNodes(final Path nodeDir)
    {
        final Map<Integer, CpuSet> nodes = new TreeMap<>();
        final CpuSet nodeIds = listNumberedDirs(nodeDir, "node");
        for (int nodeId = nodeIds.first(); nodeId >= 0; nodeId = nodeIds.next(nodeId))
        {
            final CpuSet cpus = SysfsFiles.readCpuList(nodeDir.resolve("node" + nodeId).resolve("cpulist"));
            if (cpus != null)
            {
                nodes.put(nodeId, cpus);
            }
        }
        return nodes;
    }

    private static CpuSet orEmpty(final CpuSet set)
    {
        return set == null ? CpuSet.empty() : set;
    }

    private static List<Path> listDirs(final Path dir, final String prefix)
    {
        final List<Path> result = new ArrayList<>();
        if (!Files.isDirectory(dir))
        {
            return result;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, prefix + "*"))
        {
            for (final Path entry : stream)
            {
                if (Files.isDirectory(entry))
                {
                    result.add(entry);
                }
            }
        }
        catch (final IOException ex)
        {
            return result;
        }
        Collections.sort(result);
        return result;
    }

    private static CpuSet listNumberedDirs(final Path dir, final String prefix)
    {
        final BitSet ids = new BitSet();
        for (final Path entry : listDirs(dir, prefix))
        {
            final String suffix = entry.getFileName().toString().substring(prefix.length());
            if (!suffix.isEmpty() && suffix.chars().allMatch(Character::isDigit) && suffix.length() < 5)
            {
                ids.set(Integer.parseInt(suffix));
            }
        }
        return CpuSet.of(ids);
    }
}
