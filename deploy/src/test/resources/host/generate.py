# Regenerates the host-check fixtures in this directory: python3 generate.py
# Each fixture is a minimal tree of the /proc and /sys files `coreloop check --root DIR` reads, for a 4-CPU host
# without SMT (CPUs 0-3) whose plan is 'acceptor=1 reactors=2-3'. See README.md.
import os, shutil
BASE = os.path.dirname(os.path.abspath(__file__))

def w(root, rel, text):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text + "\n")

LIMITS = """Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            %s                 %s                 files
Max locked memory         8388608              8388608              bytes"""

INTERRUPTS = """           CPU0       CPU1       CPU2       CPU3
  0:         41          0          0          0   IO-APIC   2-edge      timer
 24:     120034          0      88812          0   PCI-MSI 524288-edge      eth0-rx-0
 25:      99120          0          0      70100   PCI-MSI 524289-edge      eth0-tx-0
 26:       1200          0          0          0   PCI-MSI 65536-edge      nvme0q0
NMI:          0          0          0          0   Non-maskable interrupts
LOC:     912345     812345     712345     612345   Local timer interrupts"""

def host(name, cmdline, isolated, nohz, irqs, rps, xps, governor, thp, somaxconn, nofile, cpu_max):
    root = os.path.join(BASE, name)
    shutil.rmtree(root, ignore_errors=True)
    c = "sys/devices/system/cpu/"
    w(root, c + "online", "0-3")
    w(root, c + "offline", "")
    w(root, c + "isolated", isolated)
    w(root, c + "nohz_full", nohz)
    for cpu in range(4):
        d = c + "cpu%d/" % cpu
        w(root, d + "topology/core_id", str(cpu))
        w(root, d + "topology/physical_package_id", "0")
        w(root, d + "topology/thread_siblings_list", str(cpu))
        w(root, d + "cache/index2/level", "2"); w(root, d + "cache/index2/type", "Unified")
        w(root, d + "cache/index2/shared_cpu_list", str(cpu))
        w(root, d + "cache/index3/level", "3"); w(root, d + "cache/index3/type", "Unified")
        w(root, d + "cache/index3/shared_cpu_list", "0-3")
        if governor is not None:
            w(root, d + "cpufreq/scaling_governor", governor)
    w(root, "sys/devices/system/node/node0/cpulist", "0-3")
    w(root, "proc/self/cgroup", "0::/system.slice/coreloop.service")
    w(root, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids")
    w(root, "sys/fs/cgroup/cpuset.cpus.effective", "0-3")
    w(root, "sys/fs/cgroup/system.slice/coreloop.service/cpu.max", cpu_max)
    w(root, "proc/cmdline", cmdline)
    if irqs is not None:
        w(root, "proc/interrupts", INTERRUPTS)
        for irq, (smp, effective) in irqs.items():
            w(root, "proc/irq/%d/smp_affinity_list" % irq, smp)
            if effective is not None:
                w(root, "proc/irq/%d/effective_affinity_list" % irq, effective)
        w(root, "proc/irq/default_smp_affinity", "3" if name == "tuned" else "f")
    if rps is not None:
        for dev in ("eth0", "lo"):
            w(root, "sys/class/net/%s/queues/rx-0/rps_cpus" % dev, rps if dev == "eth0" else "0")
            w(root, "sys/class/net/%s/queues/tx-0/xps_cpus" % dev, xps if dev == "eth0" else "0")
    w(root, "sys/kernel/mm/transparent_hugepage/enabled", thp)
    w(root, "proc/sys/net/core/somaxconn", str(somaxconn))
    w(root, "proc/self/limits", LIMITS % (nofile, nofile))
    return root

# 1. tuned: isolcpus/nohz_full/rcu_nocbs 2-3, every IRQ and RPS/XPS mask on 0-1, performance governor, THP madvise,
#    somaxconn 4096, nofile 1048576, no CFS quota
host("tuned", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 isolcpus=managed_irq,domain,2-3 nohz_full=2-3 rcu_nocbs=2-3 quiet",
     "2-3", "2-3", {0: ("0", "0"), 24: ("0-1", "0"), 25: ("0-1", "1"), 26: ("0", None)}, "3", "3",
     "performance", "always [madvise] never", 4096, 1048576, "max 100000")
# 2. untuned: a stock host: nothing isolated, IRQs 24 and 25 delivered to reactor CPUs 2 and 3, RPS/XPS on every CPU,
#    powersave governor, THP always, somaxconn 128, nofile 1024, CFS quota 1.5 CPUs
host("untuned", "BOOT_IMAGE=/vmlinuz root=/dev/sda1 quiet splash", "", "",
     {0: ("0", "0"), 24: ("0-3", "2"), 25: ("0-3", "3"), 26: ("0-3", "0")}, "f", "0000000f",
     "powersave", "[always] madvise never", 128, 1024, "150000 100000")
# 3. vm: no cpufreq, no /proc/irq or net queues (a minimal container view), THP never, no quota
host("vm", "console=ttyS0 quiet", "", "", None, None, None, None, "always madvise [never]", 4096, 65536,
     "max 100000")
