package coop.bulwark.protect;

import coop.bulwark.site.RateLimit;
import coop.bulwark.time.Ticker;

/**
 * Per-source rate limiting by GCRA (the generic cell rate algorithm of ATM, ITU-T I.371; equivalent to a token
 * bucket that starts full) in a fixed amount of memory, however many distinct sources arrive. Keys come from
 * {@link SourceKeys}; the {@link RateLimit} is passed on every call, so a site's policy can tighten or loosen
 * (the mitigation ladder) without touching the state: only the theoretical arrival time (TAT) is stored.
 *
 * <p>Thread-safe: the table is split into shards, each guarded by its own monitor held for a probe of at most
 * {@value #PROBE} slots. No allocation per call. Time comes from the injected {@link Ticker}.
 *
 * <p><b>What the bounded table guarantees.</b> While a key keeps its slot, its decisions are exactly GCRA's.
 * A key can lose its slot only to a new key whose probe window is full; the victim is the entry with the
 * oldest TAT in that window. An entry whose TAT is not after "now" is indistinguishable from an absent one, so
 * replacing it loses nothing; replacing a live one (counted by {@link #liveEvictions()}) refills that source's
 * bucket, which can only let it through more, never less. Hence, for every key and every prefix of a request
 * sequence, this limiter allows at least as many requests as exact GCRA would, and it allows at most
 * {@code burst} more per live eviction of that key. It never denies a source for another source's traffic.
 */
/*
 * Design note.
 *
 * Layout: each shard owns a long[] of interleaved (key, TAT) pairs, open addressing with linear probing over a
 * window of PROBE = 8 pairs (two cache lines) starting at the key's home slot. Key 0 marks an empty pair.
 * Pairs are never emptied, only overwritten, so a key, if present, lies before the first empty pair of its
 * window: a miss stops there. 16 bytes per slot, so 2^20 slots (1M sources at once) cost 16 MiB and 2^22 cost
 * 64 MiB; the arrays are allocated once, in the constructor, and never grow.
 *
 * Eviction: oldest TAT in the window. TAT - now is the debt a source still owes, so the oldest TAT is the entry
 * whose loss forgives the least (nothing, if it has expired). It also means that under a flood of one-shot
 * sources (TAT = first seen + T) a persistent heavy hitter, whose TAT runs ahead of the clock by up to
 * burst * T, is the last entry to be forgotten: the table keeps the sources that matter. The error is on the
 * permissive side on purpose; a sketch (count-min) errs the other way and would deny innocent bystanders on
 * collisions. A fresh source always gets its first request: that is inherent to any per-source limit, and is
 * what the /24 and /48 prefix keys and the per-site limits are for.
 *
 * Concurrency: GCRA's step is a read-modify-write of two words (key, TAT), which cannot be one 64-bit CAS
 * without shrinking both, so each shard has a monitor. With 64 shards and an 8-pair critical section contention
 * stays low on the core counts an edge box has. The ticker is read before the lock; a thread that read an
 * older time than the last writer just sees max(TAT, now) = TAT, which GCRA tolerates.
 *
 * Alternative measured (SourceRateLimiterBenchmark): a Caffeine cache of Long -> long[1] TAT holders with a
 * maximumSize. It boxes the key on every call, allocates a holder per new source and pays W-TinyLFU
 * bookkeeping; see BENCHMARKS.md for the figures.
 */
public final class SourceRateLimiter {
    /** Pairs examined per call: the bound on work and on the eviction choice. */
    static final int PROBE = 8;

    private static final int MAX_SHARDS = 64;
    /** No slot holds it: keys are never 1 ({@link SourceKeys} sets a kind bit or bit 63) and empty slots are 0. */
    private static final long NEVER_A_KEY = 1;

    private static final int MAX_CAPACITY = 1 << 26;

    private final Shard[] shards;
    private final int shardMask;
    private final Ticker ticker;
    private final int capacity;

    /**
     * A table of {@code capacity} slots (16 bytes each, a power of two between {@value #PROBE} and 2^26), keeping
     * at most that many sources at once.
     */
    public SourceRateLimiter(int capacity, Ticker ticker) {
        if (capacity < PROBE || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException(
                    "capacity: " + capacity + " (expected: a power of two, " + PROBE + "-" + MAX_CAPACITY + ")");
        }
        int n = Math.max(1, Math.min(MAX_SHARDS, capacity / (PROBE * 32)));
        this.shards = new Shard[n];
        for (int i = 0; i < n; i++) {
            shards[i] = new Shard(capacity / n);
        }
        this.shardMask = n - 1;
        this.ticker = ticker;
        this.capacity = capacity;
    }

    /** The largest table whose arrays fit in {@code maxBytes}. */
    public static SourceRateLimiter withBudget(long maxBytes, Ticker ticker) {
        long slots = Long.highestOneBit(Math.max(1, maxBytes / Shard.BYTES_PER_SLOT));
        return new SourceRateLimiter((int) Math.min(MAX_CAPACITY, slots), ticker);
    }

    /**
     * Takes one request from {@code key}'s allowance.
     *
     * @param key a non-zero key from {@link SourceKeys}
     * @return 0 when the request is allowed (and counted), otherwise the nanoseconds until this key's next
     *     request would be allowed (for {@code Retry-After}); a denied request is not counted
     */
    public long tryAcquire(long key, RateLimit limit) {
        return tryAcquire(key, limit.intervalNanos(), limit.toleranceNanos());
    }

    /** {@link #tryAcquire(long, RateLimit)} with the limit's {@code T} and tolerance precomputed, in ns. */
    public long tryAcquire(long key, long intervalNanos, long toleranceNanos) {
        if (key == 0) {
            throw new IllegalArgumentException("key: 0 (expected: a key from SourceKeys)");
        }
        long h = SourceKeys.mix(key);
        Shard shard = shards[(int) h & shardMask];
        long now = ticker.read();
        synchronized (shard) {
            return shard.acquire(key, (int) (h >>> 32), now, intervalNanos, toleranceNanos);
        }
    }

    /**
     * Starts loading the home slots of four keys the caller is about to {@linkplain #tryAcquire check}, so that their
     * cache misses overlap. Each check takes its shard's monitor, whose locked instruction waits for the loads before
     * it: four checks of cold keys (a flood's thousands of sources, each seen about once a second) would otherwise pay
     * four misses one after another. Reads without the locks; the values only feed a branch that is never taken.
     */
    public void prefetch(long a, long b, long c, long d) {
        if ((home(a) | home(b) | home(c) | home(d)) == NEVER_A_KEY) {
            Thread.onSpinWait();
        }
    }

    private long home(long key) {
        long h = SourceKeys.mix(key);
        Shard shard = shards[(int) h & shardMask];
        return shard.slots[((int) (h >>> 32) & shard.mask) << 1];
    }

    /** Slots in the table: the most sources tracked at once. */
    public int capacity() {
        return capacity;
    }

    /** Bytes held by the table's arrays, fixed at construction (object headers add under 5 KiB). */
    public long retainedBytes() {
        return (long) capacity * Shard.BYTES_PER_SLOT;
    }

    /** Occupied slots, including sources whose allowance is full again (they are reused first). */
    public int size() {
        int n = 0;
        for (Shard s : shards) {
            synchronized (s) {
                n += s.used;
            }
        }
        return n;
    }

    /** Times a source still owing time was forgotten to make room; each could grant at most one extra burst. */
    public long liveEvictions() {
        long n = 0;
        for (Shard s : shards) {
            synchronized (s) {
                n += s.liveEvictions;
            }
        }
        return n;
    }

    /** One lock stripe; every field is guarded by the shard's monitor. */
    private static final class Shard {
        static final int BYTES_PER_SLOT = 16;

        /** Interleaved pairs: slots[2i] = key (0 = empty), slots[2i + 1] = TAT in ticker nanoseconds. */
        private final long[] slots;

        private final int mask;
        int used;
        long liveEvictions;

        Shard(int capacity) {
            this.slots = new long[capacity * 2];
            this.mask = capacity - 1;
        }

        long acquire(long key, int hash, long now, long interval, long tolerance) {
            long[] t = slots;
            int home = hash & mask;
            int victim = -1;
            long victimTat = 0;
            for (int i = 0; i < PROBE; i++) {
                int at = ((home + i) & mask) << 1;
                long k = t[at];
                if (k == key) {
                    return conform(at + 1, now, interval, tolerance);
                }
                if (k == 0) {
                    victim = at;
                    used++;
                    break;
                }
                long tat = t[at + 1];
                if (victim < 0 || tat - victimTat < 0) {
                    victim = at;
                    victimTat = tat;
                }
            }
            if (t[victim] != 0 && victimTat - now > 0) {
                liveEvictions++;
            }
            // An unknown source is a full bucket, and burst >= 1: always allowed.
            t[victim] = key;
            t[victim + 1] = now + interval;
            return 0;
        }

        private long conform(int at, long now, long interval, long tolerance) {
            long tat = slots[at];
            long base = tat - now > 0 ? tat : now;
            long wait = base - now - tolerance;
            if (wait > 0) {
                return wait;
            }
            slots[at] = base + interval;
            return 0;
        }
    }
}
