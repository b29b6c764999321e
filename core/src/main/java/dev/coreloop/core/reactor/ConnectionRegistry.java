package dev.coreloop.core.reactor;

import java.util.Arrays;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * The connections a reactor owns and has not closed: a dense array (for the shutdown sweep and tests) and a map by
 * id (for {@code Server.execute(connectionId, action)}). Ids are unique within the server: the reactor index plus one
 * in the top bits, a per-reactor sequence below, never reused while the server runs.
 *
 * <p><b>Threading:</b> confined to the owning reactor thread.
 */
final class ConnectionRegistry
{
    /** Bits of an id below the reactor index. */
    static final int REACTOR_SHIFT = 40;

    private final int reactorIndex;
    private final Long2ObjectHashMap<ReactorConnection> byId = new Long2ObjectHashMap<>();
    private ReactorConnection[] connections = new ReactorConnection[16];
    private int count;
    private long sequence;

    ConnectionRegistry(final int reactorIndex)
    {
        this.reactorIndex = reactorIndex;
    }

    /** {@return a new connection id} */
    long nextId()
    {
        return ((long)(reactorIndex + 1) << REACTOR_SHIFT) | ++sequence;
    }

    /** {@return the index of the reactor that owns the connection with {@code connectionId}, or -1 if none could} */
    static int reactorIndexOf(final long connectionId)
    {
        return (int)(connectionId >>> REACTOR_SHIFT) - 1;
    }

    void add(final ReactorConnection conn)
    {
        if (count == connections.length)
        {
            connections = Arrays.copyOf(connections, connections.length * 2);
        }
        conn.slot = count;
        connections[count++] = conn;
        byId.put(conn.id(), conn);
    }

    /** Forgets a connection that closed (no-op if it was never added). */
    void remove(final ReactorConnection conn)
    {
        final int slot = conn.slot;
        if (slot < 0)
        {
            return;
        }
        final int last = --count;
        final ReactorConnection moved = connections[last];
        connections[slot] = moved;
        moved.slot = slot;
        connections[last] = null;
        conn.slot = -1;
        byId.remove(conn.id());
    }

    /** {@return the open connection with this id, or null} */
    ReactorConnection get(final long connectionId)
    {
        return byId.get(connectionId);
    }

    int count()
    {
        return count;
    }

    ReactorConnection at(final int index)
    {
        return connections[index];
    }
}
