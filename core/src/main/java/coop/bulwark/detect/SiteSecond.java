package coop.bulwark.detect;

import java.util.List;
import java.util.Map;

/**
 * One site's traffic over one accounting interval (normally one second), as harvested by
 * {@link TrafficAccounting#harvest}. Counts are totals over the interval, not rates; divide by
 * {@link TrafficSecond#seconds()}.
 *
 * @param site the site's index
 * @param requests requests recorded
 * @param clientErrors responses 400-499
 * @param serverErrors responses 500-599 other than 504
 * @param timeouts 504 responses (the origin did not answer in time)
 * @param bytes response bytes
 * @param originResponses requests that reached the origin and got a response head
 * @param originNanos the sum of their origin latencies
 * @param cookied requests with a valid challenge cookie
 * @param returning requests from clients the edge had seen before
 * @param vouched requests that were cookied or returning (each counted once)
 * @param highEntropy requests whose query looked like a cache-busting nonce
 * @param methods requests per method code: GET, HEAD, POST, other
 * @param distinctSources estimated distinct client addresses (HyperLogLog, ~1.6% standard error)
 * @param topPrefixes the heaviest client prefixes (Space-Saving, k = 32), largest first; empty when idle
 * @param topPaths the heaviest path hashes (k = 8), largest first; empty when idle
 * @param topUserAgents the heaviest user-agent hashes (k = 8), largest first; empty when idle
 * @param labels the texts recorded for the keys of {@code topPaths} and {@code topUserAgents} (request target,
 *     User-Agent), where known
 * @param peerRequests of {@code requests}, those the other edges of a cluster counted ({@link #withPeers}); the
 *     counts above include theirs, the methods, sketches and summaries are this edge's alone
 */
public record SiteSecond(
        int site,
        long requests,
        long clientErrors,
        long serverErrors,
        long timeouts,
        long bytes,
        long originResponses,
        long originNanos,
        long cookied,
        long returning,
        long vouched,
        long highEntropy,
        List<Long> methods,
        double distinctSources,
        List<HeavyHitter> topPrefixes,
        List<HeavyHitter> topPaths,
        List<HeavyHitter> topUserAgents,
        Map<Long, String> labels,
        long peerRequests) {
    public SiteSecond {
        if (peerRequests < 0 || peerRequests > requests) {
            throw new IllegalArgumentException(
                    "peerRequests: " + peerRequests + " (expected: 0-" + requests + ", the requests)");
        }
        labels = Map.copyOf(labels);
        methods = List.copyOf(methods);
        topPrefixes = List.copyOf(topPrefixes);
        topPaths = List.copyOf(topPaths);
        topUserAgents = List.copyOf(topUserAgents);
    }

    /** Server errors and timeouts as a share of requests, 0 when idle. */
    public double failureShare() {
        return requests == 0 ? 0 : (double) (serverErrors + timeouts) / requests;
    }

    /** The mean origin latency in nanoseconds, or -1 when no request reached the origin. */
    public double meanOriginNanos() {
        return originResponses == 0 ? -1 : (double) originNanos / originResponses;
    }

    /**
     * The heaviest prefix's estimated share of this edge's requests, 0 when idle. The prefixes are this edge's alone, so
     * the share is of its own requests: an estimate of the cluster's share when the edges see the same mix, as they
     * do behind DNS round-robin.
     */
    public double topPrefixShare() {
        long own = requests - peerRequests;
        return own == 0 || topPrefixes.isEmpty()
                ? 0
                : Math.min(1.0, (double) topPrefixes.get(0).count() / own);
    }

    /** This interval with the other edges' counts of the site added (the cluster's view of it). */
    public SiteSecond withPeers(SiteCounts peers) {
        if (peers.isZero()) {
            return this;
        }
        return new SiteSecond(
                site,
                requests + peers.requests(),
                clientErrors + peers.clientErrors(),
                serverErrors + peers.serverErrors(),
                timeouts + peers.timeouts(),
                bytes + peers.bytes(),
                originResponses,
                originNanos,
                cookied + peers.cookied(),
                returning,
                vouched + peers.vouched(),
                highEntropy + peers.highEntropy(),
                methods,
                distinctSources,
                topPrefixes,
                topPaths,
                topUserAgents,
                labels,
                peerRequests + peers.requests());
    }
}
