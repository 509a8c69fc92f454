package coop.bulwark.cache;

/** How a coalesced fetch ended, as delivered to each {@link Waiter}. */
public sealed interface Outcome<V> {
    /** The leader fetched {@code value}. */
    record Value<V>(V value) implements Outcome<V> {}

    /** The leader failed with {@code cause} (origin error, bulkhead full, body too large...). */
    record Failure<V>(Throwable cause) implements Outcome<V> {}

    /** The leader did not finish before its deadline; the caller decides (stale-if-error, 504, or retry). */
    record TimedOut<V>() implements Outcome<V> {}
}
