package coop.bulwark.protect;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A flood's sources banned within seconds of each other ({@code bench/flood-cost.sh}: 3,000 in 5 s): the time to ban
 * {@code sources} addresses one by one on an empty list, as the edge does ({@code burst}, single-address bans going
 * into the table of recent bans), against each ban rebuilding the whole lookup snapshot ({@code rebuildEach}, what
 * {@link BanList} did before that table; emulated by a configured-bans replacement after each ban, which rebuilds).
 *
 * <p>Run: {@code bench/jmh.sh BanBurstBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(2)
@Warmup(iterations = 5)
@Measurement(iterations = 10)
public class BanBurstBenchmark {
    @Param({"3000"})
    int sources;

    @Benchmark
    public BanList burst() {
        return ban(false);
    }

    @Benchmark
    public BanList rebuildEach() {
        return ban(true);
    }

    private BanList ban(boolean rebuildEach) {
        BanList list = new BanList(Clock.systemUTC(), Duration.ofMinutes(10), 100_000);
        for (int i = 0; i < sources; i++) {
            list.offend(address(i), Duration.ofMinutes(1), 4, Duration.ofHours(24), "bench");
            if (rebuildEach) {
                list.replaceConfigured(List.of());
            }
        }
        return list;
    }

    private static byte[] address(int i) {
        return new byte[] {127, (byte) (64 + (i >> 16)), (byte) (i >> 8), (byte) i};
    }
}
