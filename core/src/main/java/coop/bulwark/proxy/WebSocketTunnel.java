package coop.bulwark.proxy;

import coop.bulwark.origin.OriginCodec;
import coop.bulwark.origin.OriginConnection;
import coop.bulwark.origin.OriginDeadlines;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * One WebSocket upgrade (RFC 6455) from the decision to let it through to its close. It holds one of the site's
 * upgrade slots ({@code limits.max_websockets}) from the start: while the handshake is relayed by a
 * {@link ProxyExchange} like any request (bulkhead slot, failover, origin timeout; a refusal other than 101 goes back
 * as a normal response and gives the slot back through {@link #release}), and, once the origin answers 101, as the
 * tunnel both connections become. Then both leave HTTP and relay bytes as they come:
 *
 * <pre>
 * client: ... → StrictHttpServerCodec → HttpTimeoutHandler → ProxyHandler  ⇒  ... → Side (to the origin)
 * origin:       OriginCodec → OriginConnection                             ⇒        Side (to the client)
 * </pre>
 *
 * <p>Frames are not parsed: the edge vouched for the client at the handshake, and whatever extensions the two ends
 * agreed on pass through. Backpressure both ways: a side stops reading while its peer cannot take more writes (the
 * peer's write buffer over its high-water mark) and resumes when it can. A tunnel with no byte either way for the
 * site's {@code websocket_idle_timeout} is closed, swept with the loop's origin timeouts ({@link OriginDeadlines}) on
 * the runtime's clock. The handshake is the request: recorded (status 101) when the exchange ends, and the tunnel is
 * counted by the site's meters ({@code bulwark_websocket_upgrades}, {@code bulwark_websockets_open}).
 *
 * <p>A client must wait for the 101 before sending frames (RFC 6455 §4.1). One that does not has its early bytes
 * read by the HTTP codec: if they formed a request the tunnel is not opened (the connection closes); leading control
 * bytes the codec skips between requests are lost.
 *
 * <p>HTTP/1.1 only: HTTP/2's extended CONNECT (RFC 8441) is not offered. Event-loop confined: the client connection
 * and its origin connection share one event loop.
 */
final class WebSocketTunnel extends OriginDeadlines.Watched {
    private final Site site;
    private final OriginDeadlines deadlines;
    private final long idleTimeoutNanos;
    private Channel client;
    private Channel origin;
    private boolean holdsSlot = true;
    private boolean opened;
    private boolean closed;
    private long lastActivityNanos;

    /**
     * @param site the site whose upgrade slot the decision took
     * @param deadlines the event loop's sweep, which times the tunnel out when idle
     */
    WebSocketTunnel(Site site, OriginDeadlines deadlines) {
        this.site = site;
        this.deadlines = deadlines;
        this.idleTimeoutNanos = site.config().limits().websocketIdleTimeout().toNanos();
    }

    /**
     * Puts back the handshake's {@code Upgrade} and {@code Connection} fields, which the origin request lost with the
     * other hop-by-hop fields; the {@code Sec-WebSocket-*} fields are end-to-end and went through.
     */
    static void toOrigin(HttpRequest originRequest) {
        upgradeFields(originRequest.headers());
    }

    /** The handshake ended without a tunnel (refused, failed, abandoned): gives the site's slot back. Idempotent. */
    void release() {
        if (holdsSlot && !opened) {
            holdsSlot = false;
            site.guard().upgrades().release();
        }
    }

    /** The origin accepted: from here the slot is the tunnel's, released when it closes. */
    void accept() {
        opened = true;
    }

    /**
     * Writes the origin's 101 to the client and turns both connections into the tunnel. Called once the exchange has
     * ended (after {@link #accept}), from the origin connection's read of the 101.
     *
     * @param clientCtx the client pipeline's {@link ProxyHandler} context
     * @param proxy the client connection's handler, replaced by the tunnel
     * @param conn the origin connection that answered 101; it never goes back to its pool
     */
    void open(ChannelHandlerContext clientCtx, ProxyHandler proxy, OriginConnection conn, HttpResponse response) {
        client = clientCtx.channel();
        origin = conn.channel();
        site.meters().websocketOpened();
        if (!proxy.leaveHttp()) {
            // The client sent bytes before the 101 (RFC 6455 §4.1: it must wait): they were parsed as HTTP and are
            // lost, so the stream cannot be relayed faithfully.
            close();
            return;
        }
        HttpResponse out = ForwardedHeaders.toClient(response, HttpVersion.HTTP_1_1);
        upgradeFields(out.headers());
        clientCtx.write(out, clientCtx.voidPromise());
        clientCtx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, clientCtx.voidPromise());

        ChannelPipeline cp = client.pipeline();
        cp.replace(proxy, "websocket", new Side(origin));
        if (cp.get(HttpTimeoutHandler.class) != null) {
            cp.remove(HttpTimeoutHandler.class);
        }
        // Last: bytes the codec holds (a first frame sent right after the 101 was read) go on to the tunnel.
        cp.remove(StrictHttpServerCodec.class);
        ChannelPipeline op = origin.pipeline();
        op.replace(conn, "websocket", new Side(client));
        op.remove(OriginCodec.class);
        client.config().setAutoRead(true);
        origin.config().setAutoRead(true);
        lastActivityNanos = deadlines.coarseNanos();
        deadlines.watch(this);
        if (!client.isActive() || !origin.isActive()) {
            close(); // one end left before its Side was there to see it go
        }
    }

    private static void upgradeFields(HttpHeaders h) {
        h.set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }

    @Override
    protected boolean originSilentFor(long nowNanos) {
        return !closed && nowNanos - lastActivityNanos >= idleTimeoutNanos;
    }

    @Override
    protected void onOriginTimeout() {
        close();
    }

    /** Closes both connections (after what was already written), once; gives the slot back. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        deadlines.unwatch(this);
        site.meters().websocketClosed();
        if (holdsSlot) {
            holdsSlot = false;
            site.guard().upgrades().release();
        }
        closeAfterFlush(client);
        closeAfterFlush(origin);
    }

    private static void closeAfterFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    /** One end of the tunnel: what its connection reads goes to {@code peer}. */
    private final class Side extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Side(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf bytes = msg instanceof ByteBuf b ? b : msg instanceof ByteBufHolder h ? h.content() : null;
            if (closed || bytes == null || !bytes.isReadable()) {
                // The end of the 101's (empty) body from the origin's codec, or input after the close.
                ReferenceCountUtil.release(msg);
                return;
            }
            lastActivityNanos = deadlines.coarseNanos();
            peer.write(msg instanceof ByteBuf ? msg : bytes.retain(), peer.voidPromise());
            if (msg != bytes) {
                ReferenceCountUtil.release(msg);
            }
            if (!peer.isWritable()) {
                // The peer is slower than this side: stop reading until it drains (channelWritabilityChanged).
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable() && !closed) {
                peer.config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            close();
            ctx.fireChannelInactive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt == EdgeEvents.DRAIN || evt == EdgeEvents.CLOSING) {
                // A WebSocket client reconnects; holding the tunnel would only hold the shutdown to its deadline.
                close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Resets are routine; the close tells both ends.
            close();
        }
    }
}
