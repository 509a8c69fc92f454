package coop.bulwark.cluster;

import coop.bulwark.detect.PeerTraffic;
import coop.bulwark.detect.SiteCounts;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-site traffic counts for detection across the cluster: every {@link #EVERY} this edge's running totals are read,
 * and what changed since the previous reading goes to the other edges in one message (sites with traffic only; none
 * when there was none); what the others send goes into {@link PeerTraffic}, which each detection tick drains. So a
 * flood split across edges is judged on its whole rate, about a quarter second late for the other edges' share, and
 * Redis sees four small messages a second per edge, never one per request.
 *
 * <p>While the store is away nothing is sent and the other edges' counts are forgotten: each edge decides on its own
 * traffic (the totals are still read, so the first message after a return holds a quarter second, not the outage).
 *
 * <p>Confined to the {@link ClusterLink}'s thread.
 */
final class TrafficRelay {
    /** How often this edge's counts go out. */
    static final Duration EVERY = Duration.ofMillis(250);

    private static final Duration LATE_WARNING_EVERY = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(TrafficRelay.class);

    private final ClusterLink link;
    private final InstantSource clock;
    private Supplier<Map<String, SiteCounts>> running;
    private PeerTraffic peers;
    private Map<String, SiteCounts> last = Map.of();
    private Instant lastLateWarning;

    TrafficRelay(ClusterLink link, InstantSource clock) {
        this.link = link;
        this.clock = clock;
    }

    /** Starts sending this edge's counts (read from {@code running}) and taking the others' into {@code peers}. */
    void attach(Supplier<Map<String, SiteCounts>> running, PeerTraffic peers) {
        this.running = running;
        this.peers = peers;
        this.last = running.get(); // what was counted before is no news
    }

    /** Every {@link #EVERY}: sends what was counted since the previous call. */
    void poll() {
        if (running == null) {
            return;
        }
        Map<String, SiteCounts> now = running.get();
        Map<String, SiteCounts> delta = new HashMap<>();
        now.forEach((site, total) -> {
            SiteCounts d = total.since(last.getOrDefault(site, SiteCounts.ZERO));
            if (!d.isZero()) {
                delta.put(site, d);
            }
        });
        last = now;
        if (delta.isEmpty() || !link.connected()) {
            return;
        }
        var message = new ClusterMessage.Traffic(link.node(), clock.instant(), delta, link.instance());
        link.call(link.store().announce(message), ok -> {}, () -> {});
    }

    void onTraffic(ClusterMessage.Traffic t) {
        if (peers == null || t.node().equals(link.node())) {
            return;
        }
        Instant now = clock.instant();
        if (!peers.offer(t.node(), t.at(), t.sites(), now)
                && (lastLateWarning == null || now.isAfter(lastLateWarning.plus(LATE_WARNING_EVERY)))) {
            lastLateWarning = now;
            LOG.warn(
                    "cluster: traffic counts from {} arrived {} ms after they were sent (over {}): not counted;"
                            + " are the edges' clocks kept by NTP?",
                    t.node(),
                    Duration.between(t.at(), now).toMillis(),
                    PeerTraffic.MAX_AGE);
        }
    }

    /** The store is away: the others' counts would be a partial view, so none is used until it is back. */
    void lost() {
        if (peers != null) {
            peers.clear();
        }
    }
}
