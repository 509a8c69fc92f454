package coop.bulwark.cache;

/**
 * Called back once when a coalesced fetch it joined ends. It runs on the thread that ends the flight (the leader's,
 * or the one calling {@link Coalescer#expire}), so a proxy should hop to its own event loop inside it, e.g.
 * {@code outcome -> channel.eventLoop().execute(() -> reply(outcome))}, and do nothing slow. An exception it throws
 * is counted and dropped; other waiters are still called.
 */
@FunctionalInterface
public interface Waiter<V> {
    void onOutcome(Outcome<V> outcome);
}
