package dev.coreloop.affinity.topology;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.coreloop.affinity.CpuQuota;
import dev.coreloop.affinity.CpuSet;

/**
 * Reads the process's cgroup CPU limits under a root directory: the cpuset (cgroup v2
 * {@code cpuset.cpus.effective}, falling back to v1 {@code cpuset.effective_cpus} then {@code cpuset.cpus}) and the
 * CFS bandwidth quota (v2 {@code cpu.max}, v1 {@code cpu.cfs_quota_us} / {@code cpu.cfs_period_us}).
 *
 * <p>The process's cgroup paths come from {@code proc/self/cgroup}. The hierarchies are looked for where systemd
 * and container runtimes mount them: v2 at {@code sys/fs/cgroup} (or {@code sys/fs/cgroup/unified} on hybrid
 * hosts), v1 controllers at {@code sys/fs/cgroup/<controller>}. Inside a container without a cgroup namespace the
 * path in {@code proc/self/cgroup} names a host directory that is mounted as the hierarchy's root; when that path
 * does not exist under the mount, the mount itself is the process's cgroup. Limits set on an ancestor apply too:
 * the cpuset is taken from the nearest cgroup that has one, the quota is the smallest found walking up.
 *
 * <p><b>Threading:</b> stateless; any thread.
 */
public final class CgroupReader
{
    /**
     * What the cgroup files say.
     *
     * @param cpuset       the effective cpuset, or null when no cpuset file was found.
     * @param cpusetSource the file the cpuset came from (relative to the root), or "" when none.
     * @param quota        the tightest CFS quota, or null when unlimited or not found.
     * @param version      "v2", "v1", "hybrid" or "none".
     * @param warnings     malformed files that were skipped.
     */
    public record Result(CpuSet cpuset, String cpusetSource, CpuQuota quota, String version, List<String> warnings)
    {
    }

    private static final String[] V1_CPU_MOUNTS = { "cpu", "cpu,cpuacct", "cpuacct,cpu" };

    private CgroupReader()
    {
    }

    /**
     * {@return the limits found; fields are null when absent}
     *
     * @param root the root directory ({@code /} on a live machine).
     */
    public static Result read(final Path root)
    {
        final List<String> warnings = new ArrayList<>();
        final String cgroupFile = SysfsFiles.readTrimmed(root.resolve("proc/self/cgroup"));
        if (cgroupFile == null)
        {
            return new Result(null, "", null, "none", List.of());
        }
        String v2Path = null;
        String v1CpusetPath = null;
        String v1CpuPath = null;
        for (final String line : cgroupFile.split("\n"))
        {
            final int firstColon = line.indexOf(':');
            final int secondColon = firstColon < 0 ? -1 : line.indexOf(':', firstColon + 1);
            if (secondColon < 0)
            {
                continue;
            }
            final String controllers = line.substring(firstColon + 1, secondColon);
            final String path = line.substring(secondColon + 1).trim();
            if (controllers.isEmpty())
            {
                v2Path = path;
            }
            for (final String controller : controllers.split(","))
            {
                if ("cpuset".equals(controller))
                {
                    v1CpusetPath = path;
                }
                else if ("cpu".equals(controller))
                {
                    v1CpuPath = path;
                }
            }
        }

        final Path cgroupRoot = root.resolve("sys/fs/cgroup");
        Path v2Mount = null;
        if (v2Path != null)
        {
            if (Files.isRegularFile(cgroupRoot.resolve("cgroup.controllers")))
            {
                v2Mount = cgroupRoot;
            }
            else if (Files.isRegularFile(cgroupRoot.resolve("unified/cgroup.controllers")))
            {
                v2Mount = cgroupRoot.resolve("unified");
            }
        }
        final boolean v1 = v1CpusetPath != null || v1CpuPath != null;
        final String version = v2Mount != null ? (v1 ? "hybrid" : "v2") : (v1 ? "v1" : "none");

        CpuSet cpuset = null;
        String cpusetSource = "";
        CpuQuota quota = null;
        if (v2Mount != null)
        {
            final Path dir = cgroupDir(v2Mount, v2Path);
            for (Path d = dir; d != null && d.startsWith(v2Mount); d = d.getParent())
            {
                final Path file = d.resolve("cpuset.cpus.effective");
                final CpuSet set = readCpuList(file, warnings);
                if (set != null && !set.isEmpty())
                {
                    cpuset = set;
                    cpusetSource = relative(root, file);
                    break;
                }
            }
            quota = tighter(quota, readV2Quota(root, v2Mount, dir, warnings));
        }
        if (cpuset == null && v1CpusetPath != null)
        {
            final Path mount = cgroupRoot.resolve("cpuset");
            final Path dir = cgroupDir(mount, v1CpusetPath);
            for (Path d = dir; d != null && d.startsWith(mount) && cpuset == null; d = d.getParent())
            {
                for (final String name : new String[] { "cpuset.effective_cpus", "cpuset.cpus" })
                {
                    final Path file = d.resolve(name);
                    final CpuSet set = readCpuList(file, warnings);
                    if (set != null && !set.isEmpty())
                    {
                        cpuset = set;
                        cpusetSource = relative(root, file);
                        break;
                    }
                }
            }
        }
        if (v1CpuPath != null)
        {
            for (final String mountName : V1_CPU_MOUNTS)
            {
                final Path mount = cgroupRoot.resolve(mountName);
                if (Files.isDirectory(mount))
                {
                    quota = tighter(quota, readV1Quota(root, mount, cgroupDir(mount, v1CpuPath), warnings));
                    break;
                }
            }
        }
        return new Result(cpuset, cpusetSource, quota, version, List.copyOf(warnings));
    }

    private static CpuQuota readV2Quota(final Path root, final Path mount, final Path dir, final List<String> warnings)
    {
        CpuQuota tightest = null;
        for (Path d = dir; d != null && d.startsWith(mount); d = d.getParent())
        {
            final Path file = d.resolve("cpu.max");
            final String text = SysfsFiles.readTrimmed(file);
            if (text == null)
            {
                continue;
            }
            final String[] parts = text.split("\\s+");
            if (parts.length != 2)
            {
                warnings.add(relative(root, file) + ": expected '<quota|max> <period>', found '" + text + "'");
                continue;
            }
            if ("max".equals(parts[0]))
            {
                continue;
            }
            try
            {
                final long quotaUs = Long.parseLong(parts[0]);
                final long periodUs = Long.parseLong(parts[1]);
                if (quotaUs > 0 && periodUs > 0)
                {
                    tightest = tighter(tightest, new CpuQuota(quotaUs, periodUs, relative(root, file)));
                }
            }
            catch (final NumberFormatException ex)
            {
                warnings.add(relative(root, file) + ": expected '<quota|max> <period>', found '" + text + "'");
            }
        }
        return tightest;
    }

    private static CpuQuota readV1Quota(final Path root, final Path mount, final Path dir, final List<String> warnings)
    {
        CpuQuota tightest = null;
        for (Path d = dir; d != null && d.startsWith(mount); d = d.getParent())
        {
            final Path quotaFile = d.resolve("cpu.cfs_quota_us");
            try
            {
                final long quotaUs = SysfsFiles.readLong(quotaFile, -1);
                final long periodUs = SysfsFiles.readLong(d.resolve("cpu.cfs_period_us"), 100_000);
                if (quotaUs > 0 && periodUs > 0)
                {
                    tightest = tighter(tightest, new CpuQuota(quotaUs, periodUs, relative(root, quotaFile)));
                }
            }
            catch (final IllegalArgumentException ex)
            {
                warnings.add(ex.getMessage());
            }
        }
        return tightest;
    }

    private static CpuQuota tighter(final CpuQuota a, final CpuQuota b)
    {
        if (a == null)
        {
            return b;
        }
        if (b == null)
        {
            return a;
        }
        return b.cpus() < a.cpus() ? b : a;
    }

    private static CpuSet readCpuList(final Path file, final List<String> warnings)
    {
        try
        {
            return SysfsFiles.readCpuList(file);
        }
        catch (final IllegalArgumentException ex)
        {
            warnings.add(ex.getMessage());
            return null;
        }
    }

    private static Path cgroupDir(final Path mount, final String cgroupPath)
    {
        final String relativePath = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
        if (relativePath.isEmpty() || relativePath.contains(".."))
        {
            return mount;
        }
        final Path dir = mount.resolve(relativePath);
        // Without a cgroup namespace the path names the host's directory, which is the container's mount root.
        return Files.isDirectory(dir) ? dir : mount;
    }

    private static String relative(final Path root, final Path file)
    {
        return "/" + root.relativize(file).toString().replace('\\', '/');
    }
}
