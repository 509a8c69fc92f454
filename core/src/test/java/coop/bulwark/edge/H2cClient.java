package coop.bulwark.edge;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A minimal HTTP/2 prior-knowledge (h2c) client for tests, on Netty. Records the server's first SETTINGS and any
 * GOAWAY so tests can check what the edge advertised and why it ended a connection.
 */
final class H2cClient implements AutoCloseable {
    /**
     * @param body the first {@link #MAX_BODY_TEXT} bytes of the body as text
     * @param bodyBytes the full body length
     */
    record Response(int status, String body, long bodyBytes) {}

    /** Body bytes kept as text in a {@link Response}; longer bodies are only counted. */
    static final int MAX_BODY_TEXT = 64 * 1024;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final Channel channel;
    /** The server's first SETTINGS frame. */
    final CompletableFuture<Http2Settings> serverSettings = new CompletableFuture<>();
    /** The server's first GOAWAY: its error code. */
    final CompletableFuture<Long> goAwayError = new CompletableFuture<>();

    private final String scheme;

    H2cClient(InetSocketAddress addr) throws InterruptedException {
        this(addr, null, null);
    }

    /**
     * @param tls null for h2c with prior knowledge; else HTTP/2 over TLS with this client context (which must offer
     *     ALPN h2)
     * @param sni the server name to send in the handshake (with {@code tls}), or null for none
     */
    H2cClient(InetSocketAddress addr, SslContext tls, String sni) throws InterruptedException {
        this.scheme = tls == null ? "http" : "https";
        channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            ch.pipeline()
                                    .addLast(
                                            sni == null
                                                    ? tls.newHandler(ch.alloc())
                                                    : tls.newHandler(ch.alloc(), sni, addr.getPort()));
                        }
                        ch.pipeline()
                                .addLast(Http2FrameCodecBuilder.forClient()
                                        // Rapid-reset tests must be able to send as many RST_STREAM as they like.
                                        .encoderEnforceMaxRstFramesPerWindow(0, 0)
                                        .build())
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                                .addLast(new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        if (msg instanceof Http2SettingsFrame f) {
                                            serverSettings.complete(f.settings());
                                        } else if (msg instanceof Http2GoAwayFrame g) {
                                            goAwayError.complete(g.errorCode());
                                        }
                                        ReferenceCountUtil.release(msg);
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.close(); // a reset after the edge's GOAWAY is expected in abuse tests
                                    }
                                });
                    }
                })
                .connect(addr)
                .sync()
                .channel();
    }

    static Response get(InetSocketAddress addr, String authority, String path) throws Exception {
        try (H2cClient c = new H2cClient(addr)) {
            return c.request("GET", authority, path, null).get(10, TimeUnit.SECONDS);
        }
    }

    CompletableFuture<Response> request(String method, String authority, String path, byte[] body)
            throws InterruptedException {
        CompletableFuture<Response> result = new CompletableFuture<>();
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        int[] status = {0};
        long[] length = {0};
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        try {
                            if (msg instanceof Http2HeadersFrame h) {
                                if (h.headers().status() != null) {
                                    status[0] = Integer.parseInt(
                                            h.headers().status().toString());
                                }
                                if (h.isEndStream()) {
                                    result.complete(new Response(status[0], data.toString(), length[0]));
                                }
                            } else if (msg instanceof Http2DataFrame d) {
                                ByteBuf b = d.content();
                                length[0] += b.readableBytes();
                                int keep = Math.min(b.readableBytes(), MAX_BODY_TEXT - data.size());
                                if (keep > 0) {
                                    byte[] bytes = new byte[keep];
                                    b.readBytes(bytes);
                                    data.writeBytes(bytes);
                                }
                                if (d.isEndStream()) {
                                    result.complete(new Response(status[0], data.toString(), length[0]));
                                }
                            } else if (msg instanceof Http2ResetFrame r) {
                                result.completeExceptionally(new IllegalStateException("reset " + r.errorCode()));
                            }
                        } finally {
                            ReferenceCountUtil.release(msg);
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        result.completeExceptionally(new IllegalStateException("stream closed"));
                    }
                })
                .open()
                .sync()
                .getNow();
        var headers = new DefaultHttp2Headers()
                .method(method)
                .path(path)
                .scheme(scheme)
                .authority(authority);
        if (body == null) {
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
        } else {
            stream.write(new DefaultHttp2HeadersFrame(headers, false));
            stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
        }
        return result;
    }

    /**
     * Opens a stream with a complete GET and cancels it at once (HEADERS then RST_STREAM(CANCEL), one flush), as a
     * rapid-reset attacker does (CVE-2023-44487). Returns when both frames are written.
     */
    void openAndReset(String authority, String path) throws InterruptedException {
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(channel)
                .handler(new ChannelInboundHandlerAdapter())
                .open()
                .sync()
                .getNow();
        var headers = new DefaultHttp2Headers()
                .method("GET")
                .path(path)
                .scheme(scheme)
                .authority(authority);
        stream.write(new DefaultHttp2HeadersFrame(headers, true));
        stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL)).sync();
    }

    @Override
    public void close() {
        channel.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
