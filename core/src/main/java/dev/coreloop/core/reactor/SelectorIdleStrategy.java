package dev.coreloop.core.reactor;

import org.agrona.concurrent.IdleStrategy;

/**
 * {@link dev.coreloop.core.IdleMode#SELECT}: after a cycle without work, blocks in the reactor's selector until I/O,
 * a producer's wake-up or the next timer deadline ({@link ReactorAgent#park()}).
 *
 * <p><b>Threading:</b> used only by the reactor's own thread.
 */
public final class SelectorIdleStrategy implements IdleStrategy
{
    private final ReactorAgent reactor;

    /**
     * Creates the idle strategy of {@code reactor}.
     *
     * @param reactor the reactor whose selector to block in.
     */
    public SelectorIdleStrategy(final ReactorAgent reactor)
    {
        this.reactor = reactor;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            reactor.park();
        }
    }

    @Override
    public void idle()
    {
        reactor.park();
    }

    @Override
    public void reset()
    {
    }

    @Override
    public String alias()
    {
        return "select";
    }
}
