package coop.bulwark.edge;

import coop.bulwark.site.AccessLogConfig;
import coop.bulwark.site.AdminConfig;
import coop.bulwark.site.BanPolicy;
import coop.bulwark.site.BulkheadLimits;
import coop.bulwark.site.ChallengeConfig;
import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.DetectionSettings;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.HostPort;
import coop.bulwark.site.Http2Limits;
import coop.bulwark.site.Listen;
import coop.bulwark.site.OriginPoolConfig;
import coop.bulwark.site.ProtectionConfig;
import coop.bulwark.site.ProtectionState;
import coop.bulwark.site.QueryKeyMode;
import coop.bulwark.site.SiteConfig;
import coop.bulwark.site.SiteLimits;
import coop.bulwark.site.SiteProtection;
import coop.bulwark.site.StatePolicy;
import coop.bulwark.site.TlsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Builds edge configs for tests: loopback listeners on ephemeral ports, access log off, fast health checks. */
public final class TestEdge {
    private TestEdge() {}

    public static SiteConfig site(String name, List<String> hosts, String... origins) {
        return site(name, hosts, SiteLimits.DEFAULTS, Optional.empty(), origins);
    }

    public static SiteConfig site(
            String name, List<String> hosts, SiteLimits limits, Optional<TlsConfig> tls, String... origins) {
        List<HostPort> o = new ArrayList<>();
        for (String s : origins) {
            o.add(HostPort.parse(s));
        }
        return new SiteConfig(name, hosts, o, tls, limits, SiteProtection.DEFAULTS);
    }

    /**
     * A state policy with only a bulkhead ({@code bulkhead}): no rate limits, no bans, caching as usual, a
     * per-address concurrency out of the way. What the isolation tests give every state.
     */
    public static StatePolicy bulkheadOnly(BulkheadLimits bulkhead) {
        return new StatePolicy(
                Optional.empty(),
                Optional.empty(),
                10_000,
                bulkhead,
                Duration.ZERO,
                QueryKeyMode.KEEP,
                false,
                0,
                Duration.ofSeconds(10),
                0,
                StatePolicy.DEFAULT_BUSTING_WINDOW);
    }

    /** {@code site} with {@code policy} in every protection state, starting normal, no challenge. */
    public static SiteConfig withPolicy(SiteConfig site, StatePolicy policy) {
        var protection = new SiteProtection(
                ProtectionState.NORMAL,
                Map.of(
                        ProtectionState.NORMAL,
                        policy,
                        ProtectionState.SUSPECT,
                        policy,
                        ProtectionState.UNDER_ATTACK,
                        policy),
                false,
                List.of(),
                Duration.ZERO,
                Duration.ZERO);
        return new SiteConfig(site.name(), site.hosts(), site.origins(), site.tls(), site.limits(), protection);
    }

    /** Sites {@code site0}..{@code site(n-1)} (hosts {@code siteN.test}) on one origin, each with {@code policy}. */
    public static List<SiteConfig> sites(int n, SiteLimits limits, String origin, StatePolicy policy) {
        List<SiteConfig> sites = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sites.add(withPolicy(
                    site("site" + i, List.of("site" + i + ".test"), limits, Optional.empty(), origin), policy));
        }
        return sites;
    }

    /** Protection on with the default bans, no global limits; {@code originCapacity} empty: learned. */
    public static ProtectionConfig protection(OptionalInt originCapacity) {
        return new ProtectionConfig(
                true,
                originCapacity,
                Map.of(),
                Optional.empty(),
                Optional.empty(),
                BanPolicy.DEFAULTS,
                List.of(),
                0,
                0);
    }

    public static EdgeConfig config(List<SiteConfig> sites) {
        return config(sites, ConnectionLimits.DEFAULTS, false);
    }

    public static EdgeConfig config(List<SiteConfig> sites, ConnectionLimits limits, boolean https) {
        return config(sites, limits, https, Http2Limits.DEFAULTS);
    }

    public static EdgeConfig config(
            List<SiteConfig> sites, ConnectionLimits limits, boolean https, ProtectionConfig protection) {
        return config(sites, limits, https, Http2Limits.DEFAULTS, protection);
    }

    public static EdgeConfig config(List<SiteConfig> sites, ConnectionLimits limits, boolean https, Http2Limits http2) {
        return config(sites, limits, https, http2, ProtectionConfig.OFF);
    }

    public static EdgeConfig config(
            List<SiteConfig> sites,
            ConnectionLimits limits,
            boolean https,
            Http2Limits http2,
            ProtectionConfig protection) {
        return EdgeConfig.builder()
                .source(Path.of("test.yaml"))
                .listen(new Listen(
                        Optional.of(new HostPort("127.0.0.1", 0)),
                        https ? Optional.of(new HostPort("127.0.0.1", 0)) : Optional.empty(),
                        1))
                .connections(limits)
                .http2(http2)
                .originPool(new OriginPoolConfig(
                        64,
                        Duration.ofSeconds(4),
                        Duration.ofMillis(200),
                        Duration.ofMillis(200),
                        Optional.empty(),
                        2,
                        1))
                .accessLog(new AccessLogConfig(false, Optional.empty()))
                .drainTimeout(Duration.ofSeconds(5))
                .protection(protection)
                .admin(AdminConfig.defaults(Path.of(".")))
                .detection(DetectionSettings.defaults(Path.of("target", "test-reports")))
                .sites(sites)
                .challenge(ChallengeConfig.DEFAULTS) // signing keys in memory only
                .build();
    }
}
