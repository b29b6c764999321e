package dev.coreloop.core.reactor;

import java.nio.channels.SelectionKey;

import dev.coreloop.core.ReadPausePolicy;
import dev.coreloop.core.conn.ConnState;

/**
 * A connection's read interest: what its lifecycle state allows, narrowed by flow control. Flow control is orthogonal
 * to the lifecycle (docs/connection-states.md, "Flow control: not a state"):
 * <ul>
 *     <li>{@link #pausedByHandler}: {@code pauseReading()} / {@code resumeReading()};</li>
 *     <li>{@link #policy}: whose reads pause while this connection is unwritable ({@link ReadPausePolicy});</li>
 *     <li>a full inbound ring: no read interest, so a handler that holds input is not woken every cycle by a
 *     level-triggered selector (the busy spin of a held, half-shut connection).</li>
 * </ul>
 * OP_WRITE is added while the outbound path waits for the socket after a short write.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class ReadInterest
{
    private final ReactorConnection conn;
    private boolean pausedByHandler;
    private ReadPausePolicy policy = ReadPausePolicy.OWN_BACKLOG;
    private int registeredOps;

    ReadInterest(final ReactorConnection conn)
    {
        this.conn = conn;
    }

    int registeredOps()
    {
        return registeredOps;
    }

    ReadPausePolicy policy()
    {
        return policy;
    }

    void policy(final ReadPausePolicy policy)
    {
        if (policy != this.policy)
        {
            this.policy = policy;
            update();
            if (mayRedeliver())
            {
                conn.queueCallback(DeferredCallbacks.REDELIVER);
            }
        }
    }

    void pauseByHandler()
    {
        if (!pausedByHandler)
        {
            pausedByHandler = true;
            update();
        }
    }

    void resumeByHandler()
    {
        if (pausedByHandler)
        {
            pausedByHandler = false;
            update();
            if (mayRedeliver())
            {
                conn.queueCallback(DeferredCallbacks.REDELIVER);
            }
        }
    }

    /** {@return true if the lifecycle state reads into the ring and flow control lets it} */
    boolean mayRead()
    {
        final ConnState state = conn.lifecycleState();
        return (state == ConnState.ACTIVE || state == ConnState.OUTPUT_SHUTDOWN) && notPaused() &&
            !conn.inbound().isFull();
    }

    private boolean notPaused()
    {
        return !pausedByHandler && (policy == ReadPausePolicy.MANUAL || conn.outbound().writable);
    }

    /**
     * {@return true if held input may be presented again now: something is held, the state still delivers input
     * (also INPUT_CLOSED: bytes received before the peer's FIN are not lost), and nothing pauses it}
     */
    boolean mayRedeliver()
    {
        return mayDeliver() && notPaused() && !conn.inbound().ring.isEmpty();
    }

    /** {@return true if input received is still delivered to the handler (not closing)} */
    boolean mayDeliver()
    {
        final ConnState state = conn.lifecycleState();
        return state == ConnState.ACTIVE || state == ConnState.OUTPUT_SHUTDOWN || state == ConnState.INPUT_CLOSED;
    }

    /** {@return true if a handler that consumed nothing from a full ring has a reason to hold it (not an overflow)} */
    boolean mayHoldInput()
    {
        return pausedByHandler || !conn.outbound().writable;
    }

    /** {@return true while reads only discard (DRAINING, LINGERING)} */
    boolean isDiscarding()
    {
        final ConnState state = conn.lifecycleState();
        return state == ConnState.DRAINING || state == ConnState.LINGERING;
    }

    /** {@return true in the states that write their backlog} */
    boolean isFlushable()
    {
        final ConnState state = conn.lifecycleState();
        return state != ConnState.CLOSED && state != ConnState.CONNECTING && state != ConnState.HANDED_OFF &&
            state != ConnState.LINGERING;
    }

    private int desiredOps()
    {
        int ops = 0;
        switch (conn.lifecycleState())
        {
            case CONNECTING:
                return SelectionKey.OP_CONNECT;
            case ACTIVE:
            case OUTPUT_SHUTDOWN:
                ops = mayRead() ? SelectionKey.OP_READ : 0;
                break;
            case DRAINING:
            case LINGERING:
                ops = SelectionKey.OP_READ;
                break;
            default:
                break;
        }
        return conn.outbound() != null && conn.outbound().awaitingSocket ? ops | SelectionKey.OP_WRITE : ops;
    }

    /** Brings the key's interest ops in line with the state and the flags (a syscall only on a change). */
    void update()
    {
        if (conn.key == null || conn.lifecycleState() == ConnState.CLOSED)
        {
            return;
        }
        final int ops = desiredOps();
        if (ops != registeredOps)
        {
            registeredOps = ops;
            conn.key.interestOps(ops);
        }
    }
}
