package dev.coreloop.core.reactor;

import dev.coreloop.core.ConnectionSettings;

/**
 * One connection's limits, from resolved {@link ConnectionSettings} (its listener's, its connect's, or the context's):
 * times in nanoseconds, caps and watermarks in bytes. Shared by every connection of a listener.
 *
 * <p><b>Threading:</b> immutable; any thread.
 */
final class ConnectionLimits
{
    final long idleTimeoutNs;
    final long writeStallTimeoutNs;
    final int inboundCapBytes;
    final int outboundCapBytes;
    final int highWatermarkBytes;
    final int lowWatermarkBytes;

    /** @param settings resolved settings: every field set. */
    ConnectionLimits(final ConnectionSettings settings)
    {
        if (!settings.isResolved())
        {
            throw new IllegalArgumentException("not resolved: " + settings);
        }
        idleTimeoutNs = settings.idleTimeoutMs() * 1_000_000L;
        writeStallTimeoutNs = settings.writeStallTimeoutMs() * 1_000_000L;
        inboundCapBytes = (int)settings.inboundCapBytes();
        outboundCapBytes = (int)settings.outboundCapBytes();
        highWatermarkBytes = (int)settings.highWatermarkBytes();
        lowWatermarkBytes = (int)settings.lowWatermarkBytes();
    }
}
