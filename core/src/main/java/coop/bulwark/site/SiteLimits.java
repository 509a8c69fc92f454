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
 * @param maxWebsockets upgraded (WebSocket) connections of the site open at once across the edge; more get 503, 0
 *     refuses every upgrade
 * @param websocketIdleTimeout an upgraded connection with no bytes either way for this long is closed
 */
public record SiteLimits(
        long maxBodyBytes,
        int maxUriBytes,
        long minBodyBytesPerSecond,
        Duration bodyGracePeriod,
        Duration originConnectTimeout,
        Duration originTimeout,
        int maxWebsockets,
        Duration websocketIdleTimeout) {

    /** Default of {@code max_websockets}. */
    public static final int DEFAULT_MAX_WEBSOCKETS = 1024;

    /** Default of {@code websocket_idle_timeout}: longer than the 30 to 60 s pings of common WebSocket libraries. */
    public static final Duration DEFAULT_WEBSOCKET_IDLE_TIMEOUT = Duration.ofSeconds(120);

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
        if (maxWebsockets < 0) {
            throw new IllegalArgumentException(
                    "max_websockets: " + maxWebsockets + " (expected: >= 0, 0 refuses WebSocket upgrades)");
        }
        ConnectionLimits.positive("websocket_idle_timeout", websocketIdleTimeout);
    }

    /** Limits with the WebSocket defaults. */
    public SiteLimits(
            long maxBodyBytes,
            int maxUriBytes,
            long minBodyBytesPerSecond,
            Duration bodyGracePeriod,
            Duration originConnectTimeout,
            Duration originTimeout) {
        this(
                maxBodyBytes,
                maxUriBytes,
                minBodyBytesPerSecond,
                bodyGracePeriod,
                originConnectTimeout,
                originTimeout,
                DEFAULT_MAX_WEBSOCKETS,
                DEFAULT_WEBSOCKET_IDLE_TIMEOUT);
    }

    /** These limits with another WebSocket cap and idle timeout. */
    public SiteLimits withWebsockets(int max, Duration idleTimeout) {
        return new SiteLimits(
                maxBodyBytes,
                maxUriBytes,
                minBodyBytesPerSecond,
                bodyGracePeriod,
                originConnectTimeout,
                originTimeout,
                max,
                idleTimeout);
    }
}
