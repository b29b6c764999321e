package dev.coreloop.bench.peer;

import java.net.InetSocketAddress;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.coreloop.affinity.ThreadPinner;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * Netty 4.2 as the scaling sweep runs it: one boss event loop that accepts ({@value #BOSS_THREAD_NAME}, pinned as role
 * {@code acceptor}, like coreloop's acceptor) and N worker event loops ({@code netty-loop-K}, pinned as
 * {@code reactor-K}), on the NIO or the native epoll transport, serving the echo, HTTP or RESP peer handlers of
 * {@link NettyEchoServer}, {@link NettyHttpServer} and {@link NettyRespServer}. Netty's leak detector is turned off
 * (as production benchmarks do) unless {@code io.netty.leakDetection.level} is set.
 *
 * <p><b>Threading:</b> {@link #start} and {@link #close} from any thread; each event loop owns its channels.
 */
public final class NettyPeer implements AutoCloseable
{
    /** The boss event loop's thread name. */
    public static final String BOSS_THREAD_NAME = "netty-boss";
    /** Name prefix of the worker event loops. */
    public static final String LOOP_THREAD_PREFIX = "netty-loop-";

    /** Netty's I/O transport. */
    public enum Transport
    {
        /** java.nio selectors. */
        NIO,
        /** Linux epoll through Netty's JNI transport. */
        EPOLL
    }

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;

    private NettyPeer(final EventLoopGroup boss, final EventLoopGroup workers, final Channel serverChannel)
    {
        this.boss = boss;
        this.workers = workers;
        this.serverChannel = serverChannel;
    }

    /** {@return null if the epoll transport can be used here, else why not} */
    public static String epollUnavailableReason()
    {
        if (Epoll.isAvailable())
        {
            return null;
        }
        final Throwable cause = Epoll.unavailabilityCause();
        return cause == null ? "epoll unavailable" : "epoll unavailable: " + cause;
    }

    /**
     * Binds and starts the peer.
     *
     * @param family    {@code echo}, {@code http} or {@code resp}.
     * @param transport NIO or EPOLL.
     * @param loops     worker event loops (at least 1).
     * @param address   where to listen (port 0: ephemeral).
     * @param pinner    pins the boss as {@code acceptor} and loop K as {@code reactor-K} when each starts.
     * @return the running peer.
     * @throws InterruptedException if interrupted while binding.
     */
    public static NettyPeer start(final String family, final Transport transport, final int loops,
        final InetSocketAddress address, final ThreadPinner pinner) throws InterruptedException
    {
        if (loops < 1)
        {
            throw new IllegalArgumentException("loops must be at least 1 but was " + loops);
        }
        if (System.getProperty("io.netty.leakDetection.level") == null)
        {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        final ChannelInitializer<SocketChannel> initializer = initializer(family);
        final IoHandlerFactory io;
        final Class<? extends ServerChannel> channelType;
        if (transport == Transport.EPOLL)
        {
            final String unavailable = epollUnavailableReason();
            if (unavailable != null)
            {
                throw new IllegalStateException(unavailable);
            }
            io = EpollIoHandler.newFactory();
            channelType = EpollServerSocketChannel.class;
        }
        else
        {
            io = NioIoHandler.newFactory();
            channelType = NioServerSocketChannel.class;
        }
        final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, pinnedFactory(pinner, true), io);
        final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(loops, pinnedFactory(pinner, false), io);
        try
        {
            final Channel channel = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer)
                .bind(address).sync().channel();
            return new NettyPeer(boss, workers, channel);
        }
        catch (final InterruptedException | RuntimeException ex)
        {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw ex;
        }
    }

    private static ChannelInitializer<SocketChannel> initializer(final String family)
    {
        switch (family)
        {
            case "echo":
            {
                final NettyEchoServer.EchoChannelHandler echo = new NettyEchoServer.EchoChannelHandler();
                return new ChannelInitializer<>()
                {
                    @Override
                    protected void initChannel(final SocketChannel channel)
                    {
                        channel.pipeline().addLast(echo);
                    }
                };
            }
            case "http":
                return new ChannelInitializer<>()
                {
                    @Override
                    protected void initChannel(final SocketChannel channel)
                    {
                        NettyHttpServer.addHandlers(channel.pipeline());
                    }
                };
            case "resp":
                return new ChannelInitializer<>()
                {
                    @Override
                    protected void initChannel(final SocketChannel channel)
                    {
                        NettyRespServer.addHandlers(channel.pipeline());
                    }
                };
            default:
                throw new IllegalArgumentException("protocol must be echo, http or resp but was '" + family + "'");
        }
    }

    private static ThreadFactory pinnedFactory(final ThreadPinner pinner, final boolean boss)
    {
        final AtomicInteger next = new AtomicInteger();
        return runnable ->
        {
            final int index = next.getAndIncrement();
            final Thread thread = new Thread(() ->
            {
                pinner.pinCurrentThread(boss ? "acceptor" : "reactor-" + index);
                runnable.run();
            }, boss ? BOSS_THREAD_NAME : LOOP_THREAD_PREFIX + index);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** {@return the bound address} */
    public InetSocketAddress localAddress()
    {
        return (InetSocketAddress)serverChannel.localAddress();
    }

    /** Closes the listener and every connection and stops the event loops (bounded waits). */
    @Override
    public void close()
    {
        serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
