package dev.coreloop.affinity;

/**
 * One online logical CPU as sysfs describes it.
 *
 * <p><b>Threading:</b> immutable; any thread.
 *
 * @param id             the logical CPU id.
 * @param coreId         {@code topology/core_id} (unique only within a package).
 * @param packageId      {@code topology/physical_package_id} (the socket).
 * @param nodeId         the NUMA node holding this CPU (0 when the machine exposes no node directory).
 * @param threadSiblings {@code topology/thread_siblings_list}: the logical CPUs of the same physical core.
 * @param l2Shared       the CPUs sharing this CPU's L2 cache (empty when unknown).
 * @param l3Shared       the CPUs sharing this CPU's L3 cache (empty when unknown).
 * @param coreType       performance or efficiency core on hybrid processors.
 * @param isolated       listed in {@code /sys/devices/system/cpu/isolated} (the {@code isolcpus=} boot option).
 * @param nohzFull       listed in {@code /sys/devices/system/cpu/nohz_full}.
 */
public record LogicalCpu(
    int id,
    int coreId,
    int packageId,
    int nodeId,
    CpuSet threadSiblings,
    CpuSet l2Shared,
    CpuSet l3Shared,
    CoreType coreType,
    boolean isolated,
    boolean nohzFull)
{
    /** {@return a key identifying the physical core: the lowest CPU id among its thread siblings} */
    public int physicalCoreKey()
    {
        final int first = threadSiblings.first();
        return first < 0 ? id : first;
    }
}
