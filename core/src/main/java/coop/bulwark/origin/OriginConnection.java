package coop.bulwark.origin;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;

/**
 * One keep-alive HTTP/1.1 connection to an origin, and the last handler of its pipeline ({@link OriginCodec} →
 * OriginConnection). While an exchange holds it, reads go to that exchange's {@link OriginListener}; while it is idle
 * in the {@link OriginPool}, any read or close makes it unusable and it leaves the pool.
 *
 * <p>Event-loop confined: created, used and released on one event loop.
 */
public final class OriginConnection extends ChannelInboundHandlerAdapter {
    private final Origin origin;
    private final OriginPool pool;
    private Channel channel;
    private OriginListener listener;
    private boolean reused;
    private boolean broken;
    private long idleSinceNanos;

    OriginConnection(Origin origin, OriginPool pool) {
        this.origin = origin;
        this.pool = pool;
    }

    public Origin origin() {
        return origin;
    }

    public Channel channel() {
        return channel;
    }

    /** Whether this connection served an earlier request: such a connection may be closed by the origin under us. */
    public boolean reused() {
        return reused;
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }

    /** The origin said it will close this connection (Connection: close): do not pool it. */
    public void markNotReusable() {
        broken = true;
    }

    public void attach(OriginListener l) {
        this.listener = l;
    }

    /** Detaches the exchange; the connection goes back to the pool when {@code reusable}, else it is closed. */
    public void release(boolean reusable, long nowNanos) {
        listener = null;
        if (reusable && !broken && channel.isActive()) {
            reused = true;
            idleSinceNanos = nowNanos;
            if (!channel.config().isAutoRead()) {
                channel.config().setAutoRead(true);
            }
            pool.offer(this);
        } else {
            channel.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        OriginListener l = listener;
        if (l == null) {
            // Bytes from an idle origin connection (a late response, or an error page before closing): never
            // hand them to the next request.
            ReferenceCountUtil.release(msg);
            broken = true;
            ctx.close();
            return;
        }
        HttpObject obj = (HttpObject) msg;
        if (obj.decoderResult().isFailure()) {
            ReferenceCountUtil.release(msg);
            broken = true;
            listener = null;
            l.onOriginFailure(new IOException(
                    "malformed response from origin: " + obj.decoderResult().cause()));
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse r) {
            // 1xx interim responses (100 Continue, 103 Early Hints) are not forwarded: we answer Expect ourselves.
            if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL
                    && r.status().code() != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            l.onResponseHead(r);
        }
        if (msg instanceof HttpContent c) {
            l.onResponseContent(c);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        OriginListener l = listener;
        if (l != null) {
            l.onOriginReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        OriginListener l = listener;
        if (l != null && ctx.channel().isWritable()) {
            l.onOriginWritable();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        broken = true;
        OriginListener l = listener;
        listener = null;
        if (l != null) {
            l.onOriginFailure(new IOException("origin " + origin.configured() + " closed the connection"));
        } else {
            pool.remove(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        broken = true;
        OriginListener l = listener;
        listener = null;
        if (l != null) {
            l.onOriginFailure(cause);
        }
        ctx.close();
    }
}
