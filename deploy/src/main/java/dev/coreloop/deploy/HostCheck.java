package dev.coreloop.deploy;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.coreloop.affinity.CpuQuota;
import dev.coreloop.affinity.CpuSet;
import dev.coreloop.affinity.CpuTopology;
import dev.coreloop.affinity.PinMode;
import dev.coreloop.affinity.ResolvedPlan;
import dev.coreloop.core.IdleMode;

/**
 * The host checks of {@code coreloop check}: what on this host stands between a pinned server and its plan. Every
 * file is read below a root directory ({@code /} on a live host, a fixture tree in tests), so each check is a pure
 * function of the files, the plan and the settings.
 *
 * <p>A {@link Status#FAIL} means the server will not run as planned (busy-spinning reactors under a CFS quota are
 * throttled every period; strict pinning on a host that cannot pin does not start); a {@link Status#WARN} means it
 * runs, but slower, less predictably or with a lower ceiling than configured; {@link Status#SKIP} means the check does
 * not apply (pinning off, no cpufreq driver in a VM) and counts as a pass.
 *
 * <p><b>Threading:</b> immutable; any thread.
 */
final class HostCheck
{
    /** File descriptors the JVM and the listeners need beside the connections. */
    static final long NOFILE_ROOM = 256;

    /** A finding's verdict. */
    enum Status
    {
        PASS, SKIP, WARN, FAIL;

        String label()
        {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One check's verdict.
     *
     * @param name    the check's stable name, e.g. {@code irq-affinity}.
     * @param status  its verdict.
     * @param message what was found.
     * @param fix     the command or setting that fixes it, or null when there is nothing to fix.
     */
    record Finding(String name, Status status, String message, String fix)
    {
    }

    /**
     * What the checks compare the host with.
     *
     * @param plan                 the resolved pinning plan (its topology was read below the same root).
     * @param mode                 the pin mode in force.
     * @param idleMode             the reactors' idle mode.
     * @param backlog              the configured listen backlog.
     * @param connectionLimit      how many connections the server may hold at once (all reactors).
     * @param bufferPoolBytes      each reactor's buffer pool cap.
     * @param directMemoryLimitBytes the JVM's direct-memory limit, or negative when unknown.
     */
    record Plan(ResolvedPlan plan, PinMode mode, IdleMode idleMode, int backlog, long connectionLimit,
        long bufferPoolBytes, long directMemoryLimitBytes)
    {
    }

    /** The check names, in the order they run and print. */
    static final List<String> NAMES = List.of("cpu-isolation", "irq-affinity", "rps-xps", "cpu-governor",
        "transparent-hugepages", "somaxconn", "nofile", "cfs-quota", "direct-memory");

    private final Path root;
    private final Plan config;
    private final CpuSet reactorCpus;

    HostCheck(final Path root, final Plan config)
    {
        this.root = root;
        this.config = config;
        CpuSet cpus = CpuSet.empty();
        if (config.plan().pinned() && config.mode() != PinMode.OFF)
        {
            for (int i = 0; i < config.plan().reactorCount(); i++)
            {
                cpus = cpus.union(CpuSet.of(config.plan().reactorCpu(i)));
            }
        }
        this.reactorCpus = cpus;
    }

    /** {@return the CPUs the reactors are pinned to; empty when pinning is off or the plan is not placed} */
    CpuSet reactorCpus()
    {
        return reactorCpus;
    }

    /** {@return every finding, in {@link #NAMES} order} */
    List<Finding> run()
    {
        final List<Finding> findings = new ArrayList<>();
        findings.add(cpuIsolation());
        findings.add(irqAffinity());
        findings.add(rpsXps());
        findings.add(cpuGovernor());
        findings.add(transparentHugePages());
        findings.add(somaxconn());
        findings.add(nofile());
        findings.add(cfsQuota());
        findings.add(directMemory());
        return findings;
    }

    /** {@return the worst status among {@code findings}} */
    static Status worst(final List<Finding> findings)
    {
        Status worst = Status.PASS;
        for (final Finding finding : findings)
        {
            if (finding.status().ordinal() > worst.ordinal())
            {
                worst = finding.status();
            }
        }
        return worst == Status.SKIP ? Status.PASS : worst;
    }

    Finding cpuIsolation()
    {
        final String name = "cpu-isolation";
        if (reactorCpus.isEmpty())
        {
            return unpinned(name);
        }
        final String cmdline = read("proc/cmdline");
        final CpuSet isolcpus = cmdlineCpus(cmdline, "isolcpus").union(config.plan().topology().isolated());
        final CpuSet nohzFull = cmdlineCpus(cmdline, "nohz_full").union(config.plan().topology().nohzFull());
        final CpuSet rcuNocbs = cmdlineCpus(cmdline, "rcu_nocbs");
        final CpuTopology topology = config.plan().topology();
        final boolean cpusetConfined = topology.cgroupCpuset() != null &&
            !topology.cgroupCpuset().containsAll(topology.online());
        final List<String> missing = new ArrayList<>();
        if (!isolcpus.containsAll(reactorCpus) && !cpusetConfined)
        {
            missing.add("isolcpus (isolated: " + show(isolcpus) + ")");
        }
        if (!nohzFull.containsAll(reactorCpus))
        {
            missing.add("nohz_full (" + show(nohzFull) + ")");
        }
        if (!rcuNocbs.containsAll(reactorCpus))
        {
            missing.add("rcu_nocbs (" + show(rcuNocbs) + ")");
        }
        final String how = cpusetConfined ? "the process is confined to the cgroup cpuset " + topology.cgroupCpuset() +
            " (exclusive if it comes from the static CPU manager or a dedicated cpuset)" :
            isolcpus.containsAll(reactorCpus) ? "isolcpus covers them" : "nothing keeps other tasks off them";
        final CpuSet allowed = topology.allowed();
        if (reactorCpus.containsAll(allowed) && !cpusetConfined)
        {
            // Isolating every CPU isolates nothing: the kernel, IRQs and the JVM's other threads need somewhere to run.
            return new Finding(name, Status.WARN, "reactor CPUs " + reactorCpus + " are every CPU this process may " +
                "use (" + allowed + "): the kernel, IRQs and the JVM's other threads run on reactor CPUs",
                "leave a housekeeping CPU: --pin 'reserve=" + allowed.first() + " reactors=auto' (or fewer reactors)," +
                " then isolate the rest (isolcpus, nohz_full, rcu_nocbs)");
        }
        if (missing.isEmpty())
        {
            return new Finding(name, Status.PASS, "reactor CPUs " + reactorCpus + ": " + how +
                "; nohz_full and rcu_nocbs cover them", null);
        }
        return new Finding(name, Status.WARN, "reactor CPUs " + reactorCpus + " are not in " +
            String.join(", ", missing) + "; " + how + ": the scheduler tick, RCU callbacks and other tasks run there",
            "add 'isolcpus=" + reactorCpus + " nohz_full=" + reactorCpus + " rcu_nocbs=" + reactorCpus +
            "' to the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub and reboot)," +
            " or keep other services off them (systemd: CPUAffinity= in system.conf)");
    }

    Finding irqAffinity()
    {
        final String name = "irq-affinity";
        if (reactorCpus.isEmpty())
        {
            return unpinned(name);
        }
        final Map<Integer, String> names = interruptNames();
        final Path irqDir = root.resolve("proc/irq");
        final List<String> onReactors = new ArrayList<>();
        int checked = 0;
        for (final Path dir : list(irqDir))
        {
            final String irq = dir.getFileName().toString();
            if (!irq.chars().allMatch(Character::isDigit))
            {
                continue;
            }
            // The configured affinity, not only the effective one: the kernel or irqbalance may move an IRQ to any CPU
            // of its smp_affinity_list at any time.
            final String list = readOrNull(dir.resolve("smp_affinity_list"));
            if (list == null || list.isBlank())
            {
                continue;
            }
            checked++;
            final CpuSet affinity = parseOrEmpty(list);
            if (affinity.intersects(reactorCpus))
            {
                final String label = names.get(Integer.parseInt(irq));
                final String effective = readOrNull(dir.resolve("effective_affinity_list"));
                onReactors.add(irq + (label == null ? "" : " (" + label + ")") + " -> " + affinity +
                    (effective == null || effective.isBlank() ? "" : " (now " + effective.strip() + ")"));
            }
        }
        if (checked == 0)
        {
            return new Finding(name, Status.SKIP, "no /proc/irq/*/smp_affinity_list to read", null);
        }
        if (onReactors.isEmpty())
        {
            return new Finding(name, Status.PASS, checked + " IRQs, none may land on reactor CPUs " + reactorCpus,
                null);
        }
        return new Finding(name, Status.WARN, onReactors.size() + " of " + checked + " IRQs may land on reactor CPUs " +
            reactorCpus + ": " + firstFew(onReactors), "deploy/scripts/irq-affinity.sh --reactor-cpus " + reactorCpus +
            " (stop irqbalance first, or add IRQBALANCE_BANNED_CPULIST=" + reactorCpus + ")");
    }

    Finding rpsXps()
    {
        final String name = "rps-xps";
        if (reactorCpus.isEmpty())
        {
            return unpinned(name);
        }
        final List<String> onReactors = new ArrayList<>();
        int checked = 0;
        for (final Path device : list(root.resolve("sys/class/net")))
        {
            for (final Path queue : list(device.resolve("queues")))
            {
                final String queueName = queue.getFileName().toString();
                final String file = queueName.startsWith("rx-") ? "rps_cpus" :
                    queueName.startsWith("tx-") ? "xps_cpus" : null;
                final String mask = file == null ? null : readOrNull(queue.resolve(file));
                if (mask == null || mask.isBlank())
                {
                    continue;
                }
                checked++;
                final CpuSet cpus = parseHexMask(mask);
                if (cpus.intersects(reactorCpus))
                {
                    onReactors.add(device.getFileName() + "/" + queueName + "/" + file + "=" + cpus);
                }
            }
        }
        if (checked == 0)
        {
            return new Finding(name, Status.SKIP, "no /sys/class/net/*/queues/*/{rps,xps}_cpus to read", null);
        }
        if (onReactors.isEmpty())
        {
            return new Finding(name, Status.PASS, checked + " RPS/XPS masks, none names a reactor CPU", null);
        }
        return new Finding(name, Status.WARN, onReactors.size() + " of " + checked +
            " RPS/XPS masks steer packet work to reactor CPUs: " + firstFew(onReactors),
            "deploy/scripts/irq-affinity.sh --reactor-cpus " + reactorCpus);
    }

    Finding cpuGovernor()
    {
        final String name = "cpu-governor";
        if (reactorCpus.isEmpty())
        {
            return unpinned(name);
        }
        final List<String> slow = new ArrayList<>();
        int read = 0;
        for (final int cpu : reactorCpus.toArray())
        {
            final String governor = readOrNull(
                root.resolve("sys/devices/system/cpu/cpu" + cpu + "/cpufreq/scaling_governor"));
            if (governor == null)
            {
                continue;
            }
            read++;
            if (!"performance".equals(governor.strip()))
            {
                slow.add("cpu" + cpu + "=" + governor.strip());
            }
        }
        if (read == 0)
        {
            return new Finding(name, Status.SKIP, "no cpufreq driver for reactor CPUs " + reactorCpus +
                " (a VM, or frequency is managed by firmware)", null);
        }
        if (slow.isEmpty())
        {
            return new Finding(name, Status.PASS, "reactor CPUs " + reactorCpus + " run the performance governor", null);
        }
        return new Finding(name, Status.WARN, "reactor CPUs scale their frequency: " + firstFew(slow) +
            "; a reactor that wakes from idle runs slow until the governor ramps up",
            "cpupower -c " + reactorCpus + " frequency-set -g performance");
    }

    Finding transparentHugePages()
    {
        final String name = "transparent-hugepages";
        final String enabled = readOrNull(root.resolve("sys/kernel/mm/transparent_hugepage/enabled"));
        if (enabled == null)
        {
            return new Finding(name, Status.SKIP, "no /sys/kernel/mm/transparent_hugepage/enabled", null);
        }
        final String selected = selected(enabled);
        if ("always".equals(selected))
        {
            return new Finding(name, Status.WARN, "transparent huge pages: always; page faults may stall on " +
                "compaction and khugepaged scans the heap (latency spikes)",
                "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled (or transparent_hugepage=madvise on the" +
                " kernel command line)");
        }
        return new Finding(name, Status.PASS, "transparent huge pages: " + selected, null);
    }

    Finding somaxconn()
    {
        final String name = "somaxconn";
        final String text = readOrNull(root.resolve("proc/sys/net/core/somaxconn"));
        final long somaxconn = parseLongOr(text, -1);
        if (somaxconn < 0)
        {
            return new Finding(name, Status.SKIP, "cannot read /proc/sys/net/core/somaxconn", null);
        }
        if (somaxconn < config.backlog())
        {
            return new Finding(name, Status.WARN, "net.core.somaxconn " + somaxconn + " is below the backlog " +
                config.backlog() + ": the kernel silently caps every listener's accept queue at " + somaxconn,
                "sysctl -w net.core.somaxconn=" + config.backlog() + " (and in /etc/sysctl.d/ to keep it)");
        }
        return new Finding(name, Status.PASS, "net.core.somaxconn " + somaxconn + " >= backlog " + config.backlog(),
            null);
    }

    Finding nofile()
    {
        final String name = "nofile";
        final String limits = readOrNull(root.resolve("proc/self/limits"));
        long hard = -2;
        if (limits != null)
        {
            for (final String line : limits.split("\n"))
            {
                if (line.startsWith("Max open files"))
                {
                    final String[] words = line.substring("Max open files".length()).trim().split("\\s+");
                    hard = words.length > 1 ? ("unlimited".equals(words[1]) ? Long.MAX_VALUE :
                        parseLongOr(words[1], -2)) : -2;
                }
            }
        }
        if (hard == -2)
        {
            return new Finding(name, Status.SKIP, "cannot read 'Max open files' from /proc/self/limits", null);
        }
        final long needed = config.connectionLimit() + NOFILE_ROOM;
        if (hard < needed)
        {
            return new Finding(name, Status.WARN, "open-file limit " + hard + " (hard; the JVM raises its soft limit" +
                " to it) is below the connection limit " + config.connectionLimit() + " + " + NOFILE_ROOM +
                " for the JVM: connections past it fail with EMFILE and the acceptor backs off",
                "LimitNOFILE=" + needed + " in the systemd unit, or ulimit -Hn " + needed + " before starting");
        }
        return new Finding(name, Status.PASS, "open-file limit " + (hard == Long.MAX_VALUE ? "unlimited" : hard) +
            " covers the connection limit " + config.connectionLimit() + " + " + NOFILE_ROOM, null);
    }

    Finding cfsQuota()
    {
        final String name = "cfs-quota";
        final CpuQuota quota = config.plan().topology().quota();
        final boolean spinning = config.idleMode() == IdleMode.SPIN;
        if (quota == null)
        {
            return new Finding(name, Status.PASS, "no CFS quota on this cgroup", null);
        }
        final int reactors = config.plan().reactorCount();
        final String found = String.format(Locale.ROOT, "CFS quota of %.2f CPUs (%s)", quota.cpus(), quota.source());
        if (spinning && quota.cpus() < reactors + 1)
        {
            return new Finding(name, Status.FAIL, found + " under idle mode spin: " + reactors +
                " spinning reactors use " + reactors + " CPUs plus the JVM's, so the cgroup is throttled every " +
                quota.periodUs() + " us period", "use --idle-mode select (or backoff), or raise the quota to at least " +
                (reactors + 1) + " CPUs (Kubernetes: an integer cpu limit under the static CPU manager)");
        }
        if (quota.cpus() < reactors)
        {
            return new Finding(name, Status.WARN, found + " is below the " + reactors + " reactors: under full load" +
                " the cgroup is throttled every " + quota.periodUs() + " us period",
                "raise the quota to at least " + reactors + " CPUs or run fewer reactors");
        }
        return new Finding(name, Status.PASS, found + " covers " + reactors + " reactors in idle mode " +
            config.idleMode().name().toLowerCase(Locale.ROOT), null);
    }

    Finding directMemory()
    {
        final String name = "direct-memory";
        final int reactors = config.plan().reactorCount();
        final long limit = config.directMemoryLimitBytes();
        if (limit < 0)
        {
            return new Finding(name, Status.SKIP, "cannot read this JVM's MaxDirectMemorySize", null);
        }
        final String warning = DirectMemoryCheck.warning(reactors, config.bufferPoolBytes(), limit);
        final long neededBytes = reactors * config.bufferPoolBytes() + DirectMemoryCheck.JDK_ROOM_BYTES;
        if (warning != null)
        {
            return new Finding(name, Status.WARN, "MaxDirectMemorySize " + mib(limit) + " MiB is below " + reactors +
                " reactors x " + mib(config.bufferPoolBytes()) + " MiB of buffer pool + " +
                mib(DirectMemoryCheck.JDK_ROOM_BYTES) + " MiB for the JDK: ring growth past it is refused under load" +
                " (BUFFER_EXHAUSTED)", "JAVA_OPTS=-XX:MaxDirectMemorySize=" + mib(neededBytes) + "m");
        }
        return new Finding(name, Status.PASS, "MaxDirectMemorySize " + mib(limit) + " MiB covers " + reactors +
            " reactors x " + mib(config.bufferPoolBytes()) + " MiB + " + mib(DirectMemoryCheck.JDK_ROOM_BYTES) +
            " MiB", null);
    }

    private Finding unpinned(final String name)
    {
        if (config.mode() == PinMode.STRICT && !config.plan().pinned())
        {
            return new Finding(name, Status.FAIL, "pin mode strict, but this host cannot pin the plan (" +
                config.plan() + "): the server will not start", "run on Linux with JNA available, or --pin-mode" +
                " best-effort");
        }
        return new Finding(name, Status.SKIP, "no reactor CPUs: pinning is " +
            (config.mode() == PinMode.OFF ? "off" : "not placed on this host"), null);
    }

    /** {@return the CPUs of {@code key=} on the kernel command line (flags such as {@code managed_irq,} skipped)} */
    static CpuSet cmdlineCpus(final String cmdline, final String key)
    {
        CpuSet cpus = CpuSet.empty();
        if (cmdline == null)
        {
            return cpus;
        }
        for (final String word : cmdline.trim().split("\\s+"))
        {
            if (!word.startsWith(key + "="))
            {
                continue;
            }
            final StringBuilder list = new StringBuilder();
            for (final String part : word.substring(key.length() + 1).split(","))
            {
                if (!part.isEmpty() && Character.isDigit(part.charAt(0)))
                {
                    list.append(list.length() == 0 ? "" : ",").append(part);
                }
            }
            cpus = cpus.union(parseOrEmpty(list.toString()));
        }
        return cpus;
    }

    /** {@return the CPUs of a sysfs hex mask such as {@code ff} or {@code 00000000,0000000f}} */
    static CpuSet parseHexMask(final String mask)
    {
        final String hex = mask.strip().replace(",", "");
        final List<Integer> cpus = new ArrayList<>();
        for (int i = 0; i < hex.length(); i++)
        {
            final int nibble = Character.digit(hex.charAt(hex.length() - 1 - i), 16);
            for (int bit = 0; bit < 4 && nibble > 0; bit++)
            {
                if ((nibble & (1 << bit)) != 0 && i * 4 + bit <= CpuSet.MAX_CPU_ID)
                {
                    cpus.add(i * 4 + bit);
                }
            }
        }
        return CpuSet.of(cpus.stream().mapToInt(Integer::intValue).toArray());
    }

    /** {@return IRQ number to the name the last column of /proc/interrupts gives it} */
    private Map<Integer, String> interruptNames()
    {
        final Map<Integer, String> names = new TreeMap<>();
        final String text = readOrNull(root.resolve("proc/interrupts"));
        if (text == null)
        {
            return names;
        }
        for (final String line : text.split("\n"))
        {
            final String trimmed = line.strip();
            final int colon = trimmed.indexOf(':');
            if (colon <= 0 || !trimmed.substring(0, colon).chars().allMatch(Character::isDigit))
            {
                continue;
            }
            final String[] words = trimmed.substring(colon + 1).trim().split("\\s+");
            if (words.length > 0)
            {
                names.put(Integer.parseInt(trimmed.substring(0, colon)), words[words.length - 1]);
            }
        }
        return names;
    }

    private static String selected(final String choices)
    {
        final int open = choices.indexOf('[');
        final int close = choices.indexOf(']');
        return open >= 0 && close > open ? choices.substring(open + 1, close) : choices.strip();
    }

    private String read(final String relative)
    {
        return readOrNull(root.resolve(relative));
    }

    private static String readOrNull(final Path file)
    {
        // Not Files.readString: on some kernels' procfs (gVisor here) a read sized from the reported length returns a
        // prefix ("4" of "4096"); a stream read goes on to EOF.
        try (java.io.InputStream in = Files.newInputStream(file))
        {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException | SecurityException ex)
        {
            return null;
        }
    }

    private static List<Path> list(final Path dir)
    {
        final List<Path> entries = new ArrayList<>();
        if (!Files.isDirectory(dir))
        {
            return entries;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir))
        {
            for (final Path entry : stream)
            {
                entries.add(entry);
            }
        }
        catch (final IOException | SecurityException ex)
        {
            return entries;
        }
        entries.sort((a, b) -> naturalCompare(a.getFileName().toString(), b.getFileName().toString()));
        return entries;
    }

    private static int naturalCompare(final String a, final String b)
    {
        final boolean aNumber = !a.isEmpty() && a.chars().allMatch(Character::isDigit);
        final boolean bNumber = !b.isEmpty() && b.chars().allMatch(Character::isDigit);
        if (aNumber && bNumber && a.length() < 10 && b.length() < 10)
        {
            return Integer.compare(Integer.parseInt(a), Integer.parseInt(b));
        }
        return a.compareTo(b);
    }

    private static CpuSet parseOrEmpty(final String list)
    {
        try
        {
            return list.isBlank() ? CpuSet.empty() : CpuSet.parse(list.strip());
        }
        catch (final RuntimeException ex)
        {
            return CpuSet.empty();
        }
    }

    private static long parseLongOr(final String text, final long fallback)
    {
        try
        {
            return null == text ? fallback : Long.parseLong(text.strip());
        }
        catch (final NumberFormatException ex)
        {
            return fallback;
        }
    }

    private static String show(final CpuSet cpus)
    {
        return cpus.isEmpty() ? "none" : cpus.toString();
    }

    private static String firstFew(final List<String> items)
    {
        final int shown = Math.min(5, items.size());
        return String.join(", ", items.subList(0, shown)) + (items.size() > shown ? ", ..." : "");
    }

    private static long mib(final long bytes)
    {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
