package dev.coreloop.affinity;

/** The kind of physical core a logical CPU belongs to, on hybrid processors. */
public enum CoreType
{
    /** The machine is not hybrid: every core is the same kind. */
    UNIFORM,
    /** A performance core (Intel "cpu_core", or the highest {@code cpu_capacity} on Arm big.LITTLE). */
    PERFORMANCE,
    /** An efficiency core (Intel "cpu_atom", or a lower {@code cpu_capacity}). */
    EFFICIENCY
}
