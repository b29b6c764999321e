package dev.coreloop.core.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;

import dev.coreloop.core.status.ReactorCounter;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.status.ServerCounters;
import dev.coreloop.core.test.ReactorHarness;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The single-threaded behaviour of {@link ReactorProxy}'s hand-offs: run or refuse at close, and wake-ups only while
 * the reactor is parked. The races themselves are proved by the jcstress tests of the {@code stress} module.
 *
 * <p><b>Threading:</b> each test plays producer and reactor on the test thread.
 */
@Timeout(30)
class ReactorProxyTest
{
    private static final HandOff HAND_OFF = new HandOff(null, 0);
    private static final UnsafeBuffer PAYLOAD = new UnsafeBuffer(ByteBuffer.allocateDirect(16));

    private final ServerCounters counters = new ServerCounters(1);
    private final ReactorProxy proxy = new ReactorProxy(0, 4, 4, 1024, new Class<?>[0], counters);
    private final CountingWakeup wakeup = new CountingWakeup();
    private final List<String> log = new ArrayList<>();

    ReactorProxyTest()
    {
        proxy.wakeup(wakeup);
    }

    private long counter(final ReactorCounter counter)
    {
        return counters.value(0, counter);
    }

    private boolean send()
    {
        return proxy.sendMessage(1, 0, 7, PAYLOAD, 0, 16);
    }

    // Run or refuse.

    @Test
    void shouldRunEveryTaskAcceptedBeforeCloseWhenClosing()
    {
        for (int i = 0; i < 3; i++)
        {
            final int n = i;
            assertThat(proxy.execute(() -> log.add("task-" + n))).isTrue();
        }

        final int drained = proxy.closeAndDrain(handOff -> log.add("hand-off"), Runnable::run);

        assertThat(drained).isEqualTo(3);
        assertThat(log).containsExactly("task-0", "task-1", "task-2");
        assertThat(counter(ReactorCounter.TASKS_RUN)).isEqualTo(3);
        assertThat(proxy.pollTask()).isNull();
    }

    @Test
    void shouldRefuseTasksAfterCloseAndNeverRunThem()
    {
        proxy.closeAndDrain(handOff -> log.add("hand-off"), Runnable::run);

        assertThat(proxy.execute(() -> log.add("late"))).isFalse();

        assertThat(counter(ReactorCounter.TASK_QUEUE_REJECTIONS)).isEqualTo(1);
        assertThat(proxy.pollTask()).isNull();
        assertThat(proxy.closeAndDrain(handOff -> log.add("hand-off"), Runnable::run)).isZero();
        assertThat(log).isEmpty();
    }

    @Test
    void shouldRefuseTasksSubmittedByTasksRunningAtClose()
    {
        final boolean[] accepted = { true };
        proxy.execute(() -> accepted[0] = proxy.execute(() -> log.add("nested")));

        proxy.closeAndDrain(handOff -> log.add("hand-off"), Runnable::run);

        assertThat(accepted[0]).isFalse();
        assertThat(log).isEmpty();
        assertThat(proxy.pollTask()).isNull();
    }

    @Test
    void shouldRunTheRemainingTasksWhenOneThrowsAtClose()
    {
        proxy.execute(() ->
        {
            throw new IllegalStateException("boom (expected by the test)");
        });
        proxy.execute(() -> log.add("after"));

        assertThat(proxy.closeAndDrain(handOff -> log.add("hand-off"), Runnable::run)).isEqualTo(2);

        assertThat(log).containsExactly("after");
        assertThat(counter(ReactorCounter.HANDLER_ERRORS)).isEqualTo(1);
        assertThat(counter(ReactorCounter.TASKS_RUN)).isEqualTo(2);
    }

    @Test
    void shouldHandEveryAcceptedChannelToTheReactorWhenClosingThenRefuse()
    {
        assertThat(proxy.handOff(HAND_OFF)).isTrue();
        assertThat(proxy.handOff(HAND_OFF)).isTrue();

        assertThat(proxy.closeAndDrain(handOff -> log.add("hand-off"), Runnable::run)).isEqualTo(2);

        assertThat(log).containsExactly("hand-off", "hand-off");
        assertThat(proxy.handOff(HAND_OFF)).isFalse();
        assertThat(proxy.pollInbox()).isNull();
    }

    @Test
    void shouldRefuseWhenTheQueuesAreFull()
    {
        for (int i = 0; i < 4; i++)
        {
            assertThat(proxy.execute(() -> log.add("task"))).isTrue();
            assertThat(proxy.handOff(HAND_OFF)).isTrue();
        }

        assertThat(proxy.execute(() -> log.add("task"))).isFalse();
        assertThat(proxy.handOff(HAND_OFF)).isFalse();
        assertThat(proxy.closeAndDrain(handOff -> log.add("hand-off"), Runnable::run)).isEqualTo(8);
        assertThat(log).hasSize(8);
    }

    @Test
    void shouldRefuseMessagesAfterClose()
    {
        assertThat(send()).isTrue();

        proxy.closeAndDrain(handOff -> log.add("hand-off"), Runnable::run);

        assertThat(send()).isFalse();
        assertThat(counter(ReactorCounter.MESSAGE_RING_REJECTIONS)).isEqualTo(1);
    }

    @Test
    void shouldRunTasksAcceptedBeforeTheReactorClosesInItsClose() throws IOException
    {
        final ReactorHarness harness = new ReactorHarness(new ServerContext()
            .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), reactor -> new TestHandler()));
        final ReactorProxy reactorProxy = harness.agent().proxy();
        assertThat(reactorProxy.execute(() -> log.add("accepted before close"))).isTrue();

        harness.close();

        assertThat(log).containsExactly("accepted before close");
        assertThat(reactorProxy.execute(() -> log.add("after close"))).isFalse();
        assertThat(log).containsExactly("accepted before close");
    }

    // Wake-ups.

    @Test
    void shouldNotWakeTheReactorWhileItRuns()
    {
        proxy.execute(() -> log.add("task"));
        proxy.handOff(HAND_OFF);
        send();
        proxy.requestShutdown(1_000);

        assertThat(wakeup.count).isZero();
        assertThat(counter(ReactorCounter.WAKEUPS)).isZero();
    }

    @Test
    void shouldWakeTheParkedReactorOncePerProducerCall()
    {
        assertThat(proxy.prepareToPark(false)).isTrue();

        proxy.execute(() -> log.add("task"));
        proxy.handOff(HAND_OFF);
        send();
        proxy.requestShutdown(1_000);

        assertThat(wakeup.count).isEqualTo(4);
        assertThat(counter(ReactorCounter.WAKEUPS)).isEqualTo(4);
    }

    @Test
    void shouldStopWakingOnceTheReactorUnparks()
    {
        assertThat(proxy.prepareToPark(false)).isTrue();
        proxy.unpark();

        proxy.execute(() -> log.add("task"));

        assertThat(wakeup.count).isZero();
    }

    @Test
    void shouldNotParkWhileAnyQueueHoldsWork()
    {
        proxy.handOff(HAND_OFF);
        assertThat(proxy.prepareToPark(false)).isFalse();
        proxy.pollInbox();

        proxy.execute(() -> log.add("task"));
        assertThat(proxy.prepareToPark(false)).isFalse();
        proxy.pollTask();

        send();
        assertThat(proxy.prepareToPark(false)).isFalse();
        proxy.readMessages((msgTypeId, buffer, index, length) -> log.add("message"), 1);

        proxy.requestShutdown(1_000);
        assertThat(proxy.prepareToPark(false)).isFalse();
        assertThat(proxy.prepareToPark(true)).isTrue();
        assertThat(log).containsExactly("message");
    }

    @Test
    void shouldNotWakeAfterAFailedParkAttempt()
    {
        proxy.execute(() -> log.add("task"));
        assertThat(proxy.prepareToPark(false)).isFalse();

        proxy.execute(() -> log.add("task"));

        assertThat(wakeup.count).isZero();
    }

    @Test
    void shouldWakeTheRealSelectorOncePublished() throws IOException
    {
        try (Selector selector = Selector.open())
        {
            proxy.selector(selector);
            assertThat(proxy.selector()).isSameAs(selector);
            assertThat(proxy.prepareToPark(false)).isTrue();

            proxy.execute(() -> log.add("task"));

            final long startNs = System.nanoTime();
            selector.select(20_000);
            assertThat(System.nanoTime() - startNs).isLessThan(10_000_000_000L);
            assertThat(counter(ReactorCounter.WAKEUPS)).isEqualTo(1);
        }
    }

    /** Counts wake-ups instead of waking a selector. */
    private static final class CountingWakeup implements Wakeup
    {
        int count;

        @Override
        public void wake()
        {
            count++;
        }
    }
}
