package coop.bulwark.site;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Binds the {@code sites:} list (and the {@code limits:} sections) into records, checking what only makes sense
 * across sites: unique names and hosts. A site's protection keys are bound by {@link ProtectionBinder}. One instance per load; confined to the loading thread.
 */
final class SiteBinder {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final String EXPECTED_SITE = "a mapping with name, hosts and origins";

    private final ConfigProblems problems;
    private final SiteLimits defaults;
    private final int maxUriBytesCap;
    private final Map<String, Claim> names = new HashMap<>();
    private final Map<String, Claim> hosts = new HashMap<>();
    private final Map<ProtectionState, StatePolicy> policies;
    private final Set<HostPort> allOrigins = new HashSet<>();
    private boolean anyTls;

    /** Where a name or host was first seen, for the "already used" message at its second occurrence. */
    private record Claim(String site, String path, int line) {}

    /** {@code policies}: the top-level {@code policy:} result, which each site's {@code protection:} overrides. */
    SiteBinder(
            ConfigProblems problems,
            SiteLimits defaults,
            int maxUriBytesCap,
            Map<ProtectionState, StatePolicy> policies) {
        this.problems = problems;
        this.defaults = defaults;
        this.maxUriBytesCap = maxUriBytesCap;
        this.policies = Map.copyOf(policies);
    }

    /** Every origin address that parsed, including those of sites with other problems; valid after {@link #bind}. */
    Set<HostPort> origins() {
        return Set.copyOf(allOrigins);
    }

    /** Whether any site has a {@code tls:} key, valid or not (so a bad one does not also trip the https check). */
    boolean anyTls() {
        return anyTls;
    }

    List<SiteConfig> bind(ConfigSection root) {
        if (root.node("sites").isEmpty()) {
            root.missing("sites", "a list of sites, each " + EXPECTED_SITE);
            return List.of();
        }
        List<YamlNode> items = root.list("sites");
        YamlNode listNode = root.node("sites").orElseThrow();
        if (items.isEmpty() && (listNode instanceof YamlNode.Empty || listNode instanceof YamlNode.Sequence)) {
            problems.invalid(listNode, "sites", "at least one site, " + EXPECTED_SITE);
        }
        List<SiteConfig> sites = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            site(items.get(i), "sites[" + i + "]", root.baseDir()).ifPresent(sites::add);
        }
        return sites;
    }

    private Optional<SiteConfig> site(YamlNode node, String path, Path baseDir) {
        if (!(node instanceof YamlNode.Mapping)) {
            problems.invalid(node, path, EXPECTED_SITE);
            return Optional.empty();
        }
        ConfigSection s = ConfigSection.of(node, path, problems, baseDir);
        String name = name(s);
        String label = name == null ? path : name;
        List<String> siteHosts = hosts(s, label);
        List<HostPort> origins = origins(s);
        Optional<TlsConfig> tls = Optional.empty();
        if (s.node("tls").isPresent()) {
            anyTls = true;
            tls = tls(s.section("tls"));
        }
        SiteLimits limits = limits(s.section("limits"), defaults, maxUriBytesCap);
        SiteProtection protection = ProtectionBinder.site(s, policies);
        SiteChallenge challenge = ChallengeBinder.site(s);
        List<Cidr> addresses = addresses(s);
        s.finish();
        if (name == null || siteHosts.isEmpty() || origins.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SiteConfig(name, siteHosts, origins, tls, limits, protection, challenge, addresses));
    }

    /** {@code addresses}: IP literals (the site's public A/AAAA records), never names, never networks. */
    private List<Cidr> addresses(ConfigSection s) {
        List<YamlNode> items = s.list("addresses");
        List<Cidr> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            YamlNode n = items.get(i);
            byte[] literal =
                    n instanceof YamlNode.Scalar sc ? Cidr.literal(sc.text().trim()) : null;
            if (literal == null) {
                problems.invalid(
                        n,
                        s.path("addresses") + "[" + i + "]",
                        "an IP address the site's DNS points at, like 203.0.113.10");
                continue;
            }
            Cidr a = new Cidr(literal, literal.length * 8);
            if (!out.contains(a)) {
                out.add(a);
            }
        }
        return out;
    }

    private String name(ConfigSection s) {
        Optional<String> name = s.text("name");
        if (name.isEmpty()) {
            s.missing("name", "a site name matching [a-z0-9][a-z0-9._-]*, like alpha");
            return null;
        }
        YamlNode node = s.node("name").orElseThrow();
        if (!NAME.matcher(name.get()).matches()) {
            problems.invalid(node, s.path("name"), "a site name matching [a-z0-9][a-z0-9._-]*, like alpha");
            return null;
        }
        Claim first = names.putIfAbsent(name.get(), new Claim(name.get(), s.path(), node.line()));
        if (first != null) {
            problems.invalid(node, s.path("name"), "a unique site name; " + first.path() + " at line " + first.line());
            return null;
        }
        return name.get();
    }

    private List<String> hosts(ConfigSection s, String site) {
        if (s.node("hosts").isEmpty()) {
            s.missing("hosts", "a list of host names, like [example.org, www.example.org]");
            return List.of();
        }
        List<YamlNode> items = s.list("hosts");
        YamlNode listNode = s.node("hosts").orElseThrow();
        if (items.isEmpty() && (listNode instanceof YamlNode.Empty || listNode instanceof YamlNode.Sequence)) {
            problems.invalid(listNode, s.path("hosts"), "at least one host name");
        }
        List<String> result = new ArrayList<>();
        boolean bad = false;
        for (int i = 0; i < items.size(); i++) {
            YamlNode item = items.get(i);
            String path = s.path("hosts") + "[" + i + "]";
            String problem = item instanceof YamlNode.Scalar h ? HostPattern.problem(h.text()) : "a host name";
            if (problem != null) {
                problems.invalid(item, path, problem);
                bad = true;
                continue;
            }
            String host = HostRouter.normalize(((YamlNode.Scalar) item).text().strip());
            Claim first = hosts.putIfAbsent(host, new Claim(site, path, item.line()));
            if (first != null) {
                String where = first.site().equals(site) ? "this site" : "site " + first.site();
                problems.invalid(
                        item,
                        path,
                        "a host no other entry has; " + where + " already lists " + host + " at line " + first.line());
                bad = true;
                continue;
            }
            result.add(host);
        }
        return bad ? List.of() : result;
    }

    private List<HostPort> origins(ConfigSection s) {
        if (s.node("origins").isEmpty()) {
            s.missing("origins", "a list of host:port, like [127.0.0.1:8081]");
            return List.of();
        }
        List<YamlNode> items = s.list("origins");
        YamlNode listNode = s.node("origins").orElseThrow();
        if (items.isEmpty() && (listNode instanceof YamlNode.Empty || listNode instanceof YamlNode.Sequence)) {
            problems.invalid(listNode, s.path("origins"), "at least one host:port");
        }
        List<HostPort> result = new ArrayList<>();
        boolean bad = false;
        for (int i = 0; i < items.size(); i++) {
            Optional<HostPort> hp =
                    ConfigSection.parseHostPort(items.get(i), s.path("origins") + "[" + i + "]", problems);
            hp.ifPresent(result::add);
            hp.ifPresent(allOrigins::add);
            bad |= hp.isEmpty();
        }
        return bad ? List.of() : result;
    }

    /** {@code {cert, key}} or {@code {certbot_live}}; every file must exist and be readable now, not at first use. */
    private Optional<TlsConfig> tls(ConfigSection t) {
        Optional<Path> cert = t.file("cert");
        Optional<Path> key = t.file("key");
        Optional<Path> live = t.file("certbot_live");
        t.finish();
        if (live.isPresent()) {
            YamlNode node = t.node("certbot_live").orElseThrow();
            if (cert.isPresent() || key.isPresent()) {
                problems.invalid(node, t.path("certbot_live"), "either certbot_live or cert and key, not both");
                return Optional.empty();
            }
            Path dir = live.get();
            if (!Files.isDirectory(dir)) {
                problems.invalid(
                        node,
                        t.path("certbot_live"),
                        "a directory like /etc/letsencrypt/live/NAME; " + dir + " is not one");
                return Optional.empty();
            }
            TlsConfig tls = TlsConfig.certbotLive(dir);
            List<String> absent = new ArrayList<>();
            for (Path p : List.of(tls.certChain(), tls.privateKey())) {
                if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
                    absent.add(p.getFileName().toString());
                }
            }
            if (!absent.isEmpty()) {
                problems.invalid(
                        node,
                        t.path("certbot_live"),
                        "a certbot live directory with fullchain.pem and" + " privkey.pem; missing or unreadable in "
                                + dir + ": " + String.join(", ", absent));
                return Optional.empty();
            }
            return Optional.of(tls);
        }
        if (cert.isEmpty()
                && key.isEmpty()
                && t.node("cert").isEmpty()
                && t.node("key").isEmpty()) {
            problems.add(t.line(), t.column(), t.path() + ": no certificate (expected: cert and key, or certbot_live)");
            return Optional.empty();
        }
        boolean ok = readable(t, "cert", cert, "PEM certificate chain file")
                & readable(t, "key", key, "PEM private key file");
        return ok ? Optional.of(new TlsConfig(cert.get(), key.get())) : Optional.empty();
    }

    private boolean readable(ConfigSection t, String key, Optional<Path> file, String what) {
        Optional<YamlNode> node = t.node(key);
        if (node.isEmpty()) {
            t.missing(key, "a " + what);
            return false;
        }
        if (file.isEmpty()) {
            return false; // already reported by the getter
        }
        Path p = file.get();
        String problem = !Files.exists(p)
                ? "not found: " + p
                : !Files.isRegularFile(p)
                        ? "not a regular file: " + p
                        : !Files.isReadable(p) ? "not readable: " + p : null;
        if (problem != null) {
            problems.invalid(node.get(), t.path(key), "a readable " + what + "; " + problem);
            return false;
        }
        return true;
    }

    /**
     * A {@code limits:} section over {@code base}: the top-level one over {@link SiteLimits#DEFAULTS}, a site's over
     * the top-level result. Only {@link SiteLimits} keys are accepted.
     */
    static SiteLimits limits(ConfigSection l, SiteLimits base, int maxUriBytesCap) {
        long maxBody = l.bytes("max_body_bytes", base.maxBodyBytes(), 1, Long.MAX_VALUE);
        int maxUri = (int) l.bytes("max_uri_bytes", base.maxUriBytes(), 1, Integer.MAX_VALUE);
        Optional<YamlNode> maxUriNode = l.node("max_uri_bytes");
        if (maxUri > maxUriBytesCap && maxUriNode.isEmpty()) {
            // Inherited from the built-in default while connections.max_uri_bytes is lower: the cap is the intent.
            maxUri = maxUriBytesCap;
        } else if (maxUri > maxUriBytesCap) {
            l.problems()
                    .invalid(
                            maxUriNode.get(),
                            l.path("max_uri_bytes"),
                            "at most connections.max_uri_bytes (" + ConfigUnits.formatBytes(maxUriBytesCap)
                                    + "), which the parser enforces before the site is known");
            maxUri = Math.min(base.maxUriBytes(), maxUriBytesCap);
        }
        long minRate = l.bytes("min_body_bytes_per_second", base.minBodyBytesPerSecond(), 0, Long.MAX_VALUE);
        Duration grace = l.duration("body_grace_period", base.bodyGracePeriod(), false);
        Duration connect = l.duration("origin_connect_timeout", base.originConnectTimeout(), false);
        Duration origin = l.duration("origin_timeout", base.originTimeout(), false);
        int maxWebsockets = l.count("max_websockets", base.maxWebsockets(), 0, 1_000_000);
        Duration wsIdle = l.duration("websocket_idle_timeout", base.websocketIdleTimeout(), false);
        l.finish();
        return new SiteLimits(maxBody, maxUri, minRate, grace, connect, origin, maxWebsockets, wsIdle);
    }
}
