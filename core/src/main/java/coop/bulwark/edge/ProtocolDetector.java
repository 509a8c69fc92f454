package coop.bulwark.edge;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * On the clear-text listener, tells HTTP/2 with prior knowledge (RFC 9113 §3.3: the connection starts with the
 * client preface) from HTTP/1.1 by the first bytes, then replaces itself with the matching pipeline. Bytes read so
 * far are handed on to that pipeline unchanged.
 */
final class ProtocolDetector extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final EdgePipelines pipelines;
    private final String scheme;
    private final long timeoutNanos;
    private ScheduledFuture<?> timeout;

    ProtocolDetector(EdgePipelines pipelines, String scheme, Duration headerTimeout) {
        this.pipelines = pipelines;
        this.scheme = scheme;
        this.timeoutNanos = headerTimeout.toNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // A connection that never sends a byte must not be held open: the header timeout runs from accept.
        timeout = ctx.executor().schedule(() -> ctx.close(), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != PREFACE.getByte(PREFACE.readerIndex() + i)) {
                pipelines.addHttp1(ctx.pipeline(), scheme);
                ctx.pipeline().remove(this);
                return;
            }
        }
        if (n == PREFACE.readableBytes()) {
            pipelines.addHttp2(ctx.pipeline(), scheme);
            ctx.pipeline().remove(this);
        }
    }
}
