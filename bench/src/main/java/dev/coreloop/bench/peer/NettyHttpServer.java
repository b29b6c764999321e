package dev.coreloop.bench.peer;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Date;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The Netty 4.2 (NIO transport) peer of the coreloop HTTP example, for comparisons: the same two routes
 * ({@code GET|HEAD /plaintext}, {@code GET|HEAD /json}), the same headers (Server, Date cached per event loop
 * and refreshed once a second, Content-Type, Content-Length), keep-alive by version and {@code Connection},
 * and the same error policy (404/405 answered on the request's body end, keeping a keep-alive connection open;
 * 400/413/414/431 answered with {@code Connection: close}, then close).
 * Requests are not aggregated: bodies are released as they arrive and the response is written on the
 * request's {@link LastHttpContent}, so pipelined requests are answered in order; writes are flushed once
 * per read batch ({@code channelReadComplete}).
 *
 * <p><b>Threading:</b> one boss thread accepts; {@code threads} event loops each own their channels. The
 * per-connection handler runs on its channel's event loop only; the date cache is per event loop thread.
 */
public final class NettyHttpServer implements AutoCloseable
{
    /** Default listening port. */
    public static final int PORT_DEFAULT = 8081;

    private static final AsciiString SERVER_NAME = AsciiString.cached("netty");
    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain");
    private static final AsciiString APPLICATION_JSON = AsciiString.cached("application/json");
    private static final ByteBuf PLAINTEXT_BODY = staticBuffer("Hello, World!");
    private static final ByteBuf JSON_BODY = staticBuffer("{\"message\":\"Hello, World!\"}");
    private static final FastThreadLocal<DateCache> DATES = new FastThreadLocal<>()
    {
        protected DateCache initialValue()
        {
            return new DateCache();
        }
    };

    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final Channel serverChannel;

    private NettyHttpServer(final EventLoopGroup bossGroup, final EventLoopGroup workerGroup, final Channel channel)
    {
        this.bossGroup = bossGroup;
        this.workerGroup = workerGroup;
        this.serverChannel = channel;
    }

    /**
     * Binds and starts serving.
     *
     * @param address where to listen (port 0: ephemeral).
     * @param threads how many worker event loops (>= 1).
     */
    public static NettyHttpServer start(final InetSocketAddress address, final int threads) throws InterruptedException
    {
        if (threads < 1)
        {
            throw new IllegalArgumentException("threads must be >= 1: " + threads);
        }
        final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        try
        {
            final Channel channel = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    protected void initChannel(final SocketChannel channel)
                    {
                        addHandlers(channel.pipeline());
                    }
                })
                .bind(address).sync().channel();
            return new NettyHttpServer(boss, workers, channel);
        }
        catch (final InterruptedException | RuntimeException ex)
        {
            boss.shutdownGracefully();
            workers.shutdownGracefully();
            throw ex;
        }
    }

    /** @return the bound address. */
    public InetSocketAddress localAddress()
    {
        return (InetSocketAddress)serverChannel.localAddress();
    }

    /** Closes the listener and stops the event loops, waiting for them. */
    public void close()
    {
        serverChannel.close().syncUninterruptibly();
        bossGroup.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        workerGroup.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * {@code NettyHttpServer [--port N] [--threads N] [--bind ADDRESS]}; runs until the process is stopped.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        int port = PORT_DEFAULT;
        int threads = Runtime.getRuntime().availableProcessors();
        String bind = "0.0.0.0";
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (i + 1 >= args.length)
            {
                throw new IllegalArgumentException("missing value after " + arg);
            }
            switch (arg)
            {
                case "--port":
                    port = Integer.parseInt(args[++i]);
                    break;
                case "--threads":
                    threads = Integer.parseInt(args[++i]);
                    break;
                case "--bind":
                    bind = args[++i];
                    break;
                default:
                    throw new IllegalArgumentException("unknown option: " + arg + " (use --port, --threads, --bind)");
            }
        }
        final NettyHttpServer server = start(new InetSocketAddress(bind, port), threads);
        System.out.println("netty http listening on " + server.localAddress() + " with " + threads + " event loops");
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "netty-http-shutdown"));
        server.serverChannel.closeFuture().sync();
    }

    /** Adds this server's codec and handler to a new channel's pipeline (for {@link NettyPeer}). */
    static void addHandlers(final io.netty.channel.ChannelPipeline pipeline)
    {
        pipeline.addLast(new HttpServerCodec(8192, 16 * 1024, 8192), new Handler());
    }

    private static ByteBuf staticBuffer(final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(bytes.length).writeBytes(bytes)).asReadOnly();
    }

    /**
     * The Date header value of one event loop, reformatted when the second changes.
     *
     * <p><b>Threading:</b> confined to one event loop thread (a FastThreadLocal).
     */
    private static final class DateCache
    {
        private long second = Long.MIN_VALUE;
        private AsciiString value;

        AsciiString now()
        {
            final long nowSecond = System.currentTimeMillis() / 1000;
            if (nowSecond != second)
            {
                second = nowSecond;
                value = new AsciiString(DateFormatter.format(new Date(nowSecond * 1000)));
            }
            return value;
        }
    }

    /**
     * One connection's request handling.
     *
     * <p><b>Threading:</b> runs on the channel's event loop only.
     */
    private static final class Handler extends ChannelInboundHandlerAdapter
    {
        private HttpResponseStatus status;
        private ByteBuf body;
        private AsciiString contentType;
        private boolean head;
        private boolean keepAlive;
        private boolean http10;

        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (msg instanceof HttpRequest)
                {
                    final HttpRequest request = (HttpRequest)msg;
                    final DecoderResult result = request.decoderResult();
                    if (result.isFailure())
                    {
                        final Throwable cause = result.cause();
                        final HttpResponseStatus errorStatus = cause instanceof TooLongHttpLineException ?
                            HttpResponseStatus.REQUEST_URI_TOO_LONG : cause instanceof TooLongHttpHeaderException ?
                            HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : cause instanceof TooLongFrameException ?
                            HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE : HttpResponseStatus.BAD_REQUEST;
                        sendError(ctx, errorStatus, false, false, false);
                        return;
                    }
                    onRequest(request);
                }
                if (msg instanceof LastHttpContent && status != null)
                {
                    respond(ctx);
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            ctx.flush();
        }

        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }

        private void onRequest(final HttpRequest request)
        {
            final String uri = request.uri();
            final int queryStart = uri.indexOf('?');
            final String path = queryStart < 0 ? uri : uri.substring(0, queryStart);
            final HttpMethod method = request.method();
            head = HttpMethod.HEAD.equals(method);
            keepAlive = HttpUtil.isKeepAlive(request);
            http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
            if ("/plaintext".equals(path))
            {
                body = PLAINTEXT_BODY;
                contentType = TEXT_PLAIN;
            }
            else if ("/json".equals(path))
            {
                body = JSON_BODY;
                contentType = APPLICATION_JSON;
            }
            else
            {
                status = HttpResponseStatus.NOT_FOUND;
                return;
            }
            status = HttpMethod.GET.equals(method) || head ? HttpResponseStatus.OK : HttpResponseStatus.METHOD_NOT_ALLOWED;
        }

        private void respond(final ChannelHandlerContext ctx)
        {
            final HttpResponseStatus responseStatus = status;
            status = null;
            if (responseStatus != HttpResponseStatus.OK)
            {
                sendError(ctx, responseStatus, head, keepAlive, http10);
                return;
            }
            final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                head ? Unpooled.EMPTY_BUFFER : body.duplicate(), false);
            response.headers()
                .set(HttpHeaderNames.SERVER, SERVER_NAME)
                .set(HttpHeaderNames.DATE, DATES.get().now())
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            if (!keepAlive)
            {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
            else
            {
                if (http10)
                {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                ctx.write(response, ctx.voidPromise());
            }
        }

        /**
         * @param keepAlive true for an error that leaves the framing intact (404, 405, after the request's body) on a
         *                  keep-alive request: the connection stays open; false: {@code Connection: close}, then close.
         */
        private static void sendError(final ChannelHandlerContext ctx, final HttpResponseStatus status, final boolean head,
            final boolean keepAlive, final boolean http10)
        {
            final byte[] text = (status.code() + " " + status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
            final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(text), false);
            response.headers()
                .set(HttpHeaderNames.SERVER, SERVER_NAME)
                .set(HttpHeaderNames.DATE, DATES.get().now())
                .set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, text.length);
            if (status == HttpResponseStatus.METHOD_NOT_ALLOWED)
            {
                response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            }
            if (keepAlive)
            {
                if (http10)
                {
                    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
                }
                ctx.write(response, ctx.voidPromise());
                return;
            }
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
