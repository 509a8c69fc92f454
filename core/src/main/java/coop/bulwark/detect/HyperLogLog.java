package coop.bulwark.detect;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Estimates the number of distinct 64-bit keys added, in {@code 2^precision} bytes whatever the number of keys.
 * With the default precision 12 that is 4 KiB and a relative standard error of about 1.6%.
 *
 * <p>Thread-safe and lock-free: {@link #add} may be called from several event loops at once (a register only
 * ever grows, by compare-and-set, and after warm-up almost no add changes a register, so there is next to no
 * contention). {@link #estimate}, {@link #clear} and {@link #mergeFrom} are for one reader thread (the tick);
 * an {@code add} racing with {@code clear} may survive into the cleared sketch, which only ever over-counts by
 * that one key.
 */
/*
 * Design note. HyperLogLog (Flajolet, Fusy, Gandouet, Meunier, "HyperLogLog: the analysis of a near-optimal
 * cardinality estimation algorithm", AofA 2007) with a 64-bit hash, and the estimator of Ertl ("New cardinality
 * estimation algorithms for HyperLogLog sketches", arXiv:1702.01284, 2017, the "improved raw estimator").
 *
 * The top p bits of the hash pick one of m = 2^p registers; the register keeps the largest "rank" (position of
 * the first 1 bit in the remaining 64-p bits) seen. The classic estimate, alpha_m m^2 / sum(2^-M[j]), is biased
 * for small sets and needs a switch to linear counting below 2.5 m, where its error peaks (we measured 2.8% RMS,
 * 5.4% worst of 50 at n = 10,000); HLL++ (Heule, Nunkesser, Hall, EDBT 2013) patches that with empirical bias
 * tables. Ertl's estimator instead corrects the register histogram's two ends (sigma for empty registers, tau
 * for saturated ones) in closed form, is unbiased over the whole range without tables or a switch, and costs one
 * pass over the registers plus a few dozen floating-point steps. Relative standard error: 1.04 / sqrt(m), 1.625%
 * at p = 12, so about 95% of estimates fall within 3.3% and nearly all within 5% (3 sigma); small sets are near
 * exact (each collision of two keys in one register is corrected for on average).
 *
 * Registers are bytes (ranks reach 65 - p, which needs 6 bits): 4 KiB instead of 3 KiB packed, so an add is one
 * byte compare-and-set with no shifting. The hash of the key is the caller's: keys must already be well mixed
 * (see TrafficRecorder, which mixes source keys with a per-process seed so a client cannot pick addresses that
 * land in chosen registers).
 */
final class HyperLogLog {
    private static final VarHandle REGISTER = MethodHandles.arrayElementVarHandle(byte[].class);
    private final int precision;
    private final byte[] registers;

    /** @param precision 4-16 bits: {@code 2^precision} registers of one byte each */
    public HyperLogLog(int precision) {
        if (precision < 4 || precision > 16) {
            throw new IllegalArgumentException("precision: " + precision + " (expected: 4-16)");
        }
        this.precision = precision;
        this.registers = new byte[1 << precision];
    }

    public int precision() {
        return precision;
    }

    /** The sketch's size in bytes of register state. */
    public int registerBytes() {
        return registers.length;
    }

    /** The relative standard error of {@link #estimate}: {@code 1.04 / sqrt(2^precision)}. */
    public double standardError() {
        return 1.04 / Math.sqrt(registers.length);
    }

    /** Adds a key given by its 64-bit hash, which must be well mixed. Allocation-free. */
    public void add(long hash) {
        int index = (int) (hash >>> (64 - precision));
        // The sentinel bit caps the rank at 65 - p when the remaining bits are all zero.
        int rank = Long.numberOfLeadingZeros((hash << precision) | (1L << (precision - 1))) + 1;
        byte current = (byte) REGISTER.getOpaque(registers, index);
        while (rank > current) {
            if (REGISTER.compareAndSet(registers, index, current, (byte) rank)) {
                return;
            }
            current = (byte) REGISTER.getOpaque(registers, index);
        }
    }

    /** The estimated number of distinct keys added since the last {@link #clear}. */
    public double estimate() {
        int m = registers.length;
        int q = 64 - precision;
        int[] histogram = new int[q + 2];
        for (int i = 0; i < m; i++) {
            histogram[(byte) REGISTER.getOpaque(registers, i)]++;
        }
        // Ertl's improved raw estimator (see the design note): one formula for every range, no switch-over.
        double z = m * tau(1 - (double) histogram[q + 1] / m);
        for (int k = q; k >= 1; k--) {
            z = 0.5 * (z + histogram[k]);
        }
        z += m * sigma((double) histogram[0] / m);
        return m / (2 * Math.log(2)) * m / z;
    }

    private static double sigma(double x) {
        if (x == 1) {
            return Double.POSITIVE_INFINITY;
        }
        double y = 1;
        double z = x;
        double previous;
        do {
            x *= x;
            previous = z;
            z += x * y;
            y += y;
        } while (z != previous);
        return z;
    }

    private static double tau(double x) {
        if (x == 0 || x == 1) {
            return 0;
        }
        double y = 1;
        double z = 1 - x;
        double previous;
        do {
            x = Math.sqrt(x);
            previous = z;
            y *= 0.5;
            z -= (1 - x) * (1 - x) * y;
        } while (z != previous);
        return z / 3;
    }

    /** Makes this sketch the union of itself and {@code other} (same precision), as for a cluster view. */
    public void mergeFrom(HyperLogLog other) {
        if (other.precision != precision) {
            throw new IllegalArgumentException(
                    "other.precision: " + other.precision + " (expected: " + precision + ")");
        }
        for (int i = 0; i < registers.length; i++) {
            byte theirs = (byte) REGISTER.getOpaque(other.registers, i);
            byte ours = (byte) REGISTER.getOpaque(registers, i);
            if (theirs > ours) {
                REGISTER.setOpaque(registers, i, theirs);
            }
        }
    }

    /** Forgets every key. */
    public void clear() {
        Arrays.fill(registers, (byte) 0);
    }
}
