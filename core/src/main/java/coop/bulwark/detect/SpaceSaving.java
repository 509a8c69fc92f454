package coop.bulwark.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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

    /** The monitored keys, largest count first, at most {@code limit}. */
    public List<HeavyHitter> top(int limit) {
        Integer[] order = new Integer[size];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, Comparator.comparingLong((Integer i) -> counts[i]).reversed());
        List<HeavyHitter> out = new ArrayList<>(Math.min(limit, size));
        for (int j = 0; j < order.length && j < limit; j++) {
            int i = order[j];
            out.add(new HeavyHitter(keys[i], counts[i], Math.min(errors[i], counts[i])));
        }
        return List.copyOf(out);
    }

    /** Forgets everything. */
    public void clear() {
        size = 0;
        total = 0;
    }
}
