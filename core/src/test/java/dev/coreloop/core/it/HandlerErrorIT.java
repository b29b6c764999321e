package dev.coreloop.core.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.test.DumpServerThreadsOnFailure;
import dev.coreloop.core.test.LoopbackClient;
import dev.coreloop.core.test.ServerThreads;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Any {@link Throwable} from a handler callback, {@link Error}s included, closes only that handler's connection with
 * {@link CloseReason#HANDLER_ERROR}: its peer sees the close, the error is counted, and every other connection of the
 * same (single) reactor is served as before. The old reactor caught only {@link RuntimeException}s, so a
 * {@code StackOverflowError} in one handler killed the reactor thread and every connection on it.
 */
@ExtendWith(DumpServerThreadsOnFailure.class)
@Timeout(30)
class HandlerErrorIT
{
    private static final long AWAIT_MS = 5_000;
    private static final byte[] FAIL = "FAIL".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);

    /** The callback that throws. */
    enum Callback
    {
        ON_DATA, ON_OPENED, ON_WRITABILITY_CHANGED, ON_TIMER
    }

    /** What it throws. */
    enum Failure
    {
        STACK_OVERFLOW_BY_RECURSION, ASSERTION_ERROR, NO_CLASS_DEF_FOUND_ERROR;

        void raise()
        {
            switch (this)
            {
                case STACK_OVERFLOW_BY_RECURSION:
                    recurse(0);
                    throw new IllegalStateException("unreachable: the recursion has no end");
                case ASSERTION_ERROR:
                    throw new AssertionError("injected by HandlerErrorIT");
                default:
                    throw new NoClassDefFoundError("dev/coreloop/MissingClassInjectedByHandlerErrorIT");
            }
        }

        private static long recurse(final long depth)
        {
            return recurse(depth + 1) + depth;
        }
    }

    private Server server;
    private final Queue<CloseReason> closes = new ConcurrentLinkedQueue<>();

    @AfterEach
    void stopServer()
    {
        if (server != null)
        {
            server.shutdown(1_000);
        }
    }

    static Stream<Arguments> callbacksAndFailures()
    {
        final List<Arguments> cases = new ArrayList<>();
        for (final Callback callback : Callback.values())
        {
            for (final Failure failure : Failure.values())
            {
                cases.add(Arguments.of(callback, failure));
            }
        }
        return cases.stream();
    }

    /**
     * Echoes; on "FAIL" makes {@code callback} throw (onData at once; onTimer through a timer due now;
     * onWritabilityChanged through a write far above the high watermark). With {@code failOnOpen}, onOpened throws.
     */
    private final class FailingHandler implements ConnectionHandler
    {
        private final Callback callback;
        private final Failure failure;
        private final boolean failOnOpen;
        private boolean armed;

        FailingHandler(final Callback callback, final Failure failure, final boolean failOnOpen)
        {
            this.callback = callback;
            this.failure = failure;
            this.failOnOpen = failOnOpen;
        }

        @Override
        public void onOpened(final Connection connection)
        {
            if (failOnOpen)
            {
                failure.raise();
            }
        }

        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            if (length == FAIL.length && "FAIL".equals(buffer.getStringWithoutLengthAscii(offset, length)))
            {
                armed = true;
                switch (callback)
                {
                    case ON_DATA:
                        failure.raise();
                        break;
                    case ON_TIMER:
                        connection.scheduleTimer(connection.reactor().nowNs());
                        break;
                    case ON_WRITABILITY_CHANGED:
                        final byte[] flood = new byte[256 * 1024];
                        connection.write(flood, 0, flood.length); // 4x the high watermark: unwritable at once
                        break;
                    default:
                        throw new IllegalStateException("onOpened fails on listener 1, not on a request");
                }
                return length;
            }
            return connection.write(buffer, offset, length) ? length : 0;
        }

        @Override
        public void onWritabilityChanged(final Connection connection, final boolean writable)
        {
            if (armed && callback == Callback.ON_WRITABILITY_CHANGED)
            {
                failure.raise();
            }
        }

        @Override
        public void onTimer(final Connection connection, final long timerId, final long nowNs)
        {
            if (armed && callback == Callback.ON_TIMER)
            {
                failure.raise();
            }
        }

        @Override
        public void onClosed(final Connection connection, final CloseReason reason)
        {
            closes.add(reason);
        }
    }

    @ParameterizedTest(name = "{0} throws {1}")
    @MethodSource("callbacksAndFailures")
    void shouldCloseOnlyTheThrowingConnectionAndKeepTheReactorServing(final Callback callback, final Failure failure)
        throws IOException
    {
        final InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        server = Server.start(new ServerContext()
            .reactorCount(1)
            .bufferPoolBytesPerReactor(16L << 20)
            .outboundCapBytes(1 << 20).highWatermarkBytes(64 * 1024).lowWatermarkBytes(16 * 1024)
            .listen(any, reactor -> new FailingHandler(callback, failure, false))
            .listen(any, reactor -> new FailingHandler(callback, failure, true)));

        try (LoopbackClient bystander = LoopbackClient.connect(server.localAddress(0), AWAIT_MS))
        {
            assertThat(bystander.roundTrip(PING)).isEqualTo(PING);
            final LoopbackClient victim = connectVictim(callback);
            if (victim != null)
            {
                try
                {
                    if (callback != Callback.ON_OPENED)
                    {
                        assertThat(victim.roundTrip(PING)).isEqualTo(PING);
                        victim.writeFully(FAIL);
                    }
                    victim.awaitEnd(AWAIT_MS); // EOF or reset; SocketTimeoutException if the connection stays open
                }
                finally
                {
                    victim.close();
                }
            }
            awaitCloses(1);

            assertThat(closes).as("only the throwing connection closed").containsExactly(CloseReason.HANDLER_ERROR);
            assertThat(server.counter(0, ReactorCounter.HANDLER_ERRORS)).isEqualTo(1);
            assertThat(server.counter(0, ReactorCounter.CLOSE_HANDLER_ERROR)).isEqualTo(1);
            assertThat(server.health().healthy()).as(server.health().reason()).isTrue();
            assertThat(ServerThreads.reactor(0).isAlive()).isTrue();
            for (int i = 0; i < 10; i++)
            {
                assertThat(bystander.roundTrip(PING)).as("the other connection on the same reactor").isEqualTo(PING);
            }
            try (LoopbackClient next = LoopbackClient.connect(server.localAddress(0), AWAIT_MS))
            {
                assertThat(next.roundTrip(PING)).as("a new connection on the same reactor").isEqualTo(PING);
            }
        }
    }

    /**
     * @return the victim's client; null if its connection was reset while the client was still finishing the connect
     * (onOpened threw so early): the peer saw the close.
     */
    private LoopbackClient connectVictim(final Callback callback) throws IOException
    {
        try
        {
            return LoopbackClient.connect(server.localAddress(callback == Callback.ON_OPENED ? 1 : 0), AWAIT_MS);
        }
        catch (final IOException ex)
        {
            if (callback == Callback.ON_OPENED && LoopbackClient.isReset(ex))
            {
                return null;
            }
            throw ex;
        }
    }

    private void awaitCloses(final int count)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AWAIT_MS);
        while (closes.size() < count && System.nanoTime() - deadlineNs < 0)
        {
            LockSupport.parkNanos(1_000_000L);
        }
        assertThat(closes).as("closes recorded by onClosed").hasSizeGreaterThanOrEqualTo(count);
    }
}
