package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.protect.OriginCapacity;
import coop.bulwark.site.BulkheadLimits;
import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.SiteConfig;
import coop.bulwark.site.SiteLimits;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An edge told nothing about its origin's size ({@code origin_capacity} unset) in front of a real origin that serves
 * {@value #WORKERS} requests at a time (25 ms each, unbounded backlog). People browse for a second (the edge sees the
 * origin's no-load time, as in production before an attack), then two sites are flooded: the edge learns a limit near
 * the worker count, and the people on the other sites keep being served.
 */
class AdaptiveCapacityIntegrationTest {
    static final int WORKERS = 4;
    static final int SITES = 20;
    static final int FLOOD_CONNECTIONS = 60;
    static final int LEGIT_CLIENTS = 4;
    static final Duration RUN = Duration.ofSeconds(6);

    @Test
    void unsetCapacity_learnsTheOriginsWorkerCount_andBystandersAreServed() throws Exception {
        try (SharedOrigin origin = new SharedOrigin(WORKERS, 25)) {
            var siteLimits = new SiteLimits(
                    1024 * 1024, 8192, 0, Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(3));
            // Sites may use far more than the origin has: the origin's limit is what must hold the flood.
            var policy = TestEdge.bulkheadOnly(new BulkheadLimits(64, 256, Duration.ofSeconds(2), 1));
            List<SiteConfig> sites = TestEdge.sites(SITES, siteLimits, origin.hostPort(), policy);
            var protection = TestEdge.protection(OptionalInt.empty());
            var limits = new ConnectionLimits(
                    16 * 1024, 8 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(60), 1_000_000, 10_000, 10_000);
            try (EdgeServer edge = EdgeServer.start(TestEdge.config(sites, limits, false, protection))) {
                OriginCapacity capacity =
                        edge.snapshot().sites().get(0).origins().get(0).capacity();
                assertThat(capacity.learning()).isTrue();
                Samples s = drive(edge.httpAddress(), capacity);
                System.out.printf(
                        "adaptive capacity: %d workers, learned limit %.1f on average over the last 3 s (%d..%d),"
                                + " bystanders %d ok %d failed%n",
                        WORKERS, s.meanLimit(), s.minLimit, s.maxLimit, s.ok.get(), s.failed.get());
                assertThat(s.meanLimit())
                        .as("learned limit, mean of the last 3 s")
                        .isBetween(WORKERS - 1.0, 2.0 * WORKERS + 2);
                assertThat(s.ok.get()).isPositive();
                assertThat((double) s.ok.get() / (s.ok.get() + s.failed.get()))
                        .as("bystander success")
                        .isGreaterThanOrEqualTo(0.99);
            }
        }
    }

    /** The limit sampled every 50 ms over the run's last 3 s, and the bystanders' outcomes. */
    static final class Samples {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        long limitSum;
        int limitCount;
        int minLimit = Integer.MAX_VALUE;
        int maxLimit;

        double meanLimit() {
            return limitCount == 0 ? Double.NaN : (double) limitSum / limitCount;
        }
    }

    /** Flood on site0 and site1 from 127.0.1.x, people on the other sites from 127.0.0.x, both for RUN. */
    private static Samples drive(InetSocketAddress edge, OriginCapacity capacity) throws Exception {
        long start = System.nanoTime();
        long deadline = start + RUN.toNanos();
        Samples samples = new Samples();
        AtomicInteger flood = new AtomicInteger();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < FLOOD_CONNECTIONS; c++) {
                int n = c;
                pool.submit(() -> {
                    Thread.sleep(1000); // after a quiet second
                    FloodProcess.bot(edge.getAddress(), edge.getPort(), n, deadline, 5000, flood);
                    return null;
                });
            }
            for (int c = 0; c < LEGIT_CLIENTS; c++) {
                int n = c;
                pool.submit(() -> {
                    Random rnd = new Random(n);
                    InetAddress from = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (10 + n)});
                    while (System.nanoTime() < deadline) {
                        String host = "site" + (2 + rnd.nextInt(SITES - 2)) + ".test";
                        try (Socket s = new Socket(edge.getAddress(), edge.getPort(), from, 0)) {
                            s.setSoTimeout(3000);
                            if (IsolationIntegrationTest.get(s, host, "/page") == 200) {
                                samples.ok.incrementAndGet();
                            } else {
                                samples.failed.incrementAndGet();
                            }
                        } catch (IOException e) {
                            samples.failed.incrementAndGet();
                        }
                        Thread.sleep(50 + rnd.nextInt(50));
                    }
                    return null;
                });
            }
            long sampleFrom = deadline - Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < deadline) {
                Thread.sleep(50);
                if (System.nanoTime() >= sampleFrom) {
                    int l = capacity.capacity();
                    samples.limitSum += l;
                    samples.limitCount++;
                    samples.minLimit = Math.min(samples.minLimit, l);
                    samples.maxLimit = Math.max(samples.maxLimit, l);
                }
            }
            pool.shutdown();
            pool.awaitTermination(RUN.toSeconds() + 15, TimeUnit.SECONDS);
        }
        return samples;
    }
}
