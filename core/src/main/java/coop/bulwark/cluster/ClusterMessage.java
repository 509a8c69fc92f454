package coop.bulwark.cluster;

import coop.bulwark.detect.SiteCounts;
import coop.bulwark.protect.Ban;
import coop.bulwark.site.Cidr;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What one node tells the others at once (Redis pub/sub): a change already written to the store's key space, so a node
 * that misses the message finds the change at its next catch-up, or (traffic) a count that is only news for a second
 * or two and is never stored. Each carries its sender's instance id, so a node ignores its own messages.
 */
public sealed interface ClusterMessage {
    /** The sending process's instance id. */
    String instance();

    /** A ban was made (or replaced). */
    record BanPut(Ban ban, String instance) implements ClusterMessage {
        public BanPut {
            Objects.requireNonNull(ban, "ban");
            Objects.requireNonNull(instance, "instance");
        }
    }

    /** A ban was lifted by an operator on {@code node}. */
    record BanLifted(Cidr subject, String node, String instance) implements ClusterMessage {
        public BanLifted {
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(instance, "instance");
        }
    }

    /** A site's state was forced by an operator. */
    record PinSet(SharedPin pin, String instance) implements ClusterMessage {
        public PinSet {
            Objects.requireNonNull(pin, "pin");
            Objects.requireNonNull(instance, "instance");
        }
    }

    /** A site was handed back to its configured state and detection ({@code auto}). */
    record PinCleared(String site, String node, String instance) implements ClusterMessage {
        public PinCleared {
            Objects.requireNonNull(site, "site");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(instance, "instance");
        }
    }

    /** The challenge key of a period was made: fetch it now rather than at the next local period change. */
    record KeyMade(long rotationSeconds, long epoch, String instance) implements ClusterMessage {
        public KeyMade {
            Objects.requireNonNull(instance, "instance");
        }
    }

    /**
     * What {@code node} counted per site since its previous such message (every 250 ms, sites with traffic only), for
     * the other edges' detection. Sent only, never stored: a missed one is simply not counted.
     */
    record Traffic(String node, Instant at, Map<String, SiteCounts> sites, String instance) implements ClusterMessage {
        public Traffic {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(at, "at");
            sites = Map.copyOf(sites);
            Objects.requireNonNull(instance, "instance");
        }
    }
}
