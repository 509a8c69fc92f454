package coop.bulwark.lab;

import java.util.Arrays;

/** The arithmetic of a run's outcome: success rates and latency percentiles. Pure functions. */
public final class Outcomes {
    private Outcomes() {}

    /** {@code ok / (ok + failed)}, or null when nothing was attempted (no rate is not a 100% rate). */
    public static Double successRate(long ok, long failed) {
        if (ok < 0 || failed < 0) {
            throw new IllegalArgumentException("counts: " + ok + ", " + failed + " (expected: >= 0)");
        }
        long n = ok + failed;
        return n == 0 ? null : (double) ok / n;
    }

    /**
     * The nearest-rank percentile {@code q} (0 < q <= 100) of {@code values}: the smallest value such that at least q%
     * of the values are at or below it; null when there are none. Sorts a copy.
     */
    public static Long percentile(long[] values, double q) {
        if (!(q > 0 && q <= 100)) {
            throw new IllegalArgumentException("q: " + q + " (expected: > 0 and <= 100)");
        }
        if (values.length == 0) {
            return null;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    /**
     * The first second (from the attack's start) after which, up to the attack's end, attack requests reaching the
     * origin stayed at or below {@code fraction} of those sent, each second; null if that never held (or no attack).
     *
     * @param sent attack requests sent per second of the attack window
     * @param reached attack requests that reached the origin per second of the same window
     */
    public static Integer mitigatedAfter(long[] sent, long[] reached, double fraction) {
        int n = Math.min(sent.length, reached.length);
        if (n == 0) {
            return null;
        }
        int since = -1;
        for (int s = 0; s < n; s++) {
            boolean held = reached[s] <= fraction * sent[s];
            if (held && since < 0) {
                since = s;
            } else if (!held) {
                since = -1;
            }
        }
        return since < 0 ? null : since;
    }
}
