package dev.coreloop.examples.resp;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Incremental RESP2 request parser: arrays of bulk strings ({@code *N\r\n$L\r\n...\r\n}) and inline commands
 * ({@code PING\r\n}). It is fed whatever bytes have arrived, consumes what it can, and copies the arguments into
 * its own argument buffer, so a request may arrive in any number of pieces and a value may be larger than the
 * connection's inbound ring.
 *
 * <p>Consumption: a header line ({@code *N}, {@code $L}) or an inline line is consumed only once it is complete;
 * the bytes of a bulk string are consumed (copied) as they arrive. Unconsumed bytes must be presented again,
 * followed by newer ones, which is what {@link dev.coreloop.core.ConnectionHandler#onData} does.
 *
 * <p>Large values: a bulk string longer than {@link RespConfig#largeValueThresholdBytes()} (and within
 * {@link RespConfig#protoMaxBulkLen()}) is not copied into the argument buffer. Once its header is read the parser
 * returns {@link #LARGE_ARG}, and the caller decides before the next call: {@link #streamLargeArg} gives it the
 * {@link LargeValue} its bytes go into as they arrive (the caller has charged its length to the memory budget),
 * {@link #discardLargeArg} has its bytes read and dropped (the caller answers the request with an error once it is
 * complete, as redis does after reading a command it refuses). Such an argument has {@link #argOffset} -1 and
 * {@link #largeArg} its value.
 *
 * <p>Limits: {@link RespConfig#maxArgs()}, {@link RespConfig#protoMaxBulkLen()}, {@link RespConfig#maxInlineBytes()},
 * {@link RespConfig#maxRequestBytes()}. A violation, or any malformed input, yields {@link #ERROR} with a message in
 * the words redis uses ({@link #errorMessage()}); the parser then stays in error until {@link #reset()}.
 * Like redis, {@code *0} and {@code *-1} are empty requests and are skipped; inline lines are split on spaces and
 * tabs (quotes are not interpreted); empty inline lines are skipped.
 *
 * <p>Allocation: none per request once the argument buffer and index arrays have grown to the largest request
 * seen (they start small and double, bounded by the limits). Error messages are built only on the error path.
 *
 * <p><b>Threading:</b> owned by one connection's handler, on its reactor thread; not thread-safe.
 */
public final class RespParser
{
    /** A whole request is parsed: read it with {@link #argCount()} and friends before the next call. */
    public static final int COMPLETE = 1;
    /** More bytes are needed; {@link #consumed()} may still be positive (part of a bulk string was copied). */
    public static final int NEED_MORE = 0;
    /** Malformed input or a limit exceeded: see {@link #errorMessage()}. */
    public static final int ERROR = -1;
    /**
     * The header of a large bulk string was read (argument {@link #largeArgIndex()}, {@link #largeArgLength()} bytes):
     * call {@link #streamLargeArg} or {@link #discardLargeArg} before parsing on.
     */
    public static final int LARGE_ARG = 2;

    /** Longest header line ({@code *} or {@code $}, sign, 19 digits, CR LF) accepted before declaring it too big. */
    static final int MAX_HEADER_LINE_BYTES = 32;

    private static final int INITIAL_ARG_BUFFER_BYTES = 512;
    private static final int INITIAL_ARG_SLOTS = 8;

    private static final int STATE_START = 0;
    private static final int STATE_BULK_HEADER = 1;
    private static final int STATE_BULK_DATA = 2;
    private static final int STATE_BULK_CRLF = 3;
    private static final int STATE_COMPLETE = 4;
    private static final int STATE_ERROR = 5;
    private static final int STATE_LARGE_DECISION = 6;
    private static final int STATE_LARGE_DATA = 7;

    private final int maxArgs;
    private final int protoMaxBulkLen;
    private final int largeValueThresholdBytes;
    private final int maxInlineBytes;
    private final int maxRequestBytes;
    private final UnsafeBuffer argBuffer = new UnsafeBuffer(new byte[INITIAL_ARG_BUFFER_BYTES]);

    private int[] argOffsets = new int[INITIAL_ARG_SLOTS];
    private int[] argLengths = new int[INITIAL_ARG_SLOTS];
    private LargeValue[] largeArgs = new LargeValue[INITIAL_ARG_SLOTS];
    /** Where the bytes of the large argument now arriving go; null while they are discarded. */
    private LargeValue largeTarget;
    private boolean largeArgDiscarded;
    private int argCount;
    private int expectedArgs;
    private int bulkRemaining;
    private int argBufferUsed;
    private int state = STATE_START;
    private int consumed;
    private boolean inline;
    private String errorMessage;

    public RespParser(final RespConfig config)
    {
        this.maxArgs = config.maxArgs();
        this.protoMaxBulkLen = config.protoMaxBulkLen();
        this.largeValueThresholdBytes = config.largeValueThresholdBytes();
        this.maxInlineBytes = config.maxInlineBytes();
        this.maxRequestBytes = config.maxRequestBytes();
    }

    /**
     * Parses from {@code buffer[offset, offset + length)}. Starts a new request if the previous call returned
     * {@link #COMPLETE}.
     *
     * @return {@link #COMPLETE}, {@link #NEED_MORE}, {@link #LARGE_ARG} or {@link #ERROR}; {@link #consumed()} tells
     * how many bytes from {@code offset} were used.
     * @throws IllegalStateException after {@link #LARGE_ARG} until the caller has decided what to do with it.
     */
    public int parse(final DirectBuffer buffer, final int offset, final int length)
    {
        consumed = 0;
        if (state == STATE_ERROR)
        {
            return ERROR;
        }
        if (state == STATE_LARGE_DECISION)
        {
            throw new IllegalStateException("RespParser: streamLargeArg or discardLargeArg must follow LARGE_ARG");
        }
        if (state == STATE_COMPLETE)
        {
            beginRequest();
        }
        final int end = offset + length;
        int pos = offset;
        while (true)
        {
            switch (state)
            {
                case STATE_START:
                {
                    if (pos >= end)
                    {
                        return needMore(pos, offset);
                    }
                    if (buffer.getByte(pos) == '*')
                    {
                        final int lineEnd = findCr(buffer, pos, end, MAX_HEADER_LINE_BYTES, "too big mbulk count string");
                        if (lineEnd < 0)
                        {
                            return lineEnd == -1 ? needMore(pos, offset) : ERROR;
                        }
                        final long count = parseLength(buffer, pos + 1, lineEnd);
                        if (count == Long.MIN_VALUE || count < -1 || count > maxArgs)
                        {
                            return fail("invalid multibulk length");
                        }
                        pos = lineEnd + 2;
                        if (count <= 0)
                        {
                            continue; // *0 and *-1: an empty request, skipped as redis does
                        }
                        expectedArgs = (int)count;
                        inline = false;
                        state = STATE_BULK_HEADER;
                    }
                    else
                    {
                        final int result = parseInline(buffer, pos, end);
                        if (result == -1)
                        {
                            return needMore(pos, offset);
                        }
                        if (result < -1)
                        {
                            return ERROR;
                        }
                        pos = result;
                        if (argCount > 0)
                        {
                            state = STATE_COMPLETE;
                            consumed = pos - offset;
                            return COMPLETE;
                        }
                    }
                    break;
                }
                case STATE_BULK_HEADER:
                {
                    if (pos >= end)
                    {
                        return needMore(pos, offset);
                    }
                    final byte first = buffer.getByte(pos);
                    if (first != '$')
                    {
                        return fail("expected '$', got '" + printable(first) + "'");
                    }
                    final int lineEnd = findCr(buffer, pos, end, MAX_HEADER_LINE_BYTES, "too big bulk count string");
                    if (lineEnd < 0)
                    {
                        return lineEnd == -1 ? needMore(pos, offset) : ERROR;
                    }
                    final long bulkLength = parseLength(buffer, pos + 1, lineEnd);
                    if (bulkLength == Long.MIN_VALUE || bulkLength < 0 || bulkLength > protoMaxBulkLen)
                    {
                        return fail("invalid bulk length");
                    }
                    if (bulkLength > largeValueThresholdBytes)
                    {
                        pos = lineEnd + 2;
                        startLargeArg((int)bulkLength);
                        state = STATE_LARGE_DECISION;
                        consumed = pos - offset;
                        return LARGE_ARG;
                    }
                    if (argBufferUsed + bulkLength > maxRequestBytes)
                    {
                        return fail("request larger than " + maxRequestBytes + " bytes");
                    }
                    pos = lineEnd + 2;
                    startArg((int)bulkLength);
                    bulkRemaining = (int)bulkLength;
                    state = STATE_BULK_DATA;
                    break;
                }
                case STATE_BULK_DATA:
                {
                    final int chunk = Math.min(bulkRemaining, end - pos);
                    if (chunk > 0)
                    {
                        argBuffer.putBytes(argBufferUsed, buffer, pos, chunk);
                        argBufferUsed += chunk;
                        bulkRemaining -= chunk;
                        pos += chunk;
                    }
                    if (bulkRemaining > 0)
                    {
                        return needMore(pos, offset);
                    }
                    state = STATE_BULK_CRLF;
                    break;
                }
                case STATE_LARGE_DATA:
                {
                    final int chunk = Math.min(bulkRemaining, end - pos);
                    if (chunk > 0)
                    {
                        if (largeTarget != null)
                        {
                            largeTarget.append(buffer, pos, chunk);
                        }
                        bulkRemaining -= chunk;
                        pos += chunk;
                    }
                    if (bulkRemaining > 0)
                    {
                        return needMore(pos, offset);
                    }
                    largeTarget = null;
                    state = STATE_BULK_CRLF;
                    break;
                }
                case STATE_BULK_CRLF:
                {
                    if (end - pos < 2)
                    {
                        if (end - pos == 1 && buffer.getByte(pos) != '\r')
                        {
                            return fail("unterminated bulk string: expected CRLF after " +
                                argLengths[argCount - 1] + " bytes");
                        }
                        return needMore(pos, offset);
                    }
                    if (buffer.getByte(pos) != '\r' || buffer.getByte(pos + 1) != '\n')
                    {
                        return fail("unterminated bulk string: expected CRLF after " + argLengths[argCount - 1] +
                            " bytes");
                    }
                    pos += 2;
                    if (argCount == expectedArgs)
                    {
                        state = STATE_COMPLETE;
                        consumed = pos - offset;
                        return COMPLETE;
                    }
                    state = STATE_BULK_HEADER;
                    break;
                }
                default:
                    throw new IllegalStateException("parser state " + state);
            }
        }
    }

    /**
     * After {@link #LARGE_ARG}: the argument's bytes go into {@code target} as they arrive.
     *
     * @param target storage of exactly {@link #largeArgLength()} bytes, empty.
     */
    public void streamLargeArg(final LargeValue target)
    {
        if (state != STATE_LARGE_DECISION || target.length() != argLengths[argCount - 1] || target.filled() != 0)
        {
            throw new IllegalStateException("RespParser: no large argument of " + target.length() +
                " bytes is waiting");
        }
        largeArgs[argCount - 1] = target;
        largeTarget = target;
        bulkRemaining = target.length();
        state = STATE_LARGE_DATA;
    }

    /** After {@link #LARGE_ARG}: the argument's bytes are read and dropped; {@link #hasDiscardedArg()} turns true. */
    public void discardLargeArg()
    {
        if (state != STATE_LARGE_DECISION)
        {
            throw new IllegalStateException("RespParser: no large argument is waiting");
        }
        largeTarget = null;
        largeArgDiscarded = true;
        bulkRemaining = argLengths[argCount - 1];
        state = STATE_LARGE_DATA;
    }

    /** {@return the index of the large argument announced by {@link #LARGE_ARG}} */
    public int largeArgIndex()
    {
        return argCount - 1;
    }

    /** {@return the length of the large argument announced by {@link #LARGE_ARG}} */
    public int largeArgLength()
    {
        return argLengths[argCount - 1];
    }

    /** {@return the value of argument {@code index} if it was a large one streamed into storage, else null} */
    public LargeValue largeArg(final int index)
    {
        return largeArgs[index];
    }

    /** {@return true if a large argument of the current request was discarded ({@link #discardLargeArg()})} */
    public boolean hasDiscardedArg()
    {
        return largeArgDiscarded;
    }

    /** @return bytes consumed by the last {@link #parse} call. */
    public int consumed()
    {
        return consumed;
    }

    /** @return the arguments of the request just completed, the command name first. */
    public int argCount()
    {
        return argCount;
    }

    /** @return the buffer that holds the arguments (valid until the next {@link #parse}). */
    public DirectBuffer argBuffer()
    {
        return argBuffer;
    }

    public int argOffset(final int index)
    {
        return argOffsets[index];
    }

    public int argLength(final int index)
    {
        return argLengths[index];
    }

    /**
     * @return true while a multibulk request has started and is not complete: its header was consumed, so the bytes
     * already taken are part of a request that is still arriving. (An incomplete header or inline line is not
     * consumed: it stays with the caller as unconsumed bytes.)
     */
    public boolean isInRequest()
    {
        return state == STATE_BULK_HEADER || state == STATE_BULK_DATA || state == STATE_BULK_CRLF ||
            state == STATE_LARGE_DECISION || state == STATE_LARGE_DATA;
    }

    /** @return true if the request just completed was an inline command. */
    public boolean isInline()
    {
        return inline;
    }

    /** @return the protocol error after {@link #ERROR}, without the {@code ERR Protocol error: } prefix. */
    public String errorMessage()
    {
        return errorMessage;
    }

    /** Forgets any partial request and any error. */
    public void reset()
    {
        beginRequest();
        state = STATE_START;
        errorMessage = null;
    }

    /** @return the capacity of the argument buffer (it grows up to the largest request seen). */
    int argBufferCapacity()
    {
        return argBuffer.capacity();
    }

    private void beginRequest()
    {
        for (int i = 0; i < argCount; i++)
        {
            largeArgs[i] = null; // let a stored large value's only reference be the store's
        }
        largeTarget = null;
        largeArgDiscarded = false;
        argCount = 0;
        argBufferUsed = 0;
        expectedArgs = 0;
        bulkRemaining = 0;
        inline = false;
        state = STATE_START;
    }

    private int needMore(final int pos, final int offset)
    {
        consumed = pos - offset;
        return NEED_MORE;
    }

    private int fail(final String message)
    {
        errorMessage = message;
        state = STATE_ERROR;
        return ERROR;
    }

    /**
     * @return the index of the CR of a complete line starting at {@code pos}; -1 if the line is incomplete;
     * -2 after recording an error (line too long, or CR not followed by LF).
     */
    private int findCr(final DirectBuffer buffer, final int pos, final int end, final int maxLineBytes,
        final String tooBigMessage)
    {
        final int limit = Math.min(end, pos + maxLineBytes);
        for (int i = pos; i < limit; i++)
        {
            final byte b = buffer.getByte(i);
            if (b == '\r')
            {
                if (i + 1 >= end)
                {
                    return -1;
                }
                if (buffer.getByte(i + 1) != '\n')
                {
                    fail("expected '\\n' after '\\r'");
                    return -2;
                }
                return i;
            }
            if (b == '\n')
            {
                fail("expected '\\r' before '\\n'");
                return -2;
            }
        }
        if (end - pos >= maxLineBytes)
        {
            fail(tooBigMessage);
            return -2;
        }
        return -1;
    }

    /** @return the decimal in {@code [from, to)} (optional '-', digits only), or Long.MIN_VALUE if malformed. */
    private static long parseLength(final DirectBuffer buffer, final int from, final int to)
    {
        int i = from;
        boolean negative = false;
        if (i < to && buffer.getByte(i) == '-')
        {
            negative = true;
            i++;
        }
        if (i >= to || to - i > 18)
        {
            return Long.MIN_VALUE;
        }
        long value = 0;
        for (; i < to; i++)
        {
            final int digit = buffer.getByte(i) - '0';
            if (digit < 0 || digit > 9)
            {
                return Long.MIN_VALUE;
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    /**
     * @return the position after the line on success (args recorded), -1 if the line is incomplete, -2 on error.
     */
    private int parseInline(final DirectBuffer buffer, final int pos, final int end)
    {
        final int limit = Math.min(end, pos + maxInlineBytes + 2);
        int newline = -1;
        for (int i = pos; i < limit; i++)
        {
            if (buffer.getByte(i) == '\n')
            {
                newline = i;
                break;
            }
        }
        if (newline < 0)
        {
            if (end - pos > maxInlineBytes + 1)
            {
                fail("too big inline request");
                return -2;
            }
            return -1;
        }
        int lineEnd = newline;
        if (lineEnd > pos && buffer.getByte(lineEnd - 1) == '\r')
        {
            lineEnd--;
        }
        if (lineEnd - pos > maxInlineBytes)
        {
            fail("too big inline request");
            return -2;
        }
        inline = true;
        int i = pos;
        while (i < lineEnd)
        {
            while (i < lineEnd && isInlineSpace(buffer.getByte(i)))
            {
                i++;
            }
            if (i >= lineEnd)
            {
                break;
            }
            final int tokenStart = i;
            while (i < lineEnd && !isInlineSpace(buffer.getByte(i)))
            {
                i++;
            }
            if (argCount == maxArgs)
            {
                fail("too many arguments in inline request");
                return -2;
            }
            final int tokenLength = i - tokenStart;
            startArg(tokenLength);
            argBuffer.putBytes(argBufferUsed, buffer, tokenStart, tokenLength);
            argBufferUsed += tokenLength;
        }
        return newline + 1;
    }

    private static boolean isInlineSpace(final byte b)
    {
        return b == ' ' || b == '\t' || b == '\r';
    }

    private void startLargeArg(final int length)
    {
        growArgSlots();
        argOffsets[argCount] = -1;
        argLengths[argCount] = length;
        largeArgs[argCount] = null;
        argCount++;
    }

    private void growArgSlots()
    {
        if (argCount == argOffsets.length)
        {
            final int newSlots = Math.min(Math.max(argOffsets.length * 2, INITIAL_ARG_SLOTS), Math.max(maxArgs, 1));
            argOffsets = java.util.Arrays.copyOf(argOffsets, newSlots);
            argLengths = java.util.Arrays.copyOf(argLengths, newSlots);
            largeArgs = java.util.Arrays.copyOf(largeArgs, newSlots);
        }
    }

    private void startArg(final int length)
    {
        growArgSlots();
        final int needed = argBufferUsed + length;
        if (needed > argBuffer.capacity())
        {
            int capacity = argBuffer.capacity();
            while (capacity < needed)
            {
                capacity = (int)Math.min((long)capacity * 2, Integer.MAX_VALUE - 8);
            }
            final byte[] grown = java.util.Arrays.copyOf(argBuffer.byteArray(), capacity);
            argBuffer.wrap(grown);
        }
        argOffsets[argCount] = argBufferUsed;
        argLengths[argCount] = length;
        largeArgs[argCount] = null;
        argCount++;
    }

    private static String printable(final byte b)
    {
        return b >= 32 && b < 127 ? String.valueOf((char)b) : String.format("\\x%02x", b & 0xFF);
    }
}
