package coop.bulwark.site;

import java.time.Duration;
import java.util.Optional;

/**
 * Origin connection pooling and health checking (the same for every origin address).
 *
 * @param maxIdlePerOrigin idle keep-alive connections kept per origin address and event loop
 * @param idleTimeout an idle pooled connection is closed after this; keep it below the origins' own keep-alive
 *     timeout (Apache's default KeepAliveTimeout is 5 s) so we rarely reuse a connection the origin is closing
 * @param healthInterval time between active health checks of each origin address
 * @param healthTimeout time a health check may take
 * @param healthPath when present, the check is {@code GET path} and needs a status below 500; otherwise a TCP connect
 * @param failThreshold consecutive failures (checks or connection errors) that mark an origin down
 * @param riseThreshold consecutive successful checks that mark it up again
 */
public record OriginPoolConfig(
        int maxIdlePerOrigin,
        Duration idleTimeout,
        Duration healthInterval,
        Duration healthTimeout,
        Optional<String> healthPath,
        int failThreshold,
        int riseThreshold) {

    public static final OriginPoolConfig DEFAULTS = new OriginPoolConfig(
            64, Duration.ofSeconds(4), Duration.ofSeconds(2), Duration.ofSeconds(1), Optional.empty(), 2, 2);

    public OriginPoolConfig {
        ConnectionLimits.positive("max_idle_per_origin", maxIdlePerOrigin);
        ConnectionLimits.positive("idle_timeout", idleTimeout);
        ConnectionLimits.positive("health_check.interval", healthInterval);
        ConnectionLimits.positive("health_check.timeout", healthTimeout);
        healthPath.ifPresent(p -> {
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("health_check.path: " + p + " (expected: starts with /)");
            }
        });
        ConnectionLimits.positive("health_check.fail_threshold", failThreshold);
        ConnectionLimits.positive("health_check.rise_threshold", riseThreshold);
    }
}
