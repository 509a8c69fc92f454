package coop.bulwark.admin;

import coop.bulwark.protect.SiteGuard;
import coop.bulwark.site.ProtectionState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Protection states forced by an operator, with optional expiry: when an override expires the site returns to the
 * state its config names, unless someone (an operator, later detection) has moved it since, in which case the newer
 * decision stands.
 *
 * <p>Thread-safe: an override and its expiry task are replaced together under this object's lock.
 */
final class StateOverrides {
    /** Reason shown for a state set through the admin API. */
    static final String REASON = "admin";

    /** Reason shown once an override has lapsed. */
    static final String EXPIRED = "admin override expired";

    private record Override(ProtectionState state, Instant expiresAt, ScheduledFuture<?> expiry) {}

    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Override> overrides = new ConcurrentHashMap<>();

    StateOverrides(Clock clock, ScheduledExecutorService scheduler) {
        this.clock = clock;
        this.scheduler = scheduler;
    }

    /** Forces {@code guard} into {@code state}, back to its configured state after {@code ttl} (null: until changed). */
    synchronized void force(SiteGuard guard, ProtectionState state, String reason, Duration ttl) {
        Override before = overrides.remove(guard.name());
        if (before != null && before.expiry() != null) {
            before.expiry().cancel(false);
        }
        Instant now = clock.instant();
        guard.force(state, reason, now, ttl == null ? null : now.plus(ttl));
        if (ttl == null) {
            return;
        }
        ScheduledFuture<?> expiry =
                scheduler.schedule(() -> expire(guard, state), ttl.toMillis(), TimeUnit.MILLISECONDS);
        overrides.put(guard.name(), new Override(state, now.plus(ttl), expiry));
    }

    private synchronized void expire(SiteGuard guard, ProtectionState forced) {
        Override o = overrides.get(guard.name());
        if (o == null || o.state() != forced) {
            return;
        }
        overrides.remove(guard.name());
        guard.unpin();
        if (guard.state() == forced) {
            guard.setState(guard.settings().state(), EXPIRED, clock.instant());
        }
    }

    /**
     * Hands the site back: drops any override and returns it to its configured state; detection (when on) moves it
     * from there at its next tick.
     */
    synchronized void release(SiteGuard guard, String reason) {
        Override before = overrides.remove(guard.name());
        if (before != null && before.expiry() != null) {
            before.expiry().cancel(false);
        }
        guard.unpin();
        guard.setState(guard.settings().state(), reason, clock.instant());
    }

    /** When the override of {@code site} lapses, or null when none is pending. */
    Instant expiresAt(String site) {
        Override o = overrides.get(site);
        return o == null ? null : o.expiresAt();
    }
}
