package dev.coreloop.core.test;

import java.lang.reflect.Field;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * JUnit extension for integration tests: when a test method fails (an assertion, an exception or a
 * {@code @Timeout}), prints to stderr the stacks of the live reactor and acceptor threads and, for every
 * {@link EchoTestServer} field of the test instance (its own or inherited), its diagnostics (handler events and the
 * tail of the transition log), before {@code @AfterEach} shuts the server down. The failure is rethrown unchanged.
 *
 * <p><b>Threading:</b> stateless; JUnit calls it on the test thread.
 */
public final class DumpServerThreadsOnFailure implements TestExecutionExceptionHandler
{
    @Override
    public void handleTestExecutionException(final ExtensionContext context, final Throwable cause) throws Throwable
    {
        final StringBuilder sb = new StringBuilder()
            .append("=== ").append(context.getDisplayName()).append(" failed: ").append(cause)
            .append(System.lineSeparator())
            .append("=== server threads:").append(System.lineSeparator()).append(ServerThreads.dumpStacks());
        final Object test = context.getTestInstance().orElse(null);
        if (test != null)
        {
            for (Class<?> type = test.getClass(); type != Object.class; type = type.getSuperclass())
            {
                for (final Field field : type.getDeclaredFields())
                {
                    if (field.getType() == EchoTestServer.class)
                    {
                        field.setAccessible(true);
                        final EchoTestServer server = (EchoTestServer)field.get(test);
                        if (server != null)
                        {
                            sb.append("=== ").append(field.getName()).append(": ").append(server.diagnostics())
                                .append(System.lineSeparator());
                        }
                    }
                }
            }
        }
        System.err.println(sb);
        throw cause;
    }
}
