package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.BulkheadLimits;
import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.ProtectionConfig;
import coop.bulwark.site.SiteConfig;
import coop.bulwark.site.SiteLimits;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The cooperative's outage in miniature: 50 sites on one shared origin (8 workers × 25 ms = 320 req/s), two of them
 * flooded with far more than the origin can serve, people browsing the other 48. With protection off the bystanders'
 * requests time out behind the flood; with the per-site bulkhead they keep working. Both runs are the same traffic,
 * so the test shows that the bulkhead is what saves them.
 */
class IsolationIntegrationTest {
    static final int SITES = 50;
    static final int FLOOD_CONNECTIONS = 240;
    static final int LEGIT_CLIENTS = 6;
    static final Duration RUN = Duration.ofSeconds(5);

    record Outcome(int ok, int failed, long p99Millis, int floodRequests) {
        double successRate() {
            return ok + failed == 0 ? 0 : (double) ok / (ok + failed);
        }
    }

    @Test
    void bulkhead_keepsBystandersUp_whileTwoSitesAreFlooded_andWithoutItTheyFail() throws Exception {
        Outcome unprotected = run(false);
        Outcome protectedRun = run(true);
        System.out.printf(
                "isolation: unprotected bystanders %.1f%% ok p99 %d ms (flood %d requests); protected %.1f%% ok p99 %d ms"
                        + " (flood %d requests)%n",
                unprotected.successRate() * 100,
                unprotected.p99Millis(),
                unprotected.floodRequests(),
                protectedRun.successRate() * 100,
                protectedRun.p99Millis(),
                protectedRun.floodRequests());
        assertThat(protectedRun.successRate())
                .as("bystander success with protection")
                .isGreaterThanOrEqualTo(0.99);
        assertThat(protectedRun.p99Millis())
                .as("bystander p99 with protection (ms)")
                // 260-280 ms on a 2-core machine: waiting for a fair share of the origin's 8 slots. With the flood's
                // 240 threads in this JVM it read 430-1,080 ms: they starved the edge's event loop of CPU, every hop
                // of a proxied request waited, and the bystanders stalled together (hence FloodProcess). The
                // unprotected run's bystanders time out at 600 ms; what separates the runs is success.
                .isLessThan(800);
        assertThat(unprotected.successRate())
                .as("bystander success without protection")
                .isLessThan(0.5);
    }

    private static Outcome run(boolean protect) throws Exception {
        try (SharedOrigin origin = new SharedOrigin(8, 25)) {
            var siteLimits = new SiteLimits(
                    1024 * 1024, 8192, 0, Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofMillis(600));
            var policy = TestEdge.bulkheadOnly(new BulkheadLimits(4, 16, Duration.ofMillis(500), 1));
            List<SiteConfig> sites = TestEdge.sites(SITES, siteLimits, origin.hostPort(), policy);
            var protection = protect ? TestEdge.protection(OptionalInt.of(8)) : ProtectionConfig.OFF;
            var limits = new ConnectionLimits(
                    16 * 1024, 8 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(60), 1_000_000, 10_000, 10_000);
            try (EdgeServer edge = EdgeServer.start(TestEdge.config(sites, limits, false, protection))) {
                return drive(edge.httpAddress());
            }
        }
    }

    /**
     * Flood on site0 and site1 from 127.0.1.x ({@link FloodProcess}: its own JVM, at nice 10), people on the other
     * sites from 127.0.0.x in this one, both for RUN.
     */
    private static Outcome drive(InetSocketAddress edge) throws Exception {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        int floodRequests;
        try (FloodProcess flood = FloodProcess.start(edge, FLOOD_CONNECTIONS, RUN)) {
            long deadline = System.nanoTime() + RUN.toNanos();
            // Platform threads: on virtual threads the people queued for carrier threads behind busy clients.
            try (var people =
                    Executors.newThreadPerTaskExecutor(Thread.ofPlatform().factory())) {
                Thread.sleep(500); // let the flood build up before people arrive
                for (int c = 0; c < LEGIT_CLIENTS; c++) {
                    int n = c;
                    people.submit(() -> {
                        Random rnd = new Random(n);
                        InetAddress from = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (10 + n)});
                        Socket s = null;
                        while (System.nanoTime() < deadline) {
                            String host = "site" + (2 + rnd.nextInt(SITES - 2)) + ".test";
                            long t0 = System.nanoTime();
                            try {
                                if (s == null) {
                                    s = new Socket(edge.getAddress(), edge.getPort(), from, 0);
                                    s.setSoTimeout(3000);
                                }
                                int status = get(s, host, "/page");
                                latencies.add((System.nanoTime() - t0) / 1_000_000);
                                if (status == 200) {
                                    ok.incrementAndGet();
                                } else {
                                    failed.incrementAndGet();
                                    s.close();
                                    s = null;
                                }
                            } catch (IOException e) {
                                failed.incrementAndGet();
                                latencies.add((System.nanoTime() - t0) / 1_000_000);
                                s = null;
                            }
                            Thread.sleep(20 + rnd.nextInt(20));
                        }
                        if (s != null) {
                            s.close();
                        }
                        return null;
                    });
                }
                people.shutdown();
                people.awaitTermination(RUN.toSeconds() + 15, TimeUnit.SECONDS);
            }
            floodRequests = flood.requests();
        }
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        long p99 = sorted.isEmpty()
                ? -1
                : sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1));
        return new Outcome(ok.get(), failed.get(), p99, floodRequests);
    }

    /** One keep-alive GET on {@code s}; returns the status, having read the whole response. */
    static int get(Socket s, String host, String path) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        // Buffered: a read per byte was a system call per byte, the test's own CPU on the edge's two cores. A buffer
        // per call is safe: the edge sends nothing past this response before the next request.
        InputStream in = new BufferedInputStream(s.getInputStream(), 1024);
        StringBuilder head = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            head.append((char) c);
            int n = head.length();
            if (n >= 4 && head.charAt(n - 1) == '\n' && head.charAt(n - 2) == '\r' && head.charAt(n - 3) == '\n') {
                break;
            }
        }
        if (c < 0) {
            throw new IOException("closed");
        }
        String h = head.toString();
        int status = Integer.parseInt(h.substring(9, 12));
        int cl = 0;
        boolean close = false;
        for (String line : h.split("\r\n")) {
            String lower = line.toLowerCase();
            if (lower.startsWith("content-length:")) {
                cl = Integer.parseInt(line.substring(15).trim());
            } else if (lower.startsWith("connection:") && lower.contains("close")) {
                close = true;
            }
        }
        in.readNBytes(cl);
        if (close) {
            throw new IOException("closed by server after status " + status);
        }
        return status;
    }
}
