package coop.bulwark.site;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Edge-wide protection settings ({@code protection:} in the config).
 *
 * @param enabled false turns every protection off: a plain pass-through proxy (the lab's "unprotected" run)
 * @param originCapacity concurrent requests an origin address takes from the edge, unless listed in
 *     {@code originCapacityOverrides}; shared by every site on that origin. Empty (not set): each origin's limit is
 *     learned from its answers (latency against its no-load minimum, 503s, timeouts)
 * @param originCapacityOverrides per origin address
 * @param globalPerIp rate per client address across all sites (empty: none)
 * @param globalPerPrefix rate per client /24 or /48 across all sites (empty: none)
 * @param bans how bans are enforced and how long automatic ones last
 * @param manualBans bans from the config file
 * @param cacheMaxBytes the micro-cache's size bound (bodies and headers), all sites together
 * @param cacheMaxObjectBytes responses larger than this are not cached
 */
public record ProtectionConfig(
        boolean enabled,
        OptionalInt originCapacity,
        Map<HostPort, Integer> originCapacityOverrides,
        Optional<RateLimit> globalPerIp,
        Optional<RateLimit> globalPerPrefix,
        BanPolicy bans,
        List<ManualBan> manualBans,
        long cacheMaxBytes,
        long cacheMaxObjectBytes) {

    public ProtectionConfig {
        Objects.requireNonNull(originCapacity, "origin_capacity");
        if (originCapacity.isPresent() && originCapacity.getAsInt() < 1) {
            throw new IllegalArgumentException("origin_capacity: " + originCapacity.getAsInt() + " (expected: >= 1)");
        }
        originCapacityOverrides = Map.copyOf(originCapacityOverrides);
        Objects.requireNonNull(globalPerIp, "global.per_ip");
        Objects.requireNonNull(globalPerPrefix, "global.per_prefix");
        Objects.requireNonNull(bans, "bans");
        manualBans = List.copyOf(manualBans);
        if (cacheMaxBytes < 0 || cacheMaxObjectBytes < 0) {
            throw new IllegalArgumentException("cache sizes: negative (expected: >= 0)");
        }
    }

    public static final ProtectionConfig DEFAULTS = new ProtectionConfig(
            true,
            OptionalInt.empty(),
            Map.of(),
            Optional.of(new RateLimit(200, 1000)),
            Optional.of(new RateLimit(2000, 10000)),
            BanPolicy.DEFAULTS,
            List.of(),
            256L * 1024 * 1024,
            2L * 1024 * 1024);

    /** A pass-through proxy: no limits, no bans, no bulkhead queueing, no cache. */
    public static final ProtectionConfig OFF = new ProtectionConfig(
            false,
            OptionalInt.empty(),
            Map.of(),
            Optional.empty(),
            Optional.empty(),
            BanPolicy.DEFAULTS,
            List.of(),
            0,
            0);

    /** The capacity set for one origin address; empty when it is to be learned. */
    public OptionalInt capacityOf(HostPort origin) {
        Integer set = originCapacityOverrides.get(origin);
        return set != null ? OptionalInt.of(set) : originCapacity;
    }
}
