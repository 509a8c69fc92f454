package coop.bulwark.edge;

import coop.bulwark.proxy.EdgeEvents;
import coop.bulwark.proxy.EdgeRuntime;
import coop.bulwark.proxy.HttpTimeoutHandler;
import coop.bulwark.proxy.ProxyHandler;
import coop.bulwark.proxy.StrictHttpServerCodec;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * Builds the HTTP part of client pipelines once the protocol is known (from ALPN, or from the first bytes on the
 * clear-text port). Limits are read from the current snapshot when a connection starts, so a reload applies to new
 * connections.
 */
final class EdgePipelines {
    /** Room in the request line for the method and version around the request target. */
    private static final int REQUEST_LINE_SLACK = 32;

    private final EdgeRuntime runtime;

    EdgePipelines(EdgeRuntime runtime) {
        this.runtime = runtime;
    }

    void addHttp1(ChannelPipeline p, String scheme) {
        var c = runtime.snapshot().config().connections();
        var decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(c.maxUriBytes() + REQUEST_LINE_SLACK)
                .setMaxHeaderSize(c.maxHeaderBytes())
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true);
        p.addLast("http", new StrictHttpServerCodec(decoder));
        p.addLast("timeouts", new HttpTimeoutHandler(runtime));
        p.addLast("proxy", new ProxyHandler(runtime, false, scheme));
    }

    void addHttp2(ChannelPipeline p, String scheme) {
        var snap = runtime.snapshot().config();
        var h2 = snap.http2();
        var c = snap.connections();
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(h2.maxConcurrentStreams())
                        .maxHeaderListSize(c.maxHeaderBytes()))
                // CVE-2023-44487: a client resetting streams faster than this gets GOAWAY(ENHANCE_YOUR_CALM).
                .decoderEnforceMaxRstFramesPerWindow(h2.maxResetsPerSecond(), 1)
                .validateHeaders(true)
                .gracefulShutdownTimeoutMillis(snap.drainTimeout().toMillis())
                .build();
        p.addLast("h2", codec);
        p.addLast("h2-idle", new IdleStateHandler(0, 0, c.idleTimeout().toNanos(), TimeUnit.NANOSECONDS));
        p.addLast("h2-conn", new Http2ConnectionEvents());
        int maxStreams = c.maxRequestsPerConnection();
        p.addLast("h2-mux", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            private int streams; // confined to the connection's event loop

            @Override
            protected void initChannel(Http2StreamChannel ch) {
                if (++streams == maxStreams) {
                    // Request cap reached: GOAWAY now; this stream and those already open still complete.
                    ch.parent().close();
                }
                ch.pipeline()
                        .addLast("http", new Http2StreamFrameToHttpObjectCodec(true))
                        .addLast("timeouts", new HttpTimeoutHandler(runtime))
                        .addLast("proxy", new ProxyHandler(runtime, true, scheme));
            }
        }));
    }

    /**
     * Connection-level events of an HTTP/2 connection: closes it gracefully (GOAWAY, then waits for open streams) when
     * idle for the keep-alive timeout or when the edge drains.
     */
    private static final class Http2ConnectionEvents extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent || evt == EdgeEvents.DRAIN) {
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
                // An HTTP/2 connection error: Http2FrameCodec passes it down the pipeline *before* it sends its own
                // GOAWAY with the error's code (ENHANCE_YOUR_CALM for rapid reset, CVE-2023-44487; PROTOCOL_ERROR...)
                // and closes. Closing here first sent a graceful GOAWAY(NO_ERROR) instead, and the codec's GOAWAY
                // was then dropped (one per last-stream-id): abusive clients were told nothing was wrong.
                return;
            }
            ctx.close();
        }
    }
}
