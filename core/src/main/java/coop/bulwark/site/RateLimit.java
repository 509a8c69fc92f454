package coop.bulwark.site;

/**
 * A sustained rate with a burst allowance, as used by {@code coop.bulwark.protect.SourceRateLimiter} and written
 * {@code {rate: 20/s, burst: 60}} in the config: up to {@code burst} requests may
 * arrive at once, then one every {@code 1 / perSecond} seconds. In GCRA terms the emission interval is
 * {@code T = 1e9 / perSecond} ns and the tolerance is {@code (burst - 1) * T}.
 *
 * @param perSecond sustained requests per second; above 0 and at most 1e9 (one per nanosecond)
 * @param burst requests allowed back to back from a source that has been quiet; at least 1
 */
public record RateLimit(double perSecond, int burst) {
    public RateLimit {
        if (!(perSecond > 0) || perSecond > 1e9) {
            throw new IllegalArgumentException("perSecond: " + perSecond + " (expected: > 0 and <= 1e9)");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
        }
        // burst * T must fit in a long of nanoseconds, with headroom for adding it to a nanoTime reading.
        if ((double) burst * (1e9 / perSecond) > Long.MAX_VALUE / 4.0) {
            throw new IllegalArgumentException("burst: " + burst + " at " + perSecond
                    + "/s (expected: burst / perSecond below " + Long.MAX_VALUE / 4 / 1_000_000_000L + " s)");
        }
    }

    /** The emission interval T in nanoseconds (rounded, at least 1). */
    public long intervalNanos() {
        return Math.max(1L, Math.round(1e9 / perSecond));
    }

    /** The GCRA tolerance, {@code (burst - 1) * T}, in nanoseconds. */
    public long toleranceNanos() {
        return (burst - 1) * intervalNanos();
    }
}
