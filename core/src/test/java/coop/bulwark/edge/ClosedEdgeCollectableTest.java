package coop.bulwark.edge;

import static org.awaitility.Awaitility.await;

import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.ProtectionConfig;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A closed edge leaves nothing behind: no JVM-wide listener or thread may keep it reachable. (The metrics' GC
 * listener once did, retaining about 65 MiB per edge until the test JVM ran out of heap.)
 */
class ClosedEdgeCollectableTest {
    @Test
    void closedEdge_withProtectionAndDetection_isGarbageCollected() throws Exception {
        WeakReference<EdgeServer> ref;
        try (TestOrigin origin = new TestOrigin("o")) {
            ref = startServeAndClose(origin);
        }
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    System.gc();
                    return ref.get() == null;
                });
    }

    private static WeakReference<EdgeServer> startServeAndClose(TestOrigin origin) throws Exception {
        var cfg = TestEdge.config(
                List.of(TestEdge.site("s", List.of("s.test"), origin.hostPort())),
                ConnectionLimits.DEFAULTS,
                false,
                ProtectionConfig.DEFAULTS);
        EdgeServer edge = EdgeServer.start(cfg);
        try {
            // One request: the limiter tables, the accounting and the metrics all come to life.
            LoopbackClient.once(edge.httpAddress(), LoopbackClient.loopback(0, 3, 3), "GET", "s.test", "/");
            Thread.sleep(1_200); // a detection tick too
        } finally {
            edge.close();
        }
        return new WeakReference<>(edge);
    }
}
