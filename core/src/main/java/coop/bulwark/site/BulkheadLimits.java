package coop.bulwark.site;

import java.time.Duration;

/**
 * A site's share of its origin: at most {@code maxConcurrent} requests at the origin at once, at most {@code queue}
 * more waiting for a slot, each for at most {@code queueTimeout}; {@code weight} sets its share when sites sharing an
 * origin compete (a site of weight 2 gets twice the slots of a site of weight 1 when both are busy).
 */
public record BulkheadLimits(int maxConcurrent, int queue, Duration queueTimeout, int weight) {
    public static final BulkheadLimits DEFAULTS = new BulkheadLimits(32, 64, Duration.ofSeconds(2), 1);

    public BulkheadLimits {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("max_concurrent: " + maxConcurrent + " (expected: >= 1)");
        }
        if (queue < 0) {
            throw new IllegalArgumentException("queue: " + queue + " (expected: >= 0)");
        }
        if (queueTimeout.isNegative()) {
            throw new IllegalArgumentException("queue_timeout: " + queueTimeout + " (expected: >= 0)");
        }
        if (weight < 1 || weight > 100) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: 1-100)");
        }
    }
}
