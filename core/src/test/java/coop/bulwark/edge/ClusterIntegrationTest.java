package coop.bulwark.edge;

import static coop.bulwark.edge.LoopbackClient.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import coop.bulwark.challenge.PassCodec;
import coop.bulwark.cluster.redis.RedisSharedState;
import coop.bulwark.protect.BanOrigin;
import coop.bulwark.site.BanPolicy;
import coop.bulwark.site.ChallengeConfig;
import coop.bulwark.site.ChallengeMode;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.ClusterConfig;
import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.DetectionSettings;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.GoodBot;
import coop.bulwark.site.ProtectionConfig;
import coop.bulwark.site.SiteChallenge;
import coop.bulwark.testing.RedisProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real edges in this JVM sharing one {@code redis-server} of the test's own: a ban on one is refused by the other
 * within a second, a pass cookie from one is good on the other, key rotation reaches both, and Redis killed, paused
 * (SIGSTOP) or restarted empty never fails or holds up a request; the edges catch up when it returns. A second edge
 * with a name in use is refused.
 */
class ClusterIntegrationTest {
    static final String HOST = "always.test";
    /** Protection on (bans, the challenge) without per-source rates: the tests send many requests from one address. */
    static final ProtectionConfig PROTECTION = new ProtectionConfig(
            true,
            OptionalInt.empty(),
            Map.of(),
            Optional.empty(),
            Optional.empty(),
            BanPolicy.DEFAULTS,
            List.of(),
            ProtectionConfig.DEFAULTS.cacheMaxBytes(),
            ProtectionConfig.DEFAULTS.cacheMaxObjectBytes());

    @TempDir
    Path dir;

    RedisProcess redis;
    TestOrigin origin;
    final List<EdgeServer> edges = new ArrayList<>();
    EdgeServer a;
    EdgeServer b;

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start();
        origin = new TestOrigin("origin");
        a = edge("edge-a", Duration.ofHours(1));
        b = edge("edge-b", Duration.ofHours(1));
    }

    EdgeServer edge(String node, Duration keyRotation) throws IOException {
        var site = TestEdge.site("always", List.of(HOST), origin.hostPort())
                .withChallenge(new SiteChallenge(
                        ChallengeMode.ALWAYS, OptionalInt.of(8), OptionalInt.of(10), List.of(), Optional.empty()));
        EdgeConfig config = TestEdge.config(List.of(site), ConnectionLimits.DEFAULTS, false, PROTECTION)
                .withChallenge(challenge(dir.resolve(node + "/challenge.keys"), keyRotation))
                .withCluster(Optional.of(new ClusterConfig(redis.url(), node, "it", Optional.empty())));
        // Detection off: the paused-Redis test sends a burst that detection would rightly call an attack (then 429s).
        var d = config.detection();
        config = config.toBuilder()
                .detection(new DetectionSettings(
                        false,
                        d.thresholds(),
                        d.uplink(),
                        d.reportsDir(),
                        d.keepReports(),
                        d.reportLanguages(),
                        d.webhooks()))
                .build();
        EdgeServer e = EdgeServer.start(config, "test");
        edges.add(e);
        return e;
    }

    static ChallengeConfig challenge(Path keyFile, Duration rotation) {
        return new ChallengeConfig(
                Optional.of(keyFile),
                rotation,
                rotation,
                rotation,
                Duration.ZERO,
                Duration.ofMinutes(10),
                8,
                10,
                List.of(),
                List.<GoodBot>of(),
                ChallengeConfig.DEFAULT_EXEMPT_PATHS,
                List.of("en"),
                Optional.empty(),
                Optional.empty(),
                0,
                Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() throws Exception {
        edges.forEach(EdgeServer::close);
        origin.close();
        redis.close();
    }

    @Test
    void aBanOnOneEdge_isRefusedOnTheOtherWithinASecond_andAnUnbanIsEverywhere() throws IOException {
        InetAddress from = loopback(0, 5, 1);
        assertThat(refusedAtAccept(b, from)).isFalse();
        long start = System.nanoTime();
        a.gatekeeper().bans().ban(Cidr.parse("127.0.5.1/32"), Duration.ofMinutes(10), "test", BanOrigin.MANUAL);
        await().atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> b.gatekeeper().bans().find(from) != null);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        System.out.println(
                "ClusterIntegrationTest: ban from edge-a in force on edge-b after " + took.toMillis() + " ms");
        assertThat(refusedAtAccept(b, from)).isTrue();
        assertThat(b.gatekeeper().bans().find(from).node()).isEqualTo("edge-a");

        assertThat(b.gatekeeper().bans().unban(Cidr.parse("127.0.5.1/32"))).isTrue();
        await().atMost(Duration.ofSeconds(1)).until(() -> a.gatekeeper().bans().find(from) == null);
        assertThat(refusedAtAccept(a, from)).isFalse();
    }

    @Test
    void aPassCookieFromOneEdge_isGoodOnTheOther() throws IOException {
        InetAddress from = loopback(0, 6, 1);
        // Both edges sign with the cluster's key from the moment they listen: their start waits for it (KeySync), where
        // an edge used to sign its first cookies with its own file's key for the first milliseconds.
        long expiry = Instant.now().getEpochSecond() + 600;
        assertThat(keyId(cookie(b, from, expiry)))
                .as("the signing key right after the start")
                .isEqualTo(keyId(cookie(a, from, expiry)));
        assertThat(get(b, from).status()).as("no cookie: challenged").isEqualTo(503);
        String cookie = cookie(a, from, Instant.now().getEpochSecond() + 600);
        assertThat(get(b, from, "Cookie: " + PassCodec.COOKIE_NAME + "=" + cookie)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void keyRotation_isSeenByBoth() throws Exception {
        edges.forEach(EdgeServer::close);
        edges.clear();
        a = edge("edge-a", Duration.ofSeconds(2));
        b = edge("edge-b", Duration.ofSeconds(2));
        InetAddress from = loopback(0, 6, 2);
        long expiry = Instant.now().getEpochSecond() + 60;
        // Cookies carry random bits now, so two made with one key differ: the key is told by its id (second byte).
        int first = keyId(cookie(a, from, expiry));
        await().atMost(Duration.ofSeconds(6)).until(() -> keyId(cookie(a, from, expiry)) != first);
        String rotated = cookie(a, from, expiry);
        await().atMost(Duration.ofSeconds(1)).until(() -> keyId(cookie(b, from, expiry)) == keyId(rotated));
        assertThat(get(b, from, "Cookie: " + PassCodec.COOKIE_NAME + "=" + rotated)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void redisKilledMidTraffic_bothEdgesKeepServing_andRestartedEmpty_getTheStateBack() throws Exception {
        a.gatekeeper().bans().ban(Cidr.parse("127.0.7.1/32"), Duration.ofMinutes(10), "before", BanOrigin.MANUAL);
        await().atMost(Duration.ofSeconds(1)).until(() -> b.gatekeeper().bans().find(loopback(0, 7, 1)) != null);
        String cookie = cookie(a, loopback(0, 6, 3), Instant.now().getEpochSecond() + 600);
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            if (i == 10) {
                redis.kill();
            }
            statuses.add(get(i % 2 == 0 ? a : b, loopback(0, 6, 3), "Cookie: " + PassCodec.COOKIE_NAME + "=" + cookie)
                    .status());
        }
        assertThat(statuses).as("no request fails for Redis").containsOnly(200);
        await().atMost(Duration.ofSeconds(3))
                .until(() -> !a.cluster().orElseThrow().connected()
                        && !b.cluster().orElseThrow().connected());
        assertThat(a.metrics().scrape()).contains("bulwark_cluster_connected 0.0");

        a.gatekeeper().bans().ban(Cidr.parse("127.0.7.2/32"), Duration.ofMinutes(10), "meanwhile", BanOrigin.MANUAL);
        assertThat(refusedAtAccept(a, loopback(0, 7, 2)))
                .as("refused on local state")
                .isTrue();
        redis.restartEmpty();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> a.cluster().orElseThrow().connected()
                        && b.cluster().orElseThrow().connected());
        await().atMost(Duration.ofSeconds(1)).until(() -> b.gatekeeper().bans().find(loopback(0, 7, 2)) != null);
        EdgeServer c = edge("edge-c", Duration.ofHours(1));
        assertThat(c.gatekeeper().bans().find(loopback(0, 7, 1)))
                .as("the ban made before the restart is back in Redis")
                .isNotNull();
        // The edges offer the period's key again on their cluster thread's next round, which on a busy machine may
        // come after the new edge joined: it adopts the key when it is offered.
        await().atMost(Duration.ofSeconds(5))
                .alias("the key of the period is back in Redis")
                .until(() -> get(c, loopback(0, 6, 3), "Cookie: " + PassCodec.COOKIE_NAME + "=" + cookie)
                                .status()
                        == 200);
        assertThat(c.cluster().orElseThrow().view().nodes())
                .extracting(n -> n.name())
                .containsExactly("edge-c", "edge-a", "edge-b");
    }

    @Test
    void redisPaused_noRequestWaits_andBansCatchUpOnResume() throws Exception {
        long expiry = Instant.now().getEpochSecond() + 600;
        redis.pause();
        try {
            a.gatekeeper().bans().ban(Cidr.parse("127.0.7.3/32"), Duration.ofMinutes(10), "paused", BanOrigin.MANUAL);
            List<Long> took = new ArrayList<>();
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            int served = 0;
            while (System.nanoTime() < until && served < 2000) {
                long t = System.nanoTime();
                // Distinct people (their own addresses and cookies), so no per-person limit answers 429 instead.
                InetAddress from = loopback(1, served / 250, 1 + served % 250);
                String cookie = cookie(a, from, expiry);
                var r = get(served % 2 == 0 ? a : b, from, "Cookie: " + PassCodec.COOKIE_NAME + "=" + cookie);
                assertThat(r.status()).as("request %s: %s", served, r).isEqualTo(200);
                took.add(System.nanoTime() - t);
                served++;
            }
            took.sort(null);
            Duration median = Duration.ofNanos(took.get(took.size() / 2));
            Duration slowest = Duration.ofNanos(took.getLast());
            long waitedLikeRedis = took.stream()
                    .filter(n -> n >= RedisSharedState.COMMAND_TIMEOUT.toNanos())
                    .count();
            System.out.println("ClusterIntegrationTest: " + served + " requests while Redis was paused, median "
                    + median.toMillis() + " ms, slowest " + slowest.toMillis() + " ms");
            // Every one of these requests is a new person with a new cookie: one that waited for the paused Redis would
            // take its 1 s command timeout, and so would all its like. A pause of the test's own JVM (GC, JIT on a busy
            // two-core machine) may stretch one or two, never most.
            assertThat(waitedLikeRedis).as("requests that took Redis's timeout").isLessThanOrEqualTo(2);
            assertThat(median).isLessThan(Duration.ofMillis(200));
            assertThat(refusedAtAccept(a, loopback(0, 7, 3))).isTrue();
            await().atMost(Duration.ofSeconds(3))
                    .until(() -> !a.cluster().orElseThrow().connected());
        } finally {
            redis.resume();
        }
        // Catching up waits for each link's next heartbeat and for the replies Redis owes to commands that timed out.
        await().atMost(Duration.ofSeconds(15)).until(() -> b.gatekeeper().bans().find(loopback(0, 7, 3)) != null);
        assertThat(a.cluster().orElseThrow().connected()).isTrue();
    }

    @Test
    void aReloadWithAnotherClusterSection_keepsTheRunningOne_untilARestart() throws Exception {
        EdgeConfig running = a.snapshot().config();
        a.reload(running.withCluster(Optional.empty()));
        a.reload(running.withCluster(
                Optional.of(new ClusterConfig("redis://127.0.0.1:1", "edge-z", "other", Optional.empty()))));
        assertThat(a.snapshot().generation()).isEqualTo(3);
        assertThat(a.cluster().orElseThrow().view().node()).isEqualTo("edge-a");
        a.gatekeeper().bans().ban(Cidr.parse("127.0.7.9/32"), Duration.ofMinutes(10), "after", BanOrigin.MANUAL);
        await().atMost(Duration.ofSeconds(1)).until(() -> b.gatekeeper().bans().find(loopback(0, 7, 9)) != null);
    }

    @Test
    void aSecondEdgeWithANameInUse_refusesToStart() {
        assertThatThrownBy(() -> edge("edge-a", Duration.ofHours(1)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cluster.node edge-a is in use by another running edge");
        assertThat(a.cluster().orElseThrow().connected())
                .as("the first is untouched")
                .isTrue();
    }

    /** The id of the key that signed {@code cookie} (PassCodec's layout: version, key id, ...). */
    private static int keyId(String cookie) {
        return Base64.getUrlDecoder().decode(cookie)[1] & 0xFF;
    }

    private static String cookie(EdgeServer e, InetAddress from, long expiry) {
        return e.challengeCodec().cookie(PassCodec.Kind.WORK, "always", from.getAddress(), 8, expiry);
    }

    private static LoopbackClient.Response get(EdgeServer e, InetAddress from, String... headers) throws IOException {
        return LoopbackClient.once(
                e.httpAddress(),
                from,
                "GET",
                HOST,
                "/",
                headers.length == 0 ? new String[] {"Accept: text/html"} : concat("Accept: text/html", headers));
    }

    private static String[] concat(String first, String[] rest) {
        String[] out = new String[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    /** Connects from {@code from}, sends a request and reports whether the edge closed without a byte of response. */
    private static boolean refusedAtAccept(EdgeServer e, InetAddress from) throws IOException {
        try (LoopbackClient c = new LoopbackClient(e.httpAddress(), from)) {
            try {
                c.sendOnly("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
            } catch (IOException ex) {
                return true;
            }
            return c.closedWithoutResponse();
        }
    }
}
