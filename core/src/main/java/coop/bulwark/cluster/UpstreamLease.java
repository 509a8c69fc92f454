package coop.bulwark.cluster;

import coop.bulwark.site.UpstreamConfig;
import coop.bulwark.upstream.UpstreamDesk;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Only one node speaks for the cluster upstream (FlowSpec, RTBH) at a time: the holder of the lease {@code P:upstream}
 * (the node's name, {@link #TTL}, renewed every {@link #RENEW}). Every node whose {@code upstream.mode} is not
 * {@code off} asks for it; the others' desks are on standby ({@link UpstreamDesk#standby}), showing
 * {@code standby (held by NODE)}. A holder that stops or crashes loses it {@link #TTL} later at most, and the next node
 * to ask takes it.
 *
 * <p>Store away: each node keeps the role it had (a standby node cannot tell whether the holder still speaks). A node
 * that starts speaks until its first answer from the store.
 *
 * <p>Confined to the {@link ClusterLink}'s thread.
 */
final class UpstreamLease {
    static final Duration TTL = Duration.ofSeconds(5);
    static final Duration RENEW = Duration.ofSeconds(1);
    static final String NAME = "upstream";

    private final ClusterLink link;
    private final InstantSource clock;
    private UpstreamDesk desk;
    private Instant lastAsked;
    private boolean holding;

    UpstreamLease(ClusterLink link, InstantSource clock) {
        this.link = link;
        this.clock = clock;
    }

    void attach(UpstreamDesk desk) {
        this.desk = desk;
    }

    void poll() {
        Instant now = clock.instant();
        if (desk == null || (lastAsked != null && now.isBefore(lastAsked.plus(RENEW)))) {
            return;
        }
        lastAsked = now;
        if (desk.config().mode() == UpstreamConfig.Mode.OFF) {
            if (holding && link.connected()) {
                link.call(link.store().release(NAME, link.node()), ok -> {}, () -> {});
            }
            holding = false;
            desk.standby(null, now); // nothing to say upstream: never on standby for it
            return;
        }
        if (!link.connected()) {
            return;
        }
        link.call(
                link.store().claim(NAME, link.node(), TTL),
                holder -> {
                    holding = holder.equals(link.node());
                    desk.standby(holding ? null : holder, clock.instant());
                },
                () -> {});
    }
}
