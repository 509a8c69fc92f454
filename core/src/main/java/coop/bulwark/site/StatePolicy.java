package coop.bulwark.site;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a site's protection does in one {@link ProtectionState}: source limits, origin bulkhead, cache behaviour and
 * when a source gets banned.
 *
 * @param perIp request rate per client address for this site (empty: no limit)
 * @param perPrefix request rate per client /24 (IPv4) or /48 (IPv6) for this site (empty: no limit)
 * @param maxConcurrentPerIp requests one client address may have in progress on this site at once
 * @param bulkhead the site's share of its origin
 * @param cacheMinTtl micro-cache floor: responses without cache headers are kept this long when the site allows it
 *     (zero: only what the origin marks cacheable)
 * @param queryKey how the query string enters the cache key
 * @param cacheOnly anonymous GETs are answered from the cache only (stale if need be) and never reach the origin
 *     unless nothing is cached for them, and then only through request coalescing
 * @param banAfterLimited a source refused (429) this many times within {@code banWindow} is banned (0: never)
 * @param banWindow the window for {@code banAfterLimited}
 * @param banBustingAfter a source without the edge's cookie that asks for one path with this many high-entropy
 *     queries (cache-busting) within {@code banBustingWindow}, on sites in a state that counts them, is banned (0:
 *     never); not an address shared with well-behaved cookie holders (a NAT's people)
 * @param banBustingWindow the window for {@code banBustingAfter}
 */
public record StatePolicy(
        Optional<RateLimit> perIp,
        Optional<RateLimit> perPrefix,
        int maxConcurrentPerIp,
        BulkheadLimits bulkhead,
        Duration cacheMinTtl,
        QueryKeyMode queryKey,
        boolean cacheOnly,
        int banAfterLimited,
        Duration banWindow,
        int banBustingAfter,
        Duration banBustingWindow) {

    public StatePolicy {
        Objects.requireNonNull(perIp, "per_ip");
        Objects.requireNonNull(perPrefix, "per_prefix");
        if (maxConcurrentPerIp < 1) {
            throw new IllegalArgumentException("max_concurrent_per_ip: " + maxConcurrentPerIp + " (expected: >= 1)");
        }
        Objects.requireNonNull(bulkhead, "bulkhead");
        if (cacheMinTtl.isNegative()) {
            throw new IllegalArgumentException("cache_min_ttl: " + cacheMinTtl + " (expected: >= 0)");
        }
        Objects.requireNonNull(queryKey, "cache_query");
        if (banAfterLimited < 0) {
            throw new IllegalArgumentException("ban_after_limited: " + banAfterLimited + " (expected: >= 0)");
        }
        if (banWindow.isNegative() || banWindow.isZero()) {
            throw new IllegalArgumentException("ban_window: " + banWindow + " (expected: > 0)");
        }
        if (banBustingAfter < 0) {
            throw new IllegalArgumentException("ban_busting_after: " + banBustingAfter + " (expected: >= 0)");
        }
        if (banBustingWindow.isNegative() || banBustingWindow.isZero()) {
            throw new IllegalArgumentException("ban_busting_window: " + banBustingWindow + " (expected: > 0)");
        }
    }

    /** {@code ban_busting_window} unless the config says otherwise. */
    public static final Duration DEFAULT_BUSTING_WINDOW = Duration.ofSeconds(60);

    /** Generous limits for ordinary days: a person's browser never meets them. */
    public static final StatePolicy NORMAL = new StatePolicy(
            Optional.of(new RateLimit(50, 200)),
            Optional.of(new RateLimit(500, 2000)),
            64,
            BulkheadLimits.DEFAULTS,
            Duration.ZERO,
            QueryKeyMode.KEEP,
            false,
            0,
            Duration.ofSeconds(10),
            0,
            DEFAULT_BUSTING_WINDOW);

    /** Tighter: something looks wrong; the cache holds pages a little longer. */
    public static final StatePolicy SUSPECT = new StatePolicy(
            Optional.of(new RateLimit(20, 60)),
            Optional.of(new RateLimit(200, 600)),
            32,
            BulkheadLimits.DEFAULTS,
            Duration.ofSeconds(2),
            QueryKeyMode.SORTED,
            false,
            600,
            Duration.ofSeconds(10),
            0,
            DEFAULT_BUSTING_WINDOW);

    /**
     * Under attack: tight limits, cache-only for anonymous GETs, busting queries dropped, heavy hitters banned, and so
     * are sources that keep busting one page's cache without a cookie: eight within a minute. A person without cookies
     * asks for a page once per click, and its assets' version queries ({@code style.css?v=3f2a9c}) once per page, each
     * on its own path; a cache-busting bot asks for the same page with a new random query every time. Answered from
     * the cache, each such request costs the edge a parse, a decision and a write; banned, its next connection is
     * reset at accept (or dropped in the kernel with nftables export on).
     */
    public static final StatePolicy UNDER_ATTACK = new StatePolicy(
            Optional.of(new RateLimit(5, 20)),
            Optional.of(new RateLimit(50, 150)),
            8,
            new BulkheadLimits(8, 32, Duration.ofSeconds(1), 1),
            Duration.ofSeconds(10),
            QueryKeyMode.ALLOWLIST,
            true,
            100,
            Duration.ofSeconds(10),
            8,
            DEFAULT_BUSTING_WINDOW);

    public static StatePolicy defaults(ProtectionState s) {
        return switch (s) {
            case NORMAL -> NORMAL;
            case SUSPECT -> SUSPECT;
            case UNDER_ATTACK -> UNDER_ATTACK;
        };
    }
}
