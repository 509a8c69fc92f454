import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
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
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The floor of bench/proxy-throughput.sh's {@code floor} target: a TCP byte pump on Netty, one event loop, every client
 * connection relayed to its own connection to the origin. No HTTP at all (no parsing, no header rewriting, no
 * forwarding fields, no pooling decisions), so what it costs is what Netty and the kernel cost for a relayed
 * request: no Netty-based HTTP proxy can be cheaper on the same machine. Bulwark's figure against it is the price
 * of being an HTTP proxy with a defence; its figure against nginx is the most any Netty proxy could reach there.
 *
 * <p>With {@code --http} it is the floor of an HTTP/1.1 proxy that keeps heads as bytes: each request head is found,
 * its hop-by-hop and forwarding lines dropped and the four forwarding fields nginx is configured to set added, and each
 * response head is found, its hop-by-hop lines dropped and its {@code Content-Length} body relayed; nothing is decoded
 * into objects. That is the least work a lean relay could do, so the gap from the pump to it is the price of HTTP
 * itself and the gap from it to Bulwark what a lean relay could win. Only what the benchmark sends: requests without a
 * body, responses framed by {@code Content-Length}; anything else closes the connection.
 *
 * <p>Run from the repository root with the product's jar (which carries Netty):
 * {@code java @jvm.options -cp core/target/bulwark.jar bench/tools/ByteRelay.java LISTEN_PORT ORIGIN_PORT [--http]}.
 * It listens on 127.0.0.1 only, relays to 127.0.0.1 only, and runs until it is stopped.
 */
public final class ByteRelay {
    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3 || args.length == 3 && !args[2].equals("--http")) {
            System.err.println("usage: ByteRelay LISTEN_PORT ORIGIN_PORT [--http] (both on 127.0.0.1)");
            System.exit(2);
        }
        int listen = Integer.parseInt(args[0]);
        int origin = Integer.parseInt(args[1]);
        boolean http = args.length == 3;
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
                                .handler(http ? new Heads(c, false, null) : new Pump(c))
                                .connect("127.0.0.1", origin)
                                .addListener((ChannelFutureListener) f -> {
                                    if (!f.isSuccess()) {
                                        c.close();
                                        return;
                                    }
                                    String client = ((InetSocketAddress) c.remoteAddress())
                                            .getAddress()
                                            .getHostAddress();
                                    c.pipeline().addLast(http ? new Heads(f.channel(), true, client) : new Pump(f.channel()));
                                    c.config().setAutoRead(true);
                                });
                    }
                })
                .bind("127.0.0.1", listen)
                .sync();
        System.err.println("relay up (" + (uring ? "io_uring" : "epoll") + " transport" + (http ? ", http heads" : "")
                + "): 127.0.0.1:" + listen + " -> 127.0.0.1:" + origin);
        Thread.currentThread().join();
    }

    /** Writes what one side reads to the other, flushing once per read batch, as a proxy would. */
    private static class Pump extends ChannelInboundHandlerAdapter {
        final Channel peer;
        boolean unflushed;

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

    /**
     * One direction of {@code --http}: finds each head in what it reads, writes it to the peer without its hop-by-hop
     * lines (requests: without the client's forwarding lines, with the edge's), then relays the body its
     * {@code Content-Length} announces.
     */
    private static final class Heads extends Pump {
        private static final byte[][] DROP_ALWAYS = names("connection", "keep-alive", "proxy-connection", "te",
                "trailer", "upgrade", "proxy-authenticate", "proxy-authorization");
        private static final byte[][] DROP_REQUEST = names("x-forwarded-for", "x-real-ip", "x-forwarded-proto",
                "forwarded");
        private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
        private static final byte[] HOST = "host".getBytes(StandardCharsets.US_ASCII);
        private static final int MAX_HEAD = 64 * 1024;

        private final boolean requests;
        private final byte[] forwarding; // the request lines every request gets, but for Forwarded's host
        private final String client;
        private ByteBuf held; // bytes of a head not yet complete
        private long bodyLeft;

        Heads(Channel peer, boolean requests, String client) {
            super(peer);
            this.requests = requests;
            this.client = client;
            this.forwarding = client == null ? null
                    : ("X-Forwarded-For: " + client + "\r\nX-Real-IP: " + client + "\r\nX-Forwarded-Proto: http\r\n")
                            .getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            if (held != null) {
                held.writeBytes(in);
                in.release();
                in = held;
                held = null;
            }
            while (in.isReadable()) {
                if (bodyLeft > 0) {
                    int n = (int) Math.min(bodyLeft, in.readableBytes());
                    peer.write(in.readRetainedSlice(n), peer.voidPromise());
                    bodyLeft -= n;
                    unflushed = true;
                    continue;
                }
                if (!head(ctx, in)) {
                    if (in.readableBytes() > MAX_HEAD) {
                        in.release();
                        ctx.close();
                        return;
                    }
                    held = ctx.alloc().buffer(Math.max(1024, in.readableBytes() * 2));
                    held.writeBytes(in);
                    break;
                }
            }
            in.release();
        }

        /** Writes the head at the start of {@code in} to the peer and consumes it; false when it is not all here. */
        private boolean head(ChannelHandlerContext ctx, ByteBuf in) {
            int start = in.readerIndex();
            int end = in.writerIndex();
            ByteBuf out = ctx.alloc().buffer(in.readableBytes() + 160);
            int lf = in.indexOf(start, end, (byte) '\n');
            if (lf < 0) {
                out.release();
                return false;
            }
            out.writeBytes(in, start, lf + 1 - start); // request or status line
            long length = 0;
            int hostStart = -1;
            int hostEnd = -1;
            for (int line = lf + 1; ; line = lf + 1) {
                lf = in.indexOf(line, end, (byte) '\n');
                if (lf < 0) {
                    out.release();
                    return false;
                }
                int len = lf - line - (lf > line && in.getByte(lf - 1) == '\r' ? 1 : 0);
                if (len == 0) { // the empty line: the head ends
                    if (requests) {
                        out.writeBytes(forwarding);
                        out.writeCharSequence("Forwarded: for=" + client + ";proto=http;host="
                                + (hostStart < 0 ? "" : in.toString(hostStart, hostEnd - hostStart,
                                        StandardCharsets.US_ASCII)) + "\r\n", StandardCharsets.US_ASCII);
                    }
                    out.writeBytes(in, line, lf + 1 - line);
                    in.readerIndex(lf + 1);
                    peer.write(out, peer.voidPromise());
                    unflushed = true;
                    bodyLeft = length;
                    return true;
                }
                int colon = in.indexOf(line, line + len, (byte) ':');
                int nameLen = colon < 0 ? len : colon - line;
                if (is(in, line, nameLen, TRANSFER_ENCODING)) {
                    throw new IllegalStateException("chunked bodies are not relayed by this floor");
                }
                if (is(in, line, nameLen, CONTENT_LENGTH)) {
                    length = Long.parseLong(in.toString(colon + 1, line + len - colon - 1, StandardCharsets.US_ASCII)
                            .trim());
                } else if (requests && is(in, line, nameLen, HOST)) {
                    hostStart = colon + 1;
                    while (hostStart < line + len && in.getByte(hostStart) == ' ') {
                        hostStart++;
                    }
                    hostEnd = line + len;
                }
                if (!any(in, line, nameLen, DROP_ALWAYS) && !(requests && any(in, line, nameLen, DROP_REQUEST))) {
                    out.writeBytes(in, line, lf + 1 - line);
                }
            }
        }

        private static boolean any(ByteBuf b, int at, int len, byte[][] names) {
            for (byte[] n : names) {
                if (is(b, at, len, n)) {
                    return true;
                }
            }
            return false;
        }

        private static boolean is(ByteBuf b, int at, int len, byte[] lowerName) {
            if (len != lowerName.length) {
                return false;
            }
            for (int i = 0; i < len; i++) {
                byte c = b.getByte(at + i);
                if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != lowerName[i]) {
                    return false;
                }
            }
            return true;
        }

        private static byte[][] names(String... names) {
            byte[][] out = new byte[names.length][];
            for (int i = 0; i < names.length; i++) {
                out[i] = names[i].getBytes(StandardCharsets.US_ASCII);
            }
            return out;
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (held != null) {
                held.release();
                held = null;
            }
            super.channelInactive(ctx);
        }
    }
}
