package coop.bulwark.proxy;

import coop.bulwark.cache.CacheEntry;
import coop.bulwark.cache.Outcome;
import coop.bulwark.metrics.SiteMeters;
import coop.bulwark.origin.Origin;
import coop.bulwark.origin.OriginConnection;
import coop.bulwark.origin.OriginDeadlines;
import coop.bulwark.origin.OriginHead;
import coop.bulwark.origin.OriginListener;
import coop.bulwark.origin.OriginPool;
import coop.bulwark.protect.BulkheadRejection;
import coop.bulwark.protect.BulkheadWaiter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forwarded request ({@link Decision.Forward}) relayed to an origin and its response relayed back, or answered
 * from the micro-cache ({@link ExchangeCache}): takes a slot in the site's bulkhead at its origin, picks an origin
 * (failing over on connect errors), streams the body both ways with backpressure, enforces the site's body limit and
 * origin timeout, retries once on a fresh connection when a pooled connection turns out to be closed before anything
 * was sent, and falls back to a stale copy when the origin fails. However it ends, it completes the request's
 * {@link RequestLog} once, in {@link #end}, and works with the snapshot the request started with.
 *
 * <p>Event-loop confined: the client channel and the origin connection share one event loop. The exchange owns every
 * {@link HttpContent} handed to it and either writes it on or releases it.
 */
final class ProxyExchange extends OriginDeadlines.Watched implements Exchange, OriginListener, BulkheadWaiter {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyExchange.class);

    private final ProxyHandler owner;
    private final ChannelHandlerContext client;
    private final EdgeRuntime runtime;
    private final Admission.Admitted admitted;
    private final HttpRequest originRequest;
    private final HttpMethod method;
    private final HttpVersion clientVersion;
    private final boolean clientKeepAlive;
    private final long maxBodyBytes;
    private final long originTimeoutNanos;
    private final boolean hasBody;
    private int attemptIndex;
    private final Origin[] attempts;
    /** The snapshot the request started with (it keeps it to its end, whatever reloads happen meanwhile). */
    private final EdgeSnapshot snapshot;
    /** The origin pool (and deadline sweep) of this exchange's event loop. */
    private final OriginPool pool;
    /** The cache's part in this exchange, or null when the cache stays out of it. */
    private ExchangeCache cache;
    /** Run once when the exchange ends (releases the client's concurrent-request slot), or null. */
    private final Runnable onEnd;
    /** The request's record, completed when the exchange ends. */
    private final RequestLog log;
    /** For a WebSocket handshake: the tunnel its 101 opens (it holds the site's upgrade slot); else null. */
    private WebSocketTunnel tunnel;
    /** {@code Set-Cookie} for the seen cookie if the response is a page ({@link PageCookie}), or null. */
    private final String seenCookie;
    /** This exchange's origin slot: held, awaited in the bulkhead queue, or none. */
    private final SlotClaim slot;

    private long retryAfterSeconds;
    private boolean retriedStale;
    private OriginConnection conn;
    private final PendingBody pendingBody = new PendingBody();
    private boolean requestComplete;
    private long bodyBytes;
    private boolean responseStarted;
    private boolean done;
    private boolean keepAlive;
    private int status;
    private long responseBytes;
    private long lastOriginActivityNanos;

    ProxyExchange(
            ProxyHandler owner,
            ChannelHandlerContext client,
            EdgeRuntime runtime,
            EdgeSnapshot snapshot,
            OriginPool pool,
            Decision.Forward forward,
            HttpRequest clientRequest,
            boolean clientKeepAlive,
            HttpRequest originRequest,
            boolean hasBody,
            ExchangeCache cache,
            Runnable onEnd,
            RequestLog log) {
        this.owner = owner;
        this.log = log;
        this.snapshot = snapshot;
        this.hasBody = hasBody;
        this.cache = cache;
        this.onEnd = onEnd;
        this.client = client;
        this.runtime = runtime;
        this.admitted = forward.admitted();
        this.seenCookie = forward.seenCookie();
        this.originRequest = originRequest;
        this.method = clientRequest.method();
        this.clientVersion = clientRequest.protocolVersion();
        this.clientKeepAlive = clientKeepAlive;
        var limits = admitted.site().config().limits();
        this.maxBodyBytes = limits.maxBodyBytes();
        this.originTimeoutNanos = limits.originTimeout().toNanos();
        this.attempts = admitted.site().attemptOrder();
        this.pool = pool;
        this.slot = new SlotClaim(admitted, forward.lane());
    }

    /** Makes this exchange a WebSocket handshake, whose 101 turns the connections into {@code tunnel}. */
    void upgrade(WebSocketTunnel tunnel) {
        this.tunnel = tunnel;
    }

    /**
     * Starts the exchange: takes a slot at the first origin to try (or waits for one in the site's bulkhead queue),
     * then connects. Without protection it connects at once.
     */
    void start() {
        runtime.exchangeStarted();
        if (cache != null) {
            ExchangeCache.Step step =
                    cache.begin(runtime.nanoTime(), outcome -> client.executor().execute(() -> onCoalesced(outcome)));
            switch (step) {
                case ExchangeCache.Serve serve -> {
                    serveCached(serve.entry(), serve.label());
                    return;
                }
                case ExchangeCache.Wait w -> {
                    return; // onCoalesced runs when the leading request's fetch ends
                }
                case ExchangeCache.Busy b -> {
                    rejected(BulkheadRejection.QUEUE_FULL);
                    return;
                }
                case ExchangeCache.Fetch f -> {}
            }
        }
        acquireSlotAndConnect();
    }

    /** The coalesced fetch this exchange waited on has ended (on our event loop). */
    private void onCoalesced(Outcome<CacheEntry> outcome) {
        if (done) {
            return;
        }
        switch (outcome) {
            case Outcome.Value<CacheEntry> v when v.value() != null -> serveCached(v.value(), "HIT");
            case Outcome.Value<CacheEntry> v -> {
                // The response could not be stored (private, too large...): fetch our own, uncached.
                cache = null;
                acquireSlotAndConnect();
            }
            case Outcome.Failure<CacheEntry> f ->
                fail(HttpResponseStatus.BAD_GATEWAY, "the site's server failed to answer");
            case Outcome.TimedOut<CacheEntry> t ->
                fail(HttpResponseStatus.GATEWAY_TIMEOUT, "the site's server did not answer in time");
        }
    }

    /**
     * Answers from the cache: the stored status, headers and body, with {@code Age} and {@code X-Cache} ({@code HIT},
     * or {@code STALE} when an expired copy stands in for an origin that failed or is saturated).
     */
    private void serveCached(CacheEntry entry, String label) {
        status = entry.status();
        // Its length is known and the request had no body: the client's and the edge's wish alone decide keep-alive.
        keepAlive = !owner.multiplexed() && clientKeepAlive && owner.mayKeepAlive();
        responseBytes = HttpMethod.HEAD.equals(method) ? 0 : entry.body().length;
        ChannelFuture last = CachedResponses.write(
                client,
                entry,
                method,
                clientVersion,
                owner.multiplexed(),
                keepAlive,
                runtime.nanoTime(),
                label,
                seenCookie);
        if (last != null) {
            last.addListener(ChannelFutureListener.CLOSE);
        }
        end(keepAlive); // after the write: ending may start the next pipelined request
    }

    /** Takes a bulkhead slot at the first origin to try (or queues for one), then connects. */
    private void acquireSlotAndConnect() {
        if (!snapshot.config().protection().enabled()) {
            connect(attempts[0], true);
            return;
        }
        switch (slot.request(attempts[0].capacity(), client.executor(), this, this::onQueueTimeout)) {
            case GRANTED -> connect(attempts[0], true);
            case QUEUED -> {} // granted() or onQueueTimeout() follows
            case REJECTED -> rejected(BulkheadRejection.QUEUE_FULL);
        }
    }

    /** A bulkhead slot came free for this exchange (on our event loop). */
    @Override
    public void granted() {
        slot.onGranted();
        if (done) {
            slot.release();
            return;
        }
        connect(attempts[0], true);
    }

    /** No slot: the site is over its share of its origin. 503 with Retry-After, never an unbounded wait. */
    @Override
    public void rejected(BulkheadRejection why) {
        if (done) {
            return;
        }
        LOG.debug("site {}: bulkhead {}", admitted.site(), why);
        log.verdict(SiteMeters.VerdictLabel.BULKHEAD);
        retryAfterSeconds = 1;
        fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "the site is busy, please retry in a moment");
    }

    private void onQueueTimeout() {
        if (slot.withdraw()) {
            rejected(BulkheadRejection.TIMEOUT);
        }
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public boolean requestComplete() {
        return requestComplete;
    }

    private void connect(Origin origin, boolean allowPooled) {
        // Without queueing this is the exchange's start; after a bulkhead wait it is when the slot came.
        log.originStart(slot.active() ? runtime.nanoTime() : log.startNanos());

        pool.acquire(
                origin,
                admitted.site().config().limits().originConnectTimeout(),
                allowPooled,
                this::onConnected,
                cause -> onConnectFailed(origin, cause));
    }

    private void onConnected(OriginConnection c) {
        if (done) {
            c.release(true, runtime.nanoTime());
            return;
        }
        conn = c;
        c.attach(this);
        Channel ch = c.channel();
        ch.write(originRequest, ch.voidPromise());
        pendingBody.writeTo(ch);
        if (!owner.inClientRead()) {
            // Otherwise the flush at the end of the client's read (flushToOrigin) sends head and body in one write.
            ch.flush();
        }
        owner.setPausedForOrigin(!ch.isWritable());
        armTimer();
    }

    private void onConnectFailed(Origin origin, Throwable cause) {
        if (done) {
            return;
        }
        origin.recordFailure(snapshot.config().originPool().failThreshold());
        LOG.debug("site {}: connect to origin {} failed: {}", admitted.site(), origin.configured(), cause.toString());
        if (++attemptIndex < attempts.length) {
            connect(attempts[attemptIndex], true);
        } else {
            fail(HttpResponseStatus.BAD_GATEWAY, "the site's server cannot be reached");
        }
    }

    /** Body content from the client (owned by this exchange from here on). */
    @Override
    public void onClientContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        int n = content.content().readableBytes();
        bodyBytes += n;
        boolean last = content instanceof LastHttpContent;
        if (last) {
            requestComplete = true;
        }
        if (bodyBytes > maxBodyBytes) {
            content.release();
            abortWithStatus(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large");
            return;
        }
        if (conn == null) {
            if (pendingBody.add(content)) {
                owner.setPausedForOrigin(true);
            }
            return;
        }
        Channel ch = conn.channel();
        lastOriginActivityNanos = pool.deadlines().coarseNanos(); // an upload in progress is not an idle origin
        ch.write(content, ch.voidPromise());
        if (last) {
            ch.flush();
        }
        if (!ch.isWritable()) {
            owner.setPausedForOrigin(true);
        }
    }

    @Override
    public void onMalformedBody() {
        if (!done) {
            // The origin saw part of a body that will never end properly: its connection is not reused.
            abortWithStatus(HttpResponseStatus.BAD_REQUEST, "malformed request body");
        }
    }

    /** The client finished a read burst: push what we wrote to the origin. */
    @Override
    public void flushToOrigin() {
        if (conn != null) {
            conn.channel().flush();
        }
    }

    @Override
    public void onOriginWritable() {
        owner.setPausedForOrigin(false);
    }

    /** The client can take more: resume reading from the origin. */
    @Override
    public void onClientWritable() {
        if (conn != null && !conn.channel().config().isAutoRead()) {
            conn.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void onResponseHead(HttpResponse response) {
        if (done) {
            return;
        }
        long now = runtime.nanoTime();
        log.originHead(now);
        lastOriginActivityNanos = now;
        responseStarted = true;
        status = response.status().code();
        if (tunnel != null && status == 101) {
            OriginConnection c = conn;
            conn = null;
            tunnel.accept();
            end(false);
            tunnel.open(client, owner, c, response);
            return;
        }
        OriginHead plain = response instanceof OriginHead h ? h : null;
        // An origin that saw an upgrade it refused may not expect another request on the connection.
        if (tunnel != null || (plain != null ? plain.wantsClose() : ForwardedHeaders.originWantsClose(response))) {
            conn.markNotReusable(); // decided before toClient strips Connection
        }
        if (cache != null) {
            // The origin's own head decides storability, before toClient edits it and framing fields are added.
            cache.onResponseHead(response, runtime.epochMillis());
        }
        keepAlive = RelayedHead.send(
                client,
                response,
                method,
                owner.multiplexed() ? null : clientVersion,
                clientKeepAlive && owner.mayKeepAlive(),
                requestComplete,
                seenCookie);
    }

    @Override
    public void onResponseContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        lastOriginActivityNanos = pool.deadlines().coarseNanos();
        responseBytes += content.content().readableBytes();
        if (cache != null) {
            cache.onResponseContent(content.content());
        }
        if (content instanceof LastHttpContent) {
            if (!keepAlive && !owner.multiplexed()) {
                client.write(content).addListener(ChannelFutureListener.CLOSE);
            } else {
                client.write(content, client.voidPromise());
            }
            finish();
            return;
        }
        client.write(content, client.voidPromise());
        if (!client.channel().isWritable() && conn != null) {
            conn.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void onOriginReadComplete() {
        if (!done) {
            client.flush();
        }
    }

    @Override
    public void onOriginFailure(Throwable cause) {
        if (done) {
            return;
        }
        OriginConnection failed = conn;
        conn = null;
        if (!responseStarted) {
            if (failed != null && failed.reused() && !retriedStale && bodyBytes == 0 && requestComplete) {
                // A pooled keep-alive connection the origin had already closed (the keep-alive race of RFC 9112
                // §9.3.1): nothing of the body was sent, so sending the same request on a new connection is safe.
                retriedStale = true;
                cancelTimer();
                // The end of the (empty) body went to the dead connection: send it again, or the new connection's
                // encoder stays mid-message (the next request on it fails) and a chunked origin waits for "0".
                pendingBody.add(LastHttpContent.EMPTY_LAST_CONTENT);
                connect(failed.origin(), false);
                return;
            }
            if (failed != null) {
                failed.origin().recordFailure(snapshot.config().originPool().failThreshold());
            }
            LOG.debug("site {}: origin failed before responding: {}", admitted.site(), cause.toString());
            fail(HttpResponseStatus.BAD_GATEWAY, "the site's server failed to answer");
        } else {
            LOG.debug("site {}: origin failed mid-response: {}", admitted.site(), cause.toString());
            abortClient();
        }
    }

    /** The client went away (connection or stream closed) before the exchange finished. */
    @Override
    public void onClientClosed() {
        if (done) {
            return;
        }
        status = status == 0 ? 499 : status;
        if (conn != null && !responseStarted && requestComplete && slot.holding() && tunnel == null) {
            // The origin goes on with the request: its slot stays held until it answers (AbandonedFetch says why).
            long deadline = lastOriginActivityNanos + originTimeoutNanos;
            AbandonedFetch.adopt(conn, slot, pool.deadlines(), runtime::nanoTime, log.originStartNanos(), deadline);
            conn = null;
        }
        end(false);
        dropOrigin();
    }

    /** Closes the origin connection, if any: its request is given up. */
    private void dropOrigin() {
        if (conn != null) {
            conn.release(false, runtime.nanoTime());
            conn = null;
        }
    }

    private void armTimer() {
        lastOriginActivityNanos = pool.deadlines().coarseNanos();
        pool.deadlines().watch(this);
    }

    /** Whether the origin has been silent (no read, no body write) for the site's origin timeout. */
    @Override
    protected boolean originSilentFor(long nowNanos) {
        return !done && nowNanos - lastOriginActivityNanos >= originTimeoutNanos;
    }

    /** Called by {@link OriginDeadlines}: 504 before the response started, else the response is cut. */
    @Override
    protected void onOriginTimeout() {
        if (done) {
            return;
        }
        dropOrigin();
        if (!responseStarted) {
            fail(HttpResponseStatus.GATEWAY_TIMEOUT, "the site's server did not answer in time");
        } else {
            abortClient();
        }
    }

    private void cancelTimer() {
        if (watched()) {
            pool.deadlines().unwatch(this);
        }
    }

    /** The response is complete: return the origin connection and let the client connection go on. */
    private void finish() {
        boolean reusable = requestComplete;
        if (cache != null) {
            cache.onResponseComplete(runtime.nanoTime());
        }
        OriginConnection c = conn;
        conn = null;
        if (c != null) {
            c.origin().recordServed();
            c.release(reusable, runtime.nanoTime());
        }
        end(keepAlive);
        client.flush();
    }

    /** Answers with an error of our own (nothing was sent to the client yet). */
    private void fail(HttpResponseStatus s, String reason) {
        if (cache != null && cache.stale() != null && !responseStarted && s.code() >= 502 && s.code() <= 504) {
            // stale-if-error (RFC 5861 §4): an expired copy is better than an error while the origin is in trouble.
            cache.onFailure(reason);
            cache.countStale();
            serveCached(cache.stale(), "STALE");
            return;
        }
        status = s.code();
        // A request whose end has not been read (a body arriving, or one a full bulkhead refused at once) ends its
        // connection. Kept open, a closed-loop flood came back at once for every 503 and bystanders' p99 went from
        // 0.2-0.4 s to 0.5-2 s (IsolationIntegrationTest): a reconnect is the attacker's cost.
        boolean close = !owner.multiplexed() && (!requestComplete || !clientKeepAlive || !owner.mayKeepAlive());
        var r = EdgeResponses.error(client.alloc(), s, reason, close, retryAfterSeconds);
        responseBytes = r.content().readableBytes();
        end(!close);
        var f = client.writeAndFlush(r);
        if (close) {
            owner.closeAfter(f);
        }
    }

    private void abortWithStatus(HttpResponseStatus s, String reason) {
        dropOrigin();
        if (responseStarted) {
            abortClient();
        } else {
            requestComplete = false; // forces the connection closed after the error
            fail(s, reason);
        }
    }

    /** A response was cut short: the client must see an error, not a silently truncated body. */
    private void abortClient() {
        status = status == 0 ? 502 : status;
        end(false);
        owner.abortConnection();
    }

    private void end(boolean keepAliveAfter) {
        if (done) {
            return;
        }
        done = true;
        cancelTimer();
        slot.end(runtime.nanoTime(), log.originNanos(), status);
        if (cache != null) {
            // No-op when the response was stored; otherwise the requests waiting on this fetch decide for themselves.
            cache.onFailure("the fetch ended without a complete response");
        }
        if (onEnd != null) {
            onEnd.run();
        }
        if (tunnel != null) {
            tunnel.release(); // no-op once the origin accepted: the tunnel keeps the slot
        }
        pendingBody.release();
        log.complete(status, responseBytes, runtime.nanoTime());
        runtime.exchangeEnded();
        owner.exchangeDone(this, keepAliveAfter);
    }
}
