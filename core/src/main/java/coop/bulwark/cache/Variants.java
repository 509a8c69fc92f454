package coop.bulwark.cache;

import java.util.Arrays;

/**
 * The entries stored under one {@link CacheKey}, one per distinct set of request values of the {@code Vary} fields
 * (RFC 9111 §4.1), newest first. Immutable: a store replaces the whole holder inside the cache's atomic compute,
 * so readers never lock. Its weight is fixed at creation, as Caffeine's weigher requires.
 */
final class Variants {
    private final CacheEntry[] entries;
    private final int weightBytes;
    private final long uselessAfterNanos;

    private Variants(CacheEntry[] entries, int keyWeightBytes) {
        this.entries = entries;
        long weight = keyWeightBytes;
        long useless = Long.MIN_VALUE;
        for (CacheEntry e : entries) {
            weight += e.weightBytes();
            useless = Math.max(useless, e.uselessAfterNanos());
        }
        this.weightBytes = (int) Math.min(Integer.MAX_VALUE, weight);
        this.uselessAfterNanos = useless;
    }

    static Variants of(CacheEntry entry, CacheKey key) {
        return new Variants(new CacheEntry[] {entry}, key.weightBytes());
    }

    /**
     * These variants with {@code entry} added first. It replaces a variant with the same {@code Vary} names and
     * values; variants stored under different {@code Vary} names (the origin changed its mind) are dropped, and the
     * oldest go beyond {@code maxVariants}.
     */
    Variants with(CacheEntry entry, String[] varyValues, CacheKey key, int maxVariants) {
        CacheEntry[] next = new CacheEntry[Math.min(entries.length + 1, maxVariants)];
        int n = 0;
        next[n++] = entry;
        for (CacheEntry e : entries) {
            if (n == next.length) {
                break;
            }
            if (e.variesOn(entry.meta().varyNames()) && !e.matches(varyValues)) {
                next[n++] = e;
            }
        }
        return new Variants(n == next.length ? next : Arrays.copyOf(next, n), key.weightBytes());
    }

    /** The variant selected by the request's fields, or {@code null}. */
    CacheEntry select(HeaderView request) {
        // Variants of one key usually vary on the same names; compute the request's values once per name list.
        String[] values = null;
        CacheEntry previous = null;
        for (CacheEntry e : entries) {
            if (values == null || !e.variesOn(previous.meta().varyNames())) {
                values = CacheEntry.varyValues(e.meta().varyNames(), request);
            }
            if (e.matches(values)) {
                return e;
            }
            previous = e;
        }
        return null;
    }

    int weightBytes() {
        return weightBytes;
    }

    long uselessAfterNanos() {
        return uselessAfterNanos;
    }

    int size() {
        return entries.length;
    }
}
