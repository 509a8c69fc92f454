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
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A minimal HTTP/2 prior-knowledge (h2c) client for tests, on Netty. */
final class H2cClient implements AutoCloseable {
    record Response(int status, String body) {}

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final Channel channel;

    H2cClient(InetSocketAddress addr) throws InterruptedException {
        channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(Http2FrameCodecBuilder.forClient().build())
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
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
                                    result.complete(new Response(status[0], data.toString()));
                                }
                            } else if (msg instanceof Http2DataFrame d) {
                                ByteBuf b = d.content();
                                byte[] bytes = new byte[b.readableBytes()];
                                b.readBytes(bytes);
                                data.writeBytes(bytes);
                                if (d.isEndStream()) {
                                    result.complete(new Response(status[0], data.toString()));
                                }
                            } else if (msg instanceof Http2ResetFrame r) {
                                result.completeExceptionally(new IllegalStateException("reset " + r.errorCode()));
                            }
                        } finally {
                            io.netty.util.ReferenceCountUtil.release(msg);
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
                .scheme("http")
                .authority(authority);
        if (body == null) {
            stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, true));
        } else {
            stream.write(new DefaultHttp2HeadersFrame(headers, false));
            stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
        }
        return result;
    }

    @Override
    public void close() {
        channel.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
