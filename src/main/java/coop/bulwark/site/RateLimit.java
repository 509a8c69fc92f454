package coop.bulwark.site;

/**
 * A request rate with burst, for a token bucket / GCRA: on average {@code perSecond} requests per second, with up to
 * {@code burst} at once after a quiet spell. Written {@code {rate: 20/s, burst: 60}} in the config ({@code /s},
 * {@code /m} or {@code /h}).
 */
public record RateLimit(double perSecond, int burst) {
    public RateLimit {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("rate: " + perSecond + " (expected: > 0 per second)");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
        }
    }

    /** Nanoseconds between requests at the steady rate (the GCRA emission interval). */
    public long intervalNanos() {
        return Math.max(1, Math.round(1e9 / perSecond));
    }
}
