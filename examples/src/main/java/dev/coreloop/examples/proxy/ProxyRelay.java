package dev.coreloop.examples.proxy;

import java.net.InetSocketAddress;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.ReadPausePolicy;
import dev.coreloop.core.conn.ConnState;
import org.agrona.DirectBuffer;

/**
 * One relay: the accepted client connection and the upstream connection it opens, both handled by this object.
 * {@code onOpened(client)} opens the upstream with {@code ReactorContext.connect} on the client's own reactor, so
 * both sides of a relay live on one thread and the relay needs no locks and no messages.
 *
 * <p><b>Backpressure.</b> Both sides use {@link ReadPausePolicy#MANUAL}: the kit never pauses a side for its own
 * backlog; the relay pauses the side whose partner is full. Bytes from side S are written into its partner P in
 * chunks of at most {@code writeChunkBytes}. When P refuses a chunk (its backlog would pass {@code outboundCapBytes})
 * the relay consumes what P took, pauses S and returns; the refusal guarantees
 * {@code onWritabilityChanged(P, false)} and later {@code (P, true)}, which resumes S, and S's held bytes are then
 * presented again. P turning unwritable on its own (backlog above the high watermark) pauses S too. While the
 * upstream is still connecting its writes are accepted up to the cap and then refused, so a fast client is paused
 * the same way. So a relay holds at most the two inbound rings and the two outbound rings the kit already bounds;
 * the relay itself buffers nothing and allocates nothing per chunk.
 *
 * <p><b>Half-close.</b> A FIN from one side becomes {@code shutdownOutput()} on the other, whose FIN leaves once the
 * bytes relayed before it are written, and the other direction keeps flowing. A side that received FIN
 * and finished its output closes on its own ({@code PEER_CLOSED}), so when both directions are done both connections
 * close.
 *
 * <p><b>Ends.</b> When one side closes, its partner is ended the same way: after an abnormal end (peer reset, I/O
 * error, write stall, handler error, inbound overflow, abort) the partner is aborted (reset), so the
 * peer on that side learns that the stream was cut rather than mistaking a truncated stream for a complete one;
 * after a clean end (FIN exchange, idle timeout, server shutdown, local close) it is closed gracefully. An upstream
 * that refuses the connect or does not answer within {@code connectTimeoutMs} ends the client gracefully (it gets
 * EOF), counted in {@link ProxyStats#upstreamConnectFailed()} / {@link ProxyStats#upstreamConnectTimeouts()}.
 *
 * <p><b>Threading:</b> every callback of both connections runs on the one reactor thread that owns them; plain
 * fields.
 */
final class ProxyRelay implements ConnectionHandler
{
    private final InetSocketAddress upstreamAddress;
    private final long connectTimeoutMs;
    private final int writeChunkBytes;
    private final ProxyStats stats;

    // Written by the owning reactor thread only.
    /** The accepted connection; null until its onOpened and after its onClosed. */
    private Connection client;
    /** The outbound connection; null until the client's onOpened opens it and after its onClosed. */
    private Connection upstream;

    /**
     * @param writeChunkBytes the largest single write into a partner, 1..outboundCapBytes (a larger write would
     *                        throw; a smaller one wastes less room when the partner is nearly full).
     */
    ProxyRelay(
        final InetSocketAddress upstreamAddress,
        final long connectTimeoutMs,
        final int writeChunkBytes,
        final ProxyStats stats)
    {
        this.upstreamAddress = upstreamAddress;
        this.connectTimeoutMs = connectTimeoutMs;
        this.writeChunkBytes = writeChunkBytes;
        this.stats = stats;
        stats.onRelayStarted();
    }

    @Override
    public void onOpened(final Connection connection)
    {
        if (connection == upstream)
        {
            stats.onUpstreamConnected();
            return;
        }
        client = connection;
        client.readPausePolicy(ReadPausePolicy.MANUAL);
        upstream = client.reactor().connect(upstreamAddress, this, connectTimeoutMs);
        upstream.readPausePolicy(ReadPausePolicy.MANUAL);
    }

    @Override
    public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
    {
        final Connection partner = partnerOf(connection);
        if (partner == null || !acceptsWrites(partner.state()))
        {
            // The partner is closing or closed: its onClosed ends this side too. Nothing can carry these bytes.
            return length;
        }
        int written = 0;
        while (written < length)
        {
            final int chunkBytes = Math.min(length - written, writeChunkBytes);
            if (!partner.write(buffer, offset + written, chunkBytes))
            {
                // Refused for room: onWritabilityChanged(partner, true) resumes us and presents the rest again.
                connection.pauseReading(); // counted in onWritabilityChanged(partner, false), which follows
                break;
            }
            written += chunkBytes;
        }
        return written;
    }

    @Override
    public void onWritabilityChanged(final Connection connection, final boolean writable)
    {
        final Connection source = partnerOf(connection);
        if (source == null)
        {
            return;
        }
        if (writable)
        {
            source.resumeReading();
        }
        else
        {
            source.pauseReading();
            stats.onReadPaused();
        }
    }

    @Override
    public void onInputClosed(final Connection connection)
    {
        final Connection partner = partnerOf(connection);
        if (partner != null)
        {
            finishOutput(partner);
        }
        else
        {
            connection.close();
        }
    }

    @Override
    public void onClosed(final Connection connection, final CloseReason reason)
    {
        final Connection partner;
        if (connection == upstream)
        {
            upstream = null;
            partner = client;
            if (reason == CloseReason.CONNECT_FAILED)
            {
                stats.onUpstreamConnectFailed();
            }
            else if (reason == CloseReason.CONNECT_TIMEOUT)
            {
                stats.onUpstreamConnectTimeout();
            }
        }
        else
        {
            client = null; // also when it closed before its onOpened: then there is no upstream either
            partner = upstream;
            stats.onRelayEnded();
        }
        if (partner == null)
        {
            return;
        }
        if (isAbnormal(reason))
        {
            partner.abort();
            stats.onResetPropagated();
        }
        else if (reason == CloseReason.PEER_CLOSED)
        {
            // Both directions of this side ended with FIN, so the partner's input has closed already: it ends once
            // what it still owes its peer is written.
            finishOutput(partner);
        }
        else
        {
            partner.close();
        }
    }

    /**
     * Sends FIN on {@code side} once what it still owes its peer is written ({@code shutdownOutput()} waits for the
     * backlog; while the side is still connecting it takes effect once connected). The side then closes by itself once
     * its input has ended too. The flush is bounded by the kit's write-stall timer, so a slow but live reader gets
     * the whole tail of the stream and a dead one is cut off.
     */
    private static void finishOutput(final Connection side)
    {
        final ConnState state = side.state();
        if (!state.isClosing() && state != ConnState.OUTPUT_SHUTDOWN)
        {
            side.shutdownOutput();
        }
    }

    private Connection partnerOf(final Connection connection)
    {
        return connection == upstream ? client : upstream;
    }

    private static boolean acceptsWrites(final ConnState state)
    {
        return state == ConnState.ACTIVE || state == ConnState.INPUT_CLOSED || state == ConnState.CONNECTING;
    }

    /**
     * @return true for the ends that cut a stream short (the partner is then reset); false for the clean ones (FIN
     * exchange, local close, idle timeout, shutdown, a connect that never carried data).
     */
    static boolean isAbnormal(final CloseReason reason)
    {
        switch (reason)
        {
            case PEER_RESET:
            case IO_ERROR:
            case ABORTED:
            case HANDLER_ERROR:
            case WRITE_STALL_TIMEOUT:
            case DRAIN_TIMEOUT:
            case INBOUND_OVERFLOW:
            case ILLEGAL_TRANSITION:
            case REACTOR_FAILED:
                return true;
            default:
                return false;
        }
    }
}
