package coop.bulwark.proxy;

import coop.bulwark.cache.QueryRule;
import coop.bulwark.cache.SiteCachePolicy;
import coop.bulwark.protect.SiteGuard;
import coop.bulwark.site.ProtectionState;
import coop.bulwark.site.SiteProtection;
import coop.bulwark.site.StatePolicy;
import java.time.Duration;
import java.util.HashSet;

/**
 * A site's cache rules in one protection state with one set of settings: how its cache keys treat the query, and its
 * freshness rules. Derived when the state or the settings change ({@link Site#cacheRules}), not for each request: a
 * flood answered from the cache asked for them on every request, and built the query allow-list's set each time.
 *
 * @param view the state (and its policy) the rules were derived from
 * @param settings the site's protection settings they were derived from
 * @param query the cache key's query rule
 * @param policy the freshness rules
 */
record CacheRules(SiteGuard.StateView view, SiteProtection settings, QueryRule query, SiteCachePolicy policy) {

    /** The rules for {@code view} and {@code settings}. */
    static CacheRules of(SiteGuard.StateView view, SiteProtection settings) {
        StatePolicy p = view.policy();
        QueryRule query = switch (p.queryKey()) {
            case KEEP -> QueryRule.KEEP;
            case SORTED -> QueryRule.SORTED;
            case IGNORE -> QueryRule.IGNORE;
            case ALLOWLIST -> new QueryRule.Allowlist(new HashSet<>(settings.queryAllowlist()));
        };
        // Pages without cache headers are kept only when the site allows it and the state gives them a lifetime;
        // outside the normal state the same lifetime is also a floor under every storable response, so even
        // max-age=0 pages are served from memory for a few seconds during an attack.
        Duration minTtl = p.cacheMinTtl();
        boolean headerless = settings.cachePages() && !minTtl.isZero();
        Duration floor = view.state() == ProtectionState.NORMAL ? Duration.ZERO : minTtl;
        return new CacheRules(
                view,
                settings,
                query,
                new SiteCachePolicy(
                        headerless, minTtl, floor, settings.staleWhileRevalidate(), settings.staleIfError()));
    }

    /** Whether these rules were derived from exactly this state and these settings. */
    boolean derivedFrom(SiteGuard.StateView v, SiteProtection s) {
        return view == v && settings == s;
    }
}
