package coop.bulwark.detect;

import coop.bulwark.site.DetectionConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * One site's state machine, {@code normal → suspect → under_attack → recovering → normal}, driven once per tick
 * by that site's {@link SiteSecond}.
 *
 * <ul>
 *   <li>{@code normal → suspect}: the rate is elevated (or extreme) at one tick and so is the short-window average.
 *   <li>{@code normal|suspect|recovering → under_attack}: {@code confirmTicks} consecutive attack-grade ticks
 *       (extreme rate and a {@link HostileSign}).
 *   <li>{@code suspect → normal}, {@code under_attack → recovering}, {@code recovering → normal}: {@code calmTicks}
 *       consecutive calm ticks and the state's minimum dwell.
 * </ul>
 *
 * <p>It cannot flap: entering needs a rate above the suspect threshold while leaving needs the short average
 * below the lower calm threshold for many ticks, and every state but normal has a minimum dwell; so a site makes
 * at most one round trip per {@code minSuspect} (suspect) or {@code minUnderAttack + minRecovering} (attack).
 *
 * <p>Not thread-safe: confined to the detection tick.
 */
final class SiteDetector {
    private final int site;
    private final String name;
    private DetectionConfig config;
    private final SiteBaseline baseline;
    private double warmupSeconds;
    private SiteState state = SiteState.NORMAL;
    private Instant since;
    private double observedSeconds;
    private int attackStreak;
    private int calmStreak;
    private Signals last;

    SiteDetector(int site, String name, DetectionConfig config) {
        this.site = site;
        this.name = name;
        this.config = config;
        this.baseline = new SiteBaseline(config);
        this.warmupSeconds = config.warmup().toNanos() / 1e9;
    }

    /** New thresholds from a reload: state, streaks and baselines carry on. */
    void reconfigure(DetectionConfig next) {
        config = next;
        baseline.reconfigure(next);
        warmupSeconds = next.warmup().toNanos() / 1e9;
    }

    int site() {
        return site;
    }

    String name() {
        return name;
    }

    SiteState state() {
        return state;
    }

    /** The signals of the latest tick, null before the first. */
    Signals lastSignals() {
        return last;
    }

    /** Feeds one interval; returns the transition it caused, or null. */
    DetectionEvent.StateChanged step(SiteSecond s, double seconds, Instant now) {
        if (since == null) {
            since = now;
        }
        Signals sig = baseline.observe(s, seconds);
        last = sig;
        boolean warm = observedSeconds >= warmupSeconds;
        observedSeconds += seconds;
        attackStreak = sig.attackGrade() ? attackStreak + 1 : 0;
        boolean calm =
                sig.grade() == Signals.Grade.USUAL && sig.shortRateRps() < config.calmThreshold(sig.baselineRps());
        calmStreak = calm ? calmStreak + 1 : 0;

        SiteState next = warm ? next(now) : state;
        // The baseline learns popularity (normal or suspect without hostile signs), never an attack.
        boolean quiet = state != SiteState.UNDER_ATTACK && state != SiteState.RECOVERING;
        if (!warm || (quiet && next != SiteState.UNDER_ATTACK && sig.hostile().isEmpty())) {
            baseline.learn(s, seconds);
        }
        if (next == state) {
            return null;
        }
        SiteState from = state;
        state = next;
        since = now;
        return new DetectionEvent.StateChanged(now, site, name, from, next, reason(from, next, sig), sig);
    }

    private SiteState next(Instant now) {
        Duration dwell = Duration.between(since, now);
        boolean confirmed = attackStreak >= config.confirmTicks();
        boolean settled = calmStreak >= config.calmTicks();
        return switch (state) {
            case NORMAL ->
                confirmed ? SiteState.UNDER_ATTACK : elevatedForAWhile() ? SiteState.SUSPECT : SiteState.NORMAL;
            case SUSPECT ->
                confirmed
                        ? SiteState.UNDER_ATTACK
                        : settled && dwell.compareTo(config.minSuspect()) >= 0 ? SiteState.NORMAL : SiteState.SUSPECT;
            case UNDER_ATTACK ->
                settled && dwell.compareTo(config.minUnderAttack()) >= 0
                        ? SiteState.RECOVERING
                        : SiteState.UNDER_ATTACK;
            case RECOVERING ->
                confirmed
                        ? SiteState.UNDER_ATTACK
                        : settled && dwell.compareTo(config.minRecovering()) >= 0
                                ? SiteState.NORMAL
                                : SiteState.RECOVERING;
        };
    }

    /**
     * Suspect needs the short-window average over the suspect threshold too, not one busy second: on a quiet site,
     * one person opening a page with its assets is a dozen requests in a second, far above a baseline near zero. A
     * flood lifts the short average past the threshold within its first second or two, and never needs this path to
     * be declared (confirmed attack-grade ticks go straight to under_attack).
     */
    private boolean elevatedForAWhile() {
        return last.grade() != Signals.Grade.USUAL
                && last.shortRateRps() >= config.suspectThreshold(last.baselineRps());
    }

    private String reason(SiteState from, SiteState to, Signals sig) {
        String rate = String.format(
                Locale.ROOT,
                "rate %.1f rps (short %.1f) vs baseline %.2f rps",
                sig.rateRps(),
                sig.shortRateRps(),
                sig.baselineRps());
        return switch (to) {
            case SUSPECT -> rate + ", " + sig.grade().name().toLowerCase(Locale.ROOT);
            case UNDER_ATTACK -> rate + ", extreme for " + attackStreak + " ticks; signs " + sig.hostile();
            case RECOVERING, NORMAL -> rate + ", calm for " + calmStreak + " ticks after " + from.key();
        };
    }
}
