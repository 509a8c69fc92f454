package coop.bulwark.site;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Detection thresholds: an immutable snapshot, validated on construction. {@link #defaults()} documents the
 * values Bulwark ships with; {@code DetectionBinder} binds it from section {@code detection:}.
 *
 * <p>Rate grades compare the last interval's rate {@code r} with the long baseline {@code L}: a rate is
 * <em>elevated</em> when {@code r >= max(suspectRatio * L, L + suspectFloorRps + noiseSigmas * sqrt(L))} and
 * <em>extreme</em> when {@code r >= max(attackRatio * L, L + attackFloorRps + noiseSigmas * sqrt(L))}. The ratio
 * serves busy sites (their normal peaks stay below it), the floor serves quiet ones (a site with 1 request a
 * minute that gets 30 a second is extreme; one that gets 3 is not). The noise term is for the many mid-sized
 * sites: arrivals are roughly Poisson, with standard deviation {@code sqrt(L)} per second, and 850 sites make 73
 * million site-seconds a day, so a threshold must sit about 6 sigma above the mean (tail below 1e-8) or some site
 * turns suspect every few minutes by chance. A 3x ratio alone is only 4 sigma at 5 req/s. A site is <em>calm</em> when its short-window rate is below
 * {@code max(calmRatio * L, L + calmFloorRps)}, which is below the suspect threshold: that gap is the hysteresis.
 *
 * <p>Defaults:
 *
 * <ul>
 *   <li>{@code shortWindow} 5 s, {@code longWindow} 10 min: EWMA time constants. The long baseline learns only
 *       from normal or non-hostile traffic, so an attack never becomes the new normal.
 *   <li>{@code warmup} 30 s: no transitions until the baselines have seen this much traffic.
 *   <li>{@code suspectRatio} 3, {@code suspectFloorRps} 10; {@code attackRatio} 5, {@code attackFloorRps} 20;
 *       {@code calmRatio} 2, {@code calmFloorRps} 5.
 *   <li>{@code confirmTicks} 2: consecutive attack-grade ticks to declare an attack (the first makes the site
 *       suspect), so a flood aligned with the tick is named at the second tick and a one-second blip never is.
 *   <li>{@code calmTicks} 10: consecutive calm ticks to step down a state.
 *   <li>{@code minSuspect} 10 s, {@code minUnderAttack} 30 s, {@code minRecovering} 60 s: minimum dwell times.
 *   <li>{@code unvouchedExcessShare} 0.5: {@code detect.HostileSign.UNVOUCHED_EXCESS} when at least half the excess is
 *       from clients with neither a valid cookie nor a previous visit.
 *   <li>{@code failureRatio} 2, {@code failureShareFloor} 0.05, {@code failureMinPerSecond} 5:
 *       {@code detect.HostileSign.FAILURES} when 5xx and timeouts reach {@code max(failureRatio * baseline, baseline +
 *       floor)} of requests and at least that many per second.
 *   <li>{@code highEntropyShare} 0.5: {@code detect.HostileSign.CACHE_BUSTING} when at least half the requests carry a
 *       high-entropy query (and at least twice the baseline share).
 *   <li>{@code concentratedShare} 0.5: {@code detect.HostileSign.CONCENTRATED} when one prefix sends at least half.
 *   <li>{@code noiseSigmas} 6: the Poisson allowance above.
 *   <li>{@code maxTargets} 16: at most this many sites are named in one attack.
 * </ul>
 */
public record DetectionConfig(
        Duration shortWindow,
        Duration longWindow,
        Duration warmup,
        double suspectRatio,
        double suspectFloorRps,
        double attackRatio,
        double attackFloorRps,
        double calmRatio,
        double calmFloorRps,
        int confirmTicks,
        int calmTicks,
        Duration minSuspect,
        Duration minUnderAttack,
        Duration minRecovering,
        double unvouchedExcessShare,
        double failureRatio,
        double failureShareFloor,
        double failureMinPerSecond,
        double highEntropyShare,
        double concentratedShare,
        double noiseSigmas,
        int maxTargets) {

    public DetectionConfig {
        List<String> problems = new ArrayList<>();
        positive(problems, "short_window", shortWindow);
        positive(problems, "long_window", longWindow);
        if (warmup == null || warmup.isNegative()) {
            problems.add("warmup: " + warmup + " (expected: >= 0)");
        }
        if (problems.isEmpty() && longWindow.compareTo(shortWindow) <= 0) {
            problems.add("long_window: " + longWindow + " (expected: > short_window " + shortWindow + ")");
        }
        atLeast(problems, "suspect_ratio", suspectRatio, 1);
        atLeast(problems, "attack_ratio", attackRatio, suspectRatio);
        atLeast(problems, "calm_ratio", calmRatio, 1);
        if (calmRatio > suspectRatio) {
            problems.add("calm_ratio: " + calmRatio + " (expected: <= suspect_ratio " + suspectRatio + ")");
        }
        atLeast(problems, "suspect_floor_rps", suspectFloorRps, 0);
        atLeast(problems, "attack_floor_rps", attackFloorRps, suspectFloorRps);
        atLeast(problems, "calm_floor_rps", calmFloorRps, 0);
        if (calmFloorRps > suspectFloorRps) {
            problems.add(
                    "calm_floor_rps: " + calmFloorRps + " (expected: <= suspect_floor_rps " + suspectFloorRps + ")");
        }
        atLeast(problems, "confirm_ticks", confirmTicks, 1);
        atLeast(problems, "calm_ticks", calmTicks, 1);
        for (var d : List.of(minSuspect, minUnderAttack, minRecovering)) {
            if (d == null || d.isNegative()) {
                problems.add("min dwell: " + d + " (expected: >= 0)");
            }
        }
        share(problems, "unvouched_excess_share", unvouchedExcessShare);
        atLeast(problems, "failure_ratio", failureRatio, 1);
        share(problems, "failure_share_floor", failureShareFloor);
        atLeast(problems, "failure_min_per_second", failureMinPerSecond, 0);
        share(problems, "high_entropy_share", highEntropyShare);
        share(problems, "concentrated_share", concentratedShare);
        atLeast(problems, "noise_sigmas", noiseSigmas, 0);
        atLeast(problems, "max_targets", maxTargets, 1);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("detection: " + String.join("; ", problems));
        }
    }

    /** The shipped defaults, listed in the class javadoc. */
    public static DetectionConfig defaults() {
        return new DetectionConfig(
                Duration.ofSeconds(5),
                Duration.ofMinutes(10),
                Duration.ofSeconds(30),
                3,
                10,
                5,
                20,
                2,
                5,
                2,
                10,
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                Duration.ofSeconds(60),
                0.5,
                2,
                0.05,
                5,
                0.5,
                0.5,
                6,
                16);
    }

    /** The rate at or above which a site with baseline {@code baselineRps} is elevated. */
    public double suspectThreshold(double baselineRps) {
        return Math.max(suspectRatio * baselineRps, baselineRps + suspectFloorRps + noise(baselineRps));
    }

    /** The rate at or above which a site with baseline {@code baselineRps} is extreme. */
    public double attackThreshold(double baselineRps) {
        return Math.max(attackRatio * baselineRps, baselineRps + attackFloorRps + noise(baselineRps));
    }

    private double noise(double baselineRps) {
        return noiseSigmas * Math.sqrt(Math.max(0, baselineRps));
    }

    /** The short-window rate below which a site with baseline {@code baselineRps} is calm. */
    public double calmThreshold(double baselineRps) {
        return Math.max(calmRatio * baselineRps, baselineRps + calmFloorRps);
    }

    private static void positive(List<String> problems, String name, Duration d) {
        if (d == null || d.isZero() || d.isNegative()) {
            problems.add(name + ": " + d + " (expected: > 0)");
        }
    }

    private static void atLeast(List<String> problems, String name, double v, double min) {
        if (!(v >= min)) {
            problems.add(name + ": " + v + " (expected: >= " + min + ")");
        }
    }

    private static void share(List<String> problems, String name, double v) {
        if (!(v > 0 && v <= 1)) {
            problems.add(name + ": " + v + " (expected: > 0 and <= 1)");
        }
    }
}
