package coop.bulwark.admin;

import coop.bulwark.metrics.SiteMeters.VerdictLabel;
import coop.bulwark.proxy.EdgeSnapshot;
import coop.bulwark.proxy.Site;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live request rates per site and verdict, derived from the sites' cumulative counters by sampling them (every second,
 * from the admin scheduler): a rate is the increase since the previous sample divided by the time between them.
 *
 * <p>Holds one entry per configured site (removed sites are dropped at the next sample), so it is bounded by the
 * config. {@link #sample} runs on one thread; {@link #rates} may be read from any.
 */
final class SiteRates {
    private static final int VERDICTS = VerdictLabel.values().length;

    /** The counts seen at the last sample and the rates they gave. */
    private record Sample(long nanos, double[] counts, double[] perSecond) {}

    private final Map<String, Sample> samples = new ConcurrentHashMap<>();

    /** Takes a sample of every site in {@code snapshot} at {@code nanos} (monotonic time). */
    void sample(EdgeSnapshot snapshot, long nanos) {
        Set<String> names = new HashSet<>();
        for (Site site : snapshot.sites()) {
            names.add(site.name());
            double[] counts = new double[VERDICTS];
            for (VerdictLabel v : VerdictLabel.values()) {
                counts[v.ordinal()] = site.meters().count(v);
            }
            Sample before = samples.get(site.name());
            double[] perSecond = new double[VERDICTS];
            if (before != null && nanos > before.nanos()) {
                double seconds = (nanos - before.nanos()) / 1e9;
                for (int i = 0; i < VERDICTS; i++) {
                    // A site removed and re-added starts its counters again: never report a negative rate.
                    perSecond[i] = Math.max(0, (counts[i] - before.counts()[i]) / seconds);
                }
            }
            samples.put(site.name(), new Sample(nanos, counts, perSecond));
        }
        samples.keySet().retainAll(names);
    }

    /** Requests per second of {@code site} by verdict over the last sample interval; zeros before two samples. */
    double[] rates(String site) {
        Sample s = samples.get(site);
        return s == null ? new double[VERDICTS] : s.perSecond().clone();
    }
}
