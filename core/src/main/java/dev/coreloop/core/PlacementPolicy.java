package dev.coreloop.core;

/**
 * Chooses the reactor that will own a newly accepted connection ({@link AcceptMode#ACCEPTOR_THREAD} mode).
 *
 * <p><b>Threading:</b> {@link #select} is called only on the {@code acceptor} thread, so an implementation may
 * keep plain fields; each call of a factory method returns a fresh instance for one server.
 */
@FunctionalInterface
public interface PlacementPolicy
{
    /**
     * What the acceptor knows about each reactor's load, read without locks.
     */
    @FunctionalInterface
    interface ReactorLoad
    {
        /**
         * {@return connections handed to that reactor and not yet closed (including those still in its inbox)}
         *
         * @param reactorIndex {@code 0 .. reactorCount - 1}.
         */
        long openConnections(int reactorIndex);
    }

    /**
     * {@return the index of the chosen reactor, {@code 0 .. reactorCount - 1}}
     *
     * @param reactorCount how many reactors there are.
     * @param load         the current load of each.
     */
    int select(int reactorCount, ReactorLoad load);

    /** {@return a policy that cycles through the reactors in order} */
    static PlacementPolicy roundRobin()
    {
        return new PlacementPolicy()
        {
            private int next;

            @Override
            public int select(final int reactorCount, final ReactorLoad load)
            {
                final int index = next;
                next = index + 1 >= reactorCount ? 0 : index + 1;
                return index;
            }

            @Override
            public String toString()
            {
                return "roundRobin";
            }
        };
    }

    /** {@return a policy that picks the reactor with the fewest open connections (the lowest index on a tie)} */
    static PlacementPolicy leastConnections()
    {
        return new PlacementPolicy()
        {
            @Override
            public int select(final int reactorCount, final ReactorLoad load)
            {
                int best = 0;
                long bestOpen = Long.MAX_VALUE;
                for (int i = 0; i < reactorCount; i++)
                {
                    final long open = load.openConnections(i);
                    if (open < bestOpen)
                    {
                        bestOpen = open;
                        best = i;
                    }
                }
                return best;
            }

            @Override
            public String toString()
            {
                return "leastConnections";
            }
        };
    }
}
