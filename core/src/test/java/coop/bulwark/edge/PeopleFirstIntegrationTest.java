package coop.bulwark.edge;

import static coop.bulwark.edge.LoopbackClient.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import coop.bulwark.edge.LoopbackClient.Response;
import coop.bulwark.protect.OriginCapacity;
import coop.bulwark.site.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * People first, through a real edge and a real slow origin on loopback: a visitor of normal times is given the seen
 * cookie with a page, and when a flood then fills the site's bulkhead queue before anything is detected, the
 * visitor's next page is served ahead of the flood, while the strangers beyond the queue are refused.
 */
class PeopleFirstIntegrationTest {
    static final String HOST = "blog.test";
    static final String PAGE = "Accept: text/html,application/xhtml+xml,*/*;q=0.8";
    static final int QUEUE = 20;
    /** The origin's time per page: the flood's queue takes QUEUE / 2 of them to drain. */
    static final long SERVICE_MILLIS = 300;

    @TempDir
    Path dir;

    SharedOrigin origin;
    EdgeServer edge;

    @BeforeEach
    void start() throws Exception {
        origin = new SharedOrigin(2, SERVICE_MILLIS);
        edge = EdgeServer.start(ConfigLoader.parse(
                """
                listen: {http: "127.0.0.1:%d", event_loops: 1}
                access_log: {enabled: false}
                challenge: {key_file: %s}
                protection:
                  origin_capacity: 2
                  global: {per_ip: off, per_prefix: off}
                policy:
                  normal: {per_ip: off, per_prefix: off, bulkhead: {max_concurrent: 2, queue: %d, queue_timeout: 10s}}
                sites:
                  - {name: blog, hosts: [%s], origins: ["%s"]}
                """.formatted(
                        ConfigReloadIntegrationTest.freePort(), dir.resolve("keys"), QUEUE, HOST, origin.hostPort()),
                dir.resolve("bulwark.yaml")));
    }

    @AfterEach
    void stop() {
        edge.close();
        origin.close();
    }

    @Test
    void aVisitorWithTheSeenCookie_isServedAheadOfAFloodThatFillsTheQueue_whileStrangersBeyondItAreRefused()
            throws Exception {
        var person = loopback(0, 9, 1);
        Response first = LoopbackClient.once(edge.httpAddress(), person, "GET", HOST, "/", PAGE);
        assertThat(first.status()).isEqualTo(200);
        String set = first.header("set-cookie");
        assertThat(set).startsWith("bulwark_seen=").contains("HttpOnly");
        String cookie = "Cookie: " + set.substring(0, set.indexOf(';'));

        OriginCapacity capacity = edge.snapshot().site("blog").origins().get(0).capacity();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Response>> flood = new ArrayList<>();
            for (int i = 0; i < 2 + QUEUE + 5; i++) {
                var bot = loopback(0, 10, 1 + i);
                int n = i;
                flood.add(
                        pool.submit(() -> LoopbackClient.once(edge.httpAddress(), bot, "GET", HOST, "/?b=" + n, PAGE)));
            }
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> capacity.waitingCount() >= QUEUE - 1);
            long t0 = System.nanoTime();
            Response again = LoopbackClient.once(edge.httpAddress(), person, "GET", HOST, "/next", PAGE, cookie);
            long millis = (System.nanoTime() - t0) / 1_000_000;

            assertThat(again.status()).isEqualTo(200);
            assertThat(again.header("set-cookie")).as("already has one").isNull();
            // Behind the flood's queue it would wait 3 s (20 pages over 2 workers, 300 ms each); first in line, the
            // rest of one page and its own.
            assertThat(millis).isLessThan(3 * SERVICE_MILLIS);
            assertThat(capacity.waitingCount()).isGreaterThan(QUEUE / 2);
            int refused = 0;
            for (Future<Response> f : flood) {
                refused += f.get().status() == 503 ? 1 : 0;
            }
            assertThat(refused).as("strangers beyond their lane's %d", QUEUE).isEqualTo(5);
        }
    }
}
