/**
 * A shared-nothing RESP2 (redis protocol) server on the coreloop public API.
 *
 * <h2>Shape</h2>
 * <ul>
 *   <li>{@link dev.coreloop.examples.resp.RespServer#install} registers a {@link dev.coreloop.examples.resp.RespShard}
 *       per reactor and a listener whose handler is {@link dev.coreloop.examples.resp.RespConnectionHandler}.</li>
 *   <li>Each key belongs to one shard: {@code FNV-1a(key bytes) mod reactorCount}
 *       ({@link dev.coreloop.examples.resp.KeyHash}). A shard's keys live in a
 *       {@link dev.coreloop.examples.resp.KeyStore} touched only by its reactor.</li>
 *   <li>A command for another shard's key goes through the core's shard routing
 *       ({@link dev.coreloop.core.shard.ShardRouter}, see {@code docs/sharding.md}): the handler fills a
 *       {@link dev.coreloop.examples.resp.ShardRequest} flyweight, which is executed at once for a key of this shard
 *       and otherwise encoded into a message for the owner, whose reply comes back the same way.</li>
 *   <li>Replies leave each connection in request order (the connection's
 *       {@link dev.coreloop.core.shard.ShardCalls}). MGET, MSET, DEL and EXISTS scatter one part per key; DBSIZE and
 *       FLUSHALL one part per shard; counting parts answer with a binary count that a
 *       {@link dev.coreloop.core.shard.ReplyGather} adds up.</li>
 * </ul>
 *
 * <h2>Commands</h2>
 * <ul>
 *   <li>Strings: GET, SET (NX, XX, EX, PX), INCR, DECR, INCRBY, DECRBY, MGET, MSET.</li>
 *   <li>Lists: LPUSH, RPUSH, LPOP and RPOP (with an optional count), LRANGE, LLEN, LINDEX.</li>
 *   <li>Sets: SADD, SREM, SPOP (with an optional count), SCARD, SISMEMBER, SMEMBERS.</li>
 *   <li>Hashes: HSET (several fields), HGET, HDEL, HLEN, HGETALL, HEXISTS, HINCRBY.</li>
 *   <li>Sorted sets: ZADD (NX, XX, GT, LT, CH, INCR), ZPOPMIN and ZPOPMAX (with a count), ZRANGE by rank (REV,
 *       WITHSCORES; not BYSCORE, BYLEX or LIMIT), ZCARD, ZSCORE, ZREM; scores written as redis 7.0 writes them
 *       ({@code %.17g}).</li>
 *   <li>Any key: DEL, EXISTS, EXPIRE, TTL, TYPE, KEYS; the server: DBSIZE, FLUSHALL, PING, ECHO, COMMAND, CONFIG GET,
 *       QUIT.</li>
 * </ul>
 * Replies and errors are redis 7.0's, checked against a transcript recorded from redis-server 7.0.15. A key holds one
 * type: strings live in the shard's {@link dev.coreloop.examples.resp.KeyStore}, collections in its
 * {@code CollectionStore}; using a key as another type answers
 * {@code -WRONGTYPE Operation against a key holding the wrong kind of value}, SET and MSET replace a key of any type,
 * and a collection emptied by a command deletes its key. Collections are plain Java collections (a circular array for
 * lists; a hash map plus an array for sets, so SPOP is uniform; a linked hash map for hashes, in insertion order as
 * redis's small hashes; a hash map plus a red-black tree for sorted sets) and allocate as they change; the string
 * commands' paths allocate nothing, also while a shard holds collections. Each shard keeps an estimate of the bytes its
 * collections take ({@link dev.coreloop.examples.resp.RespShard#collectionBytes()}) for a memory budget.
 *
 * <h2>Choices</h2>
 * <ul>
 *   <li>No command is refused for load. When this reactor has
 *       {@link dev.coreloop.examples.resp.RespConfig#maxRemoteInFlight()} requests outstanding at other shards, or a
 *       connection holds half its reply budget, that connection stops reading until there is room; a message that
 *       finds a ring full waits in a FIFO, bounded by those same limits, and is offered again.</li>
 *   <li>Multi-key commands over several shards are not atomic (as in redis cluster); each key is.</li>
 *   <li>Values up to {@link dev.coreloop.examples.resp.RespConfig#protoMaxBulkLen()} ({@code proto-max-bulk-len},
 *       64 MiB by default, up to 512 MiB); a larger bulk length is a protocol error:
 *       {@code -ERR Protocol error: invalid bulk length}, then the connection closes. A value above
 *       {@link dev.coreloop.examples.resp.RespConfig#largeValueThresholdBytes()} (512 KiB) streams into storage of its
 *       own ({@link dev.coreloop.examples.resp.LargeValue}) as it arrives, changes reactors by reference
 *       ({@link dev.coreloop.examples.resp.LargeValueExchange}) and streams out under the outbound watermarks (the
 *       core's {@link dev.coreloop.core.shard.ReplyStream}); keys and other arguments stay within that threshold. No
 *       connection buffer grows with a value.</li>
 *   <li>Memory: the keyspace of all shards (string keys and collections) is budgeted
 *       ({@link dev.coreloop.examples.resp.RespKeyspace}, {@code maxmemory}, half the JVM's maximum heap by default,
 *       policy {@code noeviction}): redis's {@code denyoom} commands get
 *       {@code -OOM command not allowed when used memory > 'maxmemory'.} once it is passed; {@code INFO memory},
 *       {@code INFO keyspace} and {@code DBSIZE} report it.</li>
 *   <li>Client libraries: {@code HELLO}/{@code HELLO 2}, {@code CLIENT SETINFO|SETNAME|GETNAME|ID} and {@code SELECT 0}
 *       answer as redis; the server speaks RESP2 only and answers {@code HELLO 3} as a redis without RESP3 does, which
 *       Jedis 8's protocol negotiation takes as "stay on RESP2" (driven by Jedis 8.0.2 in {@code RespJedisIT}).</li>
 *   <li>Slowloris: a request must be complete within
 *       {@link dev.coreloop.examples.resp.RespConfig#commandTimeoutMs()} (10 s by default) of its first byte, however
 *       its bytes trickle in; after it the client gets {@code -ERR Protocol error: command not completed within N ms}
 *       and the connection closes. Complete requests never touch the timer wheel.</li>
 *   <li>Idle clients: redis never closes an idle client by default, and pooled clients count on it. The RESP
 *       listener's connections idle out after {@link dev.coreloop.examples.resp.RespConfig#idleTimeoutMs()} (one hour
 *       by default) instead of the core's 60 s, a listener setting that leaves HTTP and echo on the same reactors
 *       as they are; it stays finite so that every waiting state keeps a timer.</li>
 *   <li>Expiry uses the reactor's monotonic clock: lazily on access plus a bounded periodic sweep.</li>
 *   <li>No locks anywhere: everything that crosses reactors goes through the message rings.</li>
 * </ul>
 */
package dev.coreloop.examples.resp;
