package coop.bulwark.edge;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real WebSocket server on a loopback ephemeral port (Netty's server codecs): {@code /ws} upgrades and echoes every
 * data frame back; {@code /no} refuses the upgrade with a plain 403; anything else is 404. Its reading can be paused
 * to make the edge feel backpressure, and it remembers the handshake headers it received.
 */
final class WebSocketOrigin implements AutoCloseable {
    static final int MAX_FRAME_BYTES = 4 * 1024 * 1024;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    /** The open (upgraded or not) connections from the edge. */
    final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    /** The last handshake's request headers, names lower case. */
    final Map<String, String> lastHandshake = new ConcurrentHashMap<>();

    private volatile boolean paused;

    WebSocketOrigin() throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                // Small fixed buffers (no autotuning): backpressure shows after a few hundred kilobytes, not megabytes.
                .childOption(ChannelOption.SO_RCVBUF, 64 * 1024)
                .childOption(ChannelOption.SO_SNDBUF, 64 * 1024)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        if (paused) {
                            ch.config().setAutoRead(false);
                        }
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(64 * 1024))
                                .addLast(new Refuser())
                                .addLast(new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                                        .websocketPath("/ws")
                                        .decoderConfig(WebSocketDecoderConfig.newBuilder()
                                                .maxFramePayloadLength(MAX_FRAME_BYTES)
                                                // The client does not mask (see WebSocketTestClient): unmasking
                                                // megabytes int by int under paranoid leak detection takes minutes.
                                                .allowMaskMismatch(true)
                                                .build())
                                        .build()))
                                .addLast(new Echo());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
    }

    String hostPort() {
        return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Stops (or resumes) reading on every connection from the edge, and on new ones. */
    void pause(boolean pause) {
        paused = pause;
        for (Channel ch : connections) {
            ch.eventLoop().execute(() -> ch.config().setAutoRead(!pause));
        }
    }

    /** Whether some connection from the edge cannot take more writes now (the edge stopped reading it). */
    boolean anyUnwritable() {
        for (Channel ch : connections) {
            if (!ch.isWritable()) {
                return true;
            }
        }
        return false;
    }

    /** Answers what is not a handshake on {@code /ws}; remembers handshake headers. */
    private final class Refuser extends SimpleChannelInboundHandler<FullHttpRequest> {
        Refuser() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (req.uri().startsWith("/ws")) {
                lastHandshake.clear();
                req.headers().forEach(e -> lastHandshake.put(e.getKey().toLowerCase(), e.getValue()));
                ctx.fireChannelRead(req);
                return;
            }
            boolean refuse = req.uri().startsWith("/no");
            req.release();
            var body = Unpooled.copiedBuffer(refuse ? "no websockets here" : "not found", StandardCharsets.UTF_8);
            var resp = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, refuse ? HttpResponseStatus.FORBIDDEN : HttpResponseStatus.NOT_FOUND, body);
            resp.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            ctx.writeAndFlush(resp);
        }
    }

    /** Sends every data frame back as it came (text as text, binary as binary). */
    private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        Echo() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            ctx.writeAndFlush(frame);
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        connections.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
