package coop.bulwark.lab.uplink;

import coop.bulwark.lab.LabReport;
import coop.bulwark.lab.Outcomes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one uplink run saw, second by second (index = second of the run from the traffic's {@code go}): the people's
 * results and the floods as the traffic process counted them, the link as the router's qdisc counted it, and every
 * announcement the router held, with when it appeared and went. Filled by the lab's threads; read once at the end.
 */
final class UplinkRecord {
    final UplinkPlan plan;
    final int seconds;
    final long[] bystanderOk;
    final long[] bystanderFailed;
    final long[] targetOk;
    final long[] targetFailed;
    final long[] attackSent;
    final long[] floodBytes;
    final double[] utilisation;
    final long[] dropped;
    final long[] originAttack;
    private final Map<String, Held> held = new LinkedHashMap<>();

    /** One rule or route in the router, keyed by kind and match. */
    private static final class Held {
        final String kind;
        final String match;
        final double since;
        Double gone;

        Held(String kind, String match, double since) {
            this.kind = kind;
            this.match = match;
            this.since = since;
        }
    }

    UplinkRecord(UplinkPlan plan) {
        this.plan = plan;
        this.seconds = plan.durationS();
        bystanderOk = new long[seconds];
        bystanderFailed = new long[seconds];
        targetOk = new long[seconds];
        targetFailed = new long[seconds];
        attackSent = new long[seconds];
        floodBytes = new long[seconds];
        utilisation = new double[seconds];
        dropped = new long[seconds];
        originAttack = new long[seconds];
        Arrays.fill(utilisation, Double.NaN);
    }

    /** The router holds exactly these announcements at {@code atS} ({@code kind} → matches). */
    synchronized void routerHolds(double atS, Map<String, Set<String>> now) {
        for (Held h : held.values()) {
            if (h.gone == null && !now.getOrDefault(h.kind, Set.of()).contains(h.match)) {
                h.gone = atS;
            }
        }
        now.forEach((kind, matches) -> {
            for (String m : matches) {
                Held h = held.get(kind + " " + m);
                if (h == null || h.gone != null) {
                    held.put(kind + " " + m, new Held(kind, m, atS));
                }
            }
        });
    }

    synchronized List<LabReport.UpstreamAnnouncement> announcements() {
        List<LabReport.UpstreamAnnouncement> out = new ArrayList<>();
        for (Held h : held.values()) {
            out.add(new LabReport.UpstreamAnnouncement(
                    h.kind, h.match, round(h.since), h.gone == null ? null : round(h.gone)));
        }
        return out;
    }

    /** First second of the volumetric flood in which the link carried ≥ 90 % of its capacity; -1: never. */
    int saturatedAt() {
        for (int s = plan.floodFrom(); s < Math.min(seconds, plan.floodTo()); s++) {
            if (utilisation[s] >= 0.9) {
                return s;
            }
        }
        return -1;
    }

    int saturatedSeconds() {
        int n = 0;
        for (double u : utilisation) {
            n += u >= 0.9 ? 1 : 0;
        }
        return n;
    }

    double peakUtilisation() {
        double peak = 0;
        for (double u : utilisation) {
            peak = Double.isNaN(u) ? peak : Math.max(peak, u);
        }
        return Math.round(peak * 100) / 100.0;
    }

    /** When the router first held an announcement; NaN: never. */
    synchronized double firstAnnouncement() {
        double first = Double.NaN;
        for (Held h : held.values()) {
            first = Double.isNaN(first) ? h.since : Math.min(first, h.since);
        }
        return first;
    }

    /**
     * The first second after {@code from} from which the link stayed below 70 % of its capacity to the flood's end
     * (the upstream's relief); -1: never.
     */
    int reliefAt(double from) {
        if (Double.isNaN(from)) {
            return -1;
        }
        int end = Math.min(seconds, plan.floodTo());
        for (int s = (int) Math.ceil(from); s < end; s++) {
            boolean stays = true;
            for (int t = s; t < end && stays; t++) {
                stays = !(utilisation[t] >= 0.7);
            }
            if (stays) {
                return s;
            }
        }
        return -1;
    }

    static Double rate(long[] ok, long[] failed, int from, int to) {
        long o = 0;
        long f = 0;
        for (int s = Math.max(0, from); s < Math.min(ok.length, to); s++) {
            o += ok[s];
            f += failed[s];
        }
        return Outcomes.successRate(o, f);
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
