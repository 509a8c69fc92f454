package coop.bulwark.site;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A site's protection settings: the state it starts in, its policy per state (top-level {@code policy:} defaults with
 * the site's {@code protection:} overrides applied), and cache settings that do not change with the state.
 *
 * @param state the state the site is in at load (config or operator's choice; detection changes it at run time)
 * @param policies the policy for every state
 * @param cachePages micro-cache HTML pages and other responses without cache headers, for the state's
 *     {@link StatePolicy#cacheMinTtl} (off for sites with per-user pages not marked private)
 * @param queryAllowlist query parameters kept in the cache key in {@link QueryKeyMode#ALLOWLIST} mode
 * @param staleIfError how long an expired response may be served when the origin fails or the bulkhead is full
 * @param staleWhileRevalidate how long an expired response may be served while one request refreshes it
 */
public record SiteProtection(
        ProtectionState state,
        Map<ProtectionState, StatePolicy> policies,
        boolean cachePages,
        List<String> queryAllowlist,
        Duration staleIfError,
        Duration staleWhileRevalidate) {

    public SiteProtection {
        Objects.requireNonNull(state, "state");
        var copy = new EnumMap<ProtectionState, StatePolicy>(ProtectionState.class);
        copy.putAll(policies);
        for (ProtectionState s : ProtectionState.values()) {
            if (!copy.containsKey(s)) {
                throw new IllegalArgumentException("policy for " + s.key() + ": missing");
            }
        }
        policies = Collections.unmodifiableMap(copy);
        queryAllowlist = List.copyOf(queryAllowlist);
        if (staleIfError.isNegative() || staleWhileRevalidate.isNegative()) {
            throw new IllegalArgumentException("stale windows: negative (expected: >= 0)");
        }
    }

    public static final SiteProtection DEFAULTS = new SiteProtection(
            ProtectionState.NORMAL,
            Map.of(
                    ProtectionState.NORMAL, StatePolicy.NORMAL,
                    ProtectionState.SUSPECT, StatePolicy.SUSPECT,
                    ProtectionState.UNDER_ATTACK, StatePolicy.UNDER_ATTACK),
            true,
            List.of(),
            Duration.ofHours(1),
            Duration.ofSeconds(30));

    public StatePolicy policy(ProtectionState s) {
        return policies.get(s);
    }
}
