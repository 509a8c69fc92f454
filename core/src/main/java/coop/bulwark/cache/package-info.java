/**
 * The edge's micro-cache, pure Java (no Netty), so it can be tested and benchmarked alone. Step 6 of the request
 * path in DESIGN.md.
 *
 * <p>Per request, on the site's event loop:
 *
 * <ol>
 *   <li>{@link coop.bulwark.cache.CacheRequestPolicy#decide} with the method, a {@link coop.bulwark.cache.HeaderView}
 *       over the request headers, and whether the site is in cache-only mode. {@code Bypass}: forward as usual.
 *   <li>{@link coop.bulwark.cache.CacheKey#of} with the site's {@link coop.bulwark.cache.QueryRule} (switched to
 *       {@code ignore} or {@code allowlist} under attack so cache-busting queries collapse).
 *   <li>{@link coop.bulwark.cache.MicroCache#lookup}: {@code Fresh} → reply with {@code Age}; {@code Stale
 *       WHILE_REVALIDATE} → reply and refresh in the background; {@code Stale IF_ERROR} → keep it as the fallback
 *       for an origin failure or a full bulkhead; {@code Miss} → fetch. A {@code Revalidate} decision fetches even
 *       when a fresh entry exists.
 *   <li>Fetch through {@link coop.bulwark.cache.Coalescer#join}: the leader asks the origin (forwarding a GET for a
 *       HEAD), followers get the outcome through their {@link coop.bulwark.cache.Waiter}; {@code Full} → 503.
 *   <li>On the response head, {@link coop.bulwark.cache.CacheResponsePolicy#evaluate} with the site's
 *       {@link coop.bulwark.cache.SiteCachePolicy} (its TTL floor set by the protection state). If storable, keep
 *       streaming to the client while aggregating up to {@link coop.bulwark.cache.CacheLimits#maxObjectBytes};
 *       when the body completes, {@link coop.bulwark.cache.MicroCache#store} and complete the flight with the
 *       entry. Otherwise, or if the body is too large or cut short, fail the flight: followers then answer from a
 *       stale entry if they hold one, else fetch on their own within the site's bulkhead.
 * </ol>
 *
 * <p>All time is passed in as ticker nanoseconds (and wall-clock millis only for {@code Date} arithmetic).
 */
package coop.bulwark.cache;
