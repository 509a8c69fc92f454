package coop.bulwark.cache;

import java.util.ArrayList;
import java.util.List;

/**
 * One in-progress fetch of a key, the leader's handle on it. The leader ends it with {@link #complete} or
 * {@link #fail}; {@link Coalescer#expire} ends it with a time-out when the deadline passes first. Whichever comes
 * first wins; the others return {@code false}. Every registered waiter is called exactly once, outside any lock.
 *
 * <p>Thread-safe: waiters are added and drained under this object's monitor, held only for list operations.
 */
public final class Flight<K, V> {
    private final Coalescer<K, V> owner;
    private final K key;
    private final long deadlineNanos;
    private List<Waiter<V>> waiters = new ArrayList<>(4); // null once ended

    Flight(Coalescer<K, V> owner, K key, long deadlineNanos) {
        this.owner = owner;
        this.key = key;
        this.deadlineNanos = deadlineNanos;
    }

    /** The key being fetched. */
    public K key() {
        return key;
    }

    /** Ticker time after which {@link Coalescer#expire} ends this flight with {@link Outcome.TimedOut}. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** Delivers {@code value} to every waiter; {@code false} if the flight had already ended (e.g. timed out). */
    public boolean complete(V value) {
        return end(new Outcome.Value<>(value));
    }

    /** Delivers {@code cause} to every waiter; {@code false} if the flight had already ended. */
    public boolean fail(Throwable cause) {
        return end(new Outcome.Failure<>(cause));
    }

    boolean timeOut() {
        return end(new Outcome.TimedOut<>());
    }

    /** Outcome of {@link #add}. */
    enum Added {
        ADDED,
        FULL,
        ENDED
    }

    Added add(Waiter<V> waiter, int maxWaiters) {
        synchronized (this) {
            if (waiters == null) {
                return Added.ENDED;
            }
            if (waiters.size() >= maxWaiters) {
                return Added.FULL;
            }
            waiters.add(waiter);
            return Added.ADDED;
        }
    }

    synchronized int waiterCount() {
        return waiters == null ? 0 : waiters.size();
    }

    private boolean end(Outcome<V> outcome) {
        List<Waiter<V>> toCall;
        synchronized (this) {
            if (waiters == null) {
                return false;
            }
            toCall = waiters;
            waiters = null;
        }
        owner.ended(this);
        for (Waiter<V> w : toCall) {
            owner.deliver(w, outcome);
        }
        return true;
    }
}
