package coop.bulwark.site;

import java.time.Duration;

/**
 * Limits a site may override ({@code limits:} at the top level gives the defaults, a site's {@code limits:} its
 * overrides).
 *
 * @param maxBodyBytes request body size; more gets 413
 * @param maxUriBytes request-target length for this site; more gets 414 (never above the connection-level cap)
 * @param minBodyBytesPerSecond a request body slower than this on average (after {@code bodyGracePeriod}) is cut with
 *     408: slow POST
 * @param bodyGracePeriod time a body upload gets before the minimum rate applies
 * @param originConnectTimeout time to open a connection to an origin; then the next origin is tried, or 502
 * @param originTimeout time to wait for the origin's response header (and between body reads); then 504
 */
public record SiteLimits(
        long maxBodyBytes,
        int maxUriBytes,
        long minBodyBytesPerSecond,
        Duration bodyGracePeriod,
        Duration originConnectTimeout,
        Duration originTimeout) {

    public static final SiteLimits DEFAULTS = new SiteLimits(
            10L * 1024 * 1024, 8 * 1024, 1024, Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofSeconds(30));

    public SiteLimits {
        ConnectionLimits.positive("max_body_bytes", maxBodyBytes);
        ConnectionLimits.positive("max_uri_bytes", maxUriBytes);
        if (minBodyBytesPerSecond < 0) {
            throw new IllegalArgumentException(
                    "min_body_bytes_per_second: " + minBodyBytesPerSecond + " (expected: >= 0, 0 disables)");
        }
        ConnectionLimits.positive("body_grace_period", bodyGracePeriod);
        ConnectionLimits.positive("origin_connect_timeout", originConnectTimeout);
        ConnectionLimits.positive("origin_timeout", originTimeout);
    }
}
