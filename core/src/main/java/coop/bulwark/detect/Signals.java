package coop.bulwark.detect;

import java.util.EnumSet;
import java.util.Set;

/**
 * What one site's detector saw at one tick: current values next to their long-window baselines, the rate grade
 * and the hostile signs. Carried by every {@link DetectionEvent.StateChanged} so an operator can see why.
 *
 * @param rateRps requests per second over the last interval
 * @param shortRateRps the short-window (seconds) average rate
 * @param baselineRps the long-window (minutes) baseline rate
 * @param distinctSources distinct client addresses in the last interval
 * @param baselineDistinctSources their baseline
 * @param failureShare share of 5xx and timeouts in the last interval
 * @param baselineFailureShare its baseline
 * @param unvouchedExcessShare share of the excess over baseline from clients without cookie or previous visit (0-1;
 *     0 when there is no excess)
 * @param highEntropyShare share of requests with cache-busting-looking queries
 * @param topPrefixShare the heaviest prefix's share of requests
 * @param originMillis mean origin latency, -1 when nothing reached the origin
 * @param baselineOriginMillis its baseline, -1 when unknown
 * @param grade how far the rate is above baseline
 * @param hostile the hostile signs present
 */
public record Signals(
        double rateRps,
        double shortRateRps,
        double baselineRps,
        double distinctSources,
        double baselineDistinctSources,
        double failureShare,
        double baselineFailureShare,
        double unvouchedExcessShare,
        double highEntropyShare,
        double topPrefixShare,
        double originMillis,
        double baselineOriginMillis,
        Grade grade,
        Set<HostileSign> hostile) {
    /** How far the rate is above baseline, against {@link coop.bulwark.site.DetectionConfig}'s ratios and floors. */
    public enum Grade {
        /** Below the suspect threshold. */
        USUAL,
        /** At or above the suspect threshold. */
        ELEVATED,
        /** At or above the attack threshold. */
        EXTREME
    }

    public Signals {
        hostile = hostile.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(hostile));
    }

    /** The rate above baseline, never negative. */
    public double excessRps() {
        return Math.max(0, rateRps - baselineRps);
    }

    /** Whether this tick is attack-grade: an extreme rate and at least one hostile sign. */
    public boolean attackGrade() {
        return grade == Grade.EXTREME && !hostile.isEmpty();
    }
}
