package coop.bulwark.lab;

import java.util.Arrays;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Site popularity: the site of rank {@code k} (1 = most visited) is picked with probability proportional to
 * {@code 1 / k^s} (Zipf's law, which web traffic across sites follows with {@code s} near 1).
 *
 * <p>Immutable; sampling is a binary search over the cumulative weights, so it is thread-safe given a per-thread
 * random generator.
 */
public final class Popularity {
    private final double[] cumulative;

    public Popularity(int sites, double exponent) {
        if (sites < 1) {
            throw new IllegalArgumentException("sites: " + sites + " (expected: >= 1)");
        }
        cumulative = new double[sites];
        double sum = 0;
        for (int k = 1; k <= sites; k++) {
            sum += 1.0 / Math.pow(k, exponent);
            cumulative[k - 1] = sum;
        }
        for (int i = 0; i < sites; i++) {
            cumulative[i] /= sum;
        }
    }

    /** The probability of rank {@code k} (1-based). */
    public double probability(int rank) {
        return cumulative[rank - 1] - (rank == 1 ? 0 : cumulative[rank - 2]);
    }

    /** A rank from 1 to the number of sites, drawn from the distribution. */
    public int sample(RandomGenerator rnd) {
        int i = Arrays.binarySearch(cumulative, rnd.nextDouble());
        int idx = i >= 0 ? i : -i - 1;
        return Math.min(idx, cumulative.length - 1) + 1;
    }

    /** A rank drawn among those not in {@code excluded} (redrawn until one is; callers exclude a few sites only). */
    public int sampleExcept(RandomGenerator rnd, Set<Integer> excluded) {
        if (excluded.size() >= cumulative.length) {
            throw new IllegalArgumentException("every site excluded");
        }
        int r;
        do {
            r = sample(rnd);
        } while (excluded.contains(r));
        return r;
    }
}
