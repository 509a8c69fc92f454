package coop.bulwark.site;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

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
 * @param kernel what is pushed into the kernel (the nftables export of the ban list)
 * @param upstream what the upstream is told to drop when the uplink is full (ExaBGP FlowSpec and RTBH)
 * @param cluster the Redis the edge shares bans, challenge keys and state pins through; empty for a single box
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
        ChallengeConfig challenge,
        KernelConfig kernel,
        UpstreamConfig upstream,
        Optional<ClusterConfig> cluster) {
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
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(cluster, "cluster");
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
                ChallengeConfig.DEFAULTS,
                KernelConfig.DEFAULTS,
                UpstreamConfig.DEFAULTS,
                Optional.empty());
    }

    /**
     * What an operator should know about this config that is not an error: addresses shared by several sites while an
     * upstream blackhole is possible (a blackhole of such an address makes every site on it unreachable).
     */
    public List<String> warnings() {
        List<String> out = new ArrayList<>();
        if (upstream.mode() == UpstreamConfig.Mode.OFF || upstream.rtbh() == UpstreamConfig.RtbhAllowed.NEVER) {
            return out;
        }
        Map<Cidr, List<String>> byAddress = new LinkedHashMap<>();
        for (SiteConfig s : sites) {
            for (Cidr a : s.addresses()) {
                byAddress.computeIfAbsent(a, k -> new ArrayList<>()).add(s.name());
            }
        }
        byAddress.forEach((a, names) -> {
            if (names.size() > 1) {
                String addr = a.toString().substring(0, a.toString().indexOf('/'));
                out.add(
                        "upstream.rtbh: " + addr + " is shared by sites " + String.join(", ", names)
                                + (upstream.rtbh() == UpstreamConfig.RtbhAllowed.ALWAYS
                                        ? ": a blackhole of it (rtbh.allowed: always) makes all of them unreachable"
                                        : ": it is blackholed only when all of them are targets (rtbh.allowed: dedicated_only)"));
            }
        });
        return out;
    }

    /** The same config with other listeners (tests and the lab listen on ephemeral ports). */
    public EdgeConfig withListen(Listen other) {
        return toBuilder().listen(other).build();
    }

    /** The same config in (or out of) a cluster. */
    public EdgeConfig withCluster(Optional<ClusterConfig> other) {
        return toBuilder().cluster(other).build();
    }

    /** The same config with other challenge settings. */
    public EdgeConfig withChallenge(ChallengeConfig other) {
        return toBuilder().challenge(other).build();
    }

    /**
     * A builder whose defaults are what a config file with only {@code listen:} gives: {@link #source} and {@link
     * #listen} must be set; the admin token file, the reports directory and the challenge key file default to the
     * source file's directory, as the loader resolves them.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding every component of this config, to change a few. */
    public Builder toBuilder() {
        return new Builder()
                .source(source)
                .listen(listen)
                .trustedProxies(trustedProxies)
                .proxyProtocol(proxyProtocol)
                .connections(connections)
                .http2(http2)
                .originPool(originPool)
                .accessLog(accessLog)
                .drainTimeout(drainTimeout)
                .protection(protection)
                .admin(admin)
                .detection(detection)
                .sites(sites)
                .challenge(challenge)
                .kernel(kernel)
                .upstream(upstream)
                .cluster(cluster);
    }

    /**
     * Builds an {@link EdgeConfig}; each setter refuses {@code null} at once and may be called again (the last value
     * wins, which {@link #toBuilder} relies on). Not thread-safe.
     */
    public static final class Builder {
        private Path source;
        private Listen listen;
        private List<Cidr> trustedProxies = List.of();
        private boolean proxyProtocol;
        private ConnectionLimits connections = ConnectionLimits.DEFAULTS;
        private Http2Limits http2 = Http2Limits.DEFAULTS;
        private OriginPoolConfig originPool = OriginPoolConfig.DEFAULTS;
        private AccessLogConfig accessLog = AccessLogConfig.DEFAULTS;
        private Duration drainTimeout = ConfigLoader.DEFAULT_DRAIN_TIMEOUT;
        private ProtectionConfig protection = ProtectionConfig.DEFAULTS;
        /** Null until set: the default depends on the source's directory. */
        private AdminConfig admin;

        private DetectionSettings detection;
        private List<SiteConfig> sites = List.of();
        private ChallengeConfig challenge;
        private KernelConfig kernel = KernelConfig.DEFAULTS;
        private UpstreamConfig upstream = UpstreamConfig.DEFAULTS;
        private Optional<ClusterConfig> cluster = Optional.empty();

        private Builder() {}

        public Builder source(Path source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        public Builder listen(Listen listen) {
            this.listen = Objects.requireNonNull(listen, "listen");
            return this;
        }

        public Builder trustedProxies(List<Cidr> trustedProxies) {
            this.trustedProxies = Objects.requireNonNull(trustedProxies, "trustedProxies");
            return this;
        }

        public Builder proxyProtocol(boolean proxyProtocol) {
            this.proxyProtocol = proxyProtocol;
            return this;
        }

        public Builder connections(ConnectionLimits connections) {
            this.connections = Objects.requireNonNull(connections, "connections");
            return this;
        }

        public Builder http2(Http2Limits http2) {
            this.http2 = Objects.requireNonNull(http2, "http2");
            return this;
        }

        public Builder originPool(OriginPoolConfig originPool) {
            this.originPool = Objects.requireNonNull(originPool, "originPool");
            return this;
        }

        public Builder accessLog(AccessLogConfig accessLog) {
            this.accessLog = Objects.requireNonNull(accessLog, "accessLog");
            return this;
        }

        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
            return this;
        }

        public Builder protection(ProtectionConfig protection) {
            this.protection = Objects.requireNonNull(protection, "protection");
            return this;
        }

        public Builder admin(AdminConfig admin) {
            this.admin = Objects.requireNonNull(admin, "admin");
            return this;
        }

        public Builder detection(DetectionSettings detection) {
            this.detection = Objects.requireNonNull(detection, "detection");
            return this;
        }

        public Builder sites(List<SiteConfig> sites) {
            this.sites = Objects.requireNonNull(sites, "sites");
            return this;
        }

        public Builder challenge(ChallengeConfig challenge) {
            this.challenge = Objects.requireNonNull(challenge, "challenge");
            return this;
        }

        public Builder kernel(KernelConfig kernel) {
            this.kernel = Objects.requireNonNull(kernel, "kernel");
            return this;
        }

        public Builder upstream(UpstreamConfig upstream) {
            this.upstream = Objects.requireNonNull(upstream, "upstream");
            return this;
        }

        public Builder cluster(Optional<ClusterConfig> cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
            return this;
        }

        /** The config; throws as the record's constructor does when a component is missing or invalid. */
        public EdgeConfig build() {
            Objects.requireNonNull(source, "source");
            Path parent = source.toAbsolutePath().getParent();
            Path dir = parent != null ? parent : Path.of("").toAbsolutePath();
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
                    admin != null ? admin : AdminConfig.defaults(dir),
                    detection != null ? detection : DetectionSettings.defaults(dir),
                    sites,
                    challenge != null
                            ? challenge
                            : ChallengeConfig.DEFAULTS.withKeyFile(
                                    Optional.of(dir.resolve(ChallengeConfig.DEFAULT_KEY_FILE))),
                    kernel,
                    upstream,
                    cluster);
        }
    }
}
