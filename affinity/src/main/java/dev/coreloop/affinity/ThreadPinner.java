package dev.coreloop.affinity;

/**
 * Pins threads to the CPUs a plan gives their role, verifies each pin and records planned versus actual.
 * This is the only affinity type the core module needs; {@link #unpinned()} lets a server run with no
 * pinning at all.
 *
 * <p>Roles are thread names: {@code acceptor}, {@code reactor-0} … {@code reactor-N}.
 *
 * <p><b>Threading:</b> {@link #pinCurrentThread(String)} is called by each thread on itself as it starts;
 * every method is safe to call from any thread.
 */
public interface ThreadPinner
{
    /**
     * Pins the calling thread to the CPU(s) planned for {@code role}, reads the affinity back and records the
     * outcome for the report. A role the plan does not name is left on the process's allowed set (never on the
     * mask it inherited from a pinned parent thread).
     *
     * @return what happened.
     * @throws PinningException in strict mode, when the pin could not be applied or verified.
     */
    PinResult pinCurrentThread(String role);

    /**
     * @return how many reactors the plan places, or {@code -1} when the plan leaves the count to the caller
     * (for instance the unpinned pinner).
     */
    int plannedReactorCount();

    /** @return the startup report: one row per role, planned CPU, actual CPU set, verified or not. */
    String report();

    /** @return a pinner that pins nothing; it logs one warning on first use and reports "unpinned". */
    static ThreadPinner unpinned()
    {
        return UnpinnedPinner.INSTANCE;
    }
}
