/**
 * A TCP relay (layer-4 proxy) on the coreloop public API: each accepted connection opens one connection to a fixed
 * upstream on the same reactor ({@code ReactorContext.connect}) and bytes flow both ways until both directions end.
 *
 * <ul>
 *   <li><b>Backpressure.</b> Both sides read with {@code ReadPausePolicy.MANUAL}. Bytes from one side are written
 *       into the other in chunks; when the other refuses a chunk (its outbound cap) or turns unwritable (its high
 *       watermark), the sending side's reads are paused, and resumed by {@code onWritabilityChanged(other, true)},
 *       which also presents the held bytes again. While the upstream connects, the client's bytes queue in it up to
 *       the cap. So a relay holds at most its two connections' inbound and outbound rings: a reader that stops
 *       blocks its far sender through TCP flow control, and the proxy itself allocates nothing per chunk.</li>
 *   <li><b>Half-close.</b> A FIN from one side becomes {@code shutdownOutput()} on the other, whose FIN leaves after
 *       what was relayed before it (a slow reader of that tail is bounded by the write-stall timer, not a deadline);
 *       the other direction keeps flowing, and when both directions have ended both connections close.</li>
 *   <li><b>Ends.</b> A reset or error on one side (peer reset, I/O error, write stall, abort ...) resets the other,
 *       so a cut stream never looks complete; a clean end (idle timeout, server shutdown) closes the other
 *       gracefully. An upstream that refuses or does not answer within {@code connectTimeoutMs} closes the client
 *       (EOF), counted in {@link dev.coreloop.examples.proxy.ProxyStats}.</li>
 *   <li>{@link dev.coreloop.examples.proxy.ProxyServer#install} adds a relay listener to a {@code ServerContext};
 *       {@link dev.coreloop.examples.proxy.ProxyConfig} holds the listen and upstream addresses and the connect
 *       timeout; {@code ProxyServer.main} runs one standalone.</li>
 * </ul>
 */
package dev.coreloop.examples.proxy;
