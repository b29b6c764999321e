package dev.coreloop.bench.peer;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import dev.coreloop.affinity.ThreadPinner;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The Netty peer for echo benchmarks: Netty 4.2 on NIO with exactly one event loop thread, which accepts
 * and serves every connection, like a one-reactor coreloop server with the acceptor folded in.
 *
 * <p>The handler writes every inbound buffer back and flushes once per read burst
 * ({@code channelReadComplete}), the usual Netty echo shape. With the default pooled direct allocator it
 * allocates nothing per message in steady state. Like coreloop's echo, it stops reading while the channel is
 * unwritable and resumes when it drains, so a non-reading client cannot grow its memory without bound.
 *
 * <p><b>Threading:</b> {@link #start} and {@link #close} from any one thread; the event loop thread
 * (named {@value #THREAD_NAME}) runs all I/O. {@link #eventLoopThread()} is valid after {@link #start}.
 */
public final class NettyEchoServer implements AutoCloseable
{
    /** The event loop thread's name. */
    public static final String THREAD_NAME = "netty-echo-0";

    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final Thread eventLoopThread;

    private NettyEchoServer(final EventLoopGroup group, final Channel serverChannel, final Thread eventLoopThread)
    {
        this.group = group;
        this.serverChannel = serverChannel;
        this.eventLoopThread = eventLoopThread;
    }

    /**
     * Starts the server.
     *
     * @param address where to listen; port 0 picks a free one.
     * @param pinner  pins the event loop thread as role {@code reactor-0} when it starts.
     */
    public static NettyEchoServer start(final InetSocketAddress address, final ThreadPinner pinner)
        throws InterruptedException
    {
        final Thread[] threadHolder = new Thread[1];
        final CountDownLatch threadStarted = new CountDownLatch(1);
        final ThreadFactory threadFactory = runnable ->
        {
            final Thread thread = new Thread(() ->
            {
                pinner.pinCurrentThread("reactor-0");
                threadHolder[0] = Thread.currentThread();
                threadStarted.countDown();
                runnable.run();
            }, THREAD_NAME);
            thread.setDaemon(true);
            return thread;
        };

        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, threadFactory, NioIoHandler.newFactory());
        try
        {
            final EchoChannelHandler echo = new EchoChannelHandler();
            final ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group, group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>()
                {
                    @Override
                    protected void initChannel(final SocketChannel ch)
                    {
                        ch.pipeline().addLast(echo);
                    }
                });
            final Channel channel = bootstrap.bind(address).sync().channel();
            if (!threadStarted.await(10, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("netty event loop thread did not start");
            }
            return new NettyEchoServer(group, channel, threadHolder[0]);
        }
        catch (final InterruptedException | RuntimeException ex)
        {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw ex;
        }
    }

    /** @return the bound address (real port). */
    public InetSocketAddress localAddress()
    {
        return (InetSocketAddress)serverChannel.localAddress();
    }

    /** @return the single event loop thread, for CPU-time measurements. */
    public Thread eventLoopThread()
    {
        return eventLoopThread;
    }

    /** Closes the listener and every connection and waits (bounded) for the event loop to stop. */
    @Override
    public void close()
    {
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** Runs the peer standalone: {@code NettyEchoServer [port]} (default 7008) on 127.0.0.1, until Ctrl-C. */
    public static void main(final String[] args) throws InterruptedException
    {
        final int port;
        try
        {
            port = args.length > 0 ? Integer.parseInt(args[0]) : 7008;
        }
        catch (final NumberFormatException ex)
        {
            System.err.println("usage: NettyEchoServer [port]   (port must be an integer: " + args[0] + ")");
            System.exit(2);
            return;
        }
        final NettyEchoServer server = start(new InetSocketAddress("127.0.0.1", port), ThreadPinner.unpinned());
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            stopped.countDown();
        }, "netty-echo-shutdown"));
        System.out.println("netty echo server listening on " + server.localAddress() + "; Ctrl-C to stop");
        stopped.await();
    }

    /**
     * Echoes each inbound buffer; flushes once per read burst; pauses reading while unwritable.
     *
     * <p><b>Threading:</b> stateless, shared by every channel; runs on the event loop.
     */
    @ChannelHandler.Sharable
    static final class EchoChannelHandler extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(final ChannelHandlerContext ctx)
        {
            ctx.flush();
            if (!ctx.channel().isWritable())
            {
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(final ChannelHandlerContext ctx)
        {
            if (ctx.channel().isWritable())
            {
                ctx.channel().config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            ctx.close();
        }
    }
}
