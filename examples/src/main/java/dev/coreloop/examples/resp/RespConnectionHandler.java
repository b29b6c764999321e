package dev.coreloop.examples.resp;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import dev.coreloop.core.CloseReason;
import dev.coreloop.core.Connection;
import dev.coreloop.core.ConnectionHandler;
import dev.coreloop.core.shard.ReplyGather;
import dev.coreloop.core.shard.ShardCalls;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One RESP connection: parses requests ({@link RespParser}), executes each on the shard that owns its key — this
 * reactor's directly, another's through the core's shard router ({@link RespShard#route}) — and answers in request
 * order (the connection's {@link ShardCalls}). Multi-key commands scatter: MGET becomes an array header plus one GET
 * per key, whose replies leave in key order; DEL, EXISTS and MSET become one counting part per key, gathered into one
 * reply ({@link RespShard#SUM}, {@link RespShard#ALL_OK}); DBSIZE and FLUSHALL send one part to every shard.
 * Collection commands and TYPE go to their key's shard whole ({@link CollectionCommands}); KEYS asks every shard.
 * Load never turns into an error: when this reactor has too many requests outstanding at other shards, or this
 * connection holds too many replies, it stops reading ({@link ShardCalls#mustPause()}) and resumes when there is
 * room. Like redis cluster (and unlike one redis server), a multi-key command whose keys live on several shards is
 * not atomic: each key is changed atomically on its shard.
 *
 * <p>Errors follow redis's wording: unknown command, wrong number of arguments, syntax error, value is not an
 * integer or out of range, increment or decrement would overflow, invalid expire time. A protocol error is
 * answered with {@code -ERR Protocol error: ...} after every earlier reply, then the connection closes with
 * {@link CloseReason#PROTOCOL_ERROR} (the core lingers so that the reply arrives). QUIT answers {@code +OK} and
 * closes the same way with {@link CloseReason#LOCAL_CLOSE}; a FIN from the peer lets outstanding replies finish
 * before the close.
 *
 * <p>Slowloris: a request must be complete within {@link RespConfig#commandTimeoutMs()} of its first byte (the
 * core's idle timer cannot see a client that sends one byte a second). When a call ends inside a request, its start
 * is noted and a connection timer is armed for its deadline, unless one is armed already; the timer is not
 * cancelled when the request completes: when it fires it closes the connection only if the request pending then
 * started more than the timeout ago, and otherwise re-arms for that request's deadline, or not at all. A client
 * whose reads end mid-request (pipelining) thus costs one timer per timeout period, and complete requests none.
 * On expiry the client gets {@code -ERR Protocol error: command not completed within N ms} after every earlier
 * reply, and the connection closes with {@link CloseReason#PROTOCOL_ERROR}.
 *
 * <p>Large values ({@link RespConfig#largeValueThresholdBytes()}): when the parser announces one
 * ({@link RespParser#LARGE_ARG}) the handler checks that it is the value of a SET or MSET and that the memory budget
 * ({@link RespKeyspace}) takes its length, charges it and lets it stream into a {@link LargeValue}; otherwise its bytes
 * are read and dropped and the request is answered with the error ({@code -OOM ...} or a refused argument) once it is
 * complete, the connection staying open as redis leaves it. A large value reaches its shard by reference through the
 * {@link LargeValueExchange}, and a GET of one streams out of the connection's {@link ShardCalls} as a
 * {@link dev.coreloop.core.shard.ReplyStream}.
 *
 * <p>Memory: a command that may grow the keyspace ({@link RespCommand#isDenyOom()}: SET, MSET, INCR, LPUSH, SADD,
 * HSET, ZADD and friends) is refused with redis's {@code -OOM command not allowed when used memory > 'maxmemory'.}
 * while the memory used by every shard ({@link RespKeyspace}) is over {@link RespConfig#maxmemory()}, as redis refuses
 * it; reads and deletes always run. A large value is refused when its length would take the memory used past the
 * limit, before its bytes are accepted.
 *
 * <p>Connection set-up commands of client libraries: {@code CLIENT SETINFO}, {@code CLIENT SETNAME},
 * {@code CLIENT GETNAME}, {@code CLIENT ID} and {@code SELECT 0} answer as redis does, and so do {@code HELLO} and
 * {@code HELLO 2} (the server description, in RESP2). The server speaks RESP2 only, and {@code HELLO 3} gets the
 * answer of a redis without RESP3, the unknown-command error: it is the one answer client libraries take as "stay on
 * RESP2" (Jedis 8 negotiates with {@code HELLO 3} by default and gives up the connection on any other error, redis's
 * {@code -NOPROTO} included). Other versions get {@code -NOPROTO}, as from redis. {@code INFO} answers the server,
 * memory and keyspace sections.
 *
 * <p>Allocation: GET, SET (of an existing key, a similar-sized value), INCR, PING and the routing of a command to
 * another shard allocate nothing; error replies build strings.
 *
 * <p><b>Threading:</b> created and used on the reactor thread that owns the connection. Replies from other shards
 * reach its {@link ShardCalls} through {@link RespShard#onMessage} on the same thread.
 */
public final class RespConnectionHandler implements ConnectionHandler
{
    private static final byte[] OPT_NX = ReplyWriter.bytes("nx");
    private static final byte[] OPT_XX = ReplyWriter.bytes("xx");
    private static final byte[] OPT_EX = ReplyWriter.bytes("ex");
    private static final byte[] OPT_PX = ReplyWriter.bytes("px");
    private static final byte[] SUB_COUNT = ReplyWriter.bytes("count");
    private static final byte[] SUB_DOCS = ReplyWriter.bytes("docs");
    private static final byte[] SUB_INFO = ReplyWriter.bytes("info");
    private static final byte[] SUB_GET = ReplyWriter.bytes("get");
    private static final byte[] SUB_SETINFO = ReplyWriter.bytes("setinfo");
    private static final byte[] SUB_SETNAME = ReplyWriter.bytes("setname");
    private static final byte[] SUB_GETNAME = ReplyWriter.bytes("getname");
    private static final byte[] SUB_ID = ReplyWriter.bytes("id");
    static final String OOM = "OOM command not allowed when used memory > 'maxmemory'.";
    private static final long MAX_TTL_SECONDS = Long.MAX_VALUE / 1_000_000_000L;
    private static final long MAX_TTL_MS = Long.MAX_VALUE / 1_000_000L;
    private static final long NO_REQUEST = Long.MIN_VALUE;

    private final RespShard shard;
    private final RespConfig config;
    private final RespParser parser;
    private final StrictLong strictLong = new StrictLong();
    private final long commandTimeoutNs;
    private final RespKeyspace keyspace;
    private final LargeValueExchange exchange;
    private final UnsafeBuffer handleScratch = new UnsafeBuffer(new byte[LargeValueExchange.MARKER_BYTES]);
    /** Handles parked for the large values of the MSET being routed (one command at a time). */
    private long[] parkedHandles = new long[4];
    /** Bytes this connection has charged to the budget for large values of the request in progress. */
    private long reservedLargeBytes;
    /** The error that answers the request in progress because one of its large arguments was refused, or null. */
    private String largeArgError;
    /** The name CLIENT SETNAME or HELLO ... SETNAME gave this connection, or null. */
    private String clientName;
    private Connection connection;
    private ShardCalls calls;
    /** When the request now partly received started (its first byte was presented), or {@link #NO_REQUEST}. */
    private long requestStartNs = NO_REQUEST;
    private boolean commandTimerArmed;
    private long commandTimerId;

    public RespConnectionHandler(final RespShard shard)
    {
        this.shard = shard;
        this.config = shard.config();
        this.parser = new RespParser(config);
        this.commandTimeoutNs = config.commandTimeoutMs() * 1_000_000L;
        this.keyspace = shard.keyspace();
        this.exchange = shard.exchange();
    }

    @Override
    public void onOpened(final Connection connection)
    {
        this.connection = connection;
        this.calls = shard.router().open(connection);
    }

    @Override
    public int onData(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
    {
        if (calls.isClosing())
        {
            return length; // after QUIT or a protocol error nothing more is read
        }
        final int end = offset + length;
        int position = offset;
        boolean completed = false;
        while (position < end && !calls.mustPause())
        {
            final int status = parser.parse(buffer, position, end - position);
            position += parser.consumed();
            if (status == RespParser.NEED_MORE)
            {
                break;
            }
            if (status == RespParser.ERROR)
            {
                protocolError(parser.errorMessage());
                return length;
            }
            if (status == RespParser.LARGE_ARG)
            {
                onLargeArg();
                continue;
            }
            completed = true;
            if (parser.hasDiscardedArg())
            {
                error(largeArgError);
            }
            else
            {
                execute();
            }
            largeArgError = null;
            releaseLargeReservation(); // a stored value is in its shard's account now, or on its way there
            if (calls.isClosing())
            {
                return length;
            }
        }
        if (position < end || parser.isInRequest())
        {
            if (requestStartNs == NO_REQUEST || completed)
            {
                requestStartNs = connection.reactor().nowNs(); // a new request started in this delivery
            }
            if (!commandTimerArmed)
            {
                armCommandTimer(requestStartNs + commandTimeoutNs);
            }
        }
        else
        {
            requestStartNs = NO_REQUEST;
        }
        return position - offset;
    }

    @Override
    public void onTimer(final Connection connection, final long timerId, final long nowNs)
    {
        if (!commandTimerArmed || timerId != commandTimerId)
        {
            return;
        }
        commandTimerArmed = false;
        if (requestStartNs == NO_REQUEST || calls.isClosing())
        {
            return;
        }
        final long deadlineNs = requestStartNs + commandTimeoutNs;
        if (deadlineNs - nowNs > 0)
        {
            armCommandTimer(deadlineNs); // the request pending when it was armed completed; this one started later
        }
        else if (!connection.isWritable() || calls.isPaused())
        {
            armCommandTimer(nowNs + commandTimeoutNs); // our own backlog pauses its reads: it cannot complete now
        }
        else
        {
            protocolError("command not completed within " + config.commandTimeoutMs() + " ms");
        }
    }

    @Override
    public void onWritabilityChanged(final Connection connection, final boolean writable)
    {
        calls.onWritabilityChanged(writable);
    }

    @Override
    public void onInputClosed(final Connection connection)
    {
        calls.closeAfterReplies(CloseReason.PEER_CLOSED);
    }

    @Override
    public void onClosed(final Connection connection, final CloseReason reason)
    {
        calls.close();
        releaseLargeReservation();
    }

    /**
     * The parser read the header of a large bulk string: let it stream into storage charged to the budget, or have it
     * dropped and remember the error that will answer the request.
     */
    private void onLargeArg()
    {
        final int index = parser.largeArgIndex();
        final int length = parser.largeArgLength();
        String refusal = largeArgError;
        if (refusal == null)
        {
            final RespCommand command = index == 0 ? null :
                RespCommand.lookup(parser.argBuffer(), parser.argOffset(0), parser.argLength(0));
            final boolean isValue = (command == RespCommand.SET && index == 2) ||
                (command == RespCommand.MSET && index % 2 == 0);
            if (!isValue)
            {
                refusal = "ERR argument " + index + " of " + length + " bytes: only the values of SET and MSET may " +
                    "be longer than " + config.largeValueThresholdBytes() + " bytes";
            }
            else if (keyspace.wouldExceed(length))
            {
                refusal = OOM;
            }
        }
        if (refusal != null)
        {
            largeArgError = refusal;
            parser.discardLargeArg();
            return;
        }
        final LargeValue value = new LargeValue(length);
        keyspace.reserve(shard.index(), value.footprintBytes());
        reservedLargeBytes += value.footprintBytes();
        parser.streamLargeArg(value);
    }

    private void releaseLargeReservation()
    {
        if (reservedLargeBytes != 0)
        {
            keyspace.release(shard.index(), reservedLargeBytes);
            reservedLargeBytes = 0;
        }
    }

    private void armCommandTimer(final long deadlineNs)
    {
        commandTimerArmed = true;
        commandTimerId = connection.scheduleTimer(deadlineNs);
    }

    /** {@return the request parser (tests)} */
    RespParser parser()
    {
        return parser;
    }

    /** {@return the connection's ordered shard calls (tests)} */
    ShardCalls calls()
    {
        return calls;
    }

    private void execute()
    {
        final DirectBuffer args = parser.argBuffer();
        final int argCount = parser.argCount();
        final RespCommand command = RespCommand.lookup(args, parser.argOffset(0), parser.argLength(0));
        if (command == null)
        {
            unknownCommand();
            return;
        }
        if (!command.acceptsArgCount(argCount))
        {
            error("ERR wrong number of arguments for '" + command.lowerName() + "' command");
            return;
        }
        if (command.isDenyOom() && keyspace.isOverLimit())
        {
            error(OOM);
            return;
        }
        if (CollectionOperations.handles(command))
        {
            CollectionCommands.route(shard, calls, parser, command);
            return;
        }
        switch (command)
        {
            case PING:
                if (argCount == 1)
                {
                    calls.reply(ReplyWriter.PONG);
                }
                else if (argCount == 2)
                {
                    reply(shard.localWriter().bulk(args, parser.argOffset(1), parser.argLength(1)));
                }
                else
                {
                    error("ERR wrong number of arguments for 'ping' command");
                }
                break;
            case ECHO:
                reply(shard.localWriter().bulk(args, parser.argOffset(1), parser.argLength(1)));
                break;
            case GET:
                routeKey(ShardOperations.OP_GET, 0, 0, 1, -1);
                break;
            case SET:
                set(argCount);
                break;
            case DEL:
                gatherKeys(ShardOperations.OP_DEL, 1, false, RespShard.SUM);
                break;
            case EXISTS:
                gatherKeys(ShardOperations.OP_EXISTS, 1, false, RespShard.SUM);
                break;
            case INCR:
                routeKey(ShardOperations.OP_INCRBY, 1, 0, 1, -1);
                break;
            case DECR:
                routeKey(ShardOperations.OP_INCRBY, -1, 0, 1, -1);
                break;
            case INCRBY:
            case DECRBY:
                incrBy(command == RespCommand.DECRBY);
                break;
            case MSET:
                if ((argCount - 1) % 2 != 0)
                {
                    error("ERR wrong number of arguments for 'mset' command");
                }
                else
                {
                    gatherKeys(ShardOperations.OP_MSET_PART, 2, true, RespShard.ALL_OK);
                }
                break;
            case MGET:
                reply(shard.localWriter().arrayHeader(argCount - 1));
                for (int i = 1; i < argCount; i++)
                {
                    routeKey(ShardOperations.OP_GET, 0, 0, i, -1);
                }
                break;
            case EXPIRE:
                expire();
                break;
            case TTL:
                routeKey(ShardOperations.OP_TTL, 0, 0, 1, -1);
                break;
            case DBSIZE:
                gatherAll(ShardOperations.OP_DBSIZE, RespShard.SUM);
                break;
            case FLUSHALL:
                if (argCount > 2 || (argCount == 2 && !isArg(1, "async") && !isArg(1, "sync")))
                {
                    error("ERR syntax error");
                }
                else
                {
                    gatherAll(ShardOperations.OP_FLUSH, RespShard.ALL_OK);
                }
                break;
            case COMMAND:
                command(argCount);
                break;
            case CONFIG:
                config(argCount);
                break;
            case KEYS:
                CollectionCommands.keys(shard, calls, parser);
                break;
            case QUIT:
                calls.reply(ReplyWriter.OK);
                calls.closeAfterReplies(CloseReason.LOCAL_CLOSE);
                break;
            case INFO:
                info(argCount);
                break;
            case CLIENT:
                client(argCount);
                break;
            case SELECT:
                select();
                break;
            case HELLO:
                hello(argCount);
                break;
            default:
                unknownCommand();
                break;
        }
    }

    private void set(final int argCount)
    {
        long mode = ShardOperations.SET_ALWAYS;
        long ttlMs = ShardOperations.NO_TTL;
        final DirectBuffer args = parser.argBuffer();
        for (int i = 3; i < argCount; i++)
        {
            final int offset = parser.argOffset(i);
            final int length = parser.argLength(i);
            if (length != 2)
            {
                error("ERR syntax error");
                return;
            }
            if (RespCommand.equalsIgnoreCase(OPT_NX, args, offset) && mode != ShardOperations.SET_XX)
            {
                mode = ShardOperations.SET_NX;
            }
            else if (RespCommand.equalsIgnoreCase(OPT_XX, args, offset) && mode != ShardOperations.SET_NX)
            {
                mode = ShardOperations.SET_XX;
            }
            else if ((RespCommand.equalsIgnoreCase(OPT_EX, args, offset) ||
                RespCommand.equalsIgnoreCase(OPT_PX, args, offset)) && ttlMs == ShardOperations.NO_TTL &&
                i + 1 < argCount)
            {
                final boolean seconds = RespCommand.equalsIgnoreCase(OPT_EX, args, offset);
                i++;
                if (!strictLong.parse(args, parser.argOffset(i), parser.argLength(i)))
                {
                    error(ShardOperations.NOT_INTEGER);
                    return;
                }
                final long amount = strictLong.value();
                if (amount <= 0 || (seconds ? amount > MAX_TTL_SECONDS : amount > MAX_TTL_MS))
                {
                    error("ERR invalid expire time in 'set' command");
                    return;
                }
                ttlMs = seconds ? amount * 1000 : amount;
            }
            else
            {
                error("ERR syntax error");
                return;
            }
        }
        routeKey(ShardOperations.OP_SET, mode, ttlMs, 1, 2);
    }

    private void incrBy(final boolean decrement)
    {
        if (!strictLong.parse(parser.argBuffer(), parser.argOffset(2), parser.argLength(2)))
        {
            error(ShardOperations.NOT_INTEGER);
            return;
        }
        long delta = strictLong.value();
        if (decrement)
        {
            if (delta == Long.MIN_VALUE)
            {
                error("ERR decrement would overflow");
                return;
            }
            delta = -delta;
        }
        routeKey(ShardOperations.OP_INCRBY, delta, 0, 1, -1);
    }

    private void expire()
    {
        if (!strictLong.parse(parser.argBuffer(), parser.argOffset(2), parser.argLength(2)))
        {
            error(ShardOperations.NOT_INTEGER);
            return;
        }
        final long seconds = strictLong.value();
        if (seconds > MAX_TTL_SECONDS || seconds < -MAX_TTL_SECONDS)
        {
            error("ERR invalid expire time in 'expire' command");
            return;
        }
        routeKey(ShardOperations.OP_EXPIRE, seconds * 1000, 0, 1, -1);
    }

    /** Executes a one-key operation where the key lives; the reply takes its place in order. */
    private void routeKey(final int op, final long p1, final long p2, final int keyArg, final int valueArg)
    {
        final DirectBuffer args = parser.argBuffer();
        final LargeValue large = valueArg < 0 ? null : parser.largeArg(valueArg);
        final ShardRequest request = shard.request().op(large == null ? op : ShardOperations.OP_SET_LARGE, p1, p2)
            .key(args, parser.argOffset(keyArg), parser.argLength(keyArg));
        if (large != null)
        {
            final long handle = exchange.put(shard.index(), large);
            if (handle < 0)
            {
                error(ShardOperations.EXCHANGE_FULL);
                return;
            }
            LargeValueExchange.encode(handleScratch, 0, handle);
            request.value(handleScratch, 0, LargeValueExchange.MARKER_BYTES);
        }
        else if (valueArg >= 0)
        {
            request.value(args, parser.argOffset(valueArg), parser.argLength(valueArg));
        }
        shard.route(calls, request);
    }

    /**
     * Runs a counting operation on the keys from argument 1 (every {@code step}-th, with the value after it if
     * {@code withValue}) where each lives, and answers with what {@code gather} makes of the counts.
     */
    private void gatherKeys(final int op, final int step, final boolean withValue,
        final ReplyGather gather)
    {
        final DirectBuffer args = parser.argBuffer();
        final int argCount = parser.argCount();
        if (withValue && !parkLargeValues(step))
        {
            return;
        }
        calls.beginGather(gather);
        for (int i = 1; i < argCount; i += step)
        {
            final LargeValue large = withValue ? parser.largeArg(i + 1) : null;
            final ShardRequest request = shard.request().op(large == null ? op : ShardOperations.OP_MSET_PART_LARGE,
                0, 0).key(args, parser.argOffset(i), parser.argLength(i));
            if (large != null)
            {
                LargeValueExchange.encode(handleScratch, 0, parkedHandles[i / step]);
                request.value(handleScratch, 0, LargeValueExchange.MARKER_BYTES);
            }
            else if (withValue)
            {
                request.value(args, parser.argOffset(i + 1), parser.argLength(i + 1));
            }
            shard.gather(calls, request);
        }
        calls.endGather();
    }

    /**
     * Parks every large value of the MSET being routed in the exchange ({@link #parkedHandles}, by key index), all or
     * none: if the exchange is full the ones parked are taken back and the command is answered with an error.
     *
     * @return false after answering with the error.
     */
    private boolean parkLargeValues(final int step)
    {
        final int argCount = parser.argCount();
        final int parts = (argCount - 1) / step + 1;
        if (parkedHandles.length < parts)
        {
            parkedHandles = new long[Math.max(parts, 2 * parkedHandles.length)];
        }
        for (int i = 1; i < argCount; i += step)
        {
            final LargeValue large = parser.largeArg(i + 1);
            if (large == null)
            {
                continue;
            }
            final long handle = exchange.put(shard.index(), large);
            if (handle < 0)
            {
                for (int j = 1; j < i; j += step)
                {
                    if (parser.largeArg(j + 1) != null)
                    {
                        exchange.take(parkedHandles[j / step]);
                    }
                }
                error(ShardOperations.EXCHANGE_FULL);
                return false;
            }
            parkedHandles[i / step] = handle;
        }
        return true;
    }

    /** Runs a keyless counting operation on every shard and answers with what {@code gather} makes of the counts. */
    private void gatherAll(final int op, final ReplyGather gather)
    {
        calls.beginGather(gather);
        shard.gatherAll(calls, shard.request().op(op, 0, 0));
        calls.endGather();
    }

    private void command(final int argCount)
    {
        final ReplyWriter writer = shard.localWriter();
        if (argCount == 1)
        {
            writer.arrayHeader(RespCommand.count());
            for (int i = 0; i < RespCommand.count(); i++)
            {
                RespCommand.at(i).writeInfo(writer);
            }
        }
        else if (isArg(1, SUB_COUNT) && argCount == 2)
        {
            writer.integer(RespCommand.count());
        }
        else if (isArg(1, SUB_DOCS))
        {
            writer.raw(ReplyWriter.EMPTY_ARRAY); // no documentation: redis-cli falls back to its built-in help
        }
        else if (isArg(1, SUB_INFO))
        {
            writer.arrayHeader(argCount - 2);
            for (int i = 2; i < argCount; i++)
            {
                final RespCommand named = RespCommand.lookup(parser.argBuffer(), parser.argOffset(i),
                    parser.argLength(i));
                if (named == null)
                {
                    writer.raw(ReplyWriter.NULL_BULK);
                }
                else
                {
                    named.writeInfo(writer);
                }
            }
        }
        else
        {
            error("ERR unknown subcommand '" + argString(1) + "'. Try COMMAND HELP.");
            return;
        }
        reply(writer);
    }

    private void config(final int argCount)
    {
        if (!isArg(1, SUB_GET))
        {
            error("ERR unknown subcommand '" + argString(1) + "'. Try CONFIG HELP.");
            return;
        }
        if (argCount < 3)
        {
            error("ERR wrong number of arguments for 'config|get' command");
            return;
        }
        final String[][] table = {
            {"save", ""},
            {"appendonly", "no"},
            {"databases", "1"},
            {"maxmemory", Long.toString(config.maxmemory())},
            {"maxmemory-policy", config.maxmemoryPolicy()},
            {"proto-max-bulk-len", Integer.toString(config.protoMaxBulkLen())},
            {"io-threads", "1"},
        };
        for (int i = 2; i < argCount; i++)
        {
            if (parser.argLength(i) > Glob.MAX_PATTERN_BYTES)
            {
                error("ERR CONFIG GET pattern of " + parser.argLength(i) + " bytes is longer than the limit of " +
                    Glob.MAX_PATTERN_BYTES + " bytes");
                return;
            }
        }
        final boolean[] matched = new boolean[table.length];
        int count = 0;
        for (int i = 2; i < argCount; i++)
        {
            final String pattern = argString(i);
            for (int t = 0; t < table.length; t++)
            {
                if (!matched[t] && Glob.matches(pattern, table[t][0], true))
                {
                    matched[t] = true;
                    count++;
                }
            }
        }
        final ReplyWriter writer = shard.localWriter();
        writer.arrayHeader(2 * count);
        for (int t = 0; t < table.length; t++)
        {
            if (matched[t])
            {
                writer.bulk(table[t][0]).bulk(table[t][1]);
            }
        }
        reply(writer);
    }

    /** INFO [section ...]: the server, memory and keyspace sections redis clients and tools read. */
    private void info(final int argCount)
    {
        boolean server = argCount == 1;
        boolean memory = argCount == 1;
        boolean keyspaceSection = argCount == 1;
        for (int i = 1; i < argCount; i++)
        {
            switch (argString(i).toLowerCase(Locale.ROOT))
            {
                case "default":
                case "all":
                case "everything":
                    server = true;
                    memory = true;
                    keyspaceSection = true;
                    break;
                case "server":
                    server = true;
                    break;
                case "memory":
                    memory = true;
                    break;
                case "keyspace":
                    keyspaceSection = true;
                    break;
                default:
                    break; // redis answers sections it does not have with nothing
            }
        }
        final StringBuilder text = new StringBuilder(512);
        if (server)
        {
            final long uptimeSeconds = Math.max(0, (connection.reactor().epochMs() - keyspace.startEpochMs()) / 1000);
            text.append("# Server\r\n")
                .append("redis_version:").append(RespKeyspace.REDIS_VERSION).append("\r\n")
                .append("redis_mode:standalone\r\n")
                .append("os:").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append(' ').append(System.getProperty("os.arch"))
                .append("\r\n")
                .append("arch_bits:64\r\n")
                .append("multiplexing_api:coreloop\r\n")
                .append("process_id:").append(ProcessHandle.current().pid()).append("\r\n")
                .append("uptime_in_seconds:").append(uptimeSeconds).append("\r\n")
                .append("uptime_in_days:").append(uptimeSeconds / 86_400).append("\r\n")
                .append("reactors:").append(shard.shardCount()).append("\r\n")
                .append("\r\n");
        }
        if (memory)
        {
            final long used = keyspace.usedBytes();
            final long max = keyspace.maxmemoryBytes();
            text.append("# Memory\r\n")
                .append("used_memory:").append(used).append("\r\n")
                .append("used_memory_human:").append(RespKeyspace.bytesToHuman(used)).append("\r\n")
                .append("maxmemory:").append(max).append("\r\n")
                .append("maxmemory_human:").append(RespKeyspace.bytesToHuman(max)).append("\r\n")
                .append("maxmemory_policy:").append(config.maxmemoryPolicy()).append("\r\n")
                .append("proto_max_bulk_len:").append(config.protoMaxBulkLen()).append("\r\n")
                .append("\r\n");
        }
        if (keyspaceSection)
        {
            text.append("# Keyspace\r\n");
            final long keys = keyspace.keys();
            if (keys > 0)
            {
                text.append("db0:keys=").append(keys).append(",expires=").append(keyspace.expires())
                    .append(",avg_ttl=0\r\n");
            }
            text.append("\r\n");
        }
        int length = text.length();
        while (length >= 3 && text.charAt(length - 1) == '\n' && text.charAt(length - 3) == '\n')
        {
            length -= 2; // no blank line after the last section, as redis
        }
        text.setLength(length);
        reply(shard.localWriter().bulk(text.toString()));
    }

    /** CLIENT SETINFO / SETNAME / GETNAME / ID: what client libraries send when they connect. */
    private void client(final int argCount)
    {
        if (isArg(1, SUB_SETINFO))
        {
            if (argCount != 4)
            {
                error("ERR wrong number of arguments for 'client|setinfo' command");
                return;
            }
            final String attribute = argString(2).toLowerCase(Locale.ROOT);
            if (!attribute.equals("lib-name") && !attribute.equals("lib-ver"))
            {
                error("ERR Unrecognized option '" + truncated(argString(2)) + "'");
                return;
            }
            if (!isPrintableWithoutSpaces(3))
            {
                error("ERR " + attribute + " cannot contain spaces, newlines or special characters.");
                return;
            }
            calls.reply(ReplyWriter.OK);
        }
        else if (isArg(1, SUB_SETNAME))
        {
            if (argCount != 3)
            {
                error("ERR wrong number of arguments for 'client|setname' command");
                return;
            }
            if (!isPrintableWithoutSpaces(2))
            {
                error("ERR Client names cannot contain spaces, newlines or special characters.");
                return;
            }
            clientName = parser.argLength(2) == 0 ? null : argString(2);
            calls.reply(ReplyWriter.OK);
        }
        else if (isArg(1, SUB_GETNAME) && argCount == 2)
        {
            if (clientName == null)
            {
                calls.reply(ReplyWriter.NULL_BULK);
            }
            else
            {
                reply(shard.localWriter().bulk(clientName));
            }
        }
        else if (isArg(1, SUB_ID) && argCount == 2)
        {
            reply(shard.localWriter().integer(connection.id()));
        }
        else
        {
            error("ERR unknown subcommand '" + truncated(argString(1)) + "'. Try CLIENT HELP.");
        }
    }

    /** HELLO [protover [AUTH username password] [SETNAME name]]: RESP2 only (see the class comment for HELLO 3). */
    private void hello(final int argCount)
    {
        int next = 1;
        if (argCount >= 2)
        {
            if (!strictLong.parse(parser.argBuffer(), parser.argOffset(1), parser.argLength(1)))
            {
                error("ERR Protocol version is not an integer or out of range");
                return;
            }
            if (strictLong.value() == 3)
            {
                unknownCommand();
                return;
            }
            if (strictLong.value() != 2)
            {
                error("NOPROTO sorry, this protocol version is not supported.");
                return;
            }
            next = 2;
        }
        String newName = clientName;
        for (int i = next; i < argCount; i++)
        {
            final String option = argString(i).toLowerCase(Locale.ROOT);
            if (option.equals("auth") && i + 2 < argCount)
            {
                if (!argString(i + 1).equals("default"))
                {
                    error("WRONGPASS invalid username-password pair or user is disabled.");
                    return;
                }
                i += 2; // the default user has no password, as in a redis without requirepass
            }
            else if (option.equals("setname") && i + 1 < argCount)
            {
                if (!isPrintableWithoutSpaces(i + 1))
                {
                    error("ERR Client names cannot contain spaces, newlines or special characters.");
                    return;
                }
                newName = argString(i + 1);
                i++;
            }
            else
            {
                error("ERR Syntax error in HELLO option '" + truncated(argString(i)) + "'");
                return;
            }
        }
        clientName = newName;
        final ReplyWriter writer = shard.localWriter();
        writer.arrayHeader(14)
            .bulk("server").bulk("redis")
            .bulk("version").bulk(RespKeyspace.REDIS_VERSION)
            .bulk("proto").integer(2)
            .bulk("id").integer(connection.id())
            .bulk("mode").bulk("standalone")
            .bulk("role").bulk("master")
            .bulk("modules").arrayHeader(0);
        reply(writer);
    }

    /** SELECT: there is one database, 0, as in redis cluster. */
    private void select()
    {
        if (!strictLong.parse(parser.argBuffer(), parser.argOffset(1), parser.argLength(1)))
        {
            error(ShardOperations.NOT_INTEGER);
        }
        else if (strictLong.value() != 0)
        {
            error("ERR DB index is out of range");
        }
        else
        {
            calls.reply(ReplyWriter.OK);
        }
    }

    private boolean isPrintableWithoutSpaces(final int index)
    {
        if (parser.argOffset(index) < 0)
        {
            return false; // a large argument
        }
        for (int i = 0; i < parser.argLength(index); i++)
        {
            final byte b = parser.argBuffer().getByte(parser.argOffset(index) + i);
            if (b < '!' || b > '~')
            {
                return false;
            }
        }
        return true;
    }

    private void unknownCommand()
    {
        final StringBuilder message = new StringBuilder("ERR unknown command '")
            .append(truncated(argString(0))).append("', with args beginning with: ");
        for (int i = 1; i < parser.argCount() && message.length() < 256; i++)
        {
            message.append('\'').append(truncated(argString(i))).append("' ");
        }
        error(message.toString());
    }

    private void protocolError(final String message)
    {
        error("ERR Protocol error: " + message);
        calls.closeAfterReplies(CloseReason.PROTOCOL_ERROR);
    }

    private void error(final String message)
    {
        reply(shard.localWriter().error(message));
    }

    private void reply(final ReplyWriter writer)
    {
        calls.reply(writer.buffer(), writer.start(), writer.length());
    }

    private boolean isArg(final int index, final byte[] lowerName)
    {
        return parser.argLength(index) == lowerName.length &&
            RespCommand.equalsIgnoreCase(lowerName, parser.argBuffer(), parser.argOffset(index));
    }

    private boolean isArg(final int index, final String lowerName)
    {
        return isArg(index, ReplyWriter.bytes(lowerName));
    }

    private String argString(final int index)
    {
        if (parser.argOffset(index) < 0)
        {
            return "<" + parser.argLength(index) + " bytes>";
        }
        final byte[] bytes = new byte[parser.argLength(index)];
        parser.argBuffer().getBytes(parser.argOffset(index), bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String truncated(final String text)
    {
        return text.length() > 128 ? text.substring(0, 128) : text;
    }
}
