package coop.bulwark.detect;

/**
 * The counts of one site that detection's decisions rest on, as one edge of a cluster sends them to the others: either
 * running totals since the edge's accounting was built, or the difference between two of them (a delta).
 *
 * @param requests requests recorded
 * @param clientErrors responses 400-499
 * @param serverErrors responses 500-599 other than 504
 * @param timeouts 504 responses
 * @param bytes response bytes
 * @param cookied requests with a valid challenge cookie
 * @param vouched requests that were cookied or returning
 * @param highEntropy requests whose query looked like a cache-busting nonce
 */
public record SiteCounts(
        long requests,
        long clientErrors,
        long serverErrors,
        long timeouts,
        long bytes,
        long cookied,
        long vouched,
        long highEntropy) {
    public static final SiteCounts ZERO = new SiteCounts(0, 0, 0, 0, 0, 0, 0, 0);

    public SiteCounts {
        if (requests < 0
                || clientErrors < 0
                || serverErrors < 0
                || timeouts < 0
                || bytes < 0
                || cookied < 0
                || vouched < 0
                || highEntropy < 0) {
            throw new IllegalArgumentException("counts: negative (expected: >= 0)");
        }
    }

    public SiteCounts plus(SiteCounts o) {
        return new SiteCounts(
                requests + o.requests,
                clientErrors + o.clientErrors,
                serverErrors + o.serverErrors,
                timeouts + o.timeouts,
                bytes + o.bytes,
                cookied + o.cookied,
                vouched + o.vouched,
                highEntropy + o.highEntropy);
    }

    /**
     * What was counted since {@code earlier}, an earlier reading of the same running totals. A total below its earlier
     * reading means the totals restarted from zero (the accounting was rebuilt on a reload): this reading is then the
     * delta.
     */
    public SiteCounts since(SiteCounts earlier) {
        if (requests < earlier.requests
                || clientErrors < earlier.clientErrors
                || serverErrors < earlier.serverErrors
                || timeouts < earlier.timeouts
                || bytes < earlier.bytes
                || cookied < earlier.cookied
                || vouched < earlier.vouched
                || highEntropy < earlier.highEntropy) {
            return this;
        }
        return new SiteCounts(
                requests - earlier.requests,
                clientErrors - earlier.clientErrors,
                serverErrors - earlier.serverErrors,
                timeouts - earlier.timeouts,
                bytes - earlier.bytes,
                cookied - earlier.cookied,
                vouched - earlier.vouched,
                highEntropy - earlier.highEntropy);
    }

    public boolean isZero() {
        return equals(ZERO);
    }
}
