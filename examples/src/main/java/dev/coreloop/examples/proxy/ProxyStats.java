package dev.coreloop.examples.proxy;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the proxy's relays did, for operators and tests: relays started and ended, upstream connects that failed
 * or timed out (the reason a client was closed without a byte), resets propagated from one side to the other, and
 * how often backpressure paused a side. Counted per relay event, never per byte or per chunk, so the data path
 * stays free of shared writes except {@link #readPauses()} (one per backpressure episode).
 *
 * <p><b>Threading:</b> written by every reactor that runs relays, read by any thread; {@link LongAdder} fields.
 */
public final class ProxyStats
{
    private final LongAdder relaysStarted = new LongAdder();
    private final LongAdder relaysEnded = new LongAdder();
    private final LongAdder upstreamConnected = new LongAdder();
    private final LongAdder upstreamConnectFailed = new LongAdder();
    private final LongAdder upstreamConnectTimeouts = new LongAdder();
    private final LongAdder resetsPropagated = new LongAdder();
    private final LongAdder readPauses = new LongAdder();

    /** @return client connections accepted (one relay each). */
    public long relaysStarted()
    {
        return relaysStarted.sum();
    }

    /** @return relays whose client connection has closed. */
    public long relaysEnded()
    {
        return relaysEnded.sum();
    }

    /** @return relays open now (started minus ended; a racy but never negative snapshot when read in this order). */
    public long relaysOpen()
    {
        final long ended = relaysEnded.sum();
        return relaysStarted.sum() - ended;
    }

    /** @return upstream connections that were established. */
    public long upstreamConnected()
    {
        return upstreamConnected.sum();
    }

    /** @return upstream connects refused or failed (the client was closed: CONNECT_FAILED). */
    public long upstreamConnectFailed()
    {
        return upstreamConnectFailed.sum();
    }

    /** @return upstream connects that did not complete within the connect timeout (the client was closed). */
    public long upstreamConnectTimeouts()
    {
        return upstreamConnectTimeouts.sum();
    }

    /** @return connections aborted (reset) because their partner ended abnormally (reset, error, stall). */
    public long resetsPropagated()
    {
        return resetsPropagated.sum();
    }

    /** @return times a side's reads were paused because its partner could take no more (backpressure episodes). */
    public long readPauses()
    {
        return readPauses.sum();
    }

    void onRelayStarted()
    {
        relaysStarted.increment();
    }

    void onRelayEnded()
    {
        relaysEnded.increment();
    }

    void onUpstreamConnected()
    {
        upstreamConnected.increment();
    }

    void onUpstreamConnectFailed()
    {
        upstreamConnectFailed.increment();
    }

    void onUpstreamConnectTimeout()
    {
        upstreamConnectTimeouts.increment();
    }

    void onResetPropagated()
    {
        resetsPropagated.increment();
    }

    void onReadPaused()
    {
        readPauses.increment();
    }

    @Override
    public String toString()
    {
        return "ProxyStats{relaysStarted=" + relaysStarted() + ", relaysEnded=" + relaysEnded() +
            ", upstreamConnected=" + upstreamConnected() + ", upstreamConnectFailed=" + upstreamConnectFailed() +
            ", upstreamConnectTimeouts=" + upstreamConnectTimeouts() + ", resetsPropagated=" + resetsPropagated() +
            ", readPauses=" + readPauses() + "}";
    }
}
