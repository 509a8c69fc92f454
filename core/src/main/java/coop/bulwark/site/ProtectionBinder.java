package coop.bulwark.site;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Binds the protection keys into records: the edge-wide {@code protection:} section ({@link ProtectionConfig}), the
 * site defaults per state in {@code policy:}, and each site's {@code state:}, {@code protection:} and {@code cache:}
 * ({@link SiteProtection}). Like the rest of the binding, a bad value is reported and replaced by what it would have
 * inherited, so every problem in the file is found in one pass.
 *
 * <p>Stateless; called on the loading thread only.
 */
/*
 * Design note. One function binds a policy section over a base StatePolicy, and it is applied twice: policy.STATE
 * over the built-in StatePolicy of that state, then sites[i].protection.STATE over that result. So both levels
 * accept exactly the same keys, and "merge key by key" holds at every depth: per_ip, per_prefix and bulkhead are
 * themselves bound over the inherited values, so {per_ip: {rate: 100/s}} keeps the inherited burst. The one gap a
 * merge cannot fill is a rate limit switched off upstream and only half given here; that is reported as missing.
 */
final class ProtectionBinder {
    private static final String EXPECTED_LIMIT = "a mapping {rate: N/s, burst: N}, or off";
    // RFC 3986 unreserved characters: a name a browser sends as is. Anything else is either percent-encoded on the
    // wire or a sign that a whole query ("page=1") or URL was pasted in.
    private static final Pattern PARAMETER = Pattern.compile("[A-Za-z0-9._~-]{1,128}");
    private static final List<String> STATES =
            Arrays.stream(ProtectionState.values()).map(ProtectionState::key).toList();
    private static final List<String> QUERY_MODES =
            Arrays.stream(QueryKeyMode.values()).map(ProtectionBinder::key).toList();
    private static final List<String> BAN_ACTIONS = Arrays.stream(BanPolicy.BanAction.values())
            .map(ProtectionBinder::key)
            .toList();

    private ProtectionBinder() {}

    /**
     * The top-level {@code protection:} section. {@code siteOrigins} are the origins of every site (including sites
     * with other problems), against which the keys of {@code origin_capacity_overrides} are checked.
     */
    static ProtectionConfig edge(ConfigSection p, Set<HostPort> siteOrigins) {
        ProtectionConfig d = ProtectionConfig.DEFAULTS;
        boolean enabled = p.flag("enabled", d.enabled());
        // Not set: learned per origin (OriginCapacity.learn). Set: fixed, as the operator knows the worker count.
        OptionalInt capacity = p.node("origin_capacity")
                        .filter(n -> !(n instanceof YamlNode.Empty))
                        .isPresent()
                ? OptionalInt.of(p.count("origin_capacity", 1, 1, Integer.MAX_VALUE))
                : d.originCapacity();
        Map<HostPort, Integer> overrides = capacityOverrides(p, siteOrigins);
        ConfigSection g = p.section("global");
        Optional<RateLimit> perIp = rateLimit(g, "per_ip", d.globalPerIp());
        Optional<RateLimit> perPrefix = rateLimit(g, "per_prefix", d.globalPerPrefix());
        g.finish();
        ConfigSection b = p.section("bans");
        BanPolicy bans = bans(b, d.bans());
        List<ManualBan> manual = manualBans(b);
        b.finish();
        ConfigSection c = p.section("cache");
        long maxBytes = c.bytes("max_bytes", d.cacheMaxBytes(), 0, Long.MAX_VALUE);
        long maxObjectBytes = c.bytes("max_object_bytes", d.cacheMaxObjectBytes(), 0, Long.MAX_VALUE);
        c.finish();
        p.finish();
        return new ProtectionConfig(
                enabled, capacity, overrides, perIp, perPrefix, bans, manual, maxBytes, maxObjectBytes);
    }

    /**
     * A mapping of state name to policy section ({@code policy:}, or a site's {@code protection:}), each bound over
     * the same state's policy in {@code base}; states not named keep their base policy.
     */
    static Map<ProtectionState, StatePolicy> policies(ConfigSection section, Map<ProtectionState, StatePolicy> base) {
        Map<ProtectionState, StatePolicy> result = new EnumMap<>(ProtectionState.class);
        for (ProtectionState s : ProtectionState.values()) {
            result.put(s, statePolicy(section.section(s.key()), base.get(s)));
        }
        section.finish();
        return result;
    }

    /** A site's {@code state:}, {@code protection:} and {@code cache:} keys, over the top-level policies. */
    static SiteProtection site(ConfigSection s, Map<ProtectionState, StatePolicy> policyDefaults) {
        SiteProtection d = SiteProtection.DEFAULTS;
        ProtectionState state =
                s.choice("state", STATES).map(ProtectionState::fromKey).orElse(d.state());
        Map<ProtectionState, StatePolicy> policies = policies(s.section("protection"), policyDefaults);
        ConfigSection c = s.section("cache");
        boolean pages = c.flag("pages", d.cachePages());
        List<String> allowlist = queryAllowlist(c);
        Duration staleIfError = c.duration("stale_if_error", d.staleIfError(), true);
        Duration staleWhileRevalidate = c.duration("stale_while_revalidate", d.staleWhileRevalidate(), true);
        c.finish();
        return new SiteProtection(state, policies, pages, allowlist, staleIfError, staleWhileRevalidate);
    }

    private static StatePolicy statePolicy(ConfigSection p, StatePolicy base) {
        Optional<RateLimit> perIp = rateLimit(p, "per_ip", base.perIp());
        Optional<RateLimit> perPrefix = rateLimit(p, "per_prefix", base.perPrefix());
        int maxPerIp = p.count("max_concurrent_per_ip", base.maxConcurrentPerIp(), 1, Integer.MAX_VALUE);
        BulkheadLimits bulkhead = bulkhead(p.section("bulkhead"), base.bulkhead());
        Duration minTtl = p.duration("cache_min_ttl", base.cacheMinTtl(), true);
        QueryKeyMode queryKey = p.choice("cache_query", QUERY_MODES)
                .map(k -> QueryKeyMode.valueOf(k.toUpperCase(Locale.ROOT)))
                .orElse(base.queryKey());
        boolean cacheOnly = p.flag("cache_only", base.cacheOnly());
        int banAfter = p.count("ban_after_limited", base.banAfterLimited(), 0, Integer.MAX_VALUE);
        Duration banWindow = p.duration("ban_window", base.banWindow(), false);
        int bustingAfter = p.count("ban_busting_after", base.banBustingAfter(), 0, Integer.MAX_VALUE);
        Duration bustingWindow = p.duration("ban_busting_window", base.banBustingWindow(), false);
        p.finish();
        return new StatePolicy(
                perIp,
                perPrefix,
                maxPerIp,
                bulkhead,
                minTtl,
                queryKey,
                cacheOnly,
                banAfter,
                banWindow,
                bustingAfter,
                bustingWindow);
    }

    private static BulkheadLimits bulkhead(ConfigSection b, BulkheadLimits base) {
        BulkheadLimits result = new BulkheadLimits(
                b.count("max_concurrent", base.maxConcurrent(), 1, Integer.MAX_VALUE),
                b.count("queue", base.queue(), 0, Integer.MAX_VALUE),
                b.duration("queue_timeout", base.queueTimeout(), true),
                b.count("weight", base.weight(), 1, 100));
        b.finish();
        return result;
    }

    /**
     * {@code off}, or {@code {rate, burst}} over {@code base}: a missing key keeps the inherited value, and is only a
     * problem when the inherited limit is off, so there is nothing to keep.
     */
    static Optional<RateLimit> rateLimit(ConfigSection parent, String key, Optional<RateLimit> base) {
        Optional<YamlNode> node = parent.node(key);
        if (node.isEmpty() || node.get() instanceof YamlNode.Empty) {
            return base;
        }
        if (node.get() instanceof YamlNode.Scalar s) {
            if (s.text().equals("off")) {
                return Optional.empty();
            }
            parent.problems().invalid(s, parent.path(key), EXPECTED_LIMIT);
            return base;
        }
        if (!(node.get() instanceof YamlNode.Mapping)) {
            parent.problems().invalid(node.get(), parent.path(key), EXPECTED_LIMIT);
            return base;
        }
        ConfigSection r = parent.section(key);
        Optional<Double> rate = r.rate("rate");
        boolean rateGiven =
                r.node("rate").filter(n -> !(n instanceof YamlNode.Empty)).isPresent();
        int burst = r.count("burst", base.map(RateLimit::burst).orElse(0), 1, Integer.MAX_VALUE);
        boolean burstGiven =
                r.node("burst").filter(n -> !(n instanceof YamlNode.Empty)).isPresent();
        r.finish();
        if (base.isEmpty()) {
            String why = "; the inherited " + key + " is off, so give both rate and burst";
            if (!rateGiven) {
                r.missing("rate", ConfigUnits.EXPECTED_RATE + why);
            }
            if (!burstGiven) {
                r.missing("burst", "an integer >= 1" + why);
            }
        }
        if (rate.isEmpty() && base.isEmpty() || burst < 1) {
            return base; // reported above or by a getter; nothing loads
        }
        return Optional.of(new RateLimit(rate.orElseGet(() -> base.orElseThrow().perSecond()), burst));
    }

    private static Map<HostPort, Integer> capacityOverrides(ConfigSection p, Set<HostPort> siteOrigins) {
        Optional<YamlNode> node = p.node("origin_capacity_overrides");
        String path = p.path("origin_capacity_overrides");
        if (node.isEmpty() || node.get() instanceof YamlNode.Empty) {
            return Map.of();
        }
        if (!(node.get() instanceof YamlNode.Mapping m)) {
            p.problems()
                    .invalid(
                            node.get(),
                            path,
                            "a mapping of origin host:port to capacity, like {\"10.0.0.5:8080\": 128}");
            return Map.of();
        }
        Map<HostPort, Integer> result = new HashMap<>();
        for (YamlNode.Entry e : m.entries()) {
            YamlNode.Scalar key = new YamlNode.Scalar(e.key(), e.line(), e.column());
            Optional<HostPort> origin = ConfigSection.parseHostPort(key, path, p.problems());
            if (origin.isPresent() && !siteOrigins.contains(origin.get())) {
                p.problems()
                        .invalid(
                                key,
                                path,
                                "the host:port of an origin, exactly as in sites[].origins; not an origin of"
                                        + " any site");
            }
            String valuePath = path + "[" + e.key() + "]";
            Long capacity = e.value() instanceof YamlNode.Scalar s ? ConfigUnits.count(s.text()) : null;
            if (capacity == null || capacity < 1 || capacity > Integer.MAX_VALUE) {
                p.problems().invalid(e.value(), valuePath, "an integer >= 1");
                continue;
            }
            origin.ifPresent(o -> result.put(o, capacity.intValue()));
        }
        return result;
    }

    private static BanPolicy bans(ConfigSection b, BanPolicy d) {
        BanPolicy.BanAction action = b.choice("action", BAN_ACTIONS)
                .map(k -> BanPolicy.BanAction.valueOf(k.toUpperCase(Locale.ROOT)))
                .orElse(d.action());
        Duration base = b.duration("base", d.base(), false);
        double factor = b.decimal("factor", d.factor(), 1);
        Duration max = b.duration("max", d.max(), false);
        Duration memory = b.duration("memory", d.memory(), false);
        if (max.compareTo(base) < 0) {
            Optional<YamlNode> maxNode = b.node("max");
            if (maxNode.isPresent()) {
                b.problems()
                        .invalid(
                                maxNode.get(),
                                b.path("max"),
                                "a duration >= " + b.path("base") + " (" + ConfigUnits.formatDuration(base) + ")");
            } else {
                b.problems()
                        .invalid(
                                b.node("base").orElseThrow(),
                                b.path("base"),
                                "a duration <= " + b.path("max") + " (" + ConfigUnits.formatDuration(max)
                                        + " by default; raise max too)");
            }
            base = d.base();
            max = d.max();
        }
        return new BanPolicy(action, base, factor, max, memory);
    }

    private static List<ManualBan> manualBans(ConfigSection b) {
        List<YamlNode> items = b.list("manual");
        List<ManualBan> result = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            YamlNode item = items.get(i);
            String path = b.path("manual") + "[" + i + "]";
            if (!(item instanceof YamlNode.Mapping)) {
                b.problems().invalid(item, path, "a mapping {subject: ADDRESS or NETWORK, reason: TEXT}");
                continue;
            }
            ConfigSection m = ConfigSection.of(item, path, b.problems(), b.baseDir());
            Optional<Cidr> subject = subject(m);
            String reason = m.text("reason").orElse("");
            Optional<Instant> until = until(m);
            m.finish();
            subject.ifPresent(s -> result.add(new ManualBan(s, reason, until)));
        }
        return result;
    }

    private static Optional<Cidr> subject(ConfigSection m) {
        Optional<String> text = m.text("subject");
        if (text.isEmpty()) {
            if (m.node("subject").isEmpty()) {
                m.missing("subject", "an IP address or network like 203.0.113.0/24");
            } else {
                m.problems()
                        .invalid(
                                m.node("subject").get(),
                                m.path("subject"),
                                "an IP address or network like 203.0.113.0/24");
            }
            return Optional.empty();
        }
        try {
            return Optional.of(Cidr.parse(text.get()));
        } catch (IllegalArgumentException e) {
            YamlNode node = m.node("subject").orElseThrow();
            m.problems().add(node.line(), node.column(), m.path("subject") + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<Instant> until(ConfigSection m) {
        Optional<String> text = m.text("until");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(text.get()));
        } catch (DateTimeParseException e) {
            m.problems()
                    .invalid(
                            m.node("until").orElseThrow(),
                            m.path("until"),
                            "an ISO-8601 instant with a zone offset, like 2026-12-31T00:00:00Z");
            return Optional.empty();
        }
    }

    private static List<String> queryAllowlist(ConfigSection c) {
        List<YamlNode> items = c.list("query_allowlist");
        List<String> result = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            YamlNode item = items.get(i);
            if (item instanceof YamlNode.Scalar s && PARAMETER.matcher(s.text()).matches()) {
                result.add(s.text());
            } else {
                c.problems()
                        .invalid(
                                item,
                                c.path("query_allowlist") + "[" + i + "]",
                                "a plain query parameter name (letters, digits, '-', '.', '_', '~'), like page");
            }
        }
        return result;
    }

    private static String key(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
