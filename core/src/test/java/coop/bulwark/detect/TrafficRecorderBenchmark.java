package coop.bulwark.detect;

import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-request path, {@link TrafficRecorder#record}, with 10 and 850 sites. Requests come from a pre-generated
 * sequence: Zipf-ish site choice, sources from a million addresses (so the sketches see mostly new keys, the
 * worst case for Space-Saving), a quarter of them from a flood on one site. A harvest every 2^20 requests keeps
 * the summaries at their real per-second fill. {@code harvest} measures the once-a-second tick;
 * {@code recordTwoEventLoops} runs two threads, each on its own recorder, sharing the sites and their
 * distinct-source sketches as two event loops do.
 *
 * <p>Run: {@code bench/jmh.sh TrafficRecorderBenchmark} (quick: {@code bench/jmh.sh TrafficRecorderBenchmark -f 1
 * -wi 2 -i 3 -w 1s -r 1s}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TrafficRecorderBenchmark {
    private static final int MASK = (1 << 20) - 1;

    @Param({"10", "850"})
    int sites;

    private TrafficAccounting accounting;
    private TrafficRecorder recorder;
    private int[] site;
    private long[] source;
    private int[] status;
    /** Each request's traits, built once: the benchmark measures the recording, not building them. */
    private RequestTraits[] traits;

    private int next;
    private String[] uris;
    private static final String AGENT =
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    private final AtomicInteger loops = new AtomicInteger();

    /** One event loop: its own recorder and position in the sequence. */
    @State(Scope.Thread)
    public static class EventLoop {
        TrafficRecorder recorder;
        int next;

        @Setup(Level.Trial)
        public void setUp(TrafficRecorderBenchmark b) {
            int i = b.loops.getAndIncrement() & 1;
            recorder = b.accounting.recorder(i);
            next = i << 19;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        accounting = new TrafficAccounting(sites, 2, 42);
        recorder = accounting.recorder(0);
        SplittableRandom random = new SplittableRandom(42);
        site = new int[MASK + 1];
        source = new long[MASK + 1];
        status = new int[MASK + 1];
        traits = new RequestTraits[MASK + 1];
        for (int i = 0; i <= MASK; i++) {
            boolean flood = random.nextInt(4) == 0;
            site[i] = flood ? 0 : (int) Math.min(sites - 1, Math.floor(Math.pow(sites, random.nextDouble())) - 1);
            source[i] = flood ? 0xC6000000L | random.nextInt(1 << 16) : random.nextLong(1_000_000);
            status[i] = random.nextInt(50) == 0 ? 503 : 200;
            traits[i] = new RequestTraits(
                    site[i],
                    source[i],
                    source[i] >>> 8,
                    TrafficRecorder.METHOD_GET,
                    i & 63,
                    i & 7,
                    i & 15,
                    (i & 3) == 1,
                    (i & 7) == 0,
                    null,
                    null);
        }
        uris = new String[1024];
        for (int i = 0; i < uris.length; i++) {
            uris[i] = switch (i & 3) {
                case 0 ->
                    "/?" + Long.toString(random.nextLong() >>> 1, 36) + "="
                            + Long.toString(random.nextLong() >>> 1, 36);
                case 1 -> "/2026/11/a-post-about-rights-" + i + "/";
                case 2 -> "/wp-content/themes/coop/style.css?ver=6.4.2";
                default -> "/search?q=human+rights&page=" + (i & 7);
            };
        }
    }

    /**
     * What the edge does per request: {@link RequestSignature} over the request target and User-Agent, then
     * {@link TrafficRecorder#record}. The budget (200 ns) is for this.
     */
    @Benchmark
    public void recordWithSignature() {
        int i = next++ & MASK;
        if (i == MASK) {
            accounting.harvest(Instant.EPOCH, 1);
        }
        String uri = uris[i & 1023];
        recorder.record(
                RequestTraits.of(site[i], source[i], source[i] >>> 8, "GET", uri, AGENT, (i & 3) == 1)
                        .withValidCookie((i & 7) == 0),
                status[i],
                1_000,
                (i & 3) == 0 ? -1 : 20_000_000);
    }

    @Benchmark
    public void record() {
        int i = next++ & MASK;
        if (i == MASK) {
            accounting.harvest(Instant.EPOCH, 1);
        }
        recorder.record(traits[i], status[i], 1_000, (i & 3) == 0 ? -1 : 20_000_000);
    }

    @Benchmark
    @Threads(2)
    public void recordTwoEventLoops(EventLoop loop) {
        int i = loop.next++ & MASK;
        loop.recorder.record(traits[i], status[i], 1_000, (i & 3) == 0 ? -1 : 20_000_000);
    }

    @Benchmark
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public TrafficSecond harvest() {
        // Refill a little so the tick sees live sites, as it would every second.
        for (int k = 0; k < 1_000; k++) {
            record();
        }
        return accounting.harvest(Instant.EPOCH, 1);
    }
}
