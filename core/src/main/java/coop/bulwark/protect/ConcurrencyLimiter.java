package coop.bulwark.protect;

/**
 * Caps the requests in flight per key (typically {@link SourceKeys#ip}): {@link #tryAcquire} before a request
 * goes to an origin, {@link #release} exactly once when it completes, whatever the outcome.
 *
 * <p>Thread-safe: sharded, each shard guarded by its own monitor. A key has an entry only while its count is
 * above zero, so memory follows the number of sources with requests in flight (itself bounded by the
 * connection caps), not the number of sources ever seen. No allocation per call except when a shard's table
 * grows or shrinks.
 */
/*
 * Design note: per shard an open-addressing table of long keys and int counts with linear probing and
 * backward-shift deletion (no tombstones, so a table that sees millions of short-lived keys never degrades).
 * Load is kept between 1/8 and 1/2; a shard shrinks back once a burst of in-flight sources has drained, so a
 * past flood does not pin memory. A ConcurrentHashMap<Long, Integer> would box the key and the count on every
 * call.
 */
final class ConcurrencyLimiter {
    private static final int SHARDS = 16;

    /**
     * Two slots: a shard grows as soon as two of its sources have a request in flight, and shrinks back when none
     * has. So ordinary traffic (and the JIT warm-up) grows and shrinks the tables all the time, and the JIT compiles
     * both branches. With 16 slots a shard first grew at a flood's onset (hundreds of sources in flight), and the
     * never-taken branch sent the compiled request path back to the interpreter right then: DecisionChain.decide,
     * which inlines this, recompiled in 627 ms on the edge's one core in the flood's first seconds (a flight
     * recording of bench/flood-cost.sh --quick).
     */
    private static final int MIN_CAPACITY = 2;

    private final Shard[] shards = new Shard[SHARDS];

    public ConcurrencyLimiter() {
        for (int i = 0; i < SHARDS; i++) {
            shards[i] = new Shard();
        }
    }

    /**
     * Counts one more request in flight for {@code key} unless it already has {@code max}.
     *
     * @return true when the request may proceed (the caller must then {@link #release} it)
     */
    public boolean tryAcquire(long key, int max) {
        long h = hash(key);
        Shard s = shards[(int) h & (SHARDS - 1)];
        synchronized (s) {
            return s.acquire(key, (int) (h >>> 32), max);
        }
    }

    /**
     * Ends one request in flight for {@code key}; the entry goes when the count reaches zero.
     *
     * @return false when {@code key} had nothing in flight (a release without an acquire: a caller's bug)
     */
    public boolean release(long key) {
        long h = hash(key);
        Shard s = shards[(int) h & (SHARDS - 1)];
        synchronized (s) {
            return s.release(key, (int) (h >>> 32));
        }
    }

    /** The requests in flight for {@code key}. */
    public int inFlight(long key) {
        long h = hash(key);
        Shard s = shards[(int) h & (SHARDS - 1)];
        synchronized (s) {
            int i = s.find(key, (int) (h >>> 32));
            return i < 0 ? 0 : s.counts[i];
        }
    }

    /** Keys with at least one request in flight. */
    public int size() {
        int n = 0;
        for (Shard s : shards) {
            synchronized (s) {
                n += s.size;
            }
        }
        return n;
    }

    /** Slots allocated across shards (each 12 bytes): follows the peak of {@link #size()}, shrinks after it. */
    public int capacity() {
        int n = 0;
        for (Shard s : shards) {
            synchronized (s) {
                n += s.keys.length;
            }
        }
        return n;
    }

    private static long hash(long key) {
        if (key == 0) {
            throw new IllegalArgumentException("key: 0 (expected: a key from SourceKeys)");
        }
        return SourceKeys.mix(key);
    }

    /** Fields guarded by the shard's monitor. Key 0 marks an empty slot. */
    private static final class Shard {
        long[] keys = new long[MIN_CAPACITY];
        int[] counts = new int[MIN_CAPACITY];
        int size;

        boolean acquire(long key, int hash, int max) {
            int i = find(key, hash);
            if (i >= 0) {
                if (counts[i] >= max) {
                    return false;
                }
                counts[i]++;
                return true;
            }
            if (max < 1) {
                return false;
            }
            int at = -(i + 1);
            keys[at] = key;
            counts[at] = 1;
            if (++size > keys.length / 2) {
                resize(keys.length * 2);
            }
            return true;
        }

        boolean release(long key, int hash) {
            int i = find(key, hash);
            if (i < 0) {
                return false;
            }
            if (--counts[i] == 0) {
                delete(i);
                if (--size * 8 < keys.length && keys.length > MIN_CAPACITY) {
                    // Down to the least table over an eighth full (all the way to the minimum once empty).
                    int capacity = keys.length / 2;
                    while (capacity > MIN_CAPACITY && size * 8 < capacity) {
                        capacity /= 2;
                    }
                    resize(capacity);
                }
            }
            return true;
        }

        /** The slot of {@code key}, or {@code -(insertion slot + 1)}. */
        int find(long key, int hash) {
            int mask = keys.length - 1;
            for (int i = hash & mask; ; i = (i + 1) & mask) {
                if (keys[i] == key) {
                    return i;
                }
                if (keys[i] == 0) {
                    return -(i + 1);
                }
            }
        }

        /** Backward-shift deletion (Knuth 6.4, algorithm R): pulls later members of the run into the hole. */
        private void delete(int hole) {
            int mask = keys.length - 1;
            for (int j = (hole + 1) & mask; keys[j] != 0; j = (j + 1) & mask) {
                int home = home(keys[j]) & mask;
                if (((j - home) & mask) >= ((j - hole) & mask)) {
                    keys[hole] = keys[j];
                    counts[hole] = counts[j];
                    hole = j;
                }
            }
            keys[hole] = 0;
            counts[hole] = 0;
        }

        private void resize(int capacity) {
            long[] oldKeys = keys;
            int[] oldCounts = counts;
            keys = new long[capacity];
            counts = new int[capacity];
            int mask = capacity - 1;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldKeys[i] != 0) {
                    int j = home(oldKeys[i]) & mask;
                    while (keys[j] != 0) {
                        j = (j + 1) & mask;
                    }
                    keys[j] = oldKeys[i];
                    counts[j] = oldCounts[i];
                }
            }
        }

        private static int home(long key) {
            return (int) (SourceKeys.mix(key) >>> 32);
        }
    }
}
