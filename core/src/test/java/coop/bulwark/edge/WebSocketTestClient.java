package coop.bulwark.edge;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * A real WebSocket client (Netty's client codecs) that connects to the edge on loopback and asks for {@code host} in
 * the handshake. Text frames received are queued; binary frames are only counted and checksummed in order (so a test
 * can move tens of megabytes without keeping them).
 */
final class WebSocketTestClient implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final Channel channel;
    /** Completes when the handshake succeeded; fails with the handshake's error (a non-101 answer, say). */
    final CompletableFuture<Void> handshake = new CompletableFuture<>();

    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final AtomicLong binaryBytes = new AtomicLong();
    /** CRC-32 of the binary payloads received so far, in order; written on the client's event loop only. */
    private final CRC32 binaryCrc = new CRC32();

    private volatile long crcValue;

    private WebSocketTestClient(InetSocketAddress edge, String host, String path, HttpHeaders extra)
            throws InterruptedException {
        var config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(URI.create("ws://" + host + path))
                .version(WebSocketVersion.V13)
                .customHeaders(extra)
                .maxFramePayloadLength(WebSocketOrigin.MAX_FRAME_BYTES)
                // Unmasked frames (the test origin accepts them): the edge relays bytes whatever they are, and
                // masking megabytes int by int under paranoid leak detection is what would take the time.
                .performMasking(false)
                .handshakeTimeoutMillis(10_000)
                .build();
        channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.SO_RCVBUF, 64 * 1024)
                .option(ChannelOption.SO_SNDBUF, 64 * 1024)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpClientCodec())
                                .addLast(new HttpObjectAggregator(64 * 1024))
                                .addLast(new WebSocketClientProtocolHandler(config))
                                .addLast(new Collector());
                    }
                })
                .connect(edge)
                .sync()
                .channel();
        channel.closeFuture()
                .addListener(
                        f -> handshake.completeExceptionally(new IllegalStateException("closed before handshake")));
    }

    /** Connects and starts the handshake (wait on {@link #handshake}). */
    static WebSocketTestClient connect(InetSocketAddress edge, String host, String path) throws InterruptedException {
        return connect(edge, host, path, new DefaultHttpHeaders());
    }

    static WebSocketTestClient connect(InetSocketAddress edge, String host, String path, HttpHeaders extra)
            throws InterruptedException {
        return new WebSocketTestClient(edge, host, path, extra);
    }

    /** Connects and waits for the handshake to succeed. */
    static WebSocketTestClient open(InetSocketAddress edge, String host, String path) throws Exception {
        var c = connect(edge, host, path);
        c.handshake.get(10, TimeUnit.SECONDS);
        return c;
    }

    ChannelFuture sendText(String text) {
        return channel.writeAndFlush(new TextWebSocketFrame(text));
    }

    ChannelFuture sendBinary(ByteBuf payload) {
        return channel.writeAndFlush(new BinaryWebSocketFrame(payload));
    }

    String nextText() throws InterruptedException {
        return texts.poll(10, TimeUnit.SECONDS);
    }

    long binaryCrc() {
        return crcValue;
    }

    private final class Collector extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame t) {
                texts.add(t.text());
            } else if (frame instanceof BinaryWebSocketFrame b) {
                ByteBuf c = b.content();
                binaryCrc.update(c.nioBuffer());
                crcValue = binaryCrc.getValue();
                binaryBytes.addAndGet(c.readableBytes());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                handshake.complete(null);
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            handshake.completeExceptionally(cause);
            ctx.close();
        }
    }

    @Override
    public void close() {
        if (group.isShuttingDown()) {
            return;
        }
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
