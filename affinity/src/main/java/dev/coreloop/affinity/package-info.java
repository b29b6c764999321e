/**
 * CPU pinning for the server's threads: the machine's {@link dev.coreloop.affinity.CpuTopology} (online CPUs,
 * physical cores, NUMA nodes, cgroup limits), a declarative {@link dev.coreloop.affinity.PinningPlan} parsed from a
 * spec such as {@code "acceptor=0 reactors=2-9"}, its placement on the machine
 * ({@link dev.coreloop.affinity.ResolvedPlan}), and the {@link dev.coreloop.affinity.ThreadPinner} each thread calls
 * to apply its pin and verify it, with a report of planned versus actual CPUs.
 *
 * <p>A server runs unpinned with {@link dev.coreloop.affinity.ThreadPinner#unpinned()}. Logs through
 * {@code slf4j-api} only.
 */
package dev.coreloop.affinity;
