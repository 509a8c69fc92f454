package coop.bulwark.edge;

import coop.bulwark.site.SocketTransport;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.function.Supplier;

/**
 * The socket transport of the event loops, chosen once per process from {@code listen.transport}.
 *
 * <p>io_uring first: a relaying proxy's CPU is mostly the kernel's (two sends and two receives per request, the
 * loopback's delivery to the peer included), and io_uring submits a whole loop iteration's sends and receives in one
 * system call where epoll makes one call each. On this project's two-core VM that took 14 % off the CPU of a proxied
 * request (BENCHMARKS.md, "Transport"). epoll next (no selector garbage), NIO where neither exists.
 */
record Transport(
        String name,
        Class<? extends ServerSocketChannel> serverChannel,
        Class<? extends SocketChannel> clientChannel,
        Supplier<IoHandlerFactory> handlers) {

    private static final Transport IO_URING = new Transport(
            "io_uring", IoUringServerSocketChannel.class, IoUringSocketChannel.class, IoUringIoHandler::newFactory);
    private static final Transport EPOLL = new Transport(
            "epoll", EpollServerSocketChannel.class, EpollSocketChannel.class, EpollIoHandler::newFactory);
    private static final Transport NIO =
            new Transport("nio", NioServerSocketChannel.class, NioSocketChannel.class, NioIoHandler::newFactory);

    /**
     * The transport {@code wanted} names, or for {@link SocketTransport#AUTO} the best this machine offers.
     *
     * @throws IllegalStateException when the named transport cannot run here (the edge then refuses to start)
     */
    static Transport of(SocketTransport wanted) {
        return switch (wanted) {
            case AUTO -> IoUring.isAvailable() ? IO_URING : Epoll.isAvailable() ? EPOLL : NIO;
            case IO_URING -> require(IO_URING, IoUring.isAvailable(), IoUring::unavailabilityCause);
            case EPOLL -> require(EPOLL, Epoll.isAvailable(), Epoll::unavailabilityCause);
            case NIO -> NIO;
        };
    }

    private static Transport require(Transport t, boolean available, Supplier<Throwable> cause) {
        if (!available) {
            throw new IllegalStateException("listen.transport: " + t.name + " is not available on this machine ("
                    + cause.get() + "); use auto to take the best one available");
        }
        return t;
    }

    /** A new event-loop group of {@code threads} threads (0 = one per core). */
    EventLoopGroup newGroup(int threads, String threadName) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(n, new DefaultThreadFactory(threadName, true), handlers.get());
    }
}
