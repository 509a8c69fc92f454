package coop.bulwark.lab;

import java.util.Arrays;

/** The latencies of a run's successful requests, in milliseconds, as they are recorded. Thread-safe. */
public final class LatencyList {
    private long[] values;
    private int size;

    public LatencyList() {
        this(4096);
    }

    /** @param capacity how many values fit before the list grows */
    public LatencyList(int capacity) {
        values = new long[Math.max(1, capacity)];
    }

    public synchronized void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    public synchronized long[] toArray() {
        return Arrays.copyOf(values, size);
    }

    /** The nearest-rank percentile {@code q} of what was recorded ({@link Outcomes#percentile}); null when empty. */
    public Long percentile(double q) {
        return Outcomes.percentile(toArray(), q);
    }
}
