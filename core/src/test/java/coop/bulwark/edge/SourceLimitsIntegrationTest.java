package coop.bulwark.edge;

import static coop.bulwark.edge.LoopbackClient.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import coop.bulwark.edge.LoopbackClient.Response;
import coop.bulwark.site.BulkheadLimits;
import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.ProtectionState;
import coop.bulwark.site.QueryKeyMode;
import coop.bulwark.site.RateLimit;
import coop.bulwark.site.SiteConfig;
import coop.bulwark.site.SiteProtection;
import coop.bulwark.site.StatePolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Per-site source limits over real sockets: per-address rate, per-/24 rate, per-address concurrency, and the
 * tighter policy of {@code under_attack}. Clients bind distinct {@code 127.x.y.z} source addresses. The micro-cache
 * and the global limits are off, so only the site's limits decide.
 */
class SourceLimitsIntegrationTest {
    static final String HOST = "limits.test";
    static final int MAX_CONCURRENT = 4;

    /** normal: 20/s (burst 20) per address, 500/s (burst 500) per /24. */
    static final StatePolicy NORMAL = policy(new RateLimit(20, 20), new RateLimit(500, 500), MAX_CONCURRENT);

    /** The prefix test's site: 20/s (burst 20) per address, 100/s (burst 200) per /24. */
    static final String PREFIX_HOST = "prefix.test";

    static final StatePolicy PREFIX_POLICY = policy(new RateLimit(20, 20), new RateLimit(100, 200), MAX_CONCURRENT);

    /** under_attack: 2/s (burst 5) per address. */
    static final StatePolicy UNDER_ATTACK = policy(new RateLimit(2, 5), new RateLimit(500, 500), MAX_CONCURRENT);

    private TestOrigin origin;
    private EdgeServer edge;

    @BeforeEach
    void start() throws IOException {
        origin = new TestOrigin("o");
        var p = new SiteProtection(
                ProtectionState.NORMAL,
                Map.of(
                        ProtectionState.NORMAL, NORMAL,
                        ProtectionState.SUSPECT, NORMAL,
                        ProtectionState.UNDER_ATTACK, UNDER_ATTACK),
                false,
                List.of(),
                Duration.ZERO,
                Duration.ZERO);
        var base = TestEdge.site("limits", List.of(HOST), origin.hostPort());
        var site = new SiteConfig(base.name(), base.hosts(), base.origins(), base.tls(), base.limits(), p);
        var prefixProtection = new SiteProtection(
                ProtectionState.NORMAL,
                Map.of(
                        ProtectionState.NORMAL, PREFIX_POLICY,
                        ProtectionState.SUSPECT, PREFIX_POLICY,
                        ProtectionState.UNDER_ATTACK, PREFIX_POLICY),
                false,
                List.of(),
                Duration.ZERO,
                Duration.ZERO);
        var pbase = TestEdge.site("prefix", List.of(PREFIX_HOST), origin.hostPort());
        var prefixSite = new SiteConfig(
                pbase.name(), pbase.hosts(), pbase.origins(), pbase.tls(), pbase.limits(), prefixProtection);
        var protection = TestEdge.protection(OptionalInt.of(256));
        edge = EdgeServer.start(
                TestEdge.config(List.of(site, prefixSite), ConnectionLimits.DEFAULTS, false, protection));
    }

    @AfterEach
    void stop() {
        edge.close();
        origin.close();
    }

    @Test
    void abusiveAddress_gets429WithRetryAfter_whileTwentyNeighboursAtModestRateAllPass() throws Exception {
        AtomicInteger abuserOk = new AtomicInteger();
        AtomicInteger abuserLimited = new AtomicInteger();
        List<String> retryAfter = new ArrayList<>();
        AtomicInteger neighbourOk = new AtomicInteger();
        List<Integer> neighbourOther = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch go = new CountDownLatch(1);
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            pool.submit(() -> {
                go.await();
                LoopbackClient c = new LoopbackClient(edge.httpAddress(), loopback(0, 0, 50));
                try {
                    // 2000 back-to-back requests: far over 20/s, and alone over the /24's 500/s.
                    for (int i = 0; i < 2000; i++) {
                        Response r = c.send("GET", HOST, "/a");
                        if ("close".equalsIgnoreCase(r.header("connection"))) {
                            // max_requests_per_connection reached: carry on on a new connection, as a bot would
                            c.close();
                            c = new LoopbackClient(edge.httpAddress(), loopback(0, 0, 50));
                        }
                        if (r.status() == 429) {
                            abuserLimited.incrementAndGet();
                            if (retryAfter.isEmpty()) {
                                retryAfter.add(r.header("retry-after"));
                            }
                        } else {
                            abuserOk.incrementAndGet();
                        }
                    }
                } finally {
                    c.close();
                }
                return null;
            });
            for (int n = 1; n <= 20; n++) {
                InetAddress from = loopback(0, 0, n);
                pool.submit(() -> {
                    try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), from)) {
                        go.await();
                        // 10 requests at 10/s: well within 20/s.
                        for (int i = 0; i < 10; i++) {
                            int s = c.send("GET", HOST, "/n").status();
                            if (s == 200) {
                                neighbourOk.incrementAndGet();
                            } else {
                                neighbourOther.add(s);
                            }
                            Thread.sleep(100);
                        }
                    }
                    return null;
                });
            }
            go.countDown();
        }
        System.out.printf(
                "source limits: abuser %d ok / %d limited; neighbours %d ok, others %s%n",
                abuserOk.get(), abuserLimited.get(), neighbourOk.get(), neighbourOther);
        assertThat(abuserLimited.get()).isGreaterThan(1500);
        assertThat(retryAfter).singleElement().asString().matches("[1-9]\\d*");
        assertThat(neighbourOther).as("neighbours' non-200 statuses").isEmpty();
        assertThat(neighbourOk.get()).isEqualTo(200);
    }

    @Test
    void abusivePrefix_isLimited_whileOtherPrefixesPass() throws Exception {
        // 200 addresses of 127.0.9.0/24, 10 requests each: every address is under its 20/s burst, but together
        // 2000 requests are far over the /24's 100/s with a burst of 200 — all of them would only fit in 18 s, so
        // the test holds on a slow, busy machine too.
        Map<Integer, AtomicInteger> limitedByPrefix =
                Map.of(9, new AtomicInteger(), 10, new AtomicInteger(), 11, new AtomicInteger());
        Map<Integer, AtomicInteger> okByPrefix =
                Map.of(9, new AtomicInteger(), 10, new AtomicInteger(), 11, new AtomicInteger());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> all = new ArrayList<>();
        long t0;
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int prefix : List.of(9, 10, 11)) {
                int addresses = prefix == 9 ? 200 : 10;
                for (int n = 1; n <= addresses; n++) {
                    InetAddress from = loopback(0, prefix, n);
                    all.add(pool.submit(() -> {
                        try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), from)) {
                            go.await();
                            for (int i = 0; i < 10; i++) {
                                int s = c.send("GET", PREFIX_HOST, "/p").status();
                                (s == 429 ? limitedByPrefix : okByPrefix)
                                        .get(prefix)
                                        .incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
            }
            t0 = System.nanoTime();
            go.countDown();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (Future<?> f : all) {
            f.get(1, TimeUnit.SECONDS);
        }
        System.out.printf(
                "prefix limits (%.2f s): 127.0.9/24 %d ok / %d limited; 127.0.10/24 %d ok; 127.0.11/24 %d ok%n",
                seconds,
                okByPrefix.get(9).get(),
                limitedByPrefix.get(9).get(),
                okByPrefix.get(10).get(),
                okByPrefix.get(11).get());
        // GCRA: at most the burst plus the rate over the run (and a little for the scheduler) get through.
        assertThat(okByPrefix.get(9).get()).isLessThanOrEqualTo((int) (200 + 100 * seconds) + 20);
        assertThat(limitedByPrefix.get(9).get()).isPositive();
        assertThat(limitedByPrefix.get(10).get() + limitedByPrefix.get(11).get())
                .isZero();
        assertThat(okByPrefix.get(10).get() + okByPrefix.get(11).get()).isEqualTo(200);
    }

    @Test
    void concurrencyCap_refusesTheRequestBeyondItPerAddress() throws Exception {
        InetAddress from = loopback(0, 20, 1);
        List<Future<Integer>> slow = new ArrayList<>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < MAX_CONCURRENT; i++) {
                slow.add(pool.submit(() -> LoopbackClient.once(edge.httpAddress(), from, "GET", HOST, "/slow?ms=1500")
                        .status()));
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> origin.requests.get() == MAX_CONCURRENT);

            Response extra = LoopbackClient.once(edge.httpAddress(), from, "GET", HOST, "/slow?ms=1500");
            Response otherAddress = LoopbackClient.once(edge.httpAddress(), loopback(0, 20, 2), "GET", HOST, "/x");

            assertThat(extra.status()).isEqualTo(429);
            assertThat(extra.header("retry-after")).isNotNull();
            assertThat(otherAddress.status()).isEqualTo(200);
            for (Future<Integer> f : slow) {
                assertThat(f.get(5, TimeUnit.SECONDS)).isEqualTo(200);
            }
        }
        // The slots are given back when the requests end.
        assertThat(LoopbackClient.once(edge.httpAddress(), from, "GET", HOST, "/x")
                        .status())
                .isEqualTo(200);
    }

    @Test
    void underAttack_tightensTheLimits() throws IOException {
        int normalLimited = burst(loopback(0, 30, 1), 15);
        edge.snapshot().site("limits").guard().force(ProtectionState.UNDER_ATTACK, "test", Instant.now(), null);
        int attackLimited = burst(loopback(0, 30, 2), 15);

        System.out.printf(
                "state: 15 quick requests → normal %d limited, under_attack %d limited%n",
                normalLimited, attackLimited);
        assertThat(normalLimited).isZero();
        assertThat(attackLimited).isGreaterThanOrEqualTo(8);
    }

    /** {@code n} back-to-back requests from {@code from}; returns how many got 429. */
    private int burst(InetAddress from, int n) throws IOException {
        int limited = 0;
        try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), from)) {
            for (int i = 0; i < n; i++) {
                if (c.send("GET", HOST, "/b").status() == 429) {
                    limited++;
                }
            }
        }
        return limited;
    }

    private static StatePolicy policy(RateLimit perIp, RateLimit perPrefix, int maxConcurrent) {
        return new StatePolicy(
                Optional.of(perIp),
                Optional.of(perPrefix),
                maxConcurrent,
                new BulkheadLimits(64, 256, Duration.ofSeconds(2), 1),
                Duration.ZERO,
                QueryKeyMode.KEEP,
                false,
                0,
                Duration.ofSeconds(10),
                0,
                StatePolicy.DEFAULT_BUSTING_WINDOW);
    }
}
