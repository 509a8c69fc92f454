package coop.bulwark.admin;

import coop.bulwark.cluster.PinListener;
import coop.bulwark.cluster.SharedPin;
import coop.bulwark.edge.EdgeServer;
import coop.bulwark.proxy.Site;
import coop.bulwark.site.ProtectionState;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies operator state pins made on other edges of the cluster here, through the same {@link StateOverrides} as a
 * pin made here, so it holds against detection and lapses at the same moment on every edge. The mitigation is written
 * into the open incident like a local one, naming the edge it came from.
 *
 * <p>Called on the cluster's thread; the overrides serialise with the admin API's own calls.
 */
final class ClusterPins implements PinListener {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterPins.class);

    private final EdgeServer edge;
    private final StateOverrides overrides;
    private final Clock clock;

    ClusterPins(EdgeServer edge, StateOverrides overrides, Clock clock) {
        this.edge = edge;
        this.overrides = overrides;
        this.clock = clock;
    }

    @Override
    public void pinned(SharedPin pin) {
        Site s = edge.snapshot().site(pin.site());
        ProtectionState state = ProtectionState.fromKey(pin.state());
        if (s == null || state == null) {
            // Another edge's config names a site (or state) this one lacks: nothing to pin here.
            LOG.info(
                    "cluster: pin of {} to {} from {} does not apply here (no such site or state)",
                    pin.site(),
                    pin.state(),
                    pin.node());
            return;
        }
        Duration ttl = null;
        if (pin.expiresAt() != null) {
            ttl = Duration.between(clock.instant(), pin.expiresAt());
            if (ttl.isNegative() || ttl.isZero()) {
                return; // lapsed already
            }
        }
        String reason = pin.reason() + " (on " + pin.node() + ")";
        overrides.force(s.guard(), state, reason, ttl);
        edge.detection()
                .incidents()
                .ifPresent(d -> d.mitigation(
                        clock.instant(),
                        s.name(),
                        "state_forced",
                        "set " + state.key() + " by an operator on " + pin.node() + ": " + pin.reason()));
    }

    @Override
    public void released(String site, String node) {
        Site s = edge.snapshot().site(site);
        if (s == null) {
            return;
        }
        overrides.release(s.guard(), StateOverrides.REASON + ": auto (on " + node + ")");
        edge.detection()
                .incidents()
                .ifPresent(d -> d.mitigation(
                        clock.instant(),
                        s.name(),
                        "state_released",
                        "handed back to detection by an operator on " + node));
    }
}
