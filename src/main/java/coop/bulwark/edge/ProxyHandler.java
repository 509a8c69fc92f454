package coop.bulwark.edge;

import coop.bulwark.challenge.ChallengeOutcome;
import coop.bulwark.metrics.SiteMeters;
import coop.bulwark.protect.SiteGuard;
import coop.bulwark.protect.Verdict;
import coop.bulwark.site.BanPolicy.BanAction;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The last handler of a client pipeline: turns each request into a {@link ProxyExchange}. Sits after the HTTP codec
 * on an HTTP/1.1 connection, or after the stream codec on each HTTP/2 stream channel:
 *
 * <pre>
 * HTTP/1.1: ... → HttpServerCodec → HttpTimeoutHandler → ProxyHandler
 * HTTP/2:   ... → Http2FrameCodec → Http2MultiplexHandler ⇒ (per stream) Http2StreamFrameToHttpObjectCodec
 *                                                              → HttpTimeoutHandler → ProxyHandler
 * </pre>
 *
 * <p>On HTTP/1.1 it serves one request at a time: pipelined requests wait in a small queue (reading pauses when it
 * grows) and are answered in order. It also owns keep-alive: the per-connection request cap and draining on
 * shutdown. Not sharable; event-loop confined.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter {
    /** Decoded messages held for pipelined requests before reading is paused. */
    private static final int MAX_QUEUED = 32;

    private final EdgeRuntime runtime;
    private final boolean multiplexed;
    private final String scheme;
    private ChannelHandlerContext ctx;
    private HttpTimeoutHandler timeouts;
    private ProxyExchange current;
    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    private boolean discardingBody;
    /** A challenge answer whose body is being read (the challenge endpoint answers once it is in). */
    private ChallengeStage.Answer answer;

    private boolean closing;
    private int requests;
    private boolean pausedForOrigin;
    private boolean pausedForQueue;
    private boolean inRead;

    /**
     * @param multiplexed true on an HTTP/2 stream channel (one request, no keep-alive framing)
     * @param scheme {@code http} or {@code https}, as the client connected
     */
    ProxyHandler(EdgeRuntime runtime, boolean multiplexed, String scheme) {
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
        return !closing
                && !runtime.draining()
                && requests < runtime.snapshot().config().connections().maxRequestsPerConnection();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.timeouts = ctx.pipeline().get(HttpTimeoutHandler.class);
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
        if (answer != null) {
            boolean last = content instanceof LastHttpContent;
            answer.add(content);
            if (last) {
                ChallengeStage.Answer a = answer;
                answer = null;
                challenged(a.request(), a.admitted(), null, a.finish(), false);
                maybeContinue();
            }
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
        DecoderResult dr = req.decoderResult();
        if (dr.isFailure()) {
            Throwable cause = dr.cause();
            HttpResponseStatus s = cause instanceof TooLongHttpLineException
                    ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException
                            ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                            : HttpResponseStatus.BAD_REQUEST;
            logRefused(req, s);
            respondAndMaybeClose(
                    s, s == HttpResponseStatus.BAD_REQUEST ? "malformed request" : "request too large", true);
            return;
        }
        ClientInfo info = ClientInfo.of(ctx.channel());
        EdgeSnapshot snap = runtime.snapshot();
        Admission a = RequestAdmission.admit(req, snap, info);
        switch (a) {
            case Admission.Refused r -> {
                discardingBody = !(req instanceof FullHttpRequest);
                logRefused(req, r.status());
                respondAndMaybeClose(r.status(), r.reason(), r.close());
            }
            case Admission.Admitted ok -> admitted(req, ok, info, snap);
        }
    }

    /** A routed request: the protection verdict, then the exchange (cache, bulkhead, origin). */
    private void admitted(HttpRequest req, Admission.Admitted ok, ClientInfo info, EdgeSnapshot snap) {
        boolean full = req instanceof FullHttpRequest;
        boolean hasBody = !full
                && (HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0 || multiplexed);
        Site site = ok.site();
        boolean cacheOnly = false;
        Runnable onEnd = null;
        var protection = snap.config().protection();
        SiteGuard guard = site.guard();
        byte[] addr =
                ok.client() == info.client() ? info.clientBytes() : ok.client().getAddress();
        RequestTraits traits = RequestTraits.of(req, guard.index(), addr, false);
        if (protection.enabled()) {
            Verdict v = runtime.gatekeeper().decide(site.name(), guard.index(), guard.policy(), addr, protection);
            switch (v) {
                case Verdict.Limit limit -> {
                    refuseByVerdict(
                            req, ok, traits, HttpResponseStatus.TOO_MANY_REQUESTS, limit.retryAfterSeconds(), false);
                    return;
                }
                case Verdict.Ban ban -> {
                    banned(req, ok, traits, ban);
                    return;
                }
                case Verdict.CacheOnly c -> cacheOnly = true;
                case Verdict.Pass p -> {}
            }
            // The challenge (page, answers, limits for requests without a cookie). Its vouched() is the cookie check:
            // whether this request carried a valid challenge cookie for its site and network.
            ChallengeOutcome challenge = runtime.challengeStage().decide(req, ok, addr, info.tls());
            traits = traits.withValidCookie(challenge.vouched());
            if (!(challenge instanceof ChallengeOutcome.Proceed)) {
                runtime.gatekeeper().release(guard.index(), addr);
                switch (challenge) {
                    case ChallengeOutcome.Limited l ->
                        refuseByVerdict(
                                req, ok, traits, HttpResponseStatus.TOO_MANY_REQUESTS, l.retryAfterSeconds(), false);
                    case ChallengeOutcome.Respond r -> challenged(req, ok, traits, r, !full);
                    case ChallengeOutcome.ReadAnswer r -> {
                        answer = runtime.challengeStage().answer(req, ok, addr, info.tls(), r.maxBytes());
                        if (hasBody && timeouts != null) {
                            var limits = site.config().limits();
                            timeouts.expectBody(limits.minBodyBytesPerSecond(), limits.bodyGracePeriod());
                        }
                    }
                    case ChallengeOutcome.Proceed p -> throw new AssertionError();
                }
                return;
            }
            int index = guard.index();
            onEnd = () -> runtime.gatekeeper().release(index, addr);
        }
        if (!full && HttpUtil.is100ContinueExpected(req)) {
            // We answer Expect ourselves once the request is admitted (the origin never sees Expect).
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        if (hasBody && timeouts != null) {
            var limits = site.config().limits();
            timeouts.expectBody(limits.minBodyBytesPerSecond(), limits.bodyGracePeriod());
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req); // read before toOrigin edits the header block
        var originReq = ForwardedHeaders.toOrigin(req, ok, info, scheme, hasBody);
        ExchangeCache cache = ExchangeCache.plan(runtime.cacheStage(), site, req, ok, cacheOnly, hasBody);
        current = new ProxyExchange(this, ctx, runtime, ok, req, keepAlive, originReq, hasBody, cache, onEnd, traits);
        current.start();
    }

    /** 429 (rate or concurrency limit) with Retry-After; the connection stays open for the next request. */
    private void refuseByVerdict(
            HttpRequest req,
            Admission.Admitted ok,
            RequestTraits traits,
            HttpResponseStatus s,
            long retryAfterSeconds,
            boolean close) {
        discardingBody = !(req instanceof FullHttpRequest);
        if (traits != null) {
            traits.record(runtime, ctx.channel().eventLoop(), s.code(), 0, -1);
        }
        SiteMeters m = ok.site().meters();
        m.verdict(SiteMeters.VerdictLabel.LIMIT);
        m.status(s.code());
        logVerdict(req, ok, s.code(), "limit");
        boolean closeNow = !multiplexed && (close || !mayKeepAlive());
        var r = EdgeResponses.error(ctx.alloc(), s, "too many requests, please slow down", closeNow, retryAfterSeconds);
        var f = ctx.writeAndFlush(r);
        if (closeNow) {
            closeAfter(f);
        }
    }

    /**
     * A response of the challenge (its page, a message, a redirect after an answer); keep-alive as usual.
     * {@code bodyUnread}: the request's body (if any) is still to come and nobody reads it. {@code traits}: for
     * detection, null for an answer (its request was already counted when it was read).
     */
    private void challenged(
            HttpRequest req,
            Admission.Admitted ok,
            RequestTraits traits,
            ChallengeOutcome outcome,
            boolean bodyUnread) {
        if (outcome instanceof ChallengeOutcome.Limited l) {
            refuseByVerdict(req, ok, traits, HttpResponseStatus.TOO_MANY_REQUESTS, l.retryAfterSeconds(), false);
            return;
        }
        if (!(outcome instanceof ChallengeOutcome.Respond r)) {
            throw new IllegalStateException("challenge answer: " + outcome);
        }
        // For detection the challenge page is a refusal the client can overcome, not a failure of the site: its 503
        // (sent so that search engines come back later) must not read as the origin suffering.
        if (traits != null) {
            traits.record(runtime, ctx.channel().eventLoop(), r.status() == 503 ? 403 : r.status(), 0, -1);
        }
        if (bodyUnread) {
            discardingBody = true; // e.g. a form posted without a cookie
        }
        SiteMeters m = ok.site().meters();
        m.verdict(SiteMeters.VerdictLabel.CHALLENGE);
        m.status(r.status());
        logVerdict(req, ok, r.status(), r.verdict());
        boolean closeNow = !multiplexed && !mayKeepAlive();
        var f = ctx.writeAndFlush(ChallengeStage.response(
                ctx.alloc(), r, req.method() == io.netty.handler.codec.http.HttpMethod.HEAD, closeNow));
        if (closeNow) {
            closeAfter(f);
        }
    }

    /** A source banned while connected (an automatic ban, or one added since it connected). */
    private void banned(HttpRequest req, Admission.Admitted ok, RequestTraits traits, Verdict.Ban ban) {
        traits.record(runtime, ctx.channel().eventLoop(), ban.action() == BanAction.REJECT ? 403 : 0, 0, -1);
        SiteMeters m = ok.site().meters();
        m.verdict(SiteMeters.VerdictLabel.BAN);
        switch (ban.action()) {
            case REJECT -> {
                m.status(403);
                logVerdict(req, ok, 403, "ban");
                var r = EdgeResponses.error(
                        ctx.alloc(), HttpResponseStatus.FORBIDDEN, "your address is blocked for a while", true);
                if (multiplexed) {
                    ctx.writeAndFlush(r);
                } else {
                    closeAfter(ctx.writeAndFlush(r));
                }
            }
            case CLOSE -> {
                logVerdict(req, ok, 0, "ban");
                closing = true;
                (multiplexed ? ctx.channel().parent() : ctx.channel()).close();
            }
            case TARPIT -> {
                logVerdict(req, ok, 0, "ban");
                closing = true;
                var ch = multiplexed ? ctx.channel().parent() : ctx.channel();
                ch.config().setAutoRead(false);
                ch.eventLoop()
                        .schedule(
                                () -> ch.close(), ConnectionGate.TARPIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    private void logVerdict(HttpRequest req, Admission.Admitted ok, int status, String verdict) {
        logAnswered(req, ok.site().name(), ok.client().getHostAddress(), ok.originUri(), status, verdict);
    }

    /** Access-log line for a request the edge answered itself (no origin was contacted). */
    private void logAnswered(HttpRequest req, String site, String client, String path, int status, String verdict) {
        if (!AccessLog.enabled()) {
            return;
        }
        AccessLog.write(new AccessLog.Entry(
                runtime.epochMillis(),
                site,
                client,
                req.method().name(),
                path,
                status,
                0,
                -1,
                0,
                protocolName(),
                verdict));
    }

    /** Access-log line for a request the edge answered itself before routing it to a site. */
    private void logRefused(HttpRequest req, HttpResponseStatus s) {
        runtime.metrics().unrouted().verdict(coop.bulwark.metrics.SiteMeters.VerdictLabel.REJECT);
        runtime.metrics().unrouted().status(s.code());
        ClientInfo info = ClientInfo.of(ctx.channel());
        String uri = req.uri();
        logAnswered(
                req,
                null,
                info == null ? null : info.clientText(),
                uri.length() > 256 ? uri.substring(0, 256) + "..." : uri,
                s.code(),
                "reject");
    }

    private void respondAndMaybeClose(HttpResponseStatus s, String reason, boolean close) {
        // On an HTTP/2 stream the response ends the stream; the connection carries on.
        boolean closeNow = !multiplexed && (close || !mayKeepAlive());
        var r = EdgeResponses.error(ctx.alloc(), s, reason, closeNow);
        var f = ctx.writeAndFlush(r);
        if (closeNow) {
            closeAfter(f);
        }
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
        if (current != null) {
            current.onClientClosed();
        }
        for (Object m; (m = queued.poll()) != null; ) {
            ReferenceCountUtil.release(m);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == EdgeEvents.CLOSING) {
            closing = true;
            if (current != null) {
                current.onClientClosed();
            }
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
    void exchangeDone(ProxyExchange ex, boolean keepAlive) {
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
        }
    }

    /** Cuts the connection (HTTP/1.1) or resets the stream (HTTP/2): a truncated response must not look complete. */
    void abortConnection() {
        closing = true;
        ctx.close();
    }

    /** Whether a request is being served right now (for draining). */
    boolean busy() {
        return current != null;
    }
}
