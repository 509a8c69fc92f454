package coop.bulwark.cluster;

import java.time.Instant;
import java.util.Objects;

/**
 * What a node says about itself at each heartbeat.
 *
 * @param name its {@code cluster.node}
 * @param instance a random id of the running process (two processes with one name differ here)
 * @param address where it serves, {@code host:port} of its first listener
 * @param version the Bulwark version it runs
 * @param configGeneration its config generation (1 at start, one more per reload)
 * @param at when it sent the report, by its own wall clock
 */
public record NodeReport(
        String name, String instance, String address, String version, long configGeneration, Instant at) {
    public NodeReport {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(instance, "instance");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(at, "at");
    }
}
