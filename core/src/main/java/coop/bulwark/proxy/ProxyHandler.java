package coop.bulwark.proxy;

import coop.bulwark.cache.CacheEntry;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The last handler of a client pipeline, and the relay's front: asks the {@link DecisionChain} about each request
 * head and carries the {@link Decision} out: answers refusals, bans and the challenge itself, and hands a posted
 * challenge answer to an {@link AnswerExchange} and a forwarded request to a {@link ProxyExchange} (each an
 * {@link Exchange}: the one request in progress, which gets the request's body). Each request's {@link RequestLog} is completed
 * exactly once, by whichever of them ends it. Sits after the HTTP codec on an HTTP/1.1 connection, or after the
 * stream codec on each HTTP/2 stream channel:
 *
 * <pre>
 * HTTP/1.1: ... → StrictHttpServerCodec → HttpTimeoutHandler → ProxyHandler
 * HTTP/2:   ... → Http2FrameCodec → Http2MultiplexHandler ⇒ (per stream) Http2StreamFrameToHttpObjectCodec
 *                                                              → HttpTimeoutHandler → ProxyHandler
 * </pre>
 *
 * <p>On HTTP/1.1 it serves one request at a time: pipelined requests wait in a small queue (reading pauses when it
 * grows) and are answered in order. It also owns keep-alive: the per-connection request cap and draining on
 * shutdown. Not sharable; event-loop confined.
 */
public final class ProxyHandler extends ChannelInboundHandlerAdapter {
    /** Decoded messages held for pipelined requests before reading is paused. */
    private static final int MAX_QUEUED = 32;

    private final EdgeRuntime runtime;
    private final boolean multiplexed;
    private final String scheme;
    private ChannelHandlerContext ctx;
    /** This connection's event loop: its origin pool and its detection recorder's index. */
    private EdgeRuntime.Loop loop;

    private HttpTimeoutHandler timeouts;
    /** The request in progress: a forwarded request, or a posted answer being read; null between requests. */
    private Exchange current;

    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    private boolean discardingBody;

    private boolean closing;

    /** Whether the request being answered lets the connection stay open (its Connection header, its version). */
    private boolean clientKeepAlive = true;

    private int requests;
    private boolean pausedForOrigin;
    private boolean pausedForQueue;
    private boolean inRead;

    /**
     * @param multiplexed true on an HTTP/2 stream channel (one request, no keep-alive framing)
     * @param scheme {@code http} or {@code https}, as the client connected
     */
    public ProxyHandler(EdgeRuntime runtime, boolean multiplexed, String scheme) {
        this.runtime = runtime;
        this.multiplexed = multiplexed;
        this.scheme = scheme;
    }

    boolean multiplexed() {
        return multiplexed;
    }

    String protocolName() {
        return multiplexed ? "h2" : "http/1.1";
    }

    /** Whether the connection may serve another request after this one. */
    boolean mayKeepAlive() {
        return clientKeepAlive
                && !closing
                && !runtime.draining()
                && requests < runtime.snapshot().config().connections().maxRequestsPerConnection();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timeouts = ctx.pipeline().get(HttpTimeoutHandler.class);
        this.loop = runtime.loop(ctx.channel().eventLoop());
    }

    /** Whether a read burst from the client is being processed (a flush to the origin follows at its end). */
    boolean inClientRead() {
        return inRead;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        inRead = true;
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!queued.isEmpty() || (msg instanceof HttpRequest && current != null)) {
            queued.add(msg);
            if (queued.size() >= MAX_QUEUED && !pausedForQueue) {
                pausedForQueue = true;
                updateAutoRead();
            }
            return;
        }
        dispatch(msg);
    }

    private void dispatch(Object msg) {
        if (msg instanceof HttpRequest req) {
            startRequest(req);
            if (msg instanceof FullHttpRequest full) {
                // The stream codec gives a whole request for a HEADERS frame with END_STREAM: pass its (empty) body
                // on as the last content, keeping ownership of the buffer.
                bodyPart(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
            }
            return;
        }
        if (msg instanceof HttpContent content) {
            bodyPart(content);
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    private void bodyPart(HttpContent content) {
        if (content.decoderResult().isFailure()
                || content instanceof LastHttpContent end && ForbiddenTrailers.any(end.trailingHeaders())) {
            // A body the codec could not frame (a malformed chunk size, an overlong chunk line), or one ending in
            // trailers that would frame, route or authenticate it after the fact: where it ends or what it means is
            // unknowable, so nothing of it may pass for a complete body and the connection cannot carry another
            // request.
            content.release();
            malformedBody();
            return;
        }
        if (current != null && !current.requestComplete() && !discardingBody) {
            boolean last = content instanceof LastHttpContent;
            current.onClientContent(content);
            if (last && current != null && current.isDone()) {
                maybeContinue();
            }
            return;
        }
        // Body of a request we refused (or of one whose exchange already ended): drop it until its end.
        boolean last = content instanceof LastHttpContent;
        content.release();
        if (last) {
            discardingBody = false;
            maybeContinue();
        }
    }

    private void startRequest(HttpRequest req) {
        requests++;
        // The client's own wish (Connection: close, HTTP/1.0 without keep-alive) ends the connection after this
        // request's answer, whoever writes it (RFC 9112 section 9.6); read before anything edits the header block.
        var head = new NettyRequestHead(req, multiplexed);
        clientKeepAlive = multiplexed || head.keepAlive();
        ClientInfo info = ClientInfoKey.of(ctx.channel());
        EdgeSnapshot snap = runtime.snapshot(); // the request keeps this snapshot to its end
        String client = info == null ? null : info.clientText();
        var log = new RequestLog(
                runtime.metrics(),
                runtime.recorders(),
                loop.index(),
                protocolName(),
                runtime.nanoTime(),
                runtime.epochMillis(),
                req.method().name(),
                req.uri(),
                client);
        Decision decision = info == null
                ? new Decision.Refuse(400, "malformed request", true, 0)
                : runtime.chain().decide(head, info, snap, log);
        carryOut(decision, head, info, snap, log);
    }

    /** Carries out the chain's decision on a request whose head was just read. */
    private void carryOut(
            Decision decision, NettyRequestHead head, ClientInfo info, EdgeSnapshot snap, RequestLog log) {
        HttpRequest req = head.request();
        switch (decision) {
            case Decision.Refuse r -> {
                discardingBody = !head.complete();
                refuse(r, log);
            }
            case Decision.Ban b -> banned(b, log);
            case Decision.Challenge c -> {
                discardingBody = head.hasBody(); // e.g. a form posted without a cookie: its body is not read
                challenged(c, req.method() == HttpMethod.HEAD, log);
            }
            case Decision.ReadAnswer r -> {
                current = new AnswerExchange(this, runtime.chain(), r, log);
                expectBody(head, r.admitted().site());
            }
            case Decision.Forward f -> forward(f, head, info, snap, log);
        }
    }

    /** A request the chain sends on: the exchange (cache, bulkhead, origin). */
    private void forward(
            Decision.Forward f, NettyRequestHead head, ClientInfo info, EdgeSnapshot snap, RequestLog log) {
        HttpRequest req = head.request();
        Admission.Admitted ok = f.admitted();
        boolean hasBody = head.hasBody();
        // Read before toOrigin edits the header block (it drops Expect and the hop-by-hop fields).
        boolean keepAlive = head.keepAlive();
        boolean expectContinue = head.expectsContinue();
        CacheStage stage = runtime.cacheStage();
        ExchangeCache cache = null;
        if (f.cache() != null) {
            // A stored response's Vary values are those of the request as the origin got it: the lookup sees the
            // fields as toOrigin will leave them, without the edit (a hit never goes to the origin). A request relayed
            // from its bytes is never edited, so the same view serves the exchange after toOrigin; any other has its
            // header block edited into the origin's request, which the plan's view then reads.
            var asSent = new OriginHeaderView(head, ok, info, scheme);
            cache = new ExchangeCache(
                    stage,
                    f.cache(),
                    ok.site().meters(),
                    ForwardedHeaders.relaysFromBytes(req) ? asSent : f.cache().requestHeaders());
            ExchangeCache.Serve now = cache.answerAtOnce(runtime.nanoTime(), asSent);
            if (now != null) {
                fromCache(f, req, now, log);
                return;
            }
        }
        var originReq = ForwardedHeaders.toOrigin(req, ok, info, scheme, hasBody);
        if (expectContinue) {
            // We answer Expect ourselves once the request is admitted (the origin never sees Expect).
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        expectBody(head, ok.site());
        Runnable onEnd = f.concurrencySlot() ? () -> runtime.chain().release(f) : null;
        WebSocketTunnel tunnel = null;
        if (f.upgrade() && multiplexed) {
            // HTTP/2 carries no Upgrade (its codec refuses connection-specific fields): a plain request after all.
            ok.site().guard().upgrades().release();
        } else if (f.upgrade()) {
            WebSocketTunnel.toOrigin(originReq);
            tunnel = new WebSocketTunnel(ok.site(), loop.pool().deadlines());
        }
        var exchange = new ProxyExchange(
                this, ctx, runtime, snap, loop.pool(), f, req, keepAlive, originReq, hasBody, cache, onEnd, log);
        exchange.upgrade(tunnel);
        current = exchange;
        exchange.start();
    }

    /**
     * A forwarded request the cache answers at once (a fresh copy, or a stale one while another request refreshes
     * it): written here, with no exchange started. A flood that busts a site's cache under attack is answered almost
     * entirely this way. Carries no body (the cache never plans for one).
     */
    private void fromCache(Decision.Forward f, HttpRequest req, ExchangeCache.Serve serve, RequestLog log) {
        CacheEntry entry = serve.entry();
        long now = runtime.nanoTime();
        boolean keepAlive = !multiplexed && clientKeepAlive && mayKeepAlive();
        runtime.chain().release(f);
        log.complete(entry.status(), HttpMethod.HEAD.equals(req.method()) ? 0 : entry.body().length, now);
        ChannelFuture last = CachedResponses.write(
                ctx,
                entry,
                req.method(),
                req.protocolVersion(),
                multiplexed,
                keepAlive,
                now,
                serve.label(),
                f.seenCookie());
        if (last != null) {
            closeAfter(last);
        }
    }

    /** Starts the body clock (minimum data rate) for a request whose body will be read. */
    private void expectBody(NettyRequestHead head, Site site) {
        if (head.hasBody() && timeouts != null) {
            var limits = site.config().limits();
            timeouts.expectBody(limits.minBodyBytesPerSecond(), limits.bodyGracePeriod());
        }
    }

    /**
     * An error of the edge's own (refused before routing, or a 429 with Retry-After). The connection stays open for
     * the next request unless the refusal says otherwise.
     */
    private void refuse(Decision.Refuse r, RequestLog log) {
        // On an HTTP/2 stream the response ends the stream; the connection carries on.
        boolean closeNow = !multiplexed && (r.close() || !mayKeepAlive());
        var resp = EdgeResponses.error(
                ctx.alloc(), HttpResponseStatus.valueOf(r.status()), r.reason(), closeNow, r.retryAfterSeconds());
        log.complete(r.status(), 0, runtime.nanoTime());
        var f = ctx.writeAndFlush(resp);
        if (closeNow) {
            closeAfter(f);
        }
    }

    /** A response of the challenge (its page, a message, a redirect after an answer); keep-alive as usual. */
    private void challenged(Decision.Challenge c, boolean head, RequestLog log) {
        var r = c.response();
        boolean closeNow = !multiplexed && !mayKeepAlive();
        log.complete(r.status(), 0, runtime.nanoTime());
        var f = ctx.writeAndFlush(ChallengeResponses.response(ctx.alloc(), r, head, closeNow));
        if (closeNow) {
            closeAfter(f);
        }
    }

    /** A source banned while connected (an automatic ban, or one added since it connected). */
    private void banned(Decision.Ban ban, RequestLog log) {
        log.complete(DecisionChain.banStatus(ban.action()), 0, runtime.nanoTime());
        switch (ban.action()) {
            case REJECT -> {
                var r = EdgeResponses.error(
                        ctx.alloc(), HttpResponseStatus.FORBIDDEN, "your address is blocked for a while", true);
                if (multiplexed) {
                    ctx.writeAndFlush(r);
                } else {
                    closeAfter(ctx.writeAndFlush(r));
                }
            }
            case CLOSE -> {
                closing = true;
                (multiplexed ? ctx.channel().parent() : ctx.channel()).close();
            }
            case TARPIT -> {
                closing = true;
                Tarpit.hold(multiplexed ? ctx.channel().parent() : ctx.channel());
            }
        }
    }

    /** Writes the chain's response to a posted answer whose body has been read ({@link AnswerExchange}). */
    void answer(Decision d, RequestLog log) {
        switch (d) {
            case Decision.Refuse r -> refuse(r, log);
            case Decision.Challenge c -> challenged(c, false, log);
            default -> throw new IllegalStateException("challenge answer: " + d);
        }
    }

    /** The request path's clock (the runtime's ticker). */
    long nanoTime() {
        return runtime.nanoTime();
    }

    /** Closes the connection (lingering) once {@code lastWrite} is flushed; on an HTTP/2 stream, just the stream. */
    void closeAfter(ChannelFuture lastWrite) {
        closing = true;
        discardingBody = true;
        pausedForOrigin = false;
        pausedForQueue = false;
        if (multiplexed) {
            lastWrite.addListener(f -> ctx.close());
        } else {
            LingeringClose.after(lastWrite);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inRead = false;
        if (current != null) {
            current.flushToOrigin();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && current != null) {
            current.onClientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        abandon();
        for (Object m; (m = queued.poll()) != null; ) {
            ReferenceCountUtil.release(m);
        }
        ctx.fireChannelInactive();
    }

    /** The request's body cannot be framed: 400 and close (the exchange in progress answers, if there is one). */
    private void malformedBody() {
        if (current != null && !current.isDone()) {
            current.onMalformedBody();
            return;
        }
        closing = true;
        ctx.close();
    }

    /** The connection is going away mid-request: the request in progress ends as the client's (499). */
    private void abandon() {
        if (current != null) {
            current.onClientClosed();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == EdgeEvents.CLOSING) {
            closing = true;
            abandon();
            return;
        }
        if (evt == EdgeEvents.DRAIN) {
            if (current == null && queued.isEmpty()) {
                closing = true;
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and broken pipes are routine at an edge; the close tells the exchange.
        ctx.close();
    }

    /** Called by the exchange when it has ended (response complete, error answered, or aborted). */
    void exchangeDone(Exchange ex, boolean keepAlive) {
        if (current != ex) {
            return;
        }
        if (!keepAlive && !multiplexed) {
            closing = true; // the exchange closes the connection once its last write is flushed
        }
        setPausedForOrigin(false);
        if (ex.requestComplete()) {
            current = null;
            maybeContinue();
        } else {
            // The rest of this request's body is still coming: drop it, then carry on.
            current = null;
            discardingBody = true;
        }
    }

    /** Serves the next queued request, if the connection is still usable. */
    private void maybeContinue() {
        if (current != null && !current.isDone()) {
            return;
        }
        if (current != null && current.isDone()) {
            current = null;
        }
        while (!closing && current == null && !queued.isEmpty()) {
            Object m = queued.poll();
            dispatch(m);
            while (!queued.isEmpty() && !(queued.peek() instanceof HttpRequest) && !closing) {
                dispatch(queued.poll());
            }
            if (current != null && !current.isDone()) {
                break;
            }
        }
        if (pausedForQueue && queued.size() < MAX_QUEUED / 2) {
            pausedForQueue = false;
            updateAutoRead();
        }
    }

    /**
     * The connection leaves HTTP (the origin accepted a WebSocket upgrade, {@link WebSocketTunnel}): this handler
     * starts nothing more and drops what it queued. Returns whether the client had sent nothing after the upgrade
     * request, as it must not before the 101.
     */
    boolean leaveHttp() {
        closing = true;
        boolean clean = queued.isEmpty() && !discardingBody;
        for (Object m; (m = queued.poll()) != null; ) {
            ReferenceCountUtil.release(m);
        }
        return clean;
    }

    /** The exchange's origin connection is full (or a body is held while connecting): stop reading the client. */
    void setPausedForOrigin(boolean paused) {
        if (pausedForOrigin != paused) {
            pausedForOrigin = paused;
            updateAutoRead();
        }
    }

    private void updateAutoRead() {
        boolean read = !pausedForOrigin && !pausedForQueue;
        if (ctx.channel().config().isAutoRead() != read) {
            ctx.channel().config().setAutoRead(read);
            if (read && ctx.channel().parent() != null) {
                // An HTTP/2 stream resuming writes its WINDOW_UPDATE on the connection but leaves the flush to the
                // end of the connection's read when one is in progress; on io_uring the origin's writability can come
                // between a read and its end, and a client that waits for the window sends nothing to end that read
                // (a 10 MiB upload stalled until the origin timeout). Flush it now.
                ctx.channel().parent().flush();
            }
        }
    }

    /** Cuts the connection (HTTP/1.1) or resets the stream (HTTP/2): a truncated response must not look complete. */
    void abortConnection() {
        closing = true;
        ctx.close();
    }
}
