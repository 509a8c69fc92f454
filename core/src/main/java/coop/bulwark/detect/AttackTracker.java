package coop.bulwark.detect;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The open attack being assembled tick by tick: its targets with their peaks, the total peak and the heaviest
 * prefixes sent to the targets. Produces {@link Attack} snapshots.
 *
 * <p>Not thread-safe: confined to the detection tick.
 */
final class AttackTracker {
    private static final int TOP_PREFIXES = 16;

    private String id;
    private final Instant start;
    private final int maxTargets;
    private final Map<Integer, AttackTarget> targets = new LinkedHashMap<>();
    private final SpaceSaving prefixes = new SpaceSaving(TrafficRecorder.PREFIX_CAPACITY);
    private double peakRps;

    AttackTracker(String id, Instant start, int maxTargets) {
        this.id = id;
        this.start = start;
        this.maxTargets = maxTargets;
    }

    String id() {
        return id;
    }

    /** The cluster named this attack first: it goes on under the cluster's id. */
    void rename(String clusterId) {
        this.id = clusterId;
    }

    boolean isTarget(int site) {
        return targets.containsKey(site);
    }

    Iterable<Integer> targetSites() {
        return List.copyOf(targets.keySet());
    }

    /** Names a site; returns false when it was already named or the list is full. */
    boolean addTarget(int site, String name, Instant since, Signals sig) {
        if (targets.containsKey(site) || targets.size() >= maxTargets) {
            return false;
        }
        targets.put(site, new AttackTarget(site, name, since, sig.rateRps(), sig.baselineRps(), sig.excessRps()));
        return true;
    }

    /**
     * Folds in one tick of the targets' traffic.
     *
     * @param signals this tick's signals of the targets that are under attack now; only their prefixes count
     */
    void observe(List<SiteSecond> seconds, double intervalSeconds, Map<Integer, Signals> signals) {
        double total = 0;
        for (AttackTarget t : List.copyOf(targets.values())) {
            Signals sig = signals.get(t.site());
            SiteSecond s = seconds.get(t.site());
            total += s.requests() / intervalSeconds;
            if (sig == null || !sig.attackGrade()) {
                // Not flooded this tick: its prefixes are its usual visitors, and a long tail of one-off keys
                // would climb over the flood's prefixes in Space-Saving (each newcomer starts at the minimum).
                continue;
            }
            for (HeavyHitter h : s.topPrefixes()) {
                prefixes.offer(h.key(), h.count());
            }
            if (sig.excessRps() > t.peakExcessRps()) {
                targets.put(
                        t.site(),
                        new AttackTarget(
                                t.site(),
                                t.name(),
                                t.since(),
                                Math.max(t.peakRps(), sig.rateRps()),
                                t.baselineRps(),
                                sig.excessRps()));
            }
        }
        peakRps = Math.max(peakRps, total);
    }

    Attack snapshot(Instant end) {
        List<AttackTarget> ranked = new ArrayList<>(targets.values());
        ranked.sort(Comparator.comparingDouble(AttackTarget::peakExcessRps).reversed());
        return new Attack(id, start, end, ranked, peakRps, prefixes.top(TOP_PREFIXES));
    }
}
