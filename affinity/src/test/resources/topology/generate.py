# Regenerates the topology fixtures in this directory: python3 generate.py
import os, shutil
BASE = os.path.dirname(os.path.abspath(__file__))

def w(root, rel, text):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text + "\n")

def lst(cpus):
    cpus = sorted(cpus)
    out = []; i = 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1: j += 1
        out.append(str(cpus[i]) if i == j else "%d-%d" % (cpus[i], cpus[j])); i = j + 1
    return ",".join(out)

def machine(name, cpus, online, offline="", nodes=None, isolated="", nohz=None, hybrid=None, capacity=None, l1=False):
    """cpus: dict id -> (core_id, package, siblings list, l2 list, l3 list)"""
    root = os.path.join(BASE, name)
    shutil.rmtree(root, ignore_errors=True)
    c = "sys/devices/system/cpu/"
    w(root, c + "online", online)
    w(root, c + "offline", offline)
    w(root, c + "isolated", isolated)
    if nohz is not None: w(root, c + "nohz_full", nohz)
    for cid, (core, pkg, sib, l2, l3) in cpus.items():
        d = c + "cpu%d/" % cid
        w(root, d + "topology/core_id", str(core))
        w(root, d + "topology/physical_package_id", str(pkg))
        w(root, d + "topology/thread_siblings_list", lst(sib))
        if l1: w(root, d + "cache/index0/level", "1"); w(root, d + "cache/index0/type", "Data"); w(root, d + "cache/index0/shared_cpu_list", lst(sib))
        if l1: w(root, d + "cache/index1/level", "1"); w(root, d + "cache/index1/type", "Instruction"); w(root, d + "cache/index1/shared_cpu_list", lst(sib))
        w(root, d + "cache/index2/level", "2"); w(root, d + "cache/index2/type", "Unified"); w(root, d + "cache/index2/shared_cpu_list", lst(l2))
        w(root, d + "cache/index3/level", "3"); w(root, d + "cache/index3/type", "Unified"); w(root, d + "cache/index3/shared_cpu_list", lst(l3))
        if capacity: w(root, d + "cpu_capacity", str(capacity[cid]))
    if nodes:
        for n, cl in nodes.items():
            w(root, "sys/devices/system/node/node%d/cpulist" % n, cl)
    if hybrid:
        w(root, "sys/devices/cpu_core/cpus", hybrid[0])
        w(root, "sys/devices/cpu_atom/cpus", hybrid[1])
    return root

def smt_machine(sockets, cores, threads):
    n = sockets * cores
    cpus = {}
    for t in range(threads):
        for s in range(sockets):
            for k in range(cores):
                cid = t * n + s * cores + k
                sib = [tt * n + s * cores + k for tt in range(threads)]
                l3 = [tt * n + s * cores + kk for tt in range(threads) for kk in range(cores)]
                cpus[cid] = (k, s, sib, sib, l3)
    return cpus

# 1. two-socket server: 2 x 4 cores x 2 threads, two NUMA nodes, cgroup v2 at the root cgroup (systemd system.slice)
srv = machine("server-2s-smt", smt_machine(2, 4, 2), "0-15",
              nodes={0: "0-3,8-11", 1: "4-7,12-15"})
w(srv, "proc/self/cgroup", "0::/system.slice/coreloop.service")
w(srv, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids")
w(srv, "sys/fs/cgroup/cpuset.cpus.effective", "0-15")
w(srv, "sys/fs/cgroup/system.slice/coreloop.service/cpu.max", "max 100000")

# 2. desktop: 1 socket, 4 cores x 2 threads, user session scope with no limits
desk = machine("desktop-smt", smt_machine(1, 4, 2), "0-7", nodes={0: "0-7"}, l1=True)
w(desk, "proc/self/cgroup", "0::/user.slice/user-1000.slice/session-2.scope")
w(desk, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids")
w(desk, "sys/fs/cgroup/cpuset.cpus.effective", "0-7")
w(desk, "sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope/cpu.max", "max 100000")

# 3. hybrid: 2 performance cores with HT (0-3) + 4 efficiency cores (4-7), Intel style core ids
hyb = {}
for cid, core, sib in [(0, 0, [0, 1]), (1, 0, [0, 1]), (2, 4, [2, 3]), (3, 4, [2, 3])]:
    hyb[cid] = (core, 0, sib, sib, list(range(8)))
for cid, core in [(4, 8), (5, 9), (6, 10), (7, 11)]:
    hyb[cid] = (core, 0, [cid], [4, 5, 6, 7], list(range(8)))
h = machine("hybrid", hyb, "0-7", nodes={0: "0-7"}, hybrid=("0-3", "4-7"))
w(h, "proc/self/cgroup", "0::/user.slice")
w(h, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu")
w(h, "sys/fs/cgroup/cpuset.cpus.effective", "0-7")

# 4. VM without SMT: 4 vCPUs, no NUMA directory, cgroup v1 (hybrid host layout), isolated + nohz_full 2-3
vm = {cid: (cid, 0, [cid], [cid], [0, 1, 2, 3]) for cid in range(4)}
v = machine("vm-nosmt", vm, "0-3", isolated="2-3", nohz="2-3")
w(v, "proc/self/cgroup", "\n".join(["4:memory:/", "3:cpuset:/", "2:cpu,cpuacct:/", "1:name=systemd:/", "0::/"]))
w(v, "sys/fs/cgroup/unified/cgroup.controllers", "")
w(v, "sys/fs/cgroup/cpuset/cpuset.cpus", "0-3")
w(v, "sys/fs/cgroup/cpuset/cpuset.effective_cpus", "0-3")
w(v, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1")
w(v, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000")

# 5. container (Kubernetes static CPU manager, guaranteed pod with 4 CPUs) on an 8-thread host, no cgroup namespace:
#    /proc/self/cgroup names a host path that is mounted as the container's /sys/fs/cgroup
ct = machine("container-subset", smt_machine(1, 4, 2), "0-7", nodes={0: "0-7"})
w(ct, "proc/self/cgroup", "0::/kubepods.slice/kubepods-pod4711.slice/cri-containerd-abc123.scope")
w(ct, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu memory pids")
w(ct, "sys/fs/cgroup/cpuset.cpus.effective", "2-3,6-7")
w(ct, "sys/fs/cgroup/cpu.max", "400000 100000")

# 6. machine with CPU 2 offline (hot-unplugged): no topology directory for cpu2
off = {cid: (cid, 0, [cid], [cid], [0, 1, 3]) for cid in [0, 1, 3]}
o = machine("offline-cpu", off, "0-1,3", offline="2", nodes={0: "0-1,3"})
os.makedirs(os.path.join(o, "sys/devices/system/cpu/cpu2"), exist_ok=True)
w(o, "sys/devices/system/cpu/cpu2/online", "0")
w(o, "proc/self/cgroup", "0::/")
w(o, "sys/fs/cgroup/cgroup.controllers", "cpuset cpu")
w(o, "sys/fs/cgroup/cpuset.cpus.effective", "0-1,3")
