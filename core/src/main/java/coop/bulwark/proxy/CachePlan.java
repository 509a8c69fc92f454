package coop.bulwark.proxy;

import coop.bulwark.cache.CacheKey;
import coop.bulwark.cache.HeaderView;
import coop.bulwark.cache.RequestDecision;
import coop.bulwark.cache.SiteCachePolicy;

/**
 * The cache's part in a forwarded request, decided before anything is looked up: the key, the request's own cache
 * rules and the site's freshness rules in its current state. {@link ExchangeCache} carries it out.
 *
 * @param key the cache key (site, authority, target with the site's query rule)
 * @param requestHeaders the request's fields, for {@code Vary} (read through, not copied)
 * @param decision what the request's own headers allow (use, revalidate, use without storing)
 * @param head whether the method is HEAD (it never leads a fetch others wait on: it has no body to store)
 * @param cacheOnly whether the site answers from the cache only (under attack)
 * @param policy the site's freshness rules in its current state
 */
record CachePlan(
        CacheKey key,
        HeaderView requestHeaders,
        RequestDecision decision,
        boolean head,
        boolean cacheOnly,
        SiteCachePolicy policy) {}
