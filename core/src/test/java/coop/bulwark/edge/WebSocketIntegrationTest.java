package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import coop.bulwark.challenge.PassCodec;
import coop.bulwark.metrics.SiteMeters;
import coop.bulwark.protect.SiteGuard;
import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.ProtectionConfig;
import coop.bulwark.site.ProtectionState;
import coop.bulwark.site.SiteChallenge;
import coop.bulwark.site.SiteConfig;
import coop.bulwark.site.SiteLimits;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WebSocket through a real edge on loopback, between a real WebSocket client and a real WebSocket server (Netty's
 * codecs on both ends): echo both ways, megabytes with backpressure each way, the site's cap on open upgrades, the
 * idle timeout, refusal on a site under attack without the challenge cookie, and an origin that refuses the upgrade.
 */
class WebSocketIntegrationTest {
    static final String WS = "ws.test";
    static final String CAPPED = "capped.test";
    static final String IDLE = "idle.test";
    static final String GUARDED = "guarded.test";
    static final String UPGRADE_HEAD = "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s\r\n";

    static WebSocketOrigin origin;
    static EdgeServer edge;
    static InetSocketAddress addr;
    final List<WebSocketTestClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        origin = new WebSocketOrigin();
        var base = SiteLimits.DEFAULTS;
        SiteConfig ws = site("ws", WS, base.withWebsockets(8, Duration.ofSeconds(30)));
        SiteConfig capped = site("capped", CAPPED, base.withWebsockets(2, Duration.ofSeconds(30)));
        SiteConfig idle = site("idle", IDLE, base.withWebsockets(8, Duration.ofMillis(600)));
        SiteConfig guarded = site("guarded", GUARDED, base.withWebsockets(8, Duration.ofSeconds(30)))
                .withChallenge(SiteChallenge.DEFAULTS);
        edge = EdgeServer.start(TestEdge.config(
                List.of(ws, capped, idle, guarded), ConnectionLimits.DEFAULTS, false, ProtectionConfig.DEFAULTS));
        addr = edge.httpAddress();
    }

    static SiteConfig site(String name, String host, SiteLimits limits) {
        return TestEdge.site(name, List.of(host), limits, Optional.empty(), origin.hostPort());
    }

    @AfterAll
    static void stop() {
        edge.close();
        origin.close();
    }

    @AfterEach
    void closeClients() {
        clients.forEach(WebSocketTestClient::close);
        origin.pause(false);
    }

    WebSocketTestClient open(String host) throws Exception {
        var c = WebSocketTestClient.open(addr, host, "/ws");
        clients.add(c);
        return c;
    }

    static SiteMeters meters(String site) {
        return edge.metrics().site(site);
    }

    static SiteGuard guard(String site) {
        return edge.snapshot().site(site).guard();
    }

    /** The response to a handshake the edge answers itself. */
    static String refusal(String host) throws Exception {
        try (RawHttp r = new RawHttp(addr)) {
            r.send(UPGRADE_HEAD.formatted("/ws", host, ""));
            return r.readResponse();
        }
    }

    @Test
    void echo_bothWays_countedAsOneUpgrade_andTheSlotComesBackOnClose() throws Exception {
        double upgradesBefore = meters("ws").websocketUpgrades();
        double oneXxBefore = meters("ws").statusClassCount(1);
        var c = open(WS);
        c.sendText("hello");
        assertThat(c.nextText()).isEqualTo("hello");
        c.sendText("and again");
        assertThat(c.nextText()).isEqualTo("and again");

        assertThat(origin.lastHandshake).containsEntry("upgrade", "websocket").containsKey("sec-websocket-key");
        assertThat(origin.lastHandshake.get("connection")).containsIgnoringCase("upgrade");
        assertThat(origin.lastHandshake).containsEntry("x-forwarded-for", "127.0.0.1");
        assertThat(meters("ws").websocketsOpen()).isEqualTo(1);
        assertThat(meters("ws").websocketUpgrades() - upgradesBefore).isEqualTo(1);
        // The handshake is the request: completed once, as a 101.
        assertThat(meters("ws").statusClassCount(1) - oneXxBefore).isEqualTo(1);

        c.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> meters("ws").websocketsOpen() == 0);
        assertThat(guard("ws").upgrades().open()).isZero();
    }

    @Test
    void megabytesUpstream_theClientIsHeldBackWhileTheOriginDoesNotRead_thenEverythingArrivesInOrder()
            throws Exception {
        var c = open(WS);
        origin.pause(true);
        int frames = 64;
        int frameBytes = 1024 * 1024;
        var random = new Random(16);
        var expected = new CRC32();
        List<ChannelFuture> writes = new ArrayList<>();
        for (int i = 0; i < frames; i++) {
            byte[] b = new byte[frameBytes];
            random.nextBytes(b);
            expected.update(b);
            writes.add(c.sendBinary(Unpooled.wrappedBuffer(b)));
        }
        // Without backpressure the edge would read all 64 MiB into its memory and every write would complete: for
        // 1.5 s, fewer than half of them may.
        await().during(Duration.ofMillis(1500))
                .atMost(Duration.ofSeconds(3))
                .alias("frames the client could hand to the kernel stay below half")
                .until(() -> writes.stream().filter(ChannelFuture::isDone).count() < frames / 2);

        origin.pause(false);
        await().atMost(Duration.ofSeconds(60)).until(() -> c.binaryBytes.get() == (long) frames * frameBytes);
        assertThat(c.binaryCrc()).isEqualTo(expected.getValue());
    }

    @Test
    void megabytesDownstream_theOriginIsHeldBackWhileTheClientDoesNotRead() throws Exception {
        var c = open(WS);
        c.channel.config().setAutoRead(false);
        int frames = 32;
        int frameBytes = 1024 * 1024;
        var random = new Random(61);
        var expected = new CRC32();
        for (int i = 0; i < frames; i++) {
            byte[] b = new byte[frameBytes];
            random.nextBytes(b);
            expected.update(b);
            c.sendBinary(Unpooled.wrappedBuffer(b));
        }
        // The echo cannot reach the client: the edge stops reading the origin, whose own writes back up.
        await().atMost(Duration.ofSeconds(10)).until(origin::anyUnwritable);
        c.channel.config().setAutoRead(true);
        await().atMost(Duration.ofSeconds(60)).until(() -> c.binaryBytes.get() == (long) frames * frameBytes);
        assertThat(c.binaryCrc()).isEqualTo(expected.getValue());
    }

    @Test
    void overTheSiteCap_gets503WithRetryAfter_andASlotComesBackWhenOneCloses() throws Exception {
        var first = open(CAPPED);
        open(CAPPED);
        String refused = refusal(CAPPED);
        assertThat(refused).startsWith("HTTP/1.1 503").containsIgnoringCase("retry-after: 10");
        assertThat(refused).contains("too many open WebSocket connections");

        first.close();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> guard("capped").upgrades().open() == 1);
        var third = open(CAPPED);
        third.sendText("in");
        assertThat(third.nextText()).isEqualTo("in");
    }

    @Test
    void idleTunnel_isClosed_butTrafficKeepsItOpen() throws Exception {
        var busy = open(IDLE);
        var quiet = open(IDLE);
        for (int i = 0; i < 6; i++) {
            busy.sendText("ping " + i);
            assertThat(busy.nextText()).isEqualTo("ping " + i);
            Thread.sleep(200);
        }
        // 1.2 s with nothing either way is twice the site's 600 ms idle timeout.
        assertThat(quiet.channel.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(busy.channel.isActive()).isTrue();
        busy.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> meters("idle").websocketsOpen() == 0);
        assertThat(guard("idle").upgrades().open()).isZero();
    }

    @Test
    void underAttack_anUpgradeWithoutTheCookieIs403_andACookieHolderGetsThrough() throws Exception {
        SiteGuard g = guard("guarded");
        g.force(ProtectionState.UNDER_ATTACK, "test", Instant.now(), null); // held against detection
        try {
            String refused = refusal(GUARDED);
            assertThat(refused).startsWith("HTTP/1.1 403").contains("under attack");
            assertThat(g.upgrades().open()).isZero();

            String cookie = edge.challengeCodec()
                    .cookie(
                            PassCodec.Kind.WORK,
                            "guarded",
                            new byte[] {127, 0, 0, 1},
                            30,
                            Instant.now().getEpochSecond() + 3600);
            var headers = new DefaultHttpHeaders().add("cookie", PassCodec.COOKIE_NAME + "=" + cookie);
            var c = WebSocketTestClient.connect(addr, GUARDED, "/ws", headers);
            clients.add(c);
            c.handshake.get(10, TimeUnit.SECONDS);
            c.sendText("vouched");
            assertThat(c.nextText()).isEqualTo("vouched");
            assertThat(origin.lastHandshake).doesNotContainKey("cookie"); // the edge's cookie never reaches origins
        } finally {
            g.setState(ProtectionState.NORMAL, "test", Instant.now());
            g.unpin();
        }
    }

    @Test
    void edgeShutdown_closesOpenTunnels_withoutWaitingForTheDrainTimeout() throws Exception {
        EdgeServer own = EdgeServer.start(
                TestEdge.config(List.of(site("ws", WS, SiteLimits.DEFAULTS.withWebsockets(8, Duration.ofMinutes(5))))));
        try (var c = WebSocketTestClient.open(own.httpAddress(), WS, "/ws")) {
            c.sendText("before");
            assertThat(c.nextText()).isEqualTo("before");
            long start = System.nanoTime();
            own.close();
            // A WebSocket client reconnects; holding its tunnel would hold the shutdown to the drain timeout (5 s).
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(c.channel.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
        } finally {
            own.close();
        }
    }

    @Test
    void originRefusingTheUpgrade_isAnsweredAsANormalResponse_onAConnectionThatStaysHttp() throws Exception {
        try (RawHttp r = new RawHttp(addr)) {
            r.send(UPGRADE_HEAD.formatted("/no", WS, ""));
            String resp = r.readResponse();
            assertThat(resp).startsWith("HTTP/1.1 403").endsWith("no websockets here");
            assertThat(resp.toLowerCase()).doesNotContain("upgrade:");
            // The client connection is still HTTP: a next request is served on it.
            r.send("GET /other HTTP/1.1\r\nHost: " + WS + "\r\n\r\n");
            assertThat(r.readResponse()).startsWith("HTTP/1.1 404").endsWith("not found");
        }
        assertThat(guard("ws").upgrades().open()).isZero();

        var c = WebSocketTestClient.connect(addr, WS, "/no");
        clients.add(c);
        assertThatThrownBy(() -> c.handshake.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("403");
    }
}
