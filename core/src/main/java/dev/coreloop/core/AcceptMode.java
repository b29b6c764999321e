package dev.coreloop.core;

/**
 * How connections reach the reactors.
 */
public enum AcceptMode
{
    /**
     * One {@code acceptor} thread owns the listening sockets, places each accepted connection with the
     * {@link PlacementPolicy} and hands it to the chosen reactor's inbox.
     */
    ACCEPTOR_THREAD,

    /**
     * Every reactor binds its own {@code SO_REUSEPORT} listener for each address and accepts on its own
     * selector; the kernel spreads connections, there is no acceptor thread and the placement policy is unused.
     * Linux only in practice.
     */
    REUSE_PORT
}
