package coop.bulwark.edge;

import static coop.bulwark.edge.LoopbackClient.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.testing.RedisProcess;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Detection across a cluster, on real edges and a real {@code redis-server}: edges A and B share one Redis, edge C
 * stands alone. The same flood (30 requests a second, cache-busting, from new addresses) goes to C whole and to A and B
 * split in halves, as DNS round-robin would split it. Each half alone is under the attack floor (20 a second above the
 * baseline), so A and B can only see the attack through each other's counts; they must name it no later than a second
 * after C names the whole flood, under one attack id, with one report (written by the first to declare, readable from
 * Redis by either).
 */
class ClusterDetectionIntegrationTest {
    static final String HOST = "shop.test";
    static final int RATE = 30;

    @TempDir
    Path dir;

    RedisProcess redis;
    TestOrigin origin;
    HttpServer hooks;
    /** The webhook bodies every edge sent. */
    final List<String> received = new CopyOnWriteArrayList<>();

    final List<EdgeServer> edges = new ArrayList<>();
    /** When each edge declared its first attack, by node. */
    final Map<String, DetectionEvent.AttackStarted> started = new ConcurrentHashMap<>();
    /** The id each edge gives its attack now, by node. */
    final Map<String, String> ids = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start();
        origin = new TestOrigin("origin");
        hooks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hooks.createContext("/hook", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hooks.start();
    }

    @AfterEach
    void stop() throws Exception {
        edges.forEach(EdgeServer::close);
        origin.close();
        redis.close();
        hooks.stop(0);
    }

    EdgeServer edge(String node, boolean clustered) throws Exception {
        Path file = dir.resolve(node + ".yaml");
        String cluster = clustered ? "cluster: {redis: '" + redis.url() + "', node: " + node + ", key_prefix: it}" : "";
        Files.writeString(file, """
                listen: {http: 127.0.0.1:%d, event_loops: 1}
                access_log: {enabled: false}
                protection: {origin_capacity: 64}
                detection:
                  warmup: 3s
                  short_window: 2s
                  long_window: 60s
                reports: {dir: %s}
                webhooks:
                  - {url: "http://127.0.0.1:%d/hook", events: [attack_started, attack_updated], secret: a-long-enough-shared-secret}
                %s
                sites:
                  - {name: shop, hosts: [%s], origins: [%s]}
                """.formatted(
                        ConfigReloadIntegrationTest.freePort(),
                        dir.resolve(node + "-reports"),
                        hooks.getAddress().getPort(),
                        cluster,
                        HOST,
                        origin.hostPort()));
        EdgeServer e = EdgeServer.start(ConfigLoader.load(file), "test");
        e.detection().addListener((now, traffic, global, events) -> {
            for (DetectionEvent ev : events) {
                if (ev instanceof DetectionEvent.AttackStarted s) {
                    started.putIfAbsent(node, s);
                    ids.put(node, s.attack().id());
                } else if (ev instanceof DetectionEvent.AttackUpdated u) {
                    ids.put(node, u.attack().id());
                }
            }
        });
        edges.add(e);
        return e;
    }

    @Test
    void aFloodSplitAcrossTwoEdges_isNamedWithinASecondOfTheSameFloodOnOneEdge() throws Exception {
        EdgeServer a = edge("edge-a", true);
        EdgeServer b = edge("edge-b", true);
        EdgeServer c = edge("edge-c", false);
        await().alias("both clustered edges see each other")
                .atMost(Duration.ofSeconds(5))
                .until(() -> a.cluster().orElseThrow().view().nodes().size() == 2
                        && b.cluster().orElseThrow().view().nodes().size() == 2);
        // Past the warm-up on all three (3 s of quiet: a baseline near zero).
        await().alias("warm-up over")
                .pollDelay(Duration.ofSeconds(4))
                .atMost(Duration.ofSeconds(5))
                .until(() -> true);
        assertThat(started).isEmpty();

        Instant floodStart = Instant.now();
        Duration length = Duration.ofSeconds(6);
        List<Thread> bots = new ArrayList<>();
        bots.addAll(flood(c, RATE, length, 0));
        bots.addAll(flood(a, RATE / 2, length, 1));
        bots.addAll(flood(b, RATE / 2, length, 2));
        await().alias("the flood named by all three edges")
                .atMost(length.plusSeconds(1))
                .until(() -> started.size() == 3);
        // One attack for the two clustered edges: the second to declare takes the first one's id.
        await().alias("one attack id on both clustered edges")
                .atMost(Duration.ofSeconds(2))
                .until(() -> ids.get("edge-a").equals(ids.get("edge-b")));
        String id = ids.get("edge-a");
        assertThat(a.detection().peers().nodes(Instant.now())).containsExactly("edge-b");
        assertThat(c.detection().peers().nodes(Instant.now())).isEmpty();
        for (Thread t : bots) {
            t.join();
        }

        Duration alone = Duration.between(floodStart, started.get("edge-c").at());
        Duration split = Duration.ofMillis(Math.max(
                Duration.between(floodStart, started.get("edge-a").at()).toMillis(),
                Duration.between(floodStart, started.get("edge-b").at()).toMillis()));
        System.out.println("ClusterDetectionIntegrationTest: flood of " + RATE + " rps named by one edge after "
                + alone.toMillis() + " ms, split across two after " + split.toMillis() + " ms");
        assertThat(split).isLessThanOrEqualTo(alone.plusSeconds(1));
        assertThat(started.get("edge-a").attack().targetNames()).containsExactly("shop");
        assertThat(a.detection().peers().stale()).isZero();

        // One report, by the edge whose claim reached Redis first, readable through either edge.
        String owner = id.endsWith("-edge-a") ? "edge-a" : "edge-b";
        String other = owner.equals("edge-a") ? "edge-b" : "edge-a";
        await().alias("the owner's report in its directory and in Redis")
                .atMost(Duration.ofSeconds(3))
                .until(() -> Files.exists(dir.resolve(owner + "-reports").resolve(id + ".json"))
                        && b.cluster().orElseThrow().sharedReport(id).isPresent());
        assertThat(a.cluster().orElseThrow().sharedReport(id).orElseThrow()).contains("\"shop\"");
        Path otherReports = dir.resolve(other + "-reports");
        if (Files.isDirectory(otherReports)) {
            try (var files = Files.list(otherReports)) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(f -> f.startsWith(id));
            }
        }
        // One attack for the webhooks too: its start, sent once, by its owner, under the cluster's id.
        await().alias("one attack_started webhook from the clustered edges")
                .during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(5))
                .until(() -> received.stream()
                                .filter(body -> body.contains("\"attack_started\"") && body.contains("-edge-"))
                                .count()
                        == 1);
        assertThat(received)
                .filteredOn(body -> body.contains("\"attack_started\"") && body.contains("-edge-"))
                .singleElement()
                .satisfies(body -> assertThat(body).contains(id));
        assertThat(received).noneMatch(body -> body.contains("\"attack_updated\"") && body.contains(other + "\""));

        // Redis gone: no other edge's counts are used any more, and both edges go on answering on their own.
        redis.kill();
        await().alias("the other edge's counts dropped once Redis is gone")
                .atMost(Duration.ofSeconds(3))
                .until(() -> a.detection().peers().nodes(Instant.now()).isEmpty()
                        && b.detection().peers().nodes(Instant.now()).isEmpty());
        for (EdgeServer e : List.of(a, b)) {
            long t0 = System.nanoTime();
            var r = LoopbackClient.once(e.httpAddress(), loopback(0, 130, 1), "GET", HOST, "/", "Accept: text/html");
            // Still under attack: a stranger gets the challenge's page (served as 503), from the edge's own state.
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.body()).contains("/.bulwark/challenge");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        }
    }

    /** {@code rps} requests a second for {@code length}, from ten new addresses, each with a cache-busting query. */
    private static List<Thread> flood(EdgeServer edge, int rps, Duration length, int net) {
        long end = System.nanoTime() + length.toNanos();
        int bots = 10;
        long period = Duration.ofSeconds(1).toNanos() * bots / rps;
        List<Thread> out = new ArrayList<>();
        for (int i = 0; i < bots; i++) {
            int bot = i;
            out.add(Thread.ofVirtual().start(() -> {
                long next = System.nanoTime() + period * bot / bots;
                while (System.nanoTime() < end) {
                    try (LoopbackClient client =
                            new LoopbackClient(edge.httpAddress(), loopback(0, 120 + net, 1 + bot))) {
                        while (System.nanoTime() < end) {
                            LockSupport.parkNanos(next - System.nanoTime()); // pacing the flood, not waiting
                            next += period;
                            client.send(
                                    "GET",
                                    HOST,
                                    "/?"
                                            + Long.toString(
                                                    ThreadLocalRandom.current().nextLong() >>> 1, 36) + "x9");
                        }
                    } catch (Exception e) {
                        // closed (banned or limited): reconnect
                    }
                }
            }));
        }
        return out;
    }
}
