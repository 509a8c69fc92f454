package coop.bulwark.site;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
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
 * {@link HostRouter#lookup} with a co-op sized table: per site an apex, a www alias and a wildcard. Each operation
 * looks up the next of 1,024 precomputed queries, so neither branch prediction nor constant folding sees one value.
 *
 * <p>Run: {@code bench/jmh.sh HostRouterBenchmark} (quick: {@code bench/jmh.sh HostRouterBenchmark -f 1 -wi 2 -i 3
 * -w 1s -r 1s}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class HostRouterBenchmark {
    private static final int QUERIES = 1024;

    @Param({"1000"})
    int sites;

    private HostRouter<Integer> router;
    private final String[] exact = new String[QUERIES];
    private final String[] exactWithPort = new String[QUERIES];
    private final String[] wildcard = new String[QUERIES];
    private final String[] miss = new String[QUERIES];
    private final String[] mixedCase = new String[QUERIES];
    private int next;

    @Setup
    public void setUp() {
        Map<String, Integer> patterns = new LinkedHashMap<>();
        for (int i = 0; i < sites; i++) {
            patterns.put("site" + i + ".example.org", i);
            patterns.put("www.site" + i + ".example.org", i);
            patterns.put("*.site" + i + ".example.net", i);
        }
        router = HostRouter.of(patterns);
        Random random = new Random(42);
        for (int q = 0; q < QUERIES; q++) {
            int site = random.nextInt(sites);
            exact[q] = "www.site" + site + ".example.org";
            exactWithPort[q] = "site" + site + ".example.org:8443";
            wildcard[q] = "cdn.img.site" + site + ".example.net";
            miss[q] = "www.nosite" + site + ".example.com";
            mixedCase[q] = "WWW.Site" + site + ".Example.ORG";
        }
    }

    private int index() {
        return next = (next + 1) & (QUERIES - 1);
    }

    @Benchmark
    public Integer exactHit() {
        return router.lookup(exact[index()]);
    }

    @Benchmark
    public Integer exactHitWithPort() {
        return router.lookup(exactWithPort[index()]);
    }

    @Benchmark
    public Integer wildcardHit() {
        return router.lookup(wildcard[index()]);
    }

    @Benchmark
    public Integer miss() {
        return router.lookup(miss[index()]);
    }

    @Benchmark
    public Integer mixedCaseHit() {
        return router.lookup(mixedCase[index()]);
    }
}
