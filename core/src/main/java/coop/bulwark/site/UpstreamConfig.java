package coop.bulwark.site;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Telling the upstream what to drop when the uplink is full ({@code upstream:} in the config file): FlowSpec rules
 * toward a target's addresses for the heaviest source prefixes, then, if the pipe stays full, a blackhole (RTBH) of
 * the target address, announced through ExaBGP.
 *
 * @param mode off, suggest (decide and show, an operator applies) or auto (announce)
 * @param nextHop the next hop of RTBH routes: {@code self} or an address
 * @param blackholeCommunities communities on an RTBH route (default {@code 65535:666}, RFC 7999 BLACKHOLE)
 * @param extraCommunities communities added to every announcement (e.g. the upstream's own "no-export")
 * @param neighbor the BGP neighbour the commands name, when ExaBGP has several; empty for all
 * @param escalateAfter how long the uplink must stay saturated after FlowSpec before RTBH is announced
 * @param minDuration the least time an announcement stays after the attack ended
 * @param maxLifetime the longest an announcement lives without being renewed by a still-running attack
 * @param maxAnnouncementsPerHour new announcements allowed per rolling hour (a bound on churn toward the upstream)
 * @param flowspec the FlowSpec rules
 * @param rtbh where a blackhole is allowed
 */
public record UpstreamConfig(
        Mode mode,
        String nextHop,
        List<Community> blackholeCommunities,
        List<Community> extraCommunities,
        Optional<String> neighbor,
        Duration escalateAfter,
        Duration minDuration,
        Duration maxLifetime,
        int maxAnnouncementsPerHour,
        Flowspec flowspec,
        RtbhAllowed rtbh) {
    public static final Community BLACKHOLE = new Community(65535, 666);
    public static final UpstreamConfig DEFAULTS = new UpstreamConfig(
            Mode.OFF,
            "self",
            List.of(BLACKHOLE),
            List.of(),
            Optional.empty(),
            Duration.ofSeconds(20),
            Duration.ofMinutes(10),
            Duration.ofHours(6),
            20,
            Flowspec.DEFAULTS,
            RtbhAllowed.DEDICATED_ONLY);

    public UpstreamConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(nextHop, "nextHop");
        blackholeCommunities = List.copyOf(blackholeCommunities);
        extraCommunities = List.copyOf(extraCommunities);
        Objects.requireNonNull(neighbor, "neighbor");
        Objects.requireNonNull(escalateAfter, "escalateAfter");
        Objects.requireNonNull(minDuration, "minDuration");
        Objects.requireNonNull(maxLifetime, "maxLifetime");
        Objects.requireNonNull(flowspec, "flowspec");
        Objects.requireNonNull(rtbh, "rtbh");
        if (!nextHop.equals("self") && Cidr.literal(nextHop) == null) {
            throw new IllegalArgumentException("next_hop: " + nextHop + " (expected: self or an IP address)");
        }
        if (blackholeCommunities.isEmpty()) {
            throw new IllegalArgumentException("communities.blackhole: empty (expected: at least 65535:666)");
        }
        if (maxAnnouncementsPerHour < 1) {
            throw new IllegalArgumentException(
                    "max_announcements_per_hour: " + maxAnnouncementsPerHour + " (expected: >= 1)");
        }
        if (maxLifetime.isZero() || maxLifetime.isNegative()) {
            throw new IllegalArgumentException("max_lifetime: " + maxLifetime + " (expected: > 0)");
        }
    }

    /** {@code upstream.mode}. */
    public enum Mode {
        OFF,
        SUGGEST,
        AUTO;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code upstream.rtbh.allowed}. */
    public enum RtbhAllowed {
        /** Only an address that serves no site outside the attack's targets. */
        DEDICATED_ONLY,
        ALWAYS,
        NEVER;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What a FlowSpec rule does with matching traffic. */
    public enum FlowAction {
        DISCARD,
        RATE_LIMIT;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * {@code upstream.flowspec}.
     *
     * @param enabled whether FlowSpec rules are decided at all (else straight to RTBH, where allowed)
     * @param action discard or rate_limit
     * @param rateLimitBytesPerSecond the rate of a rate_limit rule
     * @param topPrefixes the heaviest source prefixes per target address that get a rule
     * @param maxRules the most FlowSpec rules in force at once
     */
    public record Flowspec(
            boolean enabled, FlowAction action, long rateLimitBytesPerSecond, int topPrefixes, int maxRules) {
        public static final Flowspec DEFAULTS = new Flowspec(true, FlowAction.DISCARD, 0, 10, 50);

        public Flowspec {
            Objects.requireNonNull(action, "action");
            if (action == FlowAction.RATE_LIMIT && rateLimitBytesPerSecond <= 0) {
                throw new IllegalArgumentException(
                        "rate_limit_bytes_per_second: " + rateLimitBytesPerSecond + " (expected: > 0 for rate_limit)");
            }
            if (topPrefixes < 1 || maxRules < 1) {
                throw new IllegalArgumentException("top_prefixes, max_rules: expected >= 1");
            }
        }
    }

    /** A BGP community {@code ASN:VALUE}, each 0-65535. */
    public record Community(int asn, int value) {
        public Community {
            if (asn < 0 || asn > 65535 || value < 0 || value > 65535) {
                throw new IllegalArgumentException(asn + ":" + value + " (expected: ASN:VALUE, each 0-65535)");
            }
        }

        /** Parses {@code 65535:666}; null when it is not one. */
        public static Community parse(String text) {
            String[] p = text.trim().split(":", -1);
            if (p.length != 2 || !p[0].matches("\\d{1,5}") || !p[1].matches("\\d{1,5}")) {
                return null;
            }
            int a = Integer.parseInt(p[0]);
            int v = Integer.parseInt(p[1]);
            return a > 65535 || v > 65535 ? null : new Community(a, v);
        }

        @Override
        public String toString() {
            return asn + ":" + value;
        }
    }
}
