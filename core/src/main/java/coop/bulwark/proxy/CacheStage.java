package coop.bulwark.proxy;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import coop.bulwark.cache.CacheEntry;
import coop.bulwark.cache.CacheKey;
import coop.bulwark.cache.CacheLimits;
import coop.bulwark.cache.CacheRequestPolicy;
import coop.bulwark.cache.Coalescer;
import coop.bulwark.cache.MicroCache;
import coop.bulwark.cache.RequestDecision;
import coop.bulwark.metrics.SiteMeters;
import coop.bulwark.site.ProtectionConfig;
import coop.bulwark.time.Ticker;
import java.time.Duration;

/**
 * The edge's micro-cache and request coalescing, and how each site's current protection state shapes them: the
 * query rule of its cache key, its TTL floor and its stale windows. The last step of the {@link DecisionChain} plans
 * a request's use of it; {@link ExchangeCache} carries the plan out. No Netty. Shared by all event loops; thread-safe.
 */
public final class CacheStage {
    /** Requests that may wait on one in-flight origin fetch; beyond, they are answered 503 (or stale). */
    static final int MAX_WAITERS_PER_KEY = 10_000;

    /** Variants kept per URL ({@code Vary}); more evict the oldest. */
    static final int MAX_VARIANTS = 8;

    /** How long a URL whose response could not be stored skips coalescing ("hit-for-pass"). */
    static final Duration PASS_MARK_TTL = Duration.ofSeconds(10);

    /** URLs remembered as not storable, at most. */
    static final long MAX_PASS_MARKS = 100_000;

    private final MicroCache cache;
    private final Coalescer<CacheKey, CacheEntry> coalescer;
    private final Cache<CacheKey, Boolean> passMarks = Caffeine.newBuilder()
            .maximumSize(MAX_PASS_MARKS)
            .expireAfterWrite(PASS_MARK_TTL)
            .executor(Runnable::run)
            .build();
    private final CacheRequestPolicy requestPolicy = CacheRequestPolicy.strict();

    private final Ticker ticker;

    private CacheStage(MicroCache cache, Coalescer<CacheKey, CacheEntry> coalescer, Ticker ticker) {
        this.ticker = ticker;
        this.cache = cache;
        this.coalescer = coalescer;
    }

    /** The cache for {@code config}, or null when caching is off (protection off or no cache space). */
    public static CacheStage create(ProtectionConfig config, Duration leaderTimeout, Ticker ticker) {
        if (!config.enabled() || config.cacheMaxBytes() <= 0) {
            return null;
        }
        long max = config.cacheMaxBytes();
        int maxObject = (int) Math.min(Integer.MAX_VALUE, Math.min(config.cacheMaxObjectBytes(), max));
        var cache = new MicroCache(new CacheLimits(max, maxObject, MAX_VARIANTS), ticker::read, Runnable::run);
        return new CacheStage(cache, new Coalescer<>(MAX_WAITERS_PER_KEY, leaderTimeout.toNanos()), ticker);
    }

    public MicroCache cache() {
        return cache;
    }

    Coalescer<CacheKey, CacheEntry> coalescer() {
        return coalescer;
    }

    /**
     * Whether {@code key}'s last response could not be stored: then, outside cache-only mode, requests for it go to
     * the origin directly instead of queueing behind one another for a response they could not share anyway
     * (what Varnish calls hit-for-pass). Forgotten after {@link #PASS_MARK_TTL}, so a URL that becomes cacheable is
     * cached again.
     */
    boolean markedPass(CacheKey key) {
        return passMarks.getIfPresent(key) != null;
    }

    void markPass(CacheKey key) {
        passMarks.put(key, Boolean.TRUE);
    }

    CacheRequestPolicy requestPolicy() {
        return requestPolicy;
    }

    /** Ends coalesced fetches whose leader missed its deadline (call every ~100 ms). */
    public void expireFlights() {
        coalescer.expire(ticker.read());
    }

    /**
     * The cache's plan for a forwarded request, or null when the cache stays out of it (a body, the method, credentials,
     * cookies, {@code no-store}); a bypass is counted in the site's cache meters.
     */
    CachePlan plan(Site site, RequestHead head, Admission.Admitted admitted, boolean cacheOnly) {
        CachePlan plan = planFor(site, head, admitted, cacheOnly);
        if (plan == null) {
            site.meters().cache(SiteMeters.CacheLabel.BYPASS);
        }
        return plan;
    }

    /**
     * The cache-only plan for a request that has no way past the challenge (no valid cookie) on a site under attack,
     * when the cache holds a copy it can serve, fresh or stale; null otherwise, and then the challenge decides. The
     * key is normalised by the site's current query rule, as for every request in this state, so a busting query
     * lands on the stored page. Counts nothing: the exchange's lookup does.
     */
    CachePlan storedPlan(Site site, RequestHead head, Admission.Admitted admitted) {
        CachePlan plan = planFor(site, head, admitted, true);
        return plan != null && cache.holds(plan.key(), head, ticker.read()) ? plan : null;
    }

    private CachePlan planFor(Site site, RequestHead head, Admission.Admitted admitted, boolean cacheOnly) {
        if (head.hasBody()) {
            return null;
        }
        RequestDecision d = requestPolicy.decide(head.method(), head, cacheOnly);
        if (d instanceof RequestDecision.Bypass) {
            return null;
        }
        CacheRules rules = site.cacheRules();
        CacheKey key = CacheKey.of(site.name(), admitted.authority(), admitted.originUri(), rules.query());
        if (key == null) {
            return null;
        }
        return new CachePlan(key, head, d, "HEAD".equals(head.method()), cacheOnly, rules.policy());
    }
}
