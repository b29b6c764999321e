package dev.coreloop.bench.peer;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The Netty 4.2 (NIO transport) peer of the coreloop RESP server, for benchmarks: PING, ECHO, GET, SET (with EX/PX
 * accepted and ignored, NX/XX honoured), INCR, DEL, MSET, MGET, DBSIZE, CONFIG GET, COMMAND and QUIT — what
 * redis-benchmark {@code -t ping,set,get,incr,mset} needs.
 *
 * <p>Deliberate simplifications, so that the comparison measures the I/O path rather than a data structure: its own
 * simple RESP decoder that re-parses a request from its start until it is complete (no incremental state), and a
 * plain {@code HashMap} keyspace <b>per event loop</b> — connections on different event loops do not see each
 * other's keys (coreloop shards one keyspace across reactors and routes by key). Expiry is not implemented.
 *
 * <p><b>Threading:</b> one boss thread, {@code --threads} worker event loops; each keyspace is confined to its
 * event loop (a {@link FastThreadLocal}); a channel's handler runs on its event loop only.
 */
public final class NettyRespServer implements AutoCloseable
{
    private static final byte[] OK = ascii("+OK\r\n");
    private static final byte[] PONG = ascii("+PONG\r\n");
    private static final byte[] NULL_BULK = ascii("$-1\r\n");
    private static final byte[] CRLF = ascii("\r\n");

    private static final FastThreadLocal<Map<ByteBuffer, byte[]>> KEYSPACE = new FastThreadLocal<>()
    {
        @Override
        protected Map<ByteBuffer, byte[]> initialValue()
        {
            return new HashMap<>();
        }
    };

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;

    private NettyRespServer(final InetSocketAddress address, final int threads) throws InterruptedException
    {
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        serverChannel = new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel channel)
                {
                    channel.pipeline().addLast(new RespHandler());
                }
            })
            .bind(address).sync().channel();
    }

    /** Adds this server's handler to a new channel's pipeline (for {@link NettyPeer}). */
    static void addHandlers(final io.netty.channel.ChannelPipeline pipeline)
    {
        pipeline.addLast(new RespHandler());
    }

    /** Starts the server bound to {@code address} with {@code threads} worker event loops. */
    public static NettyRespServer start(final InetSocketAddress address, final int threads)
        throws InterruptedException
    {
        return new NettyRespServer(address, threads);
    }

    /** @return the bound address (the real port when 0 was asked for). */
    public InetSocketAddress localAddress()
    {
        return (InetSocketAddress)serverChannel.localAddress();
    }

    @Override
    public void close()
    {
        serverChannel.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * {@code --port N} (default 6381), {@code --threads N} (default: available processors), {@code --bind ADDR}
     * (default 127.0.0.1). Runs until killed.
     */
    public static void main(final String[] args) throws Exception
    {
        int port = 6381;
        int threads = Runtime.getRuntime().availableProcessors();
        String bind = "127.0.0.1";
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--bind" -> bind = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i] +
                    " (expected --port N, --threads N, --bind ADDR)");
            }
        }
        if (threads < 1)
        {
            throw new IllegalArgumentException("--threads must be at least 1 but was " + threads);
        }
        final NettyRespServer server = start(new InetSocketAddress(bind, port), threads);
        System.out.println("netty-resp listening on " + server.localAddress() + " with " + threads +
            " event loops (NIO)");
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "netty-resp-shutdown"));
        server.serverChannel.closeFuture().sync();
    }

    /** Decodes RESP requests and answers them; one instance per channel, on its event loop. */
    private static final class RespHandler extends ByteToMessageDecoder
    {
        private final byte[][] args = new byte[1024][];

        @Override
        protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
        {
            final ByteBuf reply = ctx.alloc().ioBuffer(256);
            boolean quit = false;
            while (in.isReadable() && !quit)
            {
                final int start = in.readerIndex();
                final int argCount = readRequest(in);
                if (argCount == 0)
                {
                    in.readerIndex(start);
                    break;
                }
                if (argCount < 0)
                {
                    reply.writeBytes(ascii("-ERR Protocol error\r\n"));
                    in.skipBytes(in.readableBytes());
                    quit = true;
                    break;
                }
                quit = execute(argCount, reply);
            }
            if (reply.isReadable())
            {
                if (quit)
                {
                    ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
                }
                else
                {
                    ctx.write(reply);
                }
            }
            else
            {
                reply.release();
            }
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx) throws Exception
        {
            ctx.flush();
            super.channelReadComplete(ctx);
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }

        /** @return the argument count; 0 if the request is incomplete; -1 if malformed. */
        private int readRequest(final ByteBuf in)
        {
            if (in.getByte(in.readerIndex()) != '*')
            {
                final int eol = in.indexOf(in.readerIndex(), in.writerIndex(), (byte)'\n');
                if (eol < 0)
                {
                    return in.readableBytes() > 64 * 1024 ? -1 : 0;
                }
                final String line = in.readCharSequence(eol - in.readerIndex(), StandardCharsets.ISO_8859_1)
                    .toString().trim();
                in.skipBytes(1);
                final String[] tokens = line.isEmpty() ? new String[0] : line.split("[ \t]+");
                if (tokens.length == 0 || tokens.length > args.length)
                {
                    return tokens.length == 0 ? readAgainOrZero(in) : -1;
                }
                for (int i = 0; i < tokens.length; i++)
                {
                    args[i] = tokens[i].getBytes(StandardCharsets.ISO_8859_1);
                }
                return tokens.length;
            }
            final long count = readLine(in, '*');
            if (count == Long.MIN_VALUE)
            {
                return 0;
            }
            if (count < 1 || count > args.length)
            {
                return -1;
            }
            for (int i = 0; i < count; i++)
            {
                if (!in.isReadable())
                {
                    return 0;
                }
                if (in.getByte(in.readerIndex()) != '$')
                {
                    return -1;
                }
                final long length = readLine(in, '$');
                if (length == Long.MIN_VALUE)
                {
                    return 0;
                }
                if (length < 0 || length > 512 * 1024)
                {
                    return -1;
                }
                if (in.readableBytes() < length + 2)
                {
                    return 0;
                }
                final byte[] arg = new byte[(int)length];
                in.readBytes(arg);
                in.skipBytes(2);
                args[i] = arg;
            }
            return (int)count;
        }

        private int readAgainOrZero(final ByteBuf in)
        {
            return in.isReadable() ? readRequest(in) : 0;
        }

        /** Reads "{prefix}digits\r\n"; @return the number, Long.MIN_VALUE if incomplete, -2 if malformed. */
        private static long readLine(final ByteBuf in, final char prefix)
        {
            final int cr = in.indexOf(in.readerIndex(), in.writerIndex(), (byte)'\r');
            if (cr < 0 || cr + 1 >= in.writerIndex())
            {
                return Long.MIN_VALUE;
            }
            long value = 0;
            boolean negative = false;
            for (int i = in.readerIndex() + 1; i < cr; i++)
            {
                final byte b = in.getByte(i);
                if (b == '-' && i == in.readerIndex() + 1)
                {
                    negative = true;
                }
                else if (b >= '0' && b <= '9')
                {
                    value = value * 10 + (b - '0');
                }
                else
                {
                    return -2;
                }
            }
            in.readerIndex(cr + 2);
            return negative ? -value : value;
        }

        /** @return true if the connection should close after this reply (QUIT). */
        private boolean execute(final int argCount, final ByteBuf reply)
        {
            final Map<ByteBuffer, byte[]> keys = KEYSPACE.get();
            final String name = new String(args[0], StandardCharsets.ISO_8859_1).toUpperCase(java.util.Locale.ROOT);
            switch (name)
            {
                case "PING":
                    if (argCount > 1)
                    {
                        bulk(reply, args[1]);
                    }
                    else
                    {
                        reply.writeBytes(PONG);
                    }
                    return false;
                case "ECHO":
                    if (argCount != 2)
                    {
                        return arity(reply, "echo");
                    }
                    bulk(reply, args[1]);
                    return false;
                case "GET":
                    if (argCount != 2)
                    {
                        return arity(reply, "get");
                    }
                    bulkOrNull(reply, keys.get(ByteBuffer.wrap(args[1])));
                    return false;
                case "SET":
                    return set(keys, argCount, reply);
                case "INCR":
                {
                    if (argCount != 2)
                    {
                        return arity(reply, "incr");
                    }
                    final ByteBuffer key = ByteBuffer.wrap(args[1]);
                    final byte[] current = keys.get(key);
                    long value;
                    try
                    {
                        value = current == null ? 0 : Long.parseLong(new String(current, StandardCharsets.US_ASCII));
                        value = Math.addExact(value, 1);
                    }
                    catch (final NumberFormatException | ArithmeticException ex)
                    {
                        reply.writeBytes(ascii("-ERR value is not an integer or out of range\r\n"));
                        return false;
                    }
                    keys.put(key, ascii(Long.toString(value)));
                    reply.writeByte(':').writeBytes(ascii(Long.toString(value))).writeBytes(CRLF);
                    return false;
                }
                case "DEL":
                {
                    int removed = 0;
                    for (int i = 1; i < argCount; i++)
                    {
                        removed += keys.remove(ByteBuffer.wrap(args[i])) != null ? 1 : 0;
                    }
                    reply.writeByte(':').writeBytes(ascii(Integer.toString(removed))).writeBytes(CRLF);
                    return false;
                }
                case "MSET":
                    if (argCount < 3 || argCount % 2 == 0)
                    {
                        return arity(reply, "mset");
                    }
                    for (int i = 1; i < argCount; i += 2)
                    {
                        keys.put(ByteBuffer.wrap(args[i]), args[i + 1]);
                    }
                    reply.writeBytes(OK);
                    return false;
                case "MGET":
                    reply.writeByte('*').writeBytes(ascii(Integer.toString(argCount - 1))).writeBytes(CRLF);
                    for (int i = 1; i < argCount; i++)
                    {
                        bulkOrNull(reply, keys.get(ByteBuffer.wrap(args[i])));
                    }
                    return false;
                case "DBSIZE":
                    reply.writeByte(':').writeBytes(ascii(Integer.toString(keys.size()))).writeBytes(CRLF);
                    return false;
                case "CONFIG":
                    config(argCount, reply);
                    return false;
                case "COMMAND":
                    reply.writeBytes(ascii("*0\r\n"));
                    return false;
                case "QUIT":
                    reply.writeBytes(OK);
                    return true;
                default:
                    reply.writeBytes(ascii("-ERR unknown command '" + name.toLowerCase(java.util.Locale.ROOT) +
                        "'\r\n"));
                    return false;
            }
        }

        private boolean set(final Map<ByteBuffer, byte[]> keys, final int argCount, final ByteBuf reply)
        {
            if (argCount < 3)
            {
                return arity(reply, "set");
            }
            final ByteBuffer key = ByteBuffer.wrap(args[1]);
            boolean nx = false;
            boolean xx = false;
            for (int i = 3; i < argCount; i++)
            {
                final String option = new String(args[i], StandardCharsets.US_ASCII).toUpperCase(java.util.Locale.ROOT);
                switch (option)
                {
                    case "NX" -> nx = true;
                    case "XX" -> xx = true;
                    case "EX", "PX" -> i++;
                    default ->
                    {
                        reply.writeBytes(ascii("-ERR syntax error\r\n"));
                        return false;
                    }
                }
            }
            final boolean exists = keys.containsKey(key);
            if ((nx && exists) || (xx && !exists))
            {
                reply.writeBytes(NULL_BULK);
                return false;
            }
            keys.put(key, args[2]);
            reply.writeBytes(OK);
            return false;
        }

        private void config(final int argCount, final ByteBuf reply)
        {
            if (argCount < 3 || !"GET".equalsIgnoreCase(new String(args[1], StandardCharsets.US_ASCII)))
            {
                reply.writeBytes(ascii("-ERR unsupported CONFIG subcommand\r\n"));
                return;
            }
            final String parameter = new String(args[2], StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT);
            switch (parameter)
            {
                case "save" -> reply.writeBytes(ascii("*2\r\n$4\r\nsave\r\n$0\r\n\r\n"));
                case "appendonly" -> reply.writeBytes(ascii("*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"));
                default -> reply.writeBytes(ascii("*0\r\n"));
            }
        }

        private static boolean arity(final ByteBuf reply, final String command)
        {
            reply.writeBytes(ascii("-ERR wrong number of arguments for '" + command + "' command\r\n"));
            return false;
        }

        private static void bulkOrNull(final ByteBuf reply, final byte[] value)
        {
            if (value == null)
            {
                reply.writeBytes(NULL_BULK);
            }
            else
            {
                bulk(reply, value);
            }
        }

        private static void bulk(final ByteBuf reply, final byte[] value)
        {
            reply.writeByte('$').writeBytes(ascii(Integer.toString(value.length))).writeBytes(CRLF)
                .writeBytes(value).writeBytes(CRLF);
        }
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
