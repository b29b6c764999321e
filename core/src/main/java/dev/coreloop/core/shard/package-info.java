/**
 * Shared-nothing services sharded per reactor: send a request to the reactor that owns a key, get the reply back on
 * the connection's reactor, and keep one connection's replies in request order even when they come from different
 * reactors. In-flight work is bounded by backpressure (the connection stops reading), never by an error reply.
 *
 * <p>{@link dev.coreloop.core.shard.ShardRouter} is one reactor's end of the routing (one per reactor, owned by the
 * application's {@link dev.coreloop.core.ReactorService}); {@link dev.coreloop.core.shard.ShardCalls} is one
 * connection's ordered calls; {@link dev.coreloop.core.shard.ShardExecutor} runs a request on its owner;
 * {@link dev.coreloop.core.shard.ReplyGather} folds the parts of a scatter/gather call into one reply;
 * {@link dev.coreloop.core.shard.ShardLimits} bounds what is in flight and held;
 * {@link dev.coreloop.core.shard.ReplyStream} is a reply too large to copy, written from where it is stored, and
 * {@link dev.coreloop.core.shard.ReplyStreamResolver} turns another shard's reply (a reference) into one. See
 * {@code docs/sharding.md}.
 */
package dev.coreloop.core.shard;
