package coop.bulwark.detect;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The other edges' traffic, per site name, as the cluster relays it: each edge sends what it counted every 250 ms (a
 * delta), the deltas are summed here as they arrive, and each detection tick takes what arrived since the previous one
 * ({@link #drain}) and adds it to its own interval. So every edge judges a site on the cluster's rate (its own share
 * now, the others' share of the last quarter second or so) while deciding alone: no tick waits for the others.
 *
 * <p>Nothing is ever frozen in: what is not drained is never counted twice, a node that falls silent simply adds
 * nothing, and a delta sent more than {@link #MAX_AGE} ago (delivered late after a stall of the store or the network)
 * is dropped rather than counted in a second it does not belong to. The sender's clock dates a delta, so edges keep
 * their clocks by NTP (as for bans).
 *
 * <p>Thread-safe: the cluster's thread offers, the detection thread drains (a lock held for a map merge).
 */
public final class PeerTraffic {
    /** A delta older than this on arrival is dropped; a node not heard from for this long is no longer counted. */
    public static final Duration MAX_AGE = Duration.ofSeconds(2);

    private final Map<String, SiteCounts> pending = new HashMap<>();
    private final Map<String, Instant> heard = new HashMap<>();
    private long stale;

    /**
     * Another edge's counts since its previous delta.
     *
     * @param node the sending edge's name
     * @param sentAt when it sent them, by its clock
     * @param sites per site name; sites without traffic may be left out
     * @param now the receiving edge's time
     * @return false when the delta was too old and dropped
     */
    public synchronized boolean offer(String node, Instant sentAt, Map<String, SiteCounts> sites, Instant now) {
        Objects.requireNonNull(node, "node");
        if (Duration.between(sentAt, now).compareTo(MAX_AGE) > 0) {
            stale++;
            return false;
        }
        heard.put(node, now);
        sites.forEach((site, c) -> pending.merge(site, c, SiteCounts::plus));
        return true;
    }

    /** What the other edges counted since the previous drain, per site name (for the detection tick). */
    public synchronized Map<String, SiteCounts> drain() {
        if (pending.isEmpty()) {
            return Map.of();
        }
        Map<String, SiteCounts> out = Map.copyOf(pending);
        pending.clear();
        return out;
    }

    /** Forgets everything not yet drained (the store is unreachable: the edge decides on its own traffic alone). */
    public synchronized void clear() {
        pending.clear();
        heard.clear();
    }

    /** The edges heard from within {@link #MAX_AGE} of {@code now}, sorted: whose traffic detection counts now. */
    public synchronized List<String> nodes(Instant now) {
        List<String> out = new ArrayList<>();
        heard.forEach((node, at) -> {
            if (Duration.between(at, now).compareTo(MAX_AGE) <= 0) {
                out.add(node);
            }
        });
        out.sort(null);
        return out;
    }

    /** Deltas dropped because they arrived too late. */
    public synchronized long stale() {
        return stale;
    }
}
