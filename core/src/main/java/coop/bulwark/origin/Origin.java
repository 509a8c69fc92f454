package coop.bulwark.origin;

import coop.bulwark.protect.OriginCapacity;
import coop.bulwark.site.HostPort;
import java.net.InetSocketAddress;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One origin server address and its health, shared by every site that lists it (sites on one shared web server share
 * one {@code Origin}). Health is written by the health checker and by failed connects, read on every request.
 *
 * <p>Thread-safe: the fields are volatile/atomic; a stale read only means one more attempt at a down origin.
 */
public final class Origin {
    private final HostPort configured;
    private final InetSocketAddress address;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicInteger consecutiveSuccesses = new AtomicInteger();
    private volatile boolean up = true;
    private final OriginCapacity capacity;

    public Origin(HostPort configured, InetSocketAddress resolved, int slots) {
        this(configured, resolved, OptionalInt.of(slots));
    }

    /** An origin with {@code slots} fixed, or learned from its answers when empty. */
    public Origin(HostPort configured, InetSocketAddress resolved, OptionalInt slots) {
        this.configured = configured;
        this.address = resolved;
        this.capacity = slots.isPresent()
                ? new OriginCapacity(configured.toString(), slots.getAsInt())
                : OriginCapacity.learning(configured.toString());
    }

    /** The origin's concurrency budget, shared fairly by the sites on it (see {@link OriginCapacity}). */
    public OriginCapacity capacity() {
        return capacity;
    }

    public HostPort configured() {
        return configured;
    }

    /** The resolved address; names are resolved when the config snapshot is built, never on an event loop. */
    public InetSocketAddress address() {
        return address;
    }

    public boolean isUp() {
        return up;
    }

    /** Records a failed check or connect; after {@code failThreshold} in a row the origin is marked down. */
    public void recordFailure(int failThreshold) {
        consecutiveSuccesses.set(0);
        if (consecutiveFailures.incrementAndGet() >= failThreshold) {
            up = false;
        }
    }

    /** Records a successful check; after {@code riseThreshold} in a row a down origin is marked up. */
    public void recordSuccess(int riseThreshold) {
        consecutiveFailures.set(0);
        if (!up && consecutiveSuccesses.incrementAndGet() >= riseThreshold) {
            up = true;
            consecutiveSuccesses.set(0);
        }
    }

    /** A request completed through this origin: it is clearly serving, whatever the checks said. */
    public void recordServed() {
        consecutiveFailures.set(0);
    }

    @Override
    public String toString() {
        return configured + (up ? " (up)" : " (down)");
    }
}
