package coop.bulwark.detect;

import java.time.Instant;
import java.util.List;

/**
 * Everything accounted over one interval: every site's {@link SiteSecond} (indexed by site) and the global view.
 *
 * @param at the end of the interval
 * @param seconds the interval's length in seconds (about 1; the tick scheduler may be late)
 * @param sites one entry per site index, in order; in a cluster each includes the other edges' counts of the site
 *     ({@link SiteSecond#peerRequests()})
 * @param requests requests over all sites, this edge's alone
 * @param distinctSources distinct client addresses over all sites (HyperLogLog)
 * @param topPrefixes the heaviest prefixes over all sites (Space-Saving, k = 64), largest first
 */
public record TrafficSecond(
        Instant at,
        double seconds,
        List<SiteSecond> sites,
        long requests,
        double distinctSources,
        List<HeavyHitter> topPrefixes) {
    public TrafficSecond {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("seconds: " + seconds + " (expected: > 0)");
        }
        sites = List.copyOf(sites);
        topPrefixes = List.copyOf(topPrefixes);
    }
}
