package dev.coreloop.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.coreloop.affinity.PinResult;
import dev.coreloop.affinity.PinningException;
import dev.coreloop.affinity.ThreadPinner;
import dev.coreloop.core.AcceptMode;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ReactorService;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.test.ServerThreads;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A start that fails on one reactor releases everything the others (and the failed one) had taken: in REUSE_PORT mode
 * every reactor binds its own listener, so a listener left open keeps the port and takes a share of the kernel's
 * connections that nobody serves. After {@code Server.start} throws, the port can be bound again by a plain listener
 * (no SO_REUSEPORT), no {@code reactor-*} or {@code acceptor} thread is left (at once: {@code start} throws only
 * after they have ended), and the exception carries the cause. In the old code a reactor whose pinning failed (before
 * it had registered its listener) never closed it, and {@code start} could throw while a thread of the failed start
 * was still alive ({@code AgentRunner.close()} does not join an agent that closed itself).
 */
@Timeout(60)
class FailedStartIT
{
    private static final String INJECTED = "injected by FailedStartIT";

    /** How reactor-1 fails in onStart. */
    enum StartFailure
    {
        /** A strict pinner that cannot pin reactor-1 throws a {@link PinningException}. */
        PINNING_EXCEPTION,
        /** The native affinity code is missing on reactor-1's CPU set: an {@link Error} from the pinner. */
        PINNING_LINKAGE_ERROR,
        /** The factory of a per-reactor service throws on reactor 1. */
        SERVICE_FACTORY_EXCEPTION
    }

    /** Pins nothing; fails as told for one role. */
    private static final class FailingPinner implements ThreadPinner
    {
        private final String failingRole;
        private final StartFailure failure;

        FailingPinner(final String failingRole, final StartFailure failure)
        {
            this.failingRole = failingRole;
            this.failure = failure;
        }

        @Override
        public PinResult pinCurrentThread(final String role)
        {
            if (role.equals(failingRole))
            {
                if (failure == StartFailure.PINNING_EXCEPTION)
                {
                    throw new PinningException("strict mode: cannot pin " + role + " (" + INJECTED + ")");
                }
                if (failure == StartFailure.PINNING_LINKAGE_ERROR)
                {
                    throw new UnsatisfiedLinkError("no affinity library for " + role + " (" + INJECTED + ")");
                }
            }
            return ThreadPinner.unpinned().pinCurrentThread(role);
        }

        @Override
        public int plannedReactorCount()
        {
            return -1;
        }

        @Override
        public String report()
        {
            return "FailingPinner(" + failingRole + ", " + failure + ")";
        }
    }

    /** A service with nothing to do; its factory fails on reactor 1 in the SERVICE_FACTORY_EXCEPTION case. */
    private static final class NothingService implements ReactorService
    {
    }

    private static final ConnectionHandler ECHO = new ConnectionHandler()
    {
        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            return connection.write(buffer, offset, length) ? length : 0;
        }
    };

    @ParameterizedTest
    @EnumSource(StartFailure.class)
    void shouldReleaseEveryListenerAndThreadWhenOneReactorFailsToStart(final StartFailure failure) throws IOException
    {
        final Set<Thread> before = liveServerThreads();
        final InetSocketAddress address = freeLoopbackAddress();
        final ServerContext ctx = new ServerContext()
            .reactorCount(2)
            .acceptMode(AcceptMode.REUSE_PORT)
            .bufferPoolBytesPerReactor(4L << 20)
            .pinner(new FailingPinner("reactor-1", failure))
            .listen(address, reactor -> ECHO);
        if (failure == StartFailure.SERVICE_FACTORY_EXCEPTION)
        {
            ctx.reactorService(NothingService.class, reactor ->
            {
                if (reactor.index() == 1)
                {
                    throw new IllegalStateException("service cannot start on reactor 1 (" + INJECTED + ")");
                }
                return new NothingService();
            });
        }

        Throwable thrown = null;
        Server server = null;
        try
        {
            server = Server.start(ctx);
        }
        catch (final Throwable ex)
        {
            thrown = ex;
        }
        finally
        {
            if (server != null)
            {
                server.shutdown(0);
            }
        }

        assertThat(thrown).as("Server.start must fail").isNotNull();
        assertThat(thrown).as("the failure names its cause").hasMessageContaining(INJECTED);
        assertThat(rootCause(thrown)).hasMessageContaining(INJECTED);
        assertNoNewServerThreads(before);
        assertThat(bindsWithoutReusePort(address)).as("%s is free again: no listener of the failed start is left open",
            address).isTrue();
    }

    @ParameterizedTest
    @EnumSource(value = StartFailure.class, names = {"PINNING_EXCEPTION", "PINNING_LINKAGE_ERROR"})
    void shouldFailTheStartAndEndEveryThreadWhenTheAcceptorFailsToStart(final StartFailure failure) throws IOException
    {
        final Set<Thread> before = liveServerThreads();
        final InetSocketAddress address = freeLoopbackAddress();
        final ServerContext ctx = new ServerContext()
            .reactorCount(2)
            .acceptMode(AcceptMode.ACCEPTOR_THREAD)
            .bufferPoolBytesPerReactor(4L << 20)
            .pinner(new FailingPinner("acceptor", failure))
            .listen(address, reactor -> ECHO);

        Throwable thrown = null;
        try
        {
            Server.start(ctx).shutdown(0); // a start that wrongly succeeds is shut down at once
        }
        catch (final Throwable ex)
        {
            thrown = ex;
        }

        assertThat(thrown).as("Server.start must fail when the acceptor cannot start").isNotNull();
        assertThat(thrown).hasMessageContaining(INJECTED);
        assertNoNewServerThreads(before);
        assertThat(bindsWithoutReusePort(address)).as("%s is free again", address).isTrue();
    }

    private static Throwable rootCause(final Throwable thrown)
    {
        Throwable cause = thrown;
        while (cause.getCause() != null && cause.getCause() != cause)
        {
            cause = cause.getCause();
        }
        return cause;
    }

    private static InetSocketAddress freeLoopbackAddress() throws IOException
    {
        try (ServerSocketChannel probe = ServerSocketChannel.open())
        {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return (InetSocketAddress)probe.getLocalAddress();
        }
    }

    /** @return the live threads named like a server's ({@code reactor-N}, {@code acceptor}). */
    private static Set<Thread> liveServerThreads()
    {
        final Set<Thread> threads = new HashSet<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            final String name = thread.getName();
            if (thread.isAlive() && (name.startsWith("reactor-") || name.equals("acceptor")))
            {
                threads.add(thread);
            }
        }
        return threads;
    }

    /** Asserts that every server thread started since {@code before} has ended already. */
    private static void assertNoNewServerThreads(final Set<Thread> before)
    {
        final List<String> left = new ArrayList<>();
        for (final Thread thread : liveServerThreads())
        {
            if (!before.contains(thread))
            {
                left.add(thread.getName() + " " + thread.getState());
            }
        }
        assertThat(left).as("threads of the failed start still alive when Server.start threw:%n%s",
            ServerThreads.dumpStacks()).isEmpty();
    }

    /** @return true if a plain listener (no SO_REUSEPORT) can bind {@code address}, retrying for a bounded time. */
    private static boolean bindsWithoutReusePort(final InetSocketAddress address) throws IOException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2_000);
        while (true)
        {
            try (ServerSocketChannel plain = ServerSocketChannel.open())
            {
                plain.bind(address);
                return true;
            }
            catch (final BindException ex)
            {
                if (System.nanoTime() - deadlineNs >= 0)
                {
                    return false;
                }
                LockSupport.parkNanos(10_000_000L);
            }
        }
    }
}
