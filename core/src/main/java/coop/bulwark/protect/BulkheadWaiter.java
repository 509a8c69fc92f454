package coop.bulwark.protect;

/**
 * A request waiting for an origin slot. Exactly one of the two methods is called, once, on the waiter's own executor
 * (its event loop), never while the bulkhead's lock is held.
 */
public interface BulkheadWaiter {
    /** The request holds a slot now and must {@link OriginCapacity#release} it when done. */
    void granted();

    /** No slot within the deadline, or the queue was full: answer 503 (or serve stale). */
    void rejected(BulkheadRejection why);
}
