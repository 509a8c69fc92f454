package coop.bulwark.protect;

import coop.bulwark.site.BanPolicy;
import coop.bulwark.site.BulkheadLimits;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.ManualBan;
import coop.bulwark.site.ProtectionConfig;
import coop.bulwark.site.QueryKeyMode;
import coop.bulwark.site.RateLimit;
import coop.bulwark.site.StatePolicy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The whole verdict path of one request that passes: ban lookup, global and per-site address and prefix rates, the
 * per-address concurrency cap, and its release — over {@code sources} distinct client addresses.
 *
 * <p>Run: {@code bench/jmh.sh GatekeeperBenchmark -f 1 -wi 3 -i 5 -w 1s -r 1s}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GatekeeperBenchmark {
    @Param({"1000", "1000000"})
    int sources;

    @Param({"0", "100"})
    int bans;

    private Gatekeeper gatekeeper;
    private ProtectionConfig config;
    private StatePolicy policy;
    private byte[][] addresses;
    private int next;

    @Setup
    public void setUp() {
        gatekeeper = new Gatekeeper(System::nanoTime, Clock.systemUTC());
        RateLimit generous = new RateLimit(1e8, 1_000_000);
        List<ManualBan> manual = new ArrayList<>();
        for (int i = 0; i < bans; i++) {
            manual.add(new ManualBan(
                    Cidr.parse("10." + (i / 256) + "." + (i % 256) + ".0/24"), "bench", Optional.empty()));
        }
        config = new ProtectionConfig(
                true,
                OptionalInt.of(64),
                Map.of(),
                Optional.of(generous),
                Optional.of(generous),
                BanPolicy.DEFAULTS,
                manual,
                0,
                0);
        gatekeeper.configure(config);
        policy = new StatePolicy(
                Optional.of(generous),
                Optional.of(generous),
                1_000,
                BulkheadLimits.DEFAULTS,
                Duration.ZERO,
                QueryKeyMode.KEEP,
                false,
                0,
                Duration.ofSeconds(10),
                0,
                StatePolicy.DEFAULT_BUSTING_WINDOW);
        SplittableRandom rnd = new SplittableRandom(42);
        addresses = new byte[Math.min(sources, 1 << 16)][];
        for (int i = 0; i < addresses.length; i++) {
            int a = rnd.nextInt();
            addresses[i] = new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
        }
    }

    @Benchmark
    public Verdict decideAndRelease() {
        byte[] addr = addresses[next++ & (addresses.length - 1)];
        if (sources > addresses.length) {
            // Walk through more sources than the array holds by varying the low byte's neighbours.
            addr[3] ^= (byte) next;
        }
        Verdict v = gatekeeper.decide("bench", 7, policy, addr, config);
        gatekeeper.release(7, addr);
        return v;
    }
}
