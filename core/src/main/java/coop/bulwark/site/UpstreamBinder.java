package coop.bulwark.site;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Binds {@code upstream:} into {@link UpstreamConfig}; every problem is reported with its file, line and key. */
final class UpstreamBinder {
    private UpstreamBinder() {}

    static UpstreamConfig bind(ConfigSection u) {
        UpstreamConfig d = UpstreamConfig.DEFAULTS;
        UpstreamConfig.Mode mode = choice(u, "mode", UpstreamConfig.Mode.values(), d.mode(), UpstreamConfig.Mode::key);
        String nextHop = u.text("next_hop").orElse(d.nextHop());
        if (!nextHop.equals("self") && Cidr.literal(nextHop) == null) {
            u.problems().invalid(u.node("next_hop").orElseThrow(), u.path("next_hop"), "self or an IP address");
            nextHop = d.nextHop();
        }
        ConfigSection c = u.section("communities");
        List<UpstreamConfig.Community> blackhole = communities(c, "blackhole", d.blackholeCommunities());
        if (blackhole.isEmpty()) {
            if (c.list("blackhole").isEmpty()) { // an empty list; bad items were reported one by one
                c.problems().invalid(c.node("blackhole").orElseThrow(), c.path("blackhole"), "at least one community");
            }
            blackhole = d.blackholeCommunities();
        }
        List<UpstreamConfig.Community> extra = communities(c, "extra", List.of());
        c.finish();
        Optional<String> neighbor = u.text("neighbor");
        if (neighbor.isPresent() && Cidr.literal(neighbor.get()) == null) {
            u.problems().invalid(u.node("neighbor").orElseThrow(), u.path("neighbor"), "the neighbour's IP address");
            neighbor = Optional.empty();
        }
        Duration escalate = u.duration("escalate_after", d.escalateAfter(), true);
        Duration minDuration = u.duration("min_duration", d.minDuration(), true);
        Duration maxLifetime = u.duration("max_lifetime", d.maxLifetime(), false);
        int perHour = u.count("max_announcements_per_hour", d.maxAnnouncementsPerHour(), 1, 10_000);

        ConfigSection f = u.section("flowspec");
        UpstreamConfig.Flowspec fd = d.flowspec();
        boolean fEnabled = f.flag("enabled", fd.enabled());
        UpstreamConfig.FlowAction action =
                choice(f, "action", UpstreamConfig.FlowAction.values(), fd.action(), UpstreamConfig.FlowAction::key);
        long rate = f.count("rate_limit_bytes_per_second", 0, 0, Integer.MAX_VALUE);
        if (action == UpstreamConfig.FlowAction.RATE_LIMIT && rate == 0) {
            f.missing("rate_limit_bytes_per_second", "the rate a rate_limit rule lets through, like 125000 (1 Mbit/s)");
            action = fd.action();
        }
        int top = f.count("top_prefixes", fd.topPrefixes(), 1, 1000);
        int maxRules = f.count("max_rules", fd.maxRules(), 1, 10_000);
        f.finish();

        ConfigSection r = u.section("rtbh");
        UpstreamConfig.RtbhAllowed allowed =
                choice(r, "allowed", UpstreamConfig.RtbhAllowed.values(), d.rtbh(), UpstreamConfig.RtbhAllowed::key);
        r.finish();
        u.finish();
        return new UpstreamConfig(
                mode,
                nextHop,
                blackhole,
                extra,
                neighbor,
                escalate,
                minDuration,
                maxLifetime,
                perHour,
                new UpstreamConfig.Flowspec(fEnabled, action, rate, top, maxRules),
                allowed);
    }

    private static List<UpstreamConfig.Community> communities(
            ConfigSection c, String key, List<UpstreamConfig.Community> defaultValue) {
        if (c.node(key).isEmpty()) {
            return defaultValue;
        }
        List<UpstreamConfig.Community> out = new ArrayList<>();
        List<YamlNode> items = c.list(key);
        for (int i = 0; i < items.size(); i++) {
            YamlNode n = items.get(i);
            UpstreamConfig.Community parsed =
                    n instanceof YamlNode.Scalar s ? UpstreamConfig.Community.parse(s.text()) : null;
            if (parsed == null) {
                c.problems()
                        .invalid(n, c.path(key) + "[" + i + "]", "a community ASN:VALUE, each 0-65535, like 65535:666");
            } else {
                out.add(parsed);
            }
        }
        return out;
    }

    private interface Key<E> {
        String key(E e);
    }

    private static <E extends Enum<E>> E choice(ConfigSection s, String key, E[] values, E defaultValue, Key<E> k) {
        Optional<String> text = s.text(key);
        if (text.isEmpty()) {
            return defaultValue;
        }
        for (E e : values) {
            if (k.key(e).equals(text.get().toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        List<String> keys = new ArrayList<>();
        for (E e : values) {
            keys.add(k.key(e));
        }
        s.problems().invalid(s.node(key).orElseThrow(), s.path(key), String.join(" | ", keys));
        return defaultValue;
    }
}
