package coop.bulwark.site;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The whole edge configuration: one immutable snapshot loaded from one YAML file by {@link ConfigLoader}.
 *
 * <p>A running edge holds exactly one snapshot and swaps it atomically on reload; nothing in here is mutable.
 *
 * @param source the file it was loaded from (used in messages; may be a placeholder in tests)
 * @param listen the client-facing listeners
 * @param trustedProxies peers whose PROXY protocol header / X-Forwarded-For is believed for the client address
 * @param proxyProtocol whether trusted peers prefix connections with a PROXY protocol (v1 or v2) header
 * @param connections connection-level limits (before a site is known)
 * @param http2 HTTP/2 limits
 * @param originPool pooling and health-check settings for origin connections
 * @param accessLog where the JSON access log goes
 * @param drainTimeout how long a graceful shutdown waits for in-flight requests
 * @param protection edge-wide protection settings (limits, bans, origin capacity, cache size)
 * @param admin the admin API listener
 * @param detection attack detection, incident reports and notifications
 * @param sites the member sites, in file order
 * @param challenge edge-wide settings of the proof-of-work challenge
 */
public record EdgeConfig(
        Path source,
        Listen listen,
        List<Cidr> trustedProxies,
        boolean proxyProtocol,
        ConnectionLimits connections,
        Http2Limits http2,
        OriginPoolConfig originPool,
        AccessLogConfig accessLog,
        Duration drainTimeout,
        ProtectionConfig protection,
        AdminConfig admin,
        DetectionSettings detection,
        List<SiteConfig> sites,
        ChallengeConfig challenge) {
    public EdgeConfig {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(listen, "listen");
        trustedProxies = List.copyOf(trustedProxies);
        Objects.requireNonNull(connections, "connections");
        Objects.requireNonNull(http2, "http2");
        Objects.requireNonNull(originPool, "originPool");
        Objects.requireNonNull(accessLog, "accessLog");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        Objects.requireNonNull(protection, "protection");
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(detection, "detection");
        sites = List.copyOf(sites);
        Objects.requireNonNull(challenge, "challenge");
    }

    /** A config without a {@code challenge:} section: {@link ChallengeConfig#DEFAULTS} (keys in memory only). */
    public EdgeConfig(
            Path source,
            Listen listen,
            List<Cidr> trustedProxies,
            boolean proxyProtocol,
            ConnectionLimits connections,
            Http2Limits http2,
            OriginPoolConfig originPool,
            AccessLogConfig accessLog,
            Duration drainTimeout,
            ProtectionConfig protection,
            AdminConfig admin,
            DetectionSettings detection,
            List<SiteConfig> sites) {
        this(
                source,
                listen,
                trustedProxies,
                proxyProtocol,
                connections,
                http2,
                originPool,
                accessLog,
                drainTimeout,
                protection,
                admin,
                detection,
                sites,
                ChallengeConfig.DEFAULTS);
    }

    /** The same config with other listeners (tests and the lab listen on ephemeral ports). */
    public EdgeConfig withListen(Listen other) {
        return new EdgeConfig(
                source,
                other,
                trustedProxies,
                proxyProtocol,
                connections,
                http2,
                originPool,
                accessLog,
                drainTimeout,
                protection,
                admin,
                detection,
                sites,
                challenge);
    }

    /** The same config with other challenge settings. */
    public EdgeConfig withChallenge(ChallengeConfig other) {
        return new EdgeConfig(
                source,
                listen,
                trustedProxies,
                proxyProtocol,
                connections,
                http2,
                originPool,
                accessLog,
                drainTimeout,
                protection,
                admin,
                detection,
                sites,
                other);
    }
}
