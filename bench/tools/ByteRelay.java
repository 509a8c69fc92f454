import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

/**
 * The floor of bench/proxy-throughput.sh's {@code floor} target: a TCP byte pump on Netty, one event loop, every client
 * connection relayed to its own connection to the origin. No HTTP at all (no parsing, no header rewriting, no
 * forwarding fields, no pooling decisions), so what it costs is what Netty and the kernel cost for a relayed
 * request: no Netty-based HTTP proxy can be cheaper on the same machine. Bulwark's figure against it is the price
 * of being an HTTP proxy with a defence; its figure against nginx is the most any Netty proxy could reach there.
 *
 * <p>Run from the repository root with the product's jar (which carries Netty):
 * {@code java @jvm.options -cp core/target/bulwark.jar bench/tools/ByteRelay.java LISTEN_PORT ORIGIN_PORT}. It
 * listens on 127.0.0.1 only, relays to 127.0.0.1 only, and runs until it is stopped.
 */
public final class ByteRelay {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ByteRelay LISTEN_PORT ORIGIN_PORT (both on 127.0.0.1)");
            System.exit(2);
        }
        int listen = Integer.parseInt(args[0]);
        int origin = Integer.parseInt(args[1]);
        // The same choice as Bulwark's listen.transport: auto, so the two are compared on the same transport.
        boolean uring = IoUring.isAvailable();
        if (!uring && !Epoll.isAvailable()) {
            System.err.println("ByteRelay: neither io_uring nor epoll is available");
            System.exit(1);
        }
        IoHandlerFactory io = uring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory();
        Class<? extends ServerChannel> server = uring ? IoUringServerSocketChannel.class : EpollServerSocketChannel.class;
        Class<? extends Channel> client = uring ? IoUringSocketChannel.class : EpollSocketChannel.class;
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, io);
        new ServerBootstrap()
                .group(loop)
                .channel(server)
                .option(ChannelOption.SO_BACKLOG, 4096)
                // Nothing is read from a client until its origin connection is up.
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel c) {
                        new Bootstrap()
                                .group(c.eventLoop())
                                .channel(client)
                                .option(ChannelOption.TCP_NODELAY, true)
                                .handler(new Pump(c))
                                .connect("127.0.0.1", origin)
                                .addListener((ChannelFutureListener) f -> {
                                    if (!f.isSuccess()) {
                                        c.close();
                                        return;
                                    }
                                    c.pipeline().addLast(new Pump(f.channel()));
                                    c.config().setAutoRead(true);
                                });
                    }
                })
                .bind("127.0.0.1", listen)
                .sync();
        System.err.println("relay up (" + (uring ? "io_uring" : "epoll") + " transport): 127.0.0.1:" + listen
                + " -> 127.0.0.1:" + origin);
        Thread.currentThread().join();
    }

    /** Writes what one side reads to the other, flushing once per read batch, as a proxy would. */
    private static final class Pump extends ChannelInboundHandlerAdapter {
        private final Channel peer;
        private boolean unflushed;

        Pump(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.write(msg, peer.voidPromise());
            unflushed = true;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (unflushed) {
                unflushed = false;
                peer.flush();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            peer.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
