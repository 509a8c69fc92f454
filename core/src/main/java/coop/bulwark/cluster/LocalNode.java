package coop.bulwark.cluster;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * This node of the cluster, as its {@link ClusterLink} presents it to the others.
 *
 * @param node its name ({@code cluster.node})
 * @param address where it serves, for the roster
 * @param version the Bulwark version
 * @param generation its config generation now
 * @param lease how long its name stays taken after its last heartbeat (a crashed node's name is free after it)
 */
public record LocalNode(
        String node, Supplier<String> address, String version, LongSupplier generation, Duration lease) {
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(5);

    public LocalNode {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(generation, "generation");
        Objects.requireNonNull(lease, "lease");
    }
}
