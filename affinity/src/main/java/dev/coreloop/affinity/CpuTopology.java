package dev.coreloop.affinity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.coreloop.affinity.openhft.OpenHftAffinityBackend;
import dev.coreloop.affinity.topology.CgroupReader;
import dev.coreloop.affinity.topology.SysfsCpuReader;

/**
 * The machine's CPUs as this process sees them: online CPUs with their core, package (socket), NUMA node, SMT
 * siblings, shared caches and core type (hybrid processors), isolated and nohz_full CPUs, the set this process may
 * run on (sched_getaffinity intersected with the cgroup cpuset) and the cgroup CFS quota.
 *
 * <p>On Linux everything is read from sysfs, procfs and cgroupfs under a root directory, so tests run against
 * fixture trees. On any other OS only the CPU count is known, {@link #pinningSupported()} is false and one warning
 * says so.
 *
 * <p><b>Threading:</b> immutable once built; any thread.
 */
public final class CpuTopology
{
    private static final Logger LOG = LoggerFactory.getLogger(CpuTopology.class);

    private final String source;
    private final boolean pinningSupported;
    private final int cpuCount;
    private final CpuSet online;
    private final CpuSet offline;
    private final LogicalCpu[] cpusById;
    private final List<LogicalCpu> cpus;
    private final Map<Integer, CpuSet> nodes;
    private final CpuSet isolated;
    private final CpuSet nohzFull;
    private final boolean hybrid;
    private final CpuSet allowed;
    private final CpuSet threadAffinity;
    private final CpuSet cgroupCpuset;
    private final String cgroupCpusetSource;
    private final String cgroupVersion;
    private final CpuQuota quota;
    private final List<String> warnings;

    private CpuTopology(
        final String source,
        final boolean pinningSupported,
        final int cpuCount,
        final SysfsCpuReader.Result sysfs,
        final CgroupReader.Result cgroup,
        final CpuSet threadAffinity,
        final CpuSet allowed,
        final List<String> warnings)
    {
        this.source = source;
        this.pinningSupported = pinningSupported;
        this.cpuCount = cpuCount;
        this.online = sysfs.online();
        this.offline = sysfs.offline();
        this.cpus = sysfs.cpus();
        this.nodes = sysfs.nodes();
        this.isolated = sysfs.isolated();
        this.nohzFull = sysfs.nohzFull();
        this.hybrid = sysfs.hybrid();
        this.threadAffinity = threadAffinity;
        this.cgroupCpuset = cgroup.cpuset();
        this.cgroupCpusetSource = cgroup.cpusetSource();
        this.cgroupVersion = cgroup.version();
        this.quota = cgroup.quota();
        this.allowed = allowed;
        this.warnings = List.copyOf(warnings);
        int maxId = -1;
        for (final LogicalCpu cpu : cpus)
        {
            maxId = Math.max(maxId, cpu.id());
        }
        this.cpusById = new LogicalCpu[maxId + 1];
        for (final LogicalCpu cpu : cpus)
        {
            cpusById[cpu.id()] = cpu;
        }
    }

    /**
     * Detects the topology of this machine for this process. The allowed set comes from sched_getaffinity of the
     * calling thread, so call it from a thread that has not been pinned (the launcher's main thread).
     *
     * @return the topology; on a non-Linux OS a count-only topology with pinning off and one logged warning.
     */
    public static CpuTopology detect()
    {
        final String osName = System.getProperty("os.name", "");
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux"))
        {
            final CpuTopology topology = countOnly(Runtime.getRuntime().availableProcessors(), osName);
            LOG.warn(topology.warnings().get(0));
            return topology;
        }
        final OpenHftAffinityBackend backend = OpenHftAffinityBackend.instance();
        CpuSet threadAffinity = null;
        String backendWarning = null;
        if (backend.supported())
        {
            threadAffinity = backend.currentThreadAffinity();
        }
        else
        {
            backendWarning = "sched_getaffinity is unavailable (OpenHFT affinity found no JNA): pinning is off";
        }
        final CpuTopology topology = detect(Path.of("/"), threadAffinity, backend.supported(), backendWarning);
        for (final String warning : topology.warnings())
        {
            LOG.warn(warning);
        }
        return topology;
    }

    /**
     * Reads a topology from a directory tree laid out like {@code /} (sysfs, {@code proc/self/cgroup},
     * cgroupfs), without any system call: the allowed set is the online CPUs within the cgroup cpuset.
     *
     * @param root the root directory, e.g. a fixture.
     * @return the topology.
     */
    public static CpuTopology detect(final Path root)
    {
        return detect(root, null, true, null);
    }

    /**
     * Reads a topology from a directory tree laid out like {@code /}, with the thread affinity given.
     *
     * @param root           the root directory.
     * @param threadAffinity what sched_getaffinity reports for the process, or null when unknown.
     * @return the topology.
     */
    public static CpuTopology detect(final Path root, final CpuSet threadAffinity)
    {
        return detect(root, threadAffinity, true, null);
    }

    private static CpuTopology detect(
        final Path root, final CpuSet threadAffinity, final boolean pinningSupported, final String extraWarning)
    {
        final SysfsCpuReader.Result sysfs = SysfsCpuReader.read(root);
        final CgroupReader.Result cgroup = CgroupReader.read(root);
        final List<String> warnings = new ArrayList<>(sysfs.warnings());
        warnings.addAll(cgroup.warnings());
        if (extraWarning != null)
        {
            warnings.add(extraWarning);
        }
        CpuSet allowed = sysfs.online();
        if (cgroup.cpuset() != null)
        {
            allowed = allowed.intersect(cgroup.cpuset());
        }
        if (threadAffinity != null)
        {
            final CpuSet narrowed = allowed.intersect(threadAffinity);
            if (narrowed.isEmpty())
            {
                warnings.add("sched_getaffinity " + threadAffinity + " shares no CPU with the online CPUs " +
                    sysfs.online() + " within the cgroup cpuset; using it as the allowed set");
                allowed = threadAffinity;
            }
            else
            {
                allowed = narrowed;
            }
        }
        return new CpuTopology(
            root.toString(), pinningSupported, sysfs.online().size(), sysfs, cgroup, threadAffinity, allowed, warnings);
    }

    /**
     * A topology that knows only the CPU count, for operating systems coreloop cannot read or pin on.
     *
     * @param cpuCount the number of CPUs (availableProcessors).
     * @param osName   the OS name, for the warning.
     * @return a topology with pinning off and one warning.
     */
    public static CpuTopology countOnly(final int cpuCount, final String osName)
    {
        final BitSet bits = new BitSet();
        bits.set(0, Math.max(1, cpuCount));
        final CpuSet all = CpuSet.of(bits);
        final SysfsCpuReader.Result sysfs = new SysfsCpuReader.Result(
            all, CpuSet.empty(), List.of(), Map.of(), CpuSet.empty(), CpuSet.empty(), false, List.of());
        final CgroupReader.Result cgroup = new CgroupReader.Result(null, "", null, "none", List.of());
        final String warning = "CPU topology is only read on Linux (os.name=" + osName + "): " + cpuCount +
            " CPUs counted, pinning is off";
        return new CpuTopology(
            "os.name=" + osName, false, cpuCount, sysfs, cgroup, null, all, List.of(warning));
    }

    /** {@return where the topology was read from: a root directory, or the OS name for a count-only topology} */
    public String source()
    {
        return source;
    }

    /** {@return true when threads can be pinned (Linux with a working affinity backend)} */
    public boolean pinningSupported()
    {
        return pinningSupported;
    }

    /** {@return true when per-CPU details (cores, packages, nodes) are known} */
    public boolean hasDetails()
    {
        return !cpus.isEmpty();
    }

    /** {@return the number of online CPUs (on a count-only topology, availableProcessors)} */
    public int cpuCount()
    {
        return cpuCount;
    }

    /** {@return the online CPUs ({@code /sys/devices/system/cpu/online})} */
    public CpuSet online()
    {
        return online;
    }

    /** {@return the offline CPUs ({@code /sys/devices/system/cpu/offline})} */
    public CpuSet offline()
    {
        return offline;
    }

    /** {@return the CPUs this process may run on: online, within the cgroup cpuset and sched_getaffinity} */
    public CpuSet allowed()
    {
        return allowed;
    }

    /** {@return the sched_getaffinity mask seen at detection, or null when not read (fixtures, non-Linux)} */
    public CpuSet threadAffinity()
    {
        return threadAffinity;
    }

    /** {@return the cgroup's effective cpuset, or null when none was found} */
    public CpuSet cgroupCpuset()
    {
        return cgroupCpuset;
    }

    /** {@return the file the cgroup cpuset was read from, or ""} */
    public String cgroupCpusetSource()
    {
        return cgroupCpusetSource;
    }

    /** {@return "v2", "v1", "hybrid" or "none"} */
    public String cgroupVersion()
    {
        return cgroupVersion;
    }

    /** {@return the tightest CFS quota on the process's cgroups, or null when unlimited} */
    public CpuQuota quota()
    {
        return quota;
    }

    /** {@return the online CPUs in id order} */
    public List<LogicalCpu> cpus()
    {
        return cpus;
    }

    /**
     * {@return the online CPU with this id, or null when it is not online or details are unknown}
     *
     * @param cpuId a CPU id.
     */
    public LogicalCpu cpu(final int cpuId)
    {
        return cpuId >= 0 && cpuId < cpusById.length ? cpusById[cpuId] : null;
    }

    /** {@return NUMA node id to its CPUs (a single node 0 when the machine exposes none)} */
    public Map<Integer, CpuSet> nodes()
    {
        return nodes;
    }

    /** {@return the CPUs isolated from the scheduler ({@code isolcpus}, {@code /sys/devices/system/cpu/isolated})} */
    public CpuSet isolated()
    {
        return isolated;
    }

    /** {@return the adaptive-tick CPUs ({@code nohz_full}, {@code /sys/devices/system/cpu/nohz_full})} */
    public CpuSet nohzFull()
    {
        return nohzFull;
    }

    /** {@return true when the processor has performance and efficiency cores} */
    public boolean hybrid()
    {
        return hybrid;
    }

    /** {@return problems met while reading (missing files, malformed lists, non-Linux), one line each} */
    public List<String> warnings()
    {
        return warnings;
    }

    /**
     * {@return physical core key ({@link LogicalCpu#physicalCoreKey()}) to the CPUs of {@code within} on that core,
     * in core-key order}
     *
     * @param within a set of CPUs.
     */
    public Map<Integer, CpuSet> physicalCores(final CpuSet within)
    {
        final Map<Integer, BitSet> cores = new TreeMap<>();
        for (int id = within.first(); id >= 0; id = within.next(id))
        {
            final LogicalCpu cpu = cpu(id);
            final int key = cpu == null ? id : cpu.physicalCoreKey();
            cores.computeIfAbsent(key, k -> new BitSet()).set(id);
        }
        final Map<Integer, CpuSet> result = new TreeMap<>();
        cores.forEach((key, bits) -> result.put(key, CpuSet.of(bits)));
        return Collections.unmodifiableMap(result);
    }

    /** {@return a short multi-line summary for logs} */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("topology from ").append(source).append(": ").append(cpuCount).append(" online CPUs");
        if (hasDetails())
        {
            final Map<Integer, Integer> packages = new TreeMap<>();
            for (final LogicalCpu cpu : cpus)
            {
                packages.merge(cpu.packageId(), 1, Integer::sum);
            }
            sb.append(" (").append(online).append("), ").append(physicalCores(online).size())
                .append(" physical cores, ").append(packages.size()).append(" socket(s), ")
                .append(nodes.size()).append(" NUMA node(s)");
            if (hybrid)
            {
                sb.append(", hybrid");
            }
        }
        sb.append('\n').append("allowed: ").append(allowed);
        if (threadAffinity != null)
        {
            sb.append(" (sched_getaffinity ").append(threadAffinity).append(')');
        }
        if (cgroupCpuset != null)
        {
            sb.append(" (cgroup ").append(cgroupVersion).append(" cpuset ").append(cgroupCpuset)
                .append(" from ").append(cgroupCpusetSource).append(')');
        }
        if (!offline.isEmpty())
        {
            sb.append('\n').append("offline: ").append(offline);
        }
        if (!isolated.isEmpty())
        {
            sb.append('\n').append("isolated: ").append(isolated);
        }
        if (!nohzFull.isEmpty())
        {
            sb.append('\n').append("nohz_full: ").append(nohzFull);
        }
        if (quota != null)
        {
            sb.append('\n').append(String.format(Locale.ROOT, "CFS quota: %.2f CPUs (%d us per %d us, %s)",
                quota.cpus(), quota.quotaUs(), quota.periodUs(), quota.source()));
        }
        return sb.toString();
    }
}
