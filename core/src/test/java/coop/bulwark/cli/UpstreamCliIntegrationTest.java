package coop.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import coop.bulwark.admin.AdminServer;
import coop.bulwark.detect.Attack;
import coop.bulwark.detect.AttackTarget;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.detect.HeavyHitter;
import coop.bulwark.detect.UplinkState;
import coop.bulwark.edge.EdgeServer;
import coop.bulwark.protect.SourceKeys;
import coop.bulwark.site.AdminConfig;
import coop.bulwark.site.ChallengeConfig;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.HostPort;
import coop.bulwark.site.Listen;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bulwark upstream} and {@code bulwark exabgp-api} against a running edge in suggest mode. The uplink and the
 * attack are handed to the edge's desk directly (saturating a real link is the namespace tests' job); everything
 * after that is the product: the admin API, the CLI, and the helper as a separate process speaking ExaBGP's text.
 */
class UpstreamCliIntegrationTest {
    @TempDir
    static Path dir;

    static EdgeServer edge;
    static AdminServer admin;
    static Path token;
    static HttpServer hooks;
    static final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        hooks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hooks.createContext("/hook", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        hooks.start();
        EdgeConfig parsed =
                ConfigLoader.parse("""
                listen: {http: 127.0.0.1:1}
                access_log: {enabled: false}
                upstream: {mode: suggest, rtbh: {allowed: never}, flowspec: {top_prefixes: 2}}
                webhooks: [{url: "http://127.0.0.1:%d/hook"}]
                sites:
                  - {name: alpha, hosts: [alpha.test], origins: ["127.0.0.1:9"], addresses: [203.0.113.10]}
                """.formatted(hooks.getAddress().getPort()), dir.resolve("bulwark.yaml"));
        edge = EdgeServer.start(parsed.toBuilder()
                .listen(new Listen(Optional.of(new HostPort("127.0.0.1", 0)), Optional.empty(), 1))
                .drainTimeout(Duration.ofSeconds(1))
                .challenge(ChallengeConfig.DEFAULTS)
                .build());
        token = dir.resolve("admin.token");
        admin = AdminServer.start(
                new AdminConfig(true, new HostPort("127.0.0.1", 0), token, false),
                edge,
                why -> true,
                Clock.systemUTC(),
                "upstream-test");
    }

    @AfterAll
    static void stop() {
        admin.close();
        edge.close();
        hooks.stop(0);
    }

    private static AdminCliIntegrationTest.Run api(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(
                List.of("--admin", "http://127.0.0.1:" + admin.address().getPort(), "--token-file", token.toString()));
        return AdminCliIntegrationTest.run(all.toArray(String[]::new));
    }

    private static HeavyHitter prefix(String network) {
        return new HeavyHitter(SourceKeys.prefix(Cidr.parse(network).network(), SourceKeys.GLOBAL), 100, 0);
    }

    private static void saturatedAttack(String id) {
        Instant now = Instant.now();
        Attack a = new Attack(
                id,
                now,
                null,
                List.of(new AttackTarget(0, "alpha", now, 1000, 10, 990)),
                1000,
                List.of(prefix("198.51.100.0"), prefix("192.0.2.0")));
        edge.upstream()
                .onTick(
                        now,
                        Optional.of(new UplinkState.View(true, now, 1.0, 0)),
                        List.of(new DetectionEvent.AttackStarted(now, a)));
    }

    @Test
    void suggestListsWithTheExabgpLines_applyAnnounces_theHelperFollows_withdrawWithdraws() throws Exception {
        assertThat(api("upstream").out()).contains("mode suggest").contains("nothing announced or suggested");
        saturatedAttack("atk-cli-1");

        var listed = api("upstream");
        assertThat(listed.out())
                .contains("198.51.100.0/24 -> 203.0.113.10/32")
                .contains("192.0.2.0/24 -> 203.0.113.10/32")
                .contains("suggested");
        assertThat(api("upstream", "--json").out())
                .contains("announce flow route { match { source 198.51.100.0/24; destination 203.0.113.10/32; }"
                        + " then { discard; } }");

        Process helper = new ProcessBuilder(
                        ProcessHandle.current().info().command().orElse("java"),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "coop.bulwark.cli.Main",
                        "exabgp-api",
                        "--admin",
                        "http://127.0.0.1:" + admin.address().getPort(),
                        "--token-file",
                        token.toString(),
                        "--interval",
                        "100ms")
                .redirectError(dir.resolve("helper.err").toFile())
                .start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        OutputStream acks = helper.getOutputStream();
        Thread.ofVirtual().start(() -> {
            try (var in =
                    new BufferedReader(new InputStreamReader(helper.getInputStream(), StandardCharsets.US_ASCII))) {
                for (String l; (l = in.readLine()) != null; ) {
                    lines.add(l);
                    acks.write("done\n".getBytes(StandardCharsets.US_ASCII));
                    acks.flush();
                }
            } catch (Exception e) {
                lines.add("reader: " + e);
            }
        });
        try {
            assertThat(lines.poll(3, TimeUnit.SECONDS))
                    .as("suggest announces nothing")
                    .isNull();

            var applied = api("upstream", "apply", "atk-cli-1");
            assertThat(applied.exit()).as(applied.err()).isZero();
            assertThat(applied.out()).contains("announced");
            String first = lines.poll(20, TimeUnit.SECONDS);
            String second = lines.poll(5, TimeUnit.SECONDS);
            assertThat(List.of(first, second))
                    .containsExactlyInAnyOrder(
                            "announce flow route { match { source 198.51.100.0/24; destination 203.0.113.10/32; }"
                                    + " then { discard; } }",
                            "announce flow route { match { source 192.0.2.0/24; destination 203.0.113.10/32; }"
                                    + " then { discard; } }");

            String id = edge.upstream().list().get(0).id();
            var withdrawn = api("upstream", "withdraw", id);
            assertThat(withdrawn.exit()).as(withdrawn.err()).isZero();
            assertThat(lines.poll(5, TimeUnit.SECONDS)).startsWith("withdraw flow route { match { source ");
            assertThat(api("upstream", "withdraw", id).err()).contains("no announcement " + id);
            assertThat(api("upstream", "apply", "atk-unknown").err()).contains("no suggestion for attack atk-unknown");
            // Suggestions, announcements and withdrawals go to webhooks too, with the exact ExaBGP line.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> received.stream().anyMatch(b -> b.contains("\"event\":\"upstream_withdrawn\"")));
            assertThat(received)
                    .anyMatch(b -> b.contains("\"event\":\"upstream_suggested\"")
                            && b.contains("bulwark upstream apply atk-cli-1"))
                    .anyMatch(b -> b.contains("\"event\":\"upstream_announced\"")
                            && b.contains("announce flow route { match { source "));
        } finally {
            acks.close(); // ExaBGP gone: the helper stops by itself
            assertThat(helper.waitFor(10, TimeUnit.SECONDS)).isTrue();
            helper.destroyForcibly();
        }
        await().atMost(Duration.ofSeconds(1)).until(() -> !helper.isAlive());
    }
}
