package coop.bulwark.cache;

import java.time.Duration;

/**
 * One site's cache settings that shape freshness (see {@link CacheResponsePolicy}). Immutable; the proxy swaps in
 * a copy with a higher {@link #ttlFloor} when the site's protection state escalates ({@link #withTtlFloor}).
 *
 * @param cacheWithoutHeaders whether responses with no explicit freshness (no {@code s-maxage}, {@code max-age} or
 *     {@code Expires}) are stored for {@code minTtl}; YAML {@code cache_without_headers}
 * @param minTtl the micro-cache lifetime of such responses; YAML {@code min_ttl}
 * @param ttlFloor the least freshness of every storable response, even {@code max-age=0} or {@code no-cache};
 *     zero in normal operation, raised by the mitigation ladder
 * @param staleWhileRevalidate how long past freshness an entry may be served while one request refreshes it,
 *     unless the origin forbids serving stale; a response's own {@code stale-while-revalidate} may lengthen it
 * @param staleIfError how long past freshness an entry may be served when the origin fails or the site's bulkhead
 *     is full, unless the origin forbids serving stale; a response's own {@code stale-if-error} may lengthen it
 */
public record SiteCachePolicy(
        boolean cacheWithoutHeaders,
        Duration minTtl,
        Duration ttlFloor,
        Duration staleWhileRevalidate,
        Duration staleIfError) {

    /** Honour origin headers only; no floor, no stale serving beyond what responses allow. */
    public static final SiteCachePolicy HEADERS_ONLY =
            new SiteCachePolicy(false, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    public SiteCachePolicy {
        requireNonNegative("min_ttl", minTtl);
        requireNonNegative("ttl_floor", ttlFloor);
        requireNonNegative("stale_while_revalidate", staleWhileRevalidate);
        requireNonNegative("stale_if_error", staleIfError);
    }

    /** This policy with {@code ttlFloor} replaced, e.g. 1s when suspect and 10s under attack. */
    public SiteCachePolicy withTtlFloor(Duration floor) {
        return new SiteCachePolicy(cacheWithoutHeaders, minTtl, floor, staleWhileRevalidate, staleIfError);
    }

    private static void requireNonNegative(String name, Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: >= 0)");
        }
    }
}
