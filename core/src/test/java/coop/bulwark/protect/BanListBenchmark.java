package coop.bulwark.protect;

import coop.bulwark.site.Cidr;
import java.time.Clock;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link BanList#find(byte[])} at accept time with 0, 100 and 10,000 bans: mostly single addresses (as automatic
 * bans are) plus networks of several lengths in both families (as config lists are), so a lookup probes one table
 * per length in use. Queries are 1,024 precomputed addresses; one in eight is taken from a ban (all IPv4 ones hit, a quarter of IPv6).
 *
 * <p>Run: {@code bench/jmh.sh BanListBenchmark} (quick: {@code bench/jmh.sh BanListBenchmark -f 1 -wi 2 -i 3 -w 1s
 * -r 1s}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BanListBenchmark {
    private static final int QUERIES = 1024;
    private static final int[] V4_LENGTHS = {32, 32, 32, 32, 32, 32, 32, 24, 24, 16};
    private static final int[] V6_LENGTHS = {128, 128, 128, 64, 48};

    @Param({"0", "100", "10000"})
    int bans;

    private BanList list;
    private final byte[][] v4 = new byte[QUERIES][];
    private final byte[][] v6 = new byte[QUERIES][];
    private int next;

    @Setup
    public void setUp() {
        list = new BanList(Clock.systemUTC(), Duration.ofMinutes(10), 100_000);
        SplittableRandom random = new SplittableRandom(7);
        byte[][] bannedV4 = new byte[Math.max(1, bans)][];
        byte[][] bannedV6 = new byte[Math.max(1, bans)][];
        for (int i = 0; i < bans; i++) {
            bannedV4[i] = bytes(random, 4);
            bannedV6[i] = bytes(random, 16);
            boolean six = i % 4 == 0;
            Cidr subject = six
                    ? new Cidr(bannedV6[i], V6_LENGTHS[random.nextInt(V6_LENGTHS.length)])
                    : new Cidr(bannedV4[i], V4_LENGTHS[random.nextInt(V4_LENGTHS.length)]);
            list.ban(subject, Duration.ofDays(1), "bench", BanOrigin.AUTOMATIC);
        }
        for (int q = 0; q < QUERIES; q++) {
            boolean hit = bans > 0 && q % 8 == 0;
            v4[q] = hit ? bannedV4[random.nextInt(bans)] : bytes(random, 4);
            v6[q] = hit ? bannedV6[random.nextInt(bans)] : bytes(random, 16);
        }
    }

    private static byte[] bytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    @Benchmark
    public Ban findV4() {
        next = (next + 1) & (QUERIES - 1);
        return list.find(v4[next]);
    }

    @Benchmark
    public Ban findV6() {
        next = (next + 1) & (QUERIES - 1);
        return list.find(v6[next]);
    }
}
