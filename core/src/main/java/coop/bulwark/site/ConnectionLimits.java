package coop.bulwark.site;

import java.time.Duration;

/**
 * Limits that apply to a client connection before any site is known.
 *
 * @param maxHeaderBytes request header block size; more gets 431
 * @param maxUriBytes request-target length the parser accepts; more gets 414 (a site may set a lower limit)
 * @param headerTimeout time from a request's first byte (or from accept) to its complete header; then 408 and close
 * @param idleTimeout keep-alive idle time between requests before the connection is closed
 * @param maxRequestsPerConnection after this many requests the connection is closed (HTTP/1.1) or drained (h2)
 * @param maxConnections open client connections across the edge; more are closed at accept
 * @param maxConnectionsPerIp open client connections per source address; trusted proxies are exempt
 */
public record ConnectionLimits(
        int maxHeaderBytes,
        int maxUriBytes,
        Duration headerTimeout,
        Duration idleTimeout,
        int maxRequestsPerConnection,
        int maxConnections,
        int maxConnectionsPerIp) {

    public static final ConnectionLimits DEFAULTS = new ConnectionLimits(
            16 * 1024, 8 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(60), 1000, 50_000, 256);

    public ConnectionLimits {
        positive("max_header_bytes", maxHeaderBytes);
        positive("max_uri_bytes", maxUriBytes);
        positive("header_timeout", headerTimeout);
        positive("idle_timeout", idleTimeout);
        positive("max_requests_per_connection", maxRequestsPerConnection);
        positive("max_connections", maxConnections);
        positive("max_connections_per_ip", maxConnectionsPerIp);
    }

    static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    static void positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
