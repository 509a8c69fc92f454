package coop.bulwark.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The cluster as this edge sees it, for the admin API, {@code bulwark cluster}, {@code bulwark status} and the
 * dashboard.
 *
 * @param node this edge's name
 * @param redis where the store is (no password)
 * @param connected whether the store answers now
 * @param since when {@code connected} last changed
 * @param nodes every node known, this one first
 * @param bansPublished bans this edge sent to the cluster since start
 * @param bansAdopted bans this edge took from other edges since start
 */
public record ClusterView(
        String node,
        String redis,
        boolean connected,
        Instant since,
        List<Node> nodes,
        long bansPublished,
        long bansAdopted) {
    public ClusterView {
        Objects.requireNonNull(node, "node");
        nodes = List.copyOf(nodes);
    }

    /**
     * One node.
     *
     * @param lastSeen its latest report (this edge: now)
     * @param connected whether it reports to the store: this edge's connection, or another's report younger than
     *     {@link ClusterLink#STALE_AFTER}
     * @param stale another node whose latest report is older than {@link ClusterLink#STALE_AFTER}
     * @param self whether it is this edge
     */
    public record Node(
            String name,
            String address,
            Instant lastSeen,
            String version,
            long configGeneration,
            boolean connected,
            boolean stale,
            boolean self) {
        /** Another node, from its latest report; {@code linked}: whether this edge reaches the store now. */
        static Node of(NodeReport r, Instant now, boolean linked) {
            boolean stale = Duration.between(r.at(), now).compareTo(ClusterLink.STALE_AFTER) > 0;
            return new Node(
                    r.name(), r.address(), r.at(), r.version(), r.configGeneration(), !stale && linked, stale, false);
        }
    }
}
