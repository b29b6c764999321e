package dev.coreloop.core.reactor;

import java.util.Arrays;

import dev.coreloop.core.status.ReactorCounter;

/**
 * The reactor-level queue of work that must not run nested inside another callback (contract item 7): a connection's
 * {@code onOpened}, {@code onInputClosed}, {@code onWritabilityChanged}, the redelivery of held input, a deferred
 * connect outcome and, after a connection closed, the release of its buffers and its {@code onClosed}. Whatever one
 * connection's action causes on another (A's handler aborts B: B's {@code onClosed}) — or on itself — is queued here
 * and runs once the current callback has returned, at the duty cycle's next safe point ({@link #runAll()}, called
 * after each selected key, task, message, timer and phase). Entries added while running run in the same call, in
 * order, so nothing waits for the next cycle.
 *
 * <p>Allocates nothing once its arrays have grown to the working size.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class DeferredCallbacks
{
    static final int OPENED = 1;
    static final int INPUT_CLOSED = 2;
    static final int WRITABILITY = 3;
    static final int REDELIVER = 4;
    static final int CONNECT_OK = 5;
    static final int CONNECT_FAILED = 6;
    static final int CLOSED = 7;

    private final ReactorStats stats;
    private ReactorConnection[] connections = new ReactorConnection[64];
    private int[] codes = new int[64];
    private int head;
    private int tail;
    private boolean running;

    DeferredCallbacks(final ReactorStats stats)
    {
        this.stats = stats;
    }

    /** Queues {@code code} for {@code conn}. */
    void add(final ReactorConnection conn, final int code)
    {
        if (tail == connections.length)
        {
            grow();
        }
        connections[tail] = conn;
        codes[tail++] = code;
        stats.increment(ReactorCounter.CALLBACKS_DEFERRED);
    }

    private void grow()
    {
        final int live = tail - head;
        if (head > 0 && live < connections.length / 2)
        {
            System.arraycopy(connections, head, connections, 0, live);
            System.arraycopy(codes, head, codes, 0, live);
            Arrays.fill(connections, live, tail, null);
        }
        else
        {
            connections = Arrays.copyOf(connections, connections.length * 2);
            codes = Arrays.copyOf(codes, codes.length * 2);
            System.arraycopy(connections, head, connections, 0, live);
            System.arraycopy(codes, head, codes, 0, live);
            Arrays.fill(connections, live, tail, null);
        }
        head = 0;
        tail = live;
    }

    /** {@return true if nothing is queued} */
    boolean isEmpty()
    {
        return head == tail;
    }

    /**
     * Runs every queued entry, including those queued meanwhile. A safe point: no callback is on the stack.
     *
     * @return how many ran.
     */
    int runAll()
    {
        if (head == tail || running)
        {
            return 0;
        }
        running = true;
        int ran = 0;
        try
        {
            while (head != tail)
            {
                final ReactorConnection conn = connections[head];
                final int code = codes[head];
                connections[head++] = null;
                ran++;
                conn.lifecycle().onDeferred(code);
            }
        }
        finally
        {
            head = 0;
            tail = 0;
            running = false;
        }
        return ran;
    }
}
