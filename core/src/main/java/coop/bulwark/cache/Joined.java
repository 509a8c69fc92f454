package coop.bulwark.cache;

/** What {@link Coalescer#join} made of the caller. */
public sealed interface Joined<K, V> {
    /**
     * The caller leads: it must fetch and then call {@link Flight#complete} or {@link Flight#fail} exactly once.
     * Its own waiter is not registered; it has the result first-hand.
     */
    record Lead<K, V>(Flight<K, V> flight) implements Joined<K, V> {}

    /** The caller waits: its waiter will be called exactly once. */
    record Follow<K, V>() implements Joined<K, V> {}

    /**
     * The flight already has its maximum of waiters; the waiter was not registered. The proxy answers 503 (or, by
     * policy, fetches on its own within the site's bulkhead).
     */
    record Full<K, V>() implements Joined<K, V> {}
}
