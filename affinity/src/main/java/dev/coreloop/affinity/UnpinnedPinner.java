package dev.coreloop.affinity;

import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pinner used when pinning is off: pins nothing, warns once, reports "unpinned".
 *
 * <p><b>Threading:</b> any thread.
 */
final class UnpinnedPinner implements ThreadPinner
{
    static final UnpinnedPinner INSTANCE = new UnpinnedPinner();

    private static final Logger LOG = LoggerFactory.getLogger(UnpinnedPinner.class);

    private final AtomicBoolean warned = new AtomicBoolean();

    private UnpinnedPinner()
    {
    }

    @Override
    public PinResult pinCurrentThread(final String role)
    {
        if (warned.compareAndSet(false, true))
        {
            LOG.warn("threads run unpinned: no pinning plan was given (see docs/pinning.md)");
        }
        return new PinResult(role, "", "", PinResult.Status.UNPINNED);
    }

    @Override
    public int plannedReactorCount()
    {
        return -1;
    }

    @Override
    public String report()
    {
        return "pinning: unpinned (no plan)";
    }
}
