package coop.bulwark.edge;

import static coop.bulwark.edge.LoopbackClient.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import coop.bulwark.detect.Attack;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.ProtectionState;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Detection on a live edge: a config with {@code detection:} (short windows so the test runs in seconds), people
 * browsing six sites, then a cache-busting flood on one of them from twenty addresses. The edge must name that site
 * alone, switch it to under_attack within seconds, leave the others normal, and end the attack once the flood
 * stops.
 */
class DetectionIntegrationTest {
    @TempDir
    Path dir;

    @Test
    void floodOnOneSite_isDetectedNamedMitigatedAndEnded() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer hooks =
                com.sun.net.httpserver.HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hooks.createContext("/hook", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String sig = ex.getRequestHeaders().getFirst("X-Bulwark-Signature");
            received.add(body + "\n" + sig);
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hooks.start();
        try (TestOrigin origin = new TestOrigin("detect")) {
            StringBuilder sites = new StringBuilder();
            for (int i = 0; i < 6; i++) {
                sites.append("  - {name: s")
                        .append(i)
                        .append(", hosts: [s")
                        .append(i)
                        .append(".test], origins: [")
                        .append(origin.hostPort())
                        .append("]}\n");
            }
            Path file = dir.resolve("bulwark.yaml");
            Files.writeString(file, """
                    listen: {http: 127.0.0.1:%d, event_loops: 2}
                    access_log: {enabled: false}
                    origin_pool: {health_check: {interval: 200ms, timeout: 200ms}}
                    protection: {origin_capacity: 64}
                    detection:
                      warmup: 3s
                      short_window: 2s
                      long_window: 60s
                      calm_ticks: 2
                      min_suspect: 1s
                      min_under_attack: 2s
                      min_recovering: 2s
                    reports: {dir: reports}
                    webhooks:
                      - url: http://127.0.0.1:%d/hook
                        events: [attack_started, attack_ended]
                        secret: "a-long-enough-shared-secret"
                    sites:
                    %s""".formatted(
                    ConfigReloadIntegrationTest.freePort(), hooks.getAddress().getPort(), sites));
            var config = ConfigLoader.load(file);
            assertThat(config.detection().thresholds().warmup()).isEqualTo(Duration.ofSeconds(3));
            assertThat(config.detection().reportsDir()).isEqualTo(dir.resolve("reports"));

            try (EdgeServer edge = EdgeServer.start(config)) {
                List<DetectionEvent> events = new CopyOnWriteArrayList<>();
                edge.detection().addListener((now, traffic, global, evs) -> events.addAll(evs));
                AtomicBoolean browsing = new AtomicBoolean(true);
                List<Thread> people = new ArrayList<>();
                for (int p = 0; p < 6; p++) {
                    int site = p;
                    people.add(Thread.ofVirtual().start(() -> browse(edge, site, browsing)));
                }
                try {
                    Thread.sleep(5_000); // past the warm-up, baselines learnt
                    assertThat(events).noneMatch(e -> e instanceof DetectionEvent.AttackStarted);

                    Instant floodStart = Instant.now();
                    flood(edge, "s3.test", Duration.ofSeconds(6));
                    var started = events.stream()
                            .filter(e -> e instanceof DetectionEvent.AttackStarted)
                            .map(e -> ((DetectionEvent.AttackStarted) e))
                            .findFirst()
                            .orElseThrow(() -> new AssertionError("no attack declared; events: " + events));
                    Attack attack = started.attack();
                    assertThat(attack.targetNames()).containsExactly("s3");
                    assertThat(Duration.between(floodStart, started.at())).isLessThan(Duration.ofSeconds(4));
                    assertThat(attack.topPrefixes()).isNotEmpty();
                    for (int i = 0; i < 6; i++) {
                        if (i != 3) {
                            assertThat(edge.snapshot().site("s" + i).guard().state())
                                    .as("bystander s%d", i)
                                    .isEqualTo(ProtectionState.NORMAL);
                        }
                    }
                    var s3 = edge.snapshot().site("s3").guard();
                    assertThat(s3.state()).isEqualTo(ProtectionState.UNDER_ATTACK);
                    assertThat(s3.view().reason()).startsWith("detection: under_attack");

                    await().atMost(Duration.ofSeconds(20))
                            .until(() -> events.stream().anyMatch(e -> e instanceof DetectionEvent.AttackEnded));
                    assertThat(s3.state()).isEqualTo(ProtectionState.NORMAL);
                    var ended = events.stream()
                            .filter(e -> e instanceof DetectionEvent.AttackEnded)
                            .map(e -> ((DetectionEvent.AttackEnded) e).attack())
                            .findFirst()
                            .orElseThrow();
                    assertThat(ended.id()).isEqualTo(attack.id());
                    assertThat(ended.targetNames()).containsExactly("s3");
                    assertThat(ended.peakRps()).isGreaterThan(50);

                    // The incident report, in three formats, and the webhooks with their signatures.
                    Path reports = dir.resolve("reports");
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> Files.exists(reports.resolve(attack.id() + ".html")));
                    String md = Files.readString(reports.resolve(attack.id() + ".md"));
                    assertThat(md).contains("s3").contains(attack.id());
                    var json = new ObjectMapper()
                            .readTree(reports.resolve(attack.id() + ".json").toFile());
                    assertThat(json.get("status").asText()).isEqualTo("ended");
                    assertThat(json.get("targets").get(0).get("name").asText()).isEqualTo("s3");
                    // The flood's one path, shown without its cache-busting query; the bots send no User-Agent.
                    assertThat(json.at("/signature/top_paths/0/text").asText()).isEqualTo("/");
                    assertThat(json.at("/signature/top_paths/0/share").asDouble())
                            .isGreaterThan(0.9);
                    assertThat(json.at("/signature/top_user_agents/0/text").asText())
                            .isEqualTo("(none sent)");
                    assertThat(md).contains("Most requested paths");
                    assertThat(Files.readString(reports.resolve(attack.id() + ".html")))
                            .contains("<svg");
                    await().atMost(Duration.ofSeconds(10)).until(() -> received.size() >= 2);
                    assertThat(received.get(0))
                            .contains("\"event\":\"attack_started\"")
                            .contains("sha256=");
                    assertThat(received.get(1))
                            .contains("\"event\":\"attack_ended\"")
                            .contains(attack.id());
                } finally {
                    browsing.set(false);
                    for (Thread t : people) {
                        t.join(5_000);
                    }
                }
            }
        } finally {
            hooks.stop(0);
        }
    }

    @Test
    void operatorPin_holdsAgainstDetection_andAutoHandsBack() throws Exception {
        try (TestOrigin origin = new TestOrigin("pin")) {
            Path file = dir.resolve("bulwark.yaml");
            Files.writeString(file, """
                    listen: {http: 127.0.0.1:%d, event_loops: 1}
                    access_log: {enabled: false}
                    protection: {origin_capacity: 16}
                    detection: {warmup: 0s}
                    sites:
                      - {name: a, hosts: [a.test], origins: [%s]}
                    """.formatted(ConfigReloadIntegrationTest.freePort(), origin.hostPort()));
            try (EdgeServer edge = EdgeServer.start(ConfigLoader.load(file))) {
                var guard = edge.snapshot().site("a").guard();
                guard.force(ProtectionState.UNDER_ATTACK, "operator", Instant.now(), null);
                Thread.sleep(2_500); // two ticks: detection sees a quiet site, yet the pin holds
                assertThat(guard.state()).isEqualTo(ProtectionState.UNDER_ATTACK);
                guard.unpin();
                await().atMost(Duration.ofSeconds(5)).until(() -> guard.state() == ProtectionState.NORMAL);
                assertThat(guard.view().reason()).startsWith("detection");
            }
        }
    }

    /** One person per site: a page every 300 ms with a session cookie, from their own address. */
    private static void browse(EdgeServer edge, int site, AtomicBoolean on) {
        long end = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (on.get() && System.nanoTime() < end) {
            try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), loopback(0, 50, 1 + site))) {
                while (on.get() && System.nanoTime() < end) {
                    c.send(
                            "GET",
                            "s" + site + ".test",
                            "/page/" + ThreadLocalRandom.current().nextInt(20),
                            "Cookie: sid=person" + site);
                    Thread.sleep(300);
                }
            } catch (Exception e) {
                // reconnect
            }
        }
    }

    /** Twenty bots, keep-alive, random query on every request, for {@code length}. */
    private static void flood(EdgeServer edge, String host, Duration length) throws InterruptedException {
        long end = System.nanoTime() + length.toNanos();
        List<Thread> bots = new ArrayList<>();
        for (int b = 0; b < 20; b++) {
            int bot = b;
            bots.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    try (LoopbackClient c =
                            new LoopbackClient(edge.httpAddress(), loopback(0, 90 + bot / 10, 1 + bot))) {
                        while (System.nanoTime() < end) {
                            var r = c.send(
                                    "GET",
                                    host,
                                    "/?"
                                            + Long.toString(
                                                            ThreadLocalRandom.current()
                                                                    .nextLong(),
                                                            36)
                                                    .replace("-", "") + "=" + Long.toString(System.nanoTime(), 36)
                                            + "x9");
                            if (r.status() >= 400 && r.status() != 503) {
                                Thread.sleep(20);
                            }
                        }
                    } catch (Exception e) {
                        // closed (banned or limited): reconnect
                    }
                }
            }));
        }
        for (Thread t : bots) {
            t.join();
        }
    }
}
