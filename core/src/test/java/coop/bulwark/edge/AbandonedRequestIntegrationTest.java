package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import coop.bulwark.protect.OriginCapacity;
import coop.bulwark.site.BulkheadLimits;
import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.SiteLimits;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Clients that give up while the origin works on their request (bots with a short timeout, people closing a tab): the
 * origin goes on with the request, so the edge keeps its slot until the origin answers or times out, and never sends
 * the origin more work than its capacity.
 */
class AbandonedRequestIntegrationTest {
    private static final String HOST = "impatient.test";

    @Test
    void clientsThatLeave_neverPutMoreOnTheOriginThanItsCapacity() throws Exception {
        try (SharedOrigin origin = new SharedOrigin(2, 300);
                EdgeServer edge = EdgeServer.start(config(origin, 2, Duration.ofSeconds(5)))) {
            OriginCapacity capacity =
                    edge.snapshot().sites().get(0).origins().get(0).capacity();
            AtomicInteger sent = new AtomicInteger();
            long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int c = 0; c < 8; c++) {
                    pool.submit(() -> {
                        while (System.nanoTime() < deadline) {
                            // A bot's patience: 50 ms, whether its request waits at the edge or at the origin.
                            sendAndLeave(edge, "/page?n=" + sent.incrementAndGet(), () -> Thread.sleep(50));
                        }
                        return null;
                    });
                }
                pool.shutdown();
                assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> capacity.inFlight() == 0);
            long waitedMillis = origin.maxBacklogWaitNanos.get() / 1_000_000;
            System.out.printf(
                    "abandoned requests: %d sent, origin served %d, longest wait for one of its 2 workers %d ms%n",
                    sent.get(), origin.served.get(), waitedMillis);
            assertThat(origin.served.get()).as("requests the origin worked on").isGreaterThanOrEqualTo(4);
            // Sent no more than its 2 workers at once, no request waits in the origin's backlog (a ghost of a client
            // that left would hold a worker for 300 ms while the next request waited behind it).
            assertThat(waitedMillis).as("longest wait in the origin's backlog").isLessThan(100);
        }
    }

    @Test
    void anAbandonedRequestTheOriginNeverAnswers_freesItsSlotAtTheOriginTimeout() throws Exception {
        try (SharedOrigin origin = new SharedOrigin(1, 4000);
                EdgeServer edge = EdgeServer.start(config(origin, 2, Duration.ofSeconds(1)))) {
            OriginCapacity capacity =
                    edge.snapshot().sites().get(0).origins().get(0).capacity();
            long start = System.nanoTime();
            // The client leaves once its request holds the origin's slot.
            sendAndLeave(
                    edge, "/slow", () -> await().atMost(Duration.ofSeconds(2)).until(() -> capacity.inFlight() == 1));
            // Held while the origin works on it, until the 1 s origin timeout.
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> capacity.inFlight() == 1);
            await().atMost(Duration.ofSeconds(3)).until(() -> capacity.inFlight() == 0);
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMillis)
                    .as("freed at the 1 s origin timeout, not at the origin's 4 s answer")
                    .isLessThan(3000);
        }
    }

    /** Something a client waits for before it leaves. */
    private interface Patience {
        void run() throws Exception;
    }

    /** Sends a GET and closes the connection once {@code patience} has run, without reading the answer. */
    private static void sendAndLeave(EdgeServer edge, String path, Patience patience) throws Exception {
        var address = edge.httpAddress();
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            patience.run();
        }
    }

    private static EdgeConfig config(SharedOrigin origin, int capacity, Duration originTimeout) {
        var limits = new SiteLimits(1024 * 1024, 8192, 0, Duration.ofSeconds(5), Duration.ofSeconds(1), originTimeout);
        var site = TestEdge.withPolicy(
                TestEdge.site("impatient", List.of(HOST), limits, Optional.empty(), origin.hostPort()),
                TestEdge.bulkheadOnly(new BulkheadLimits(64, 256, Duration.ofSeconds(5), 1)));
        return TestEdge.config(
                List.of(site), ConnectionLimits.DEFAULTS, false, TestEdge.protection(OptionalInt.of(capacity)));
    }
}
