package dev.coreloop.examples.resp;

import dev.coreloop.core.shard.ShardCalls;
import org.agrona.ExpandableArrayBuffer;

/**
 * The connection's side of the collection commands and KEYS: turns a parsed command into a {@link ShardRequest} for
 * the shard that owns its key — the command's ordinal and its arguments after the key packed into the value
 * ({@link ArgList}) — or, for KEYS, one request per shard gathered by a {@link KeysGather}. Everything else (syntax,
 * numbers, types) is checked where the key lives ({@link CollectionOperations}).
 *
 * <p><b>Threading:</b> stateless; called on the connection's reactor thread.
 */
final class CollectionCommands
{
    private CollectionCommands()
    {
    }

    /** Answers the connection's current command, a collection command or TYPE, from the shard of its key. */
    static void route(final RespShard shard, final ShardCalls calls, final RespParser parser,
        final RespCommand command)
    {
        final ExpandableArrayBuffer packed = shard.packedArgs();
        final int packedLength = ArgList.pack(parser, 2, packed);
        final ShardRequest request = shard.request()
            .op(ShardOperations.OP_COLLECTION, command.ordinal(), parser.argCount() - 2)
            .key(parser.argBuffer(), parser.argOffset(1), parser.argLength(1))
            .value(packed, 0, packedLength);
        shard.route(calls, request);
    }

    /** Answers KEYS with the matching keys of every shard. */
    static void keys(final RespShard shard, final ShardCalls calls, final RespParser parser)
    {
        if (parser.argLength(1) > Glob.MAX_PATTERN_BYTES)
        {
            final ReplyWriter writer = shard.localWriter().error("ERR KEYS pattern of " + parser.argLength(1) +
                " bytes is longer than the limit of " + Glob.MAX_PATTERN_BYTES + " bytes");
            calls.reply(writer.buffer(), writer.start(), writer.length());
            return;
        }
        calls.beginGather(new KeysGather());
        shard.gatherAll(calls, shard.request().op(ShardOperations.OP_KEYS, 0, 0)
            .value(parser.argBuffer(), parser.argOffset(1), parser.argLength(1)));
        calls.endGather();
    }
}
