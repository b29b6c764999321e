package dev.coreloop.core.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.Server;
import dev.coreloop.core.ServerContext;
import dev.coreloop.core.test.NoServerThreadLeaks;
import dev.coreloop.core.test.ServerThreads;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * {@link NoServerThreadLeaks} on a fixture run through the JUnit launcher: the test that leaves a server running
 * fails itself, with a message naming it and its threads, and the next test, which looks its own {@code reactor-0}
 * up by name, passes (it used to fail with "two live threads named reactor-0", like every later test of the JVM).
 */
@Timeout(60)
class NoServerThreadLeaksIT
{
    private static final InetSocketAddress ANY = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    private static final ConnectionHandler DISCARD = new ConnectionHandler()
    {
        @Override
        public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
        {
            return length;
        }
    };
    /** The server the fixture leaks, closed by this test once the fixture has run. */
    private static volatile Server leakedServer;

    /** Not run on its own (surefire and failsafe skip nested classes); {@link #shouldFailTheLeakingTestOnly} does. */
    @ExtendWith(NoServerThreadLeaks.class)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    static class LeakingFixture
    {
        @Test
        @Order(1)
        void leaksItsServer() throws Exception
        {
            leakedServer = Server.start(new ServerContext().reactorCount(1).listen(ANY, reactor -> DISCARD));
        }

        @Test
        @Order(2)
        void findsItsOwnReactor() throws Exception
        {
            try (Server own = Server.start(new ServerContext().reactorCount(1).listen(ANY, reactor -> DISCARD)))
            {
                assertThat(ServerThreads.reactor(0).isAlive()).isTrue();
                assertThat(ServerThreads.liveServerThreadNames()).containsExactly("acceptor", "reactor-0");
            }
        }
    }

    @Test
    void shouldFailTheLeakingTestOnly()
    {
        final Map<String, TestExecutionResult> results = new ConcurrentHashMap<>();
        final LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
            .selectors(selectClass(LeakingFixture.class)).build();
        try
        {
            LauncherFactory.create().execute(request, new TestExecutionListener()
            {
                @Override
                public void executionFinished(final TestIdentifier test, final TestExecutionResult result)
                {
                    if (test.isTest())
                    {
                        results.put(test.getDisplayName(), result);
                    }
                }
            });
        }
        finally
        {
            if (leakedServer != null)
            {
                leakedServer.close();
            }
        }

        assertThat(results).containsOnlyKeys("leaksItsServer()", "findsItsOwnReactor()");
        final TestExecutionResult leaked = results.get("leaksItsServer()");
        assertThat(leaked.getStatus()).isEqualTo(TestExecutionResult.Status.FAILED);
        assertThat(leaked.getThrowable()).get().asString()
            .contains("LeakingFixture.leaksItsServer leaked server threads [acceptor, reactor-0]")
            .contains("\"reactor-0\"");
        final TestExecutionResult next = results.get("findsItsOwnReactor()");
        assertThat(next.getStatus()).as("the next test is not failed by the leak: %s", next.getThrowable())
            .isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        assertThat(List.copyOf(ServerThreads.liveServerThreadNames())).as("the leaked server is closed").isEmpty();
    }
}
