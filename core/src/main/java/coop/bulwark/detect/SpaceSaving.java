package coop.bulwark.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Top-k heavy hitters of a stream of weighted 64-bit keys in {@code 24 k} bytes, whatever the number of distinct
 * keys: every key whose true count exceeds {@code N / k} (N the total weight) is in the summary, and each
 * reported count over-estimates the true one by at most its {@link HeavyHitter#error()} {@code <= N / k}.
 *
 * <p>Not thread-safe: one writer (an event loop, via {@link TrafficRecorder}); the tick reads a summary only
 * after its writers have moved on to the next generation.
 */
/*
 * Design note. Space-Saving (Metwally, Agrawal, El Abbadi, "Efficient Computation of Frequent and Top-k Elements
 * in Data Streams", ICDT 2005). k counters; a monitored key increments its counter; an unmonitored key takes over
 * the counter with the minimum count c_min, starting at c_min + weight with error c_min. Since the counts always
 * sum to N, c_min <= N / k, which gives both guarantees above. The same authors' "stream-summary" keeps the
 * counters in a linked bucket list for O(1) updates; for k = 32 one linear scan over two 256-byte arrays (find the
 * key while tracking the minimum) are faster than pointer chasing and allocate nothing. Summaries of stripes are
 * merged by re-offering each entry with its count (the mergeable-summaries argument of Agarwal, Cormode, Huang,
 * Phillips, Wei, Yi, PODS 2012, applies: the merged error stays within the combined N / k plus the parts'
 * errors, which we carry along).
 *
 * An attacker who knows k can keep rotating k + 1 prefixes at equal rates so no count is exact; the summary then
 * still reports them all with counts within N / k, which is what attribution needs ("these prefixes, roughly").
 */
public final class SpaceSaving {
    private final long[] keys;
    private final long[] counts;
    private final long[] errors;
    private int size;
    private long total;

    /** @param capacity k, the number of counters (1-4096) */
    public SpaceSaving(int capacity) {
        if (capacity < 1 || capacity > 4096) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: 1-4096)");
        }
        keys = new long[capacity];
        counts = new long[capacity];
        errors = new long[capacity];
    }

    public int capacity() {
        return keys.length;
    }

    /** The total weight offered since the last {@link #clear}. */
    public long total() {
        return total;
    }

    /** Counts {@code weight} (> 0) occurrences of {@code key}. Allocation-free. */
    public void offer(long key, long weight) {
        offer(key, weight, 0);
    }

    private void offer(long key, long weight, long carriedError) {
        total += weight;
        long[] k = keys;
        long[] c = counts;
        int n = size;
        // One pass finds the key or, failing that, the minimum counter to take over.
        int victim = 0;
        long min = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (k[i] == key) {
                c[i] += weight;
                errors[i] += carriedError;
                return;
            }
            if (c[i] < min) {
                min = c[i];
                victim = i;
            }
        }
        if (n < k.length) {
            k[n] = key;
            c[n] = weight;
            errors[n] = carriedError;
            size = n + 1;
            return;
        }
        k[victim] = key;
        c[victim] = min + weight;
        errors[victim] = min + carriedError;
    }

    /** Adds every entry of {@code other} into this summary, keeping each entry's error bound. */
    public void mergeFrom(SpaceSaving other) {
        int n = other.size;
        for (int i = 0; i < n; i++) {
            offer(other.keys[i], other.counts[i], other.errors[i]);
        }
    }

    /** The largest count in the summary, 0 when empty. Allocation-free. */
    public long maxCount() {
        long max = 0;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, counts[i]);
        }
        return max;
    }

    /**
     * The monitored keys, largest count first (equal counts in the order they were first monitored), at most {@code
     * limit}.
     */
    public List<HeavyHitter> top(int limit) {
        // Sorted as primitives: each slot's count (capped for the ordering only, past any count a run reaches) above
        // its index, reversed so that equal counts keep index order. Boxed indices with a comparator went through
        // TimSort every second for every summary, whose array-store checks C2 kept deoptimising as other callers sorted
        // other types (four recompiles of TimSort in a flood's first seconds, on the edge's one core).
        long[] order = new long[size];
        for (int i = 0; i < size; i++) {
            order[i] = (Math.min(counts[i], MAX_ORDERED_COUNT) << INDEX_BITS) | (INDEX_MASK - i);
        }
        Arrays.sort(order);
        int n = Math.min(limit, size);
        List<HeavyHitter> out = new ArrayList<>(n);
        for (int j = 0; j < n; j++) {
            int i = (int) (INDEX_MASK - (order[size - 1 - j] & INDEX_MASK));
            out.add(new HeavyHitter(keys[i], counts[i], Math.min(errors[i], counts[i])));
        }
        return List.copyOf(out);
    }

    /** Bits of a slot index in {@link #top}'s ordering keys: capacity is at most 4096. */
    private static final int INDEX_BITS = 13;

    private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
    private static final long MAX_ORDERED_COUNT = Long.MAX_VALUE >>> INDEX_BITS;

    /** Forgets everything. */
    public void clear() {
        size = 0;
        total = 0;
    }
}
