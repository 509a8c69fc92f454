package coop.bulwark.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collapses concurrent fetches of one key into one: the first caller leads and fetches, later callers wait for its
 * outcome. This is what keeps a flood of misses on one URL to one origin request at a time.
 *
 * <pre>{@code
 * switch (coalescer.join(key, now, outcome -> loop.execute(() -> reply(outcome)))) {
 *     case Joined.Lead<CacheKey, CacheEntry> lead -> fetch(key).whenComplete((entry, error) -> {
 *         if (error == null) lead.flight().complete(entry); else lead.flight().fail(error);
 *     });
 *     case Joined.Follow<CacheKey, CacheEntry> f -> {} // reply() runs later, exactly once
 *     case Joined.Full<CacheKey, CacheEntry> f -> reply503();
 * }
 * }</pre>
 *
 * <p>Bounds: at most {@code maxWaitersPerKey} waiters per flight ({@link Joined.Full} beyond), and every flight has
 * a deadline {@code leaderTimeoutNanos} after it started. Call {@link #expire} periodically (e.g. every 100 ms from a
 * timer) to end overdue flights with {@link Outcome.TimedOut}; {@link #join} also ends an overdue flight it meets
 * and makes the caller the new leader, so one hung origin request never holds a key longer than its deadline.
 * The number of flights is bounded by the callers: each is created by a request that is itself admitted.
 *
 * <p>Thread-safe and lock-free across keys; callers on different event loops may join the same key. Waiters run on
 * the thread that ends the flight (see {@link Waiter}). Time is passed in, never read.
 */
public final class Coalescer<K, V> {
    private static final Logger log = LoggerFactory.getLogger(Coalescer.class);

    private final ConcurrentHashMap<K, Flight<K, V>> flights = new ConcurrentHashMap<>();
    private final int maxWaitersPerKey;
    private final long leaderTimeoutNanos;
    private final LongAdder waiterFailures = new LongAdder();

    /**
     * @param maxWaitersPerKey waiters per flight beyond the leader, {@code >= 0}
     * @param leaderTimeoutNanos how long a leader has to end its flight, {@code > 0}
     */
    public Coalescer(int maxWaitersPerKey, long leaderTimeoutNanos) {
        if (maxWaitersPerKey < 0) {
            throw new IllegalArgumentException("maxWaitersPerKey: " + maxWaitersPerKey + " (expected: >= 0)");
        }
        if (leaderTimeoutNanos <= 0) {
            throw new IllegalArgumentException("leaderTimeoutNanos: " + leaderTimeoutNanos + " (expected: > 0)");
        }
        this.maxWaitersPerKey = maxWaitersPerKey;
        this.leaderTimeoutNanos = leaderTimeoutNanos;
    }

    /**
     * Joins the fetch of {@code key} at {@code nowNanos}: leads a new flight, waits on the current one, or is
     * turned away when it is full. {@code waiter} is registered only for {@link Joined.Follow}.
     */
    public Joined<K, V> join(K key, long nowNanos, Waiter<V> waiter) {
        for (; ; ) {
            Flight<K, V> flight = flights.get(key);
            if (flight == null) {
                Flight<K, V> created = new Flight<>(this, key, nowNanos + leaderTimeoutNanos);
                flight = flights.putIfAbsent(key, created);
                if (flight == null) {
                    return new Joined.Lead<>(created);
                }
            }
            if (nowNanos - flight.deadlineNanos() >= 0) {
                flight.timeOut(); // removes it; the loop then creates a fresh flight or joins a newer one
                continue;
            }
            switch (flight.add(waiter, maxWaitersPerKey)) {
                case ADDED -> {
                    return new Joined.Follow<>();
                }
                case FULL -> {
                    return new Joined.Full<>();
                }
                case ENDED -> flights.remove(key, flight); // ended between get and add: retry
            }
        }
    }

    /** Ends every flight whose deadline is at or before {@code nowNanos} with a time-out; returns how many. */
    public int expire(long nowNanos) {
        int expired = 0;
        for (Flight<K, V> flight : flights.values()) {
            if (nowNanos - flight.deadlineNanos() >= 0 && flight.timeOut()) {
                expired++;
            }
        }
        return expired;
    }

    /** Whether a fetch of {@code key} is in progress (a stale-while-revalidate hit then needs no refresh of its own). */
    public boolean inProgress(K key) {
        return flights.containsKey(key);
    }

    /** Flights in progress. */
    public int inFlight() {
        return flights.size();
    }

    /** Waiters currently registered on {@code key}'s flight; 0 when none is in progress. */
    public int waiters(K key) {
        Flight<K, V> flight = flights.get(key);
        return flight == null ? 0 : flight.waiterCount();
    }

    /** Waiter callbacks that threw since creation (each is a bug in the caller). */
    public long waiterFailures() {
        return waiterFailures.sum();
    }

    void ended(Flight<K, V> flight) {
        flights.remove(flight.key(), flight);
    }

    void deliver(Waiter<V> waiter, Outcome<V> outcome) {
        try {
            waiter.onOutcome(outcome);
        } catch (RuntimeException e) {
            waiterFailures.increment();
            log.debug("coalesced fetch waiter threw", e);
        }
    }
}
