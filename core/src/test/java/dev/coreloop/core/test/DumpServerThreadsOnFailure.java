package dev.coreloop.core.test;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * JUnit extension for integration tests: when a test method fails (an assertion, an exception or a
 * {@code @Timeout}), prints the stacks of the live reactor and acceptor threads to stderr before
 * {@code @AfterEach} shuts the server down, so a hang or a spin shows where the loop was. The failure is
 * rethrown unchanged.
 *
 * <p><b>Threading:</b> stateless; JUnit calls it on the test thread.
 */
public final class DumpServerThreadsOnFailure implements TestExecutionExceptionHandler
{
    @Override
    public void handleTestExecutionException(final ExtensionContext context, final Throwable cause) throws Throwable
    {
        System.err.println("=== " + context.getDisplayName() + " failed: " + cause + System.lineSeparator() +
            "=== server threads:" + System.lineSeparator() + ServerThreads.dumpStacks());
        throw cause;
    }
}
