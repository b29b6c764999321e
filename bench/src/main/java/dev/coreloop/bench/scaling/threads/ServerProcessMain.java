package dev.coreloop.bench.scaling.threads;

import java.io.IOException;

import dev.coreloop.affinity.ThreadPinner;
import dev.coreloop.bench.scaling.Protocol;
import dev.coreloop.bench.scaling.ServerKind;

/**
 * Runs one sweep server in a process of its own, for {@link ThreadsComparison}:
 * {@code ServerProcessMain <server> <protocol> <reactors>}. Prints {@code PORT <n>} once it listens and runs until its
 * standard input closes (the parent's end of the pipe), so it never outlives the comparison; then it prints
 * {@code CONNECTIONS <report>} (how its connections ended, {@link ServerKind.Running#connectionReport()}) and stops.
 * Its CPU placement is the process's mask (the parent starts it under {@code taskset}); threads are not pinned one by
 * one.
 *
 * <p><b>Threading:</b> the main thread waits on standard input; the server runs on its own threads.
 */
public final class ServerProcessMain
{
    /** The first word of the line that reports how the connections ended. */
    static final String CONNECTIONS_PREFIX = "CONNECTIONS ";

    private ServerProcessMain()
    {
    }

    /**
     * @param args server id, protocol id, reactors.
     * @throws Exception if the server cannot start.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length != 3)
        {
            System.err.println("usage: ServerProcessMain <server> <protocol> <reactors>");
            System.exit(2);
        }
        final ServerKind kind = ServerKind.of(args[0]);
        final String skip = kind.skipReason();
        if (skip != null)
        {
            System.out.println("SKIP " + skip);
            return;
        }
        try (ServerKind.Running server = kind.start(Protocol.of(args[1]), Integer.parseInt(args[2]),
            ThreadPinner.unpinned()))
        {
            System.out.println("PORT " + server.address().getPort());
            System.out.flush();
            try
            {
                while (System.in.read() >= 0)
                {
                    // wait for the parent to close the pipe
                }
            }
            catch (final IOException ignore)
            {
                // the parent went away
            }
            System.out.println(CONNECTIONS_PREFIX + server.connectionReport());
            System.out.flush();
        }
    }
}
