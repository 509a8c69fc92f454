package coop.bulwark.proxy;

import coop.bulwark.metrics.SiteMeters;
import coop.bulwark.origin.Origin;
import coop.bulwark.protect.SiteGuard;
import coop.bulwark.site.SiteConfig;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A member site as the running edge sees it: its config and its origins. Immutable apart from the round-robin cursor;
 * a new {@code Site} is built on each reload.
 */
public final class Site {
    private final SiteConfig config;
    private final List<Origin> origins;
    private final SiteGuard guard;
    private final AtomicInteger cursor = new AtomicInteger();

    private final SiteMeters meters;

    /** {@link #cacheRules()}, derived again only when the guard's state or settings change. */
    private volatile CacheRules cacheRules;

    Site(SiteConfig config, List<Origin> origins, SiteGuard guard, SiteMeters meters) {
        this.config = config;
        this.origins = List.copyOf(origins);
        this.guard = guard;
        this.meters = meters;
    }

    /** The site's counters. */
    public SiteMeters meters() {
        return meters;
    }

    /** The site's live protection state and origin budget (kept across reloads). */
    public SiteGuard guard() {
        return guard;
    }

    /**
     * The site's cache rules in its current state: derived once for each state and settings the guard publishes (racing
     * event loops may each derive the same rules; any of them will do).
     */
    CacheRules cacheRules() {
        SiteGuard.StateView view = guard.view();
        var settings = guard.settings();
        CacheRules r = cacheRules;
        if (r == null || !r.derivedFrom(view, settings)) {
            r = CacheRules.of(view, settings);
            cacheRules = r;
        }
        return r;
    }

    public SiteConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    public List<Origin> origins() {
        return origins;
    }

    /**
     * The origins in the order to try for one request: healthy ones first, starting at a rotating position
     * (round-robin), then the ones marked down (a check may be wrong, and trying beats a certain 502).
     */
    Origin[] attemptOrder() {
        int n = origins.size();
        if (n == 1) {
            return new Origin[] {origins.get(0)};
        }
        Origin[] order = new Origin[n];
        int start = Math.floorMod(cursor.getAndIncrement(), n);
        int head = 0;
        int tail = n - 1;
        for (int i = 0; i < n; i++) {
            Origin o = origins.get((start + i) % n);
            if (o.isUp()) {
                order[head++] = o;
            } else {
                order[tail--] = o;
            }
        }
        return order;
    }

    @Override
    public String toString() {
        return config.name();
    }
}
