package dev.coreloop.core.reactor;

/**
 * What a producer does to make a parked reactor return from its select: {@code selector::wakeup} in production. A
 * seam so the jcstress tests of {@link ReactorProxy} can count wake-ups without a real selector.
 *
 * <p><b>Threading:</b> called by any producer thread that saw the reactor's {@code sleeping} flag set; it must be
 * safe to call concurrently and after the reactor has closed ({@link java.nio.channels.Selector#wakeup()} is both).
 */
@FunctionalInterface
interface Wakeup
{
    /** Makes the reactor's current or next blocking select return at once. */
    void wake();
}
