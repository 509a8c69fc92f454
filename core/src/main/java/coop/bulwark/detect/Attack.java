package coop.bulwark.detect;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An attack as known at one moment: an immutable snapshot, re-issued as it evolves.
 *
 * @param id stable for the attack's life, e.g. {@code atk-1764063600-1}
 * @param start when the first target entered {@link SiteState#UNDER_ATTACK}
 * @param end when the last target returned to normal; null while the attack is on
 * @param targets the named targets, largest peak excess over baseline first
 * @param peakRps the highest total rate over all targets in one interval
 * @param topPrefixes the heaviest source prefixes sending to the targets during the attack (Space-Saving; each
 *     count over-estimates by at most its error)
 */
public record Attack(
        String id,
        Instant start,
        Instant end,
        List<AttackTarget> targets,
        double peakRps,
        List<HeavyHitter> topPrefixes) {
    public Attack {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(start, "start");
        targets = List.copyOf(targets);
        topPrefixes = List.copyOf(topPrefixes);
    }

    /** Whether the attack is still on. */
    public boolean ongoing() {
        return end == null;
    }

    /** The targets' site names in rank order. */
    public List<String> targetNames() {
        return targets.stream().map(AttackTarget::name).toList();
    }
}
