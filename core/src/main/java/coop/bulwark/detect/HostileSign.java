package coop.bulwark.detect;

/**
 * Evidence, beyond a high rate, that a site's extra traffic is an attack rather than popularity. A rate anomaly
 * alone makes a site {@link SiteState#SUSPECT}; it takes at least one of these to make it
 * {@link SiteState#UNDER_ATTACK}. Thresholds are in {@link coop.bulwark.site.DetectionConfig}.
 */
public enum HostileSign {
    /**
     * Most of the excess over baseline comes from clients with neither a valid challenge cookie nor a previous
     * visit. A viral page brings its excess from returning, cookied visitors; a flood does not.
     */
    UNVOUCHED_EXCESS,
    /**
     * Server errors and origin timeouts well above their baseline share: the origin is suffering. This makes even
     * a legitimate surge an "attack" once it breaks the origin, on purpose: the under-attack policy (cache-only
     * anonymous GETs, bulkhead at its floor) is what the origin then needs, and cookied visitors still pass.
     */
    FAILURES,
    /** Most requests carry high-entropy query strings, the mark of cache-busting floods. */
    CACHE_BUSTING,
    /** One source prefix sends most of the site's requests. */
    CONCENTRATED
}
