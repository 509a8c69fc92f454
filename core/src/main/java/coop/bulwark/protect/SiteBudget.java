package coop.bulwark.protect;

import coop.bulwark.site.BulkheadLimits;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One site's live bulkhead state: its limits (replaced on reload) and how many of its requests are at origins now.
 * Kept by site name across reloads so in-flight counts stay right when a new config snapshot arrives.
 *
 * <p>Thread-safe: {@code limits} is volatile; the counters are changed only under the lock of the
 * {@link OriginCapacity} the request used (a site with several origins has a separate count per origin and
 * the per-site cap is checked against the sum).
 */
public final class SiteBudget {
    private final String name;
    private volatile BulkheadLimits limits;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong rejected = new AtomicLong();

    SiteBudget(String name, BulkheadLimits limits) {
        this.name = name;
        this.limits = limits;
    }

    public String name() {
        return name;
    }

    public BulkheadLimits limits() {
        return limits;
    }

    /** Applies new limits (reload, or a protection state change); takes effect for the next decisions. */
    public void limits(BulkheadLimits next) {
        this.limits = next;
    }

    /** Requests of this site at its origins right now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** Requests refused a slot since start (queue full or timed out). */
    public long rejectedCount() {
        return rejected.get();
    }

    int incrementInFlight() {
        return inFlight.incrementAndGet();
    }

    void decrementInFlight() {
        inFlight.decrementAndGet();
    }

    void countRejection() {
        rejected.incrementAndGet();
    }

    @Override
    public String toString() {
        return name;
    }
}
