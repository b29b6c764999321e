package dev.coreloop.core.reactor;

/**
 * Which thread owns a reactor, and the check every owner-only public entry point runs. The check is a field load and
 * a compare, cheap enough to run always (not only with assertions on): a call from another thread would corrupt the
 * connection's rings and never wake the reactor.
 *
 * <p><b>Threading:</b> {@link #own()} is called once by the reactor thread as it starts; the field is then read by
 * that thread (and, for the check, by callers on other threads, which only compare it against themselves: a stale
 * null still fails the compare).
 */
final class ThreadOwner
{
    private final String roleName;
    private volatile Thread owner;

    ThreadOwner(final String roleName)
    {
        this.roleName = roleName;
    }

    /** The calling thread becomes the owner. */
    void own()
    {
        owner = Thread.currentThread(); // volatile: read by the checks of other threads
    }

    /** {@return true on the owning thread} */
    boolean isOwner()
    {
        return Thread.currentThread() == owner;
    }

    /**
     * Checks that the caller runs on the owning thread.
     *
     * @param method the public method being called, for the message.
     * @throws IllegalStateException if the caller is not the owning thread.
     */
    void check(final String method)
    {
        final Thread current = Thread.currentThread();
        if (current != owner)
        {
            throw new IllegalStateException(method + " called on thread '" + current.getName() + "'; it must run on " +
                roleName + "'s thread '" + (owner == null ? "(not started)" : owner.getName()) +
                "'. From another thread use Server.execute(connectionId, action) or ReactorContext.execute(task)");
        }
    }
}
