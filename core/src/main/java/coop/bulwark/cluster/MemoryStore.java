package coop.bulwark.cluster;

import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An in-process stand-in for the Redis server: a key space with expiry on the injected clock and one message channel,
 * shared by the {@link MemorySharedState} clients of the nodes of a test. It can be taken {@link #down} (every
 * operation of every client fails, like a stopped Redis) and {@link #wipe}d (a Redis restarted empty).
 *
 * <p>Thread-safe: one lock; listeners are called outside it.
 */
public final class MemoryStore {
    private record Entry(Object value, Instant expiresAt) {}

    private final InstantSource clock;
    private final Map<String, Entry> keys = new LinkedHashMap<>();
    private final List<Consumer<ClusterMessage>> subscribers = new CopyOnWriteArrayList<>();
    private volatile boolean down;

    public MemoryStore(InstantSource clock) {
        this.clock = clock;
    }

    /** A client of this store, as a node would open one. */
    public MemorySharedState client() {
        return new MemorySharedState(this);
    }

    /** Makes the store unreachable (true) or reachable again (false); its data stays. */
    public void down(boolean isDown) {
        this.down = isDown;
    }

    public boolean isDown() {
        return down;
    }

    /** Forgets every key, as a Redis restarted without persistence. */
    public synchronized void wipe() {
        keys.clear();
    }

    /** Keys held now (expired ones dropped first), for tests. */
    public synchronized List<String> keys() {
        expire();
        return List.copyOf(keys.keySet());
    }

    InstantSource clock() {
        return clock;
    }

    void check() throws StoreDownException {
        if (down) {
            throw new StoreDownException();
        }
    }

    synchronized Object get(String key) {
        expire();
        Entry e = keys.get(key);
        return e == null ? null : e.value();
    }

    /** Stores {@code value} until {@code expiresAt} (null: no expiry). */
    synchronized void put(String key, Object value, Instant expiresAt) {
        keys.put(key, new Entry(value, expiresAt));
    }

    /** Stores {@code value} unless the key holds one; returns the value in force. */
    synchronized Object putIfAbsent(String key, Object value, Instant expiresAt) {
        expire();
        Entry e = keys.get(key);
        if (e != null) {
            return e.value();
        }
        keys.put(key, new Entry(value, expiresAt));
        return value;
    }

    synchronized void remove(String key) {
        keys.remove(key);
    }

    /** The values of every key starting with {@code prefix}. */
    synchronized List<Object> values(String prefix) {
        expire();
        List<Object> out = new ArrayList<>();
        keys.forEach((k, e) -> {
            if (k.startsWith(prefix)) {
                out.add(e.value());
            }
        });
        return out;
    }

    void subscribe(Consumer<ClusterMessage> subscriber) {
        subscribers.add(subscriber);
    }

    void unsubscribe(Consumer<ClusterMessage> subscriber) {
        subscribers.remove(subscriber);
    }

    void publish(ClusterMessage m) {
        for (Consumer<ClusterMessage> s : subscribers) {
            s.accept(m);
        }
    }

    private void expire() {
        Instant now = clock.instant();
        for (Iterator<Entry> it = keys.values().iterator(); it.hasNext(); ) {
            Instant at = it.next().expiresAt();
            if (at != null && !at.isAfter(now)) {
                it.remove();
            }
        }
    }

    /** What every operation fails with while the store is {@link #down}. */
    static final class StoreDownException extends Exception {
        StoreDownException() {
            super("memory store down", null, false, false);
        }
    }
}
