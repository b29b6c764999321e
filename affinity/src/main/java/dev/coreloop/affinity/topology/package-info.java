/**
 * Readers of the machine's CPU layout from sysfs, procfs and cgroupfs under a root directory ({@code /} on a live
 * machine, a captured fixture tree in tests): CPUs, cores, caches and NUMA nodes, a thread's allowed CPUs, and the
 * cgroup's cpuset and CPU quota. {@link dev.coreloop.affinity.CpuTopology} assembles their results.
 */
package dev.coreloop.affinity.topology;
