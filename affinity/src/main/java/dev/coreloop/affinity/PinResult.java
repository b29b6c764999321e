package dev.coreloop.affinity;

/**
 * The outcome of pinning one thread.
 *
 * <p><b>Threading:</b> immutable; any thread.
 *
 * @param role        the thread's role, e.g. {@code reactor-0}.
 * @param plannedCpus the planned CPU list in kernel list form ({@code "3"}, {@code "0-7"}), or empty when unplanned.
 * @param actualCpus  the CPU list read back from the kernel after pinning, or empty when it could not be read.
 * @param status      what happened.
 */
public record PinResult(String role, String plannedCpus, String actualCpus, Status status)
{
    /** What happened to one pin. */
    public enum Status
    {
        /** The kernel's mask equals the planned one. */
        PINNED,
        /** The pin was applied but the mask read back differs from the plan (best-effort mode carries on). */
        MISMATCH,
        /** The pin could not be applied (no permission, CPU not allowed, unsupported OS). */
        FAILED,
        /** Pinning is off or the role is not in the plan. */
        UNPINNED
    }
}
