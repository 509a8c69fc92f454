package coop.bulwark.protect;

import coop.bulwark.site.BulkheadLimits;
import coop.bulwark.site.ProtectionState;
import coop.bulwark.site.SiteProtection;
import coop.bulwark.site.StatePolicy;
import java.time.Instant;
import java.util.Objects;

/**
 * A site's live protection: its current {@link ProtectionState} and the policy that state selects, and its origin
 * {@link SiteBudget}. Lives as long as the site's name is configured, across reloads, so a state set at run time and
 * the in-flight counts survive a new config snapshot.
 *
 * <p>Thread-safe: state and policy are published together through one volatile field.
 */
public final class SiteGuard {
    /** The state in force and why: a record, so readers always see a consistent pair. */
    public record StateView(ProtectionState state, StatePolicy policy, String reason, Instant since) {}

    private final String name;
    private final int index;
    private final SiteBudget budget;
    private final UpgradeSlots upgrades = new UpgradeSlots();
    private volatile SiteProtection settings;
    private volatile StateView view;
    /** Until when an operator's forced state holds against detection; null when none, {@link Instant#MAX}: until changed. */
    private Instant pinnedUntil;

    /**
     * @param index a small number unique among the configured sites while this guard lives (0 to
     *     {@link SourceKeys#MAX_SITE_INDEX}), scoping the site's per-source limits
     */
    public SiteGuard(String name, int index, SiteProtection settings, Instant now) {
        if (index < 0 || index > SourceKeys.MAX_SITE_INDEX) {
            throw new IllegalArgumentException(
                    "site index: " + index + " (expected: 0-" + SourceKeys.MAX_SITE_INDEX + ")");
        }
        this.name = name;
        this.index = index;
        this.settings = settings;
        StatePolicy p = settings.policy(settings.state());
        this.view = new StateView(settings.state(), p, "config", now);
        this.budget = new SiteBudget(name, p.bulkhead());
    }

    public String name() {
        return name;
    }

    /** The site's stable index for per-source limit keys. */
    public int index() {
        return index;
    }

    public SiteBudget budget() {
        return budget;
    }

    /** The site's open upgraded (WebSocket) connections, under its cap. */
    public UpgradeSlots upgrades() {
        return upgrades;
    }

    public SiteProtection settings() {
        return settings;
    }

    public StateView view() {
        return view;
    }

    public StatePolicy policy() {
        return view.policy();
    }

    public ProtectionState state() {
        return view.state();
    }

    /**
     * New settings from a reload. The state stays what it is at run time unless the config changed the configured
     * state itself (an operator editing {@code state:} means it).
     */
    public synchronized void reconfigure(SiteProtection next, Instant now) {
        SiteProtection before = settings;
        settings = next;
        ProtectionState s = before.state() != next.state() ? next.state() : view.state();
        String reason = before.state() != next.state() ? "config" : view.reason();
        apply(s, reason, before.state() != next.state() ? now : view.since());
    }

    /** Moves the site to {@code state} (admin API, detection); returns the previous view. */
    public synchronized StateView setState(ProtectionState state, String reason, Instant now) {
        Objects.requireNonNull(state, "state");
        StateView before = view;
        apply(state, reason, before.state() == state ? before.since() : now);
        return before;
    }

    /**
     * An operator forces the state (admin API, CLI): it holds against detection until {@code until} (null: until an
     * operator changes it again or calls {@link #unpin}).
     */
    public synchronized StateView force(ProtectionState state, String reason, Instant now, Instant until) {
        pinnedUntil = until == null ? Instant.MAX : until;
        return setState(state, reason, now);
    }

    /** Ends an operator's forced state: detection decides again from its next tick. */
    public synchronized void unpin() {
        pinnedUntil = null;
    }

    /**
     * Whether detection must leave this site alone: an operator forced its state and the force has not lapsed, or
     * the config names a state other than normal for it (an operator writing {@code state: under_attack} means it).
     */
    public synchronized boolean pinned(Instant now) {
        return settings.state() != ProtectionState.NORMAL || (pinnedUntil != null && now.isBefore(pinnedUntil));
    }

    /**
     * Applies detection's verdict on the site unless it is {@link #pinned}; returns whether the state changed.
     */
    public synchronized boolean detected(ProtectionState state, String reason, Instant now) {
        if (pinned(now) || view.state() == state) {
            return false;
        }
        setState(state, reason, now);
        return true;
    }

    private void apply(ProtectionState state, String reason, Instant since) {
        StatePolicy p = settings.policy(state);
        view = new StateView(state, p, reason, since);
        BulkheadLimits b = p.bulkhead();
        if (!b.equals(budget.limits())) {
            budget.limits(b);
        }
    }

    @Override
    public String toString() {
        return name + " (" + view.state().key() + ")";
    }
}
