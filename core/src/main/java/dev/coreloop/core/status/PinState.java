package dev.coreloop.core.status;

import dev.coreloop.affinity.PinResult;

/**
 * A thread's pin status as the {@link ReactorCounter#PIN_STATUS} gauge holds it: the outcome of pinning at start,
 * then {@link #LOST} once a sample finds the allowed CPU set changed from the one the thread was pinned to.
 *
 * <p><b>Threading:</b> immutable; any thread.
 */
public enum PinState
{
    /** Pinning is off, unsupported, or the thread is not in the plan. */
    UNPINNED(0),
    /** The kernel's mask equals the plan. */
    PINNED(1),
    /** The pin was applied but the mask read back differs from the plan (best-effort mode carried on). */
    MISMATCH(2),
    /** The pin could not be applied (best-effort mode carried on). */
    FAILED(3),
    /** The thread was pinned as planned, and a later sample found its allowed CPU set changed (not restored). */
    LOST(4);

    private static final PinState[] BY_CODE = values();

    private final int code;

    PinState(final int code)
    {
        this.code = code;
    }

    /** {@return the stable code stored in the counter} */
    public int code()
    {
        return code;
    }

    /**
     * {@return the state with {@code code}, or {@link #UNPINNED} for a code this version does not know}
     *
     * @param code a value of the {@link ReactorCounter#PIN_STATUS} counter.
     */
    public static PinState fromCode(final long code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[(int)code] : UNPINNED;
    }

    /**
     * {@return the state for a pin outcome at start (null, before any pin, is {@link #UNPINNED})}
     *
     * @param status the outcome of {@code ThreadPinner.pinCurrentThread}, or null.
     */
    public static PinState of(final PinResult.Status status)
    {
        if (status == null)
        {
            return UNPINNED;
        }
        switch (status)
        {
            case PINNED:
                return PINNED;
            case MISMATCH:
                return MISMATCH;
            case FAILED:
                return FAILED;
            default:
                return UNPINNED;
        }
    }
}
