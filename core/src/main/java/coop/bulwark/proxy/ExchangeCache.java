package coop.bulwark.proxy;

import coop.bulwark.cache.CacheEntry;
import coop.bulwark.cache.CacheKey;
import coop.bulwark.cache.CacheLookup;
import coop.bulwark.cache.CacheResponsePolicy;
import coop.bulwark.cache.Flight;
import coop.bulwark.cache.HeaderView;
import coop.bulwark.cache.Joined;
import coop.bulwark.cache.RequestDecision;
import coop.bulwark.cache.SiteCachePolicy;
import coop.bulwark.cache.StorageDecision;
import coop.bulwark.cache.Waiter;
import coop.bulwark.metrics.SiteMeters;
import coop.bulwark.origin.OriginHead;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponse;
import java.io.IOException;
import java.util.Arrays;

/**
 * The cache's part in one exchange: looks the request up, joins or leads the coalesced origin fetch, keeps a stale
 * copy to fall back on, and while leading, collects the response body (up to the cache's object limit) and stores
 * it. Event-loop confined, like its exchange.
 */
final class ExchangeCache {
    /** What the exchange should do next. */
    sealed interface Step {}

    /** Answer from the cache. {@code label} says how ({@code HIT} or {@code STALE}). */
    record Serve(CacheEntry entry, String label) implements Step {}

    /** Go to the origin (leading the fetch for this key when storing). */
    record Fetch() implements Step {}

    /** Another request is fetching this key: its outcome arrives through the waiter. */
    record Wait() implements Step {}

    /** Too many requests already wait on this key and nothing is cached: 503. */
    record Busy() implements Step {}

    private final CacheStage stage;
    private final CacheKey key;
    private final HeaderView requestHeaders;
    private final boolean storeResponse;
    private final boolean revalidate;
    private final boolean head;
    private final boolean cacheOnly;
    private final SiteCachePolicy sitePolicy;
    private final SiteMeters meters;
    private CacheEntry stale;
    /** Whether the key has been looked up ({@link #answerAtOnce}): a second look would count twice. */
    private boolean looked;

    private Flight<CacheKey, CacheEntry> flight;
    private StorageDecision.Storable storable;
    private byte[] body;
    private int length;

    /**
     * Carries out {@code plan} for one exchange; {@code meters} are its site's. {@code sent}: the request's fields as
     * the origin gets them, for {@code Vary}, read when the exchange looks up and stores after the relay prepared the
     * origin's request.
     */
    ExchangeCache(CacheStage stage, CachePlan plan, SiteMeters meters, HeaderView sent) {
        this.stage = stage;
        this.key = plan.key();
        this.requestHeaders = sent;
        this.storeResponse = !(plan.decision() instanceof RequestDecision.Use u) || u.storeResponse();
        this.revalidate = plan.decision() instanceof RequestDecision.Revalidate;
        this.head = plan.head();
        this.cacheOnly = plan.cacheOnly();
        this.sitePolicy = plan.policy();
        this.meters = meters;
    }

    /**
     * Looks the key up and returns the answer the cache can give at once: a fresh copy, or (a refresh being already
     * under way) a stale one; null when it cannot, and then {@link #begin} decides the rest. Lets the relay answer a
     * hit without starting an exchange (a flood's requests answered from the cache are most of its work). Called at
     * most once, before {@link #begin}. {@code request}: the request's fields as the origin would get them (before
     * the relay edits its header block for the origin: an {@link OriginHeaderView}).
     */
    Serve answerAtOnce(long nowNanos, HeaderView request) {
        looked = true;
        CacheLookup found = stage.cache().lookup(key, request, nowNanos);
        switch (found) {
            case CacheLookup.Fresh f -> {
                if (!revalidate) {
                    meters.cache(SiteMeters.CacheLabel.HIT);
                    return new Serve(f.entry(), "HIT");
                }
                stale = f.entry();
            }
            case CacheLookup.Stale s -> {
                stale = s.entry();
                if ((s.why() == CacheLookup.StaleReason.WHILE_REVALIDATE || cacheOnly)
                        && !revalidate
                        && stage.coalescer().inProgress(key)) {
                    // Someone is already refreshing it: this request need not wait (RFC 5861 §3). Under attack
                    // (cache-only) any stored copy will do while one request refreshes it.
                    meters.cache(SiteMeters.CacheLabel.STALE);
                    return new Serve(stale, "STALE");
                }
            }
            case CacheLookup.Miss m -> {}
        }
        return null;
    }

    /**
     * Decides (looking the key up first unless {@link #answerAtOnce} did); {@code waiter} is called later only for
     * {@link Wait}.
     */
    Step begin(long nowNanos, Waiter<CacheEntry> waiter) {
        if (!looked) {
            Serve now = answerAtOnce(nowNanos, requestHeaders);
            if (now != null) {
                return now;
            }
        }
        if (stale == null && !cacheOnly && stage.markedPass(key)) {
            // Its last response could not be stored: nothing to wait for, go straight to the origin.
            meters.cache(SiteMeters.CacheLabel.BYPASS);
            return new Fetch();
        }
        if (head) {
            // A HEAD response has no body to store, so it must not lead a fetch GETs would wait on: it goes alone.
            meters.cache(SiteMeters.CacheLabel.MISS);
            return new Fetch();
        }
        return switch (stage.coalescer().join(key, nowNanos, waiter)) {
            case Joined.Lead<CacheKey, CacheEntry> lead -> {
                flight = lead.flight();
                meters.cache(SiteMeters.CacheLabel.MISS);
                yield new Fetch();
            }
            case Joined.Follow<CacheKey, CacheEntry> f -> {
                meters.cache(SiteMeters.CacheLabel.COALESCED);
                yield new Wait();
            }
            case Joined.Full<CacheKey, CacheEntry> f -> {
                if (stale != null) {
                    meters.cache(SiteMeters.CacheLabel.STALE);
                    yield new Serve(stale, "STALE");
                }
                yield new Busy();
            }
        };
    }

    /** A stored copy to serve if the origin fails or the bulkhead is full, or null. */
    CacheEntry stale() {
        return stale;
    }

    /** Counts a stale answer given instead of an error. */
    void countStale() {
        meters.cache(SiteMeters.CacheLabel.STALE);
    }

    /** The origin's response head: decide whether to collect the body for storing. */
    void onResponseHead(HttpResponse response, long epochMillis) {
        if (flight == null) {
            return;
        }
        if (!storeResponse || head) {
            finishFlight(null);
            return;
        }
        HeaderView fields = response instanceof OriginHead plain && !plain.materialized()
                ? new OriginHeadView(plain)
                : new NettyHeaderView(response.headers());
        StorageDecision d = CacheResponsePolicy.evaluate(response.status().code(), fields, sitePolicy, epochMillis);
        if (d instanceof StorageDecision.Storable s) {
            storable = s;
            body = new byte[1024];
        } else {
            // Not storable: the waiters go to the origin themselves, and the next requests need not wait at all.
            stage.markPass(key);
            finishFlight(null);
        }
    }

    /** A piece of the origin's body (not consumed: the caller still writes it on). */
    void onResponseContent(ByteBuf content) {
        if (storable == null) {
            return;
        }
        int n = content.readableBytes();
        int max = stage.cache().limits().maxObjectBytes();
        if (length + n > max) {
            storable = null;
            body = null;
            finishFlight(null); // too large to keep
            return;
        }
        if (length + n > body.length) {
            body = Arrays.copyOf(body, Math.min(max, Math.max(length + n, body.length * 2)));
        }
        content.getBytes(content.readerIndex(), body, length, n);
        length += n;
    }

    /** The response completed: store it (if collected) and hand it to the waiters. */
    void onResponseComplete(long nowNanos) {
        if (flight == null) {
            return;
        }
        CacheEntry entry = null;
        if (storable != null) {
            byte[] exact = length == body.length ? body : Arrays.copyOf(body, length);
            entry = stage.cache().store(key, requestHeaders, storable.meta(), exact, nowNanos);
        }
        storable = null;
        body = null;
        finishFlight(entry);
    }

    /**
     * The fetch failed or was abandoned: the waiters decide for themselves (stale, error). Takes the reason, not an
     * exception: every exchange ends through here, and only one leading a flight has anyone to tell (an exception
     * with its stack trace per request was 2-3 % of the event loop under a flood).
     */
    void onFailure(String reason) {
        storable = null;
        body = null;
        if (flight != null) {
            Flight<CacheKey, CacheEntry> f = flight;
            flight = null;
            f.fail(new IOException(reason));
        }
    }

    private void finishFlight(CacheEntry entry) {
        if (flight != null) {
            Flight<CacheKey, CacheEntry> f = flight;
            flight = null;
            f.complete(entry);
        }
    }
}
