package dev.coreloop.core.it;

import dev.coreloop.core.test.DumpServerThreadsOnFailure;
import dev.coreloop.core.test.EchoTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Common shape of the echo integration tests: the test starts {@link #server}; it is shut down after each
 * test, and a failure dumps the server threads and its diagnostics first.
 */
@ExtendWith(DumpServerThreadsOnFailure.class)
abstract class EchoServerTestBase
{
    /** The server under test, started by each test with the settings it needs. */
    protected EchoTestServer server;

    @AfterEach
    void stopServer()
    {
        if (server != null)
        {
            server.close();
            server = null;
        }
    }
}
