package dev.coreloop.core.reactor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Padding before the fields of {@link CloseGate}: bytes, so they fill any hole the JVM's field layout leaves. */
abstract class CloseGateLhsPadding
{
    byte p000, p001, p002, p003, p004, p005, p006, p007, p008, p009, p010, p011, p012, p013, p014, p015;
    byte p016, p017, p018, p019, p020, p021, p022, p023, p024, p025, p026, p027, p028, p029, p030, p031;
    byte p032, p033, p034, p035, p036, p037, p038, p039, p040, p041, p042, p043, p044, p045, p046, p047;
    byte p048, p049, p050, p051, p052, p053, p054, p055, p056, p057, p058, p059, p060, p061, p062, p063;
}

/** The fields of {@link CloseGate}, between two paddings. */
abstract class CloseGateFields extends CloseGateLhsPadding
{
    /** Set once by the owner; read by producers before and after they enter. */
    volatile boolean closed;
    /** Producers between {@link CloseGate#enter()} and {@link CloseGate#exit()}; changed only with getAndAdd. */
    volatile int producersInside;
}

/** Cache-line padding after the fields of {@link CloseGate}. */
abstract class CloseGateRhsPadding extends CloseGateFields
{
    byte p064, p065, p066, p067, p068, p069, p070, p071, p072, p073, p074, p075, p076, p077, p078, p079;
    byte p080, p081, p082, p083, p084, p085, p086, p087, p088, p089, p090, p091, p092, p093, p094, p095;
    byte p096, p097, p098, p099, p100, p101, p102, p103, p104, p105, p106, p107, p108, p109, p110, p111;
    byte p112, p113, p114, p115, p116, p117, p118, p119, p120, p121, p122, p123, p124, p125, p126, p127;
}

/**
 * A close gate in front of a queue: a producer that gets through it ({@link #enter()} returned true) offers, then
 * leaves ({@link #exit()}); once the owner has closed it ({@link #closeAndAwaitProducers()}), no producer gets
 * through, and every one that did has left. So when {@code closeAndAwaitProducers} returns, the queue holds every
 * entry that any producer will ever have offered, and the owner can drain it: an entry is either taken by the owner or
 * refused to its producer, never left behind.
 * <pre>
 *   producer: load closed ; getAndAdd(+1) ; load closed -&gt; true? getAndAdd(-1), refuse ; offer ; getAndAdd(-1)
 *   owner:    closed = true ; load the count until it is 0 ; drain
 * </pre>
 * Why it holds: every access above is volatile, so all are in one total order (the synchronization order) that
 * respects each thread's program order, and each load sees the last store before it. A producer whose second load
 * of {@code closed} returns false made its +1 before that load, which comes before the owner's store of
 * {@code closed}, which comes before the owner's loads of the count: so those loads see the +1 until the producer's
 * -1. The load that finally sees 0 comes after that -1 (a volatile write synchronizes-with every later volatile read
 * of the same variable), so the offer before the -1 happens-before the drain after the load. A producer whose second
 * load returns true never offers. The first load of {@code closed} turns late producers away without touching the
 * count, so the owner only ever waits for producers that were already inside: at most one per thread, each a few
 * instructions from leaving.
 *
 * <p>The fields are padded to a cache line of their own: producers write the count, and the owner's hot fields
 * (the final references it reads every duty cycle) must not share a line with it.
 *
 * <p><b>Threading:</b> {@link #enter()}, {@link #exit()} and {@link #isClosed()} from any thread;
 * {@link #closeAndAwaitProducers()} by the owner only, once.
 */
final class CloseGate extends CloseGateRhsPadding
{
    /** Busy spins of {@link #closeAndAwaitProducers()} before it yields between looks instead. */
    static final int SPINS_BEFORE_YIELD = 100;
    private static final VarHandle PRODUCERS_INSIDE;

    static
    {
        try
        {
            PRODUCERS_INSIDE = MethodHandles.lookup()
                .findVarHandle(CloseGateFields.class, "producersInside", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /**
     * Enters the gate, unless it is closed.
     *
     * @return true: the caller may offer, and must then call {@link #exit()} (in a finally block); false: the gate
     * is closed and the caller must not offer.
     */
    boolean enter()
    {
        if (closed) // volatile load: pairs with the store in closeAndAwaitProducers (late producers skip the count)
        {
            return false;
        }
        PRODUCERS_INSIDE.getAndAdd(this, 1); // volatile RMW: pairs with the count loads in closeAndAwaitProducers
        if (closed) // volatile load after the +1: pairs with the store in closeAndAwaitProducers (Dekker)
        {
            exit();
            return false;
        }
        return true;
    }

    /** Leaves the gate after the offer, whether it succeeded or not. */
    void exit()
    {
        PRODUCERS_INSIDE.getAndAdd(this, -1); // volatile RMW: synchronizes-with the loads in closeAndAwaitProducers
    }

    /** {@return true once the owner has closed the gate (a hint for producers that are not gated)} */
    boolean isClosed()
    {
        return closed; // volatile load: pairs with the volatile store in closeAndAwaitProducers
    }

    /**
     * Closes the gate and waits until every producer inside has left: spins briefly, then yields (a producer inside may
     * have been descheduled). Every offer made through the gate then happens-before the caller's next action.
     */
    void closeAndAwaitProducers()
    {
        closed = true; // volatile store, then the count loads below: pairs with the loads of closed in enter (Dekker)
        int spins = 0;
        while ((int)PRODUCERS_INSIDE.getVolatile(this) != 0) // volatile load: pairs with the RMWs in enter and exit
        {
            if (++spins <= SPINS_BEFORE_YIELD)
            {
                Thread.onSpinWait();
            }
            else
            {
                Thread.yield();
            }
        }
    }
}
