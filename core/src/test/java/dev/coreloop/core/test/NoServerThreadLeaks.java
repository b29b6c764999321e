package dev.coreloop.core.test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension: a test (or a test class, for servers started in {@code @BeforeAll}) that leaves a server thread
 * ({@code reactor-N}, {@code acceptor}) alive fails itself, with a message that names it and the stacks of the threads
 * it leaked. The leaked threads are then set aside ({@link ServerThreads#setAside}), so that the later tests of the
 * same JVM, which look their own server's threads up by name, are not failed by this one's leak.
 *
 * <p>{@code Server.shutdown} returns only once its threads have ended, so the check is immediate: no waiting, no
 * grace period. It compares against the server threads alive before the test (before its {@code @BeforeEach}
 * methods; after its {@code @AfterEach} methods), so a class-wide server stays out of the per-test check.
 *
 * <p>The core module's surefire and failsafe runs register it for every test through JUnit's extension
 * auto-detection ({@code META-INF/services}); other modules may add it with {@code @ExtendWith}.
 *
 * <p><b>Threading:</b> stateless; JUnit calls it on the test thread.
 */
public final class NoServerThreadLeaks implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
    AfterAllCallback
{
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(
        NoServerThreadLeaks.class);
    private static final String BEFORE = "server threads before";

    @Override
    public void beforeAll(final ExtensionContext context)
    {
        remember(context);
    }

    @Override
    public void beforeEach(final ExtensionContext context)
    {
        remember(context);
    }

    @Override
    public void afterEach(final ExtensionContext context)
    {
        final String method = context.getRequiredTestMethod().getName();
        final String display = context.getDisplayName();
        check(context, context.getRequiredTestClass().getSimpleName() + "." + method +
            (display.startsWith(method + "(") ? "" : " " + display));
    }

    @Override
    public void afterAll(final ExtensionContext context)
    {
        check(context, context.getRequiredTestClass().getSimpleName() + " (its @BeforeAll/@AfterAll)");
    }

    private static void remember(final ExtensionContext context)
    {
        context.getStore(NAMESPACE).put(BEFORE, new HashSet<>(ServerThreads.liveServerThreads()));
    }

    @SuppressWarnings("unchecked")
    private static void check(final ExtensionContext context, final String test)
    {
        final Set<Thread> before = (Set<Thread>)context.getStore(NAMESPACE).remove(BEFORE, Set.class);
        final List<Thread> leaked = new ArrayList<>();
        for (final Thread thread : ServerThreads.liveServerThreads())
        {
            if (before == null || !before.contains(thread))
            {
                leaked.add(thread);
            }
        }
        if (leaked.isEmpty())
        {
            return;
        }
        final List<String> names = new ArrayList<>();
        for (final Thread thread : leaked)
        {
            names.add(thread.getName());
        }
        names.sort(null);
        final String stacks = ServerThreads.dumpStacks();
        ServerThreads.setAside(leaked, test);
        throw new AssertionError(test + " leaked server threads " + names + ": a server it started is still " +
            "running after it (close every server in a finally block or try-with-resources; Server.shutdown returns " +
            "only once its threads have ended). They are set aside so that later tests are not failed by them." +
            System.lineSeparator() + stacks);
    }
}
