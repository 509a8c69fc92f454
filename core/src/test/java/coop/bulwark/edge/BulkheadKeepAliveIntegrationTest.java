package coop.bulwark.edge;

import static coop.bulwark.edge.LoopbackClient.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import coop.bulwark.edge.LoopbackClient.Response;
import coop.bulwark.protect.OriginCapacity;
import coop.bulwark.site.ConfigLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request the bulkhead refuses at once (its site's origin slot taken, no queue) is answered 503 and its keep-alive
 * connection carries the next request: a GET has no body to drain, so nothing forces the connection closed (a flood
 * refused this way would otherwise reconnect for every request, and so would the people behind it).
 */
class BulkheadKeepAliveIntegrationTest {
    static final String HOST = "busy.test";
    static final long SERVICE_MILLIS = 1_500;

    @TempDir
    Path dir;

    SharedOrigin origin;
    EdgeServer edge;

    @BeforeEach
    void start() throws Exception {
        origin = new SharedOrigin(1, SERVICE_MILLIS);
        edge = EdgeServer.start(ConfigLoader.parse(
                """
                listen: {http: "127.0.0.1:%d", event_loops: 1}
                access_log: {enabled: false}
                challenge: {key_file: %s}
                protection:
                  origin_capacity: 1
                  global: {per_ip: off, per_prefix: off}
                policy:
                  normal: {per_ip: off, per_prefix: off, bulkhead: {max_concurrent: 1, queue: 0}}
                sites:
                  - {name: busy, hosts: [%s], origins: ["%s"], challenge: off}
                """.formatted(ConfigReloadIntegrationTest.freePort(), dir.resolve("keys"), HOST, origin.hostPort()),
                dir.resolve("bulwark.yaml")));
    }

    @AfterEach
    void stop() {
        edge.close();
        origin.close();
    }

    @Test
    void refusedByAFullBulkhead_theConnectionStaysOpenForTheNextRequest() throws Exception {
        OriginCapacity capacity = edge.snapshot().site("busy").origins().get(0).capacity();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Response> slow =
                    pool.submit(() -> LoopbackClient.once(edge.httpAddress(), loopback(0, 5, 1), "GET", HOST, "/slow"));
            await().atMost(Duration.ofSeconds(5)).until(() -> capacity.inFlight() == 1);

            try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), loopback(0, 5, 2))) {
                Response first = c.send("GET", HOST, "/a");
                Response second = c.send("GET", HOST, "/b");

                assertThat(first.status()).isEqualTo(503);
                assertThat(first.header("retry-after")).isNotNull();
                assertThat(first.header("connection")).isNull();
                assertThat(second.status())
                        .as("answered on the same connection")
                        .isEqualTo(503);
            }
            assertThat(slow.get().status()).isEqualTo(200);
        }
    }
}
