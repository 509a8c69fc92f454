package coop.bulwark.report;

import java.util.Arrays;

/**
 * A bounded time series of per-tick sums: one point per tick for the first {@link #FINE_POINTS} ticks, then
 * buckets of {@link #COARSE_MILLIS} or more. Each point holds the summed fields of the ticks it covers and the
 * seconds they covered, so rates and shares stay exact when points merge; fields flagged as maxima keep the
 * largest value instead of a sum.
 *
 * <p>Not thread-safe: confined to its {@link IncidentRecorder}'s lock.
 */
/*
 * Bound: at most FINE_POINTS + MAX_COARSE_POINTS = 3,000 points whatever the attack's length. Coarse buckets are
 * aligned to multiples of their width since the epoch; when there are more than MAX_COARSE_POINTS of them the width
 * doubles and neighbours in the same wider bucket merge, so the coarse part always covers the whole rest of the
 * attack at a resolution of (attack length - 30 min) / 1,200 or better: 10 s up to 3 h 50 min, 20 s up to 7 h 10 min,
 * and so on. A point costs 16 + 8 per field bytes: 56 B for a target's five fields, so ~165 KiB per series at most.
 */
final class Series {
    /** Ticks kept at their own resolution (30 minutes of one-second ticks). */
    static final int FINE_POINTS = 1_800;
    /** The most coarse buckets kept; beyond it their width doubles. */
    static final int MAX_COARSE_POINTS = 1_200;
    /** The initial width of a coarse bucket. */
    static final long COARSE_MILLIS = 10_000;

    private final boolean[] max;
    private long[] end = new long[64];
    private double[] seconds = new double[64];
    private double[][] values;
    private int size;
    private int ticks;
    private long bucketMillis = COARSE_MILLIS;

    /** @param max per field: true to keep the largest value of the merged ticks, false to sum them */
    Series(boolean... max) {
        this.max = max.clone();
        values = new double[max.length][64];
    }

    int fields() {
        return max.length;
    }

    int size() {
        return size;
    }

    long end(int i) {
        return end[i];
    }

    double seconds(int i) {
        return seconds[i];
    }

    double value(int field, int i) {
        return values[field][i];
    }

    /** The width of the coarse buckets now (grows as the series gets longer). */
    long bucketMillis() {
        return bucketMillis;
    }

    /**
     * Adds one tick.
     *
     * @param endMillis the tick's time (the end of its interval), epoch milliseconds, not before the previous one
     * @param tickSeconds the interval's length
     * @param v one value per field
     */
    void add(long endMillis, double tickSeconds, double... v) {
        if (v.length != max.length) {
            throw new IllegalArgumentException("values: " + v.length + " (expected: " + max.length + ")");
        }
        ticks++;
        if (ticks > FINE_POINTS && size > FINE_POINTS && bucket(end[size - 1]) == bucket(endMillis)) {
            fold(size - 1, endMillis, tickSeconds, v);
            return;
        }
        append(endMillis, tickSeconds, v);
        if (size - FINE_POINTS > MAX_COARSE_POINTS) {
            widen();
        }
    }

    private long bucket(long endMillis) {
        // A tick ending exactly on a boundary belongs to the bucket it closes.
        return Math.floorDiv(endMillis - 1, bucketMillis);
    }

    private void append(long endMillis, double tickSeconds, double[] v) {
        if (size == end.length) {
            int n = Math.min(end.length * 2, FINE_POINTS + MAX_COARSE_POINTS + 1);
            end = Arrays.copyOf(end, n);
            seconds = Arrays.copyOf(seconds, n);
            for (int f = 0; f < values.length; f++) {
                values[f] = Arrays.copyOf(values[f], n);
            }
        }
        end[size] = endMillis;
        seconds[size] = tickSeconds;
        for (int f = 0; f < v.length; f++) {
            values[f][size] = v[f];
        }
        size++;
    }

    private void fold(int i, long endMillis, double tickSeconds, double[] v) {
        end[i] = Math.max(end[i], endMillis);
        seconds[i] += tickSeconds;
        for (int f = 0; f < v.length; f++) {
            values[f][i] = max[f] ? Math.max(values[f][i], v[f]) : values[f][i] + v[f];
        }
    }

    /** Doubles the coarse width and merges the coarse points that now share a bucket. */
    private void widen() {
        bucketMillis *= 2;
        int out = FINE_POINTS;
        for (int i = FINE_POINTS + 1; i < size; i++) {
            if (bucket(end[i]) == bucket(end[out])) {
                double[] v = new double[values.length];
                for (int f = 0; f < v.length; f++) {
                    v[f] = values[f][i];
                }
                fold(out, end[i], seconds[i], v);
            } else {
                out++;
                end[out] = end[i];
                seconds[out] = seconds[i];
                for (int f = 0; f < values.length; f++) {
                    values[f][out] = values[f][i];
                }
            }
        }
        size = out + 1;
    }
}
