package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload while a site is under keep-alive load: other sites come and go, the loaded site's origin list changes
 * between two live origins, and invalid files are rejected, without a single failed request.
 */
class ConfigReloadIntegrationTest {
    static final int REQUESTS = 12_000;
    static final int THREADS = 4;
    static final long LOAD_DEADLINE_NANOS = Duration.ofSeconds(25).toNanos();

    @TempDir
    Path dir;

    TestOrigin a;
    TestOrigin b;
    EdgeServer edge;
    ConfigReloader reloader;

    @AfterEach
    void stop() {
        if (reloader != null) {
            reloader.close();
        }
        if (edge != null) {
            edge.close();
        }
        a.close();
        b.close();
    }

    String yaml(int port, String mainOrigins, List<String> extraSites, boolean broken) {
        StringBuilder y = new StringBuilder();
        y.append("listen: {http: 127.0.0.1:").append(port).append(", event_loops: 2}\n");
        y.append("access_log: {enabled: false}\n");
        y.append("drain_timeout: 5s\n");
        // This test is about reloads, not limits: 12k requests from one address would (rightly) meet the
        // default per-address rate.
        y.append("protection: {enabled: false}\n");
        y.append("origin_pool: {health_check: {interval: 200ms, timeout: 200ms}}\n");
        y.append("sites:\n");
        y.append("  - name: main\n    hosts: [main.test]\n    origins: [")
                .append(mainOrigins)
                .append("]\n");
        for (String s : extraSites) {
            y.append("  - name: ").append(s).append("\n    hosts: [").append(s).append(".test]\n");
            y.append("    origins: [")
                    .append(s.hashCode() % 2 == 0 ? a.hostPort() : b.hostPort())
                    .append("]\n");
        }
        if (broken) {
            y.append("  - name: broken\n    hosts: [broken.test]\n    origins: [127.0.0.1:99999]\n");
        }
        return y.toString();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void reloadsUnderLoad_failNoRequest_routeAddedSites_refuseRemovedOnes_andRejectInvalidFiles() throws Exception {
        a = new TestOrigin("a");
        b = new TestOrigin("b");
        Path file = dir.resolve("bulwark.yaml");
        int port = freePort();
        Files.writeString(file, yaml(port, a.hostPort(), List.of("keep"), false));
        ConfigReloader.Loader loader = p -> {
            try {
                return ConfigLoader.parse(Files.readString(p), p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        edge = EdgeServer.start(loader.load(file));
        reloader = new ConfigReloader(file, edge, loader, Duration.ofHours(1));

        var client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI base = URI.create("http://127.0.0.1:" + edge.httpAddress().getPort());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        var failures = new ConcurrentLinkedQueue<String>();
        long deadline = System.nanoTime() + LOAD_DEADLINE_NANOS;
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            load.add(Thread.ofPlatform().start(() -> {
                for (int i; (i = next.getAndIncrement()) < REQUESTS && System.nanoTime() < deadline; ) {
                    try {
                        var r = client.send(
                                HttpRequest.newBuilder(base.resolve("/load?i=" + i))
                                        .header("Host", "main.test")
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() == 200 && r.body().contains("host=main.test")) {
                            ok.incrementAndGet();
                        } else {
                            failures.add(i + ": " + r.statusCode() + " " + r.body());
                        }
                    } catch (Exception e) {
                        failures.add(i + ": " + e);
                    }
                }
            }));
        }

        int reloads = 0;
        int rejected = 0;
        String previous = null;
        List<String> mainOrigins = List.of(a.hostPort(), b.hostPort(), a.hostPort() + ", " + b.hostPort());
        for (int g = 0; load.stream().anyMatch(Thread::isAlive) && g < 400; g++) {
            if (g % 5 == 4) {
                long generation = edge.snapshot().generation();
                Files.writeString(file, yaml(port, b.hostPort(), List.of("keep", "never"), true));
                assertThat(reloader.reload("test: invalid")).isFalse();
                assertThat(edge.snapshot().generation()).isEqualTo(generation);
                assertThat(status(client, base, "never.test")).isEqualTo(421);
                rejected++;
                continue;
            }
            String added = "gen" + g;
            Files.writeString(file, yaml(port, mainOrigins.get(g % 3), List.of("keep", added), false));
            assertThat(reloader.reload("test")).isTrue();
            reloads++;
            assertThat(status(client, base, added + ".test"))
                    .as("added site %s", added)
                    .isEqualTo(200);
            assertThat(status(client, base, "keep.test")).isEqualTo(200);
            if (previous != null) {
                assertThat(status(client, base, previous + ".test"))
                        .as("removed site %s", previous)
                        .isEqualTo(421);
            }
            previous = added;
        }
        for (Thread t : load) {
            t.join(Duration.ofSeconds(30));
        }
        client.close();

        System.out.printf(
                "reload under load: %d requests ok, %d reloads, %d rejected, a=%d b=%d%n",
                ok.get(), reloads, rejected, a.requests.get(), b.requests.get());
        assertThat(failures).as("failed requests").isEmpty();
        assertThat(ok.get()).as("all requests done before the deadline").isEqualTo(REQUESTS);
        assertThat(reloads).isGreaterThan(10);
        assertThat(rejected).isPositive();
    }

    static int status(HttpClient client, URI base, String host) throws Exception {
        return client.send(
                        HttpRequest.newBuilder(base.resolve("/check"))
                                .header("Host", host)
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
