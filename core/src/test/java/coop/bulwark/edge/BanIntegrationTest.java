package coop.bulwark.edge;

import static coop.bulwark.edge.LoopbackClient.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import coop.bulwark.edge.LoopbackClient.Response;
import coop.bulwark.protect.Ban;
import coop.bulwark.protect.BanOrigin;
import coop.bulwark.site.BanPolicy;
import coop.bulwark.site.BulkheadLimits;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.ManualBan;
import coop.bulwark.site.ProtectionConfig;
import coop.bulwark.site.QueryKeyMode;
import coop.bulwark.site.RateLimit;
import coop.bulwark.site.StatePolicy;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bans over real sockets: manual (Java API and config), expiring, automatic with escalation, and a ban that arrives
 * while a keep-alive connection is open. The site allows 1 request/s (burst 2) per address and bans an address
 * refused more than {@value #BAN_AFTER} times in 10 s; automatic bans last 1 s, then 4 s, remembered for
 * {@link #MEMORY}.
 */
class BanIntegrationTest {
    static final String HOST = "bans.test";
    static final int BAN_AFTER = 3;
    static final Duration BASE = Duration.ofSeconds(1);
    static final Duration MEMORY = Duration.ofSeconds(1);
    static final Cidr CONFIG_BANNED = Cidr.parse("127.0.7.0/24");

    private TestOrigin origin;
    private EdgeServer edge;

    @BeforeEach
    void start() throws IOException {
        origin = new TestOrigin("o");
        edge = EdgeServer.start(config(List.of(new ManualBan(CONFIG_BANNED, "abuse report", Optional.empty()))));
    }

    private EdgeConfig config(List<ManualBan> manual) {
        var policy = new StatePolicy(
                Optional.of(new RateLimit(1, 2)),
                Optional.empty(),
                64,
                BulkheadLimits.DEFAULTS,
                Duration.ZERO,
                QueryKeyMode.KEEP,
                false,
                BAN_AFTER,
                Duration.ofSeconds(10),
                0,
                StatePolicy.DEFAULT_BUSTING_WINDOW);
        var site = TestEdge.withPolicy(TestEdge.site("bans", List.of(HOST), origin.hostPort()), policy);
        var protection = new ProtectionConfig(
                true,
                OptionalInt.of(64),
                Map.of(),
                Optional.empty(),
                Optional.empty(),
                new BanPolicy(BanPolicy.BanAction.REJECT, BASE, 4, Duration.ofMinutes(10), MEMORY),
                manual,
                0,
                0);
        return TestEdge.config(List.of(site), ConnectionLimits.DEFAULTS, false, protection);
    }

    @AfterEach
    void stop() {
        edge.close();
        origin.close();
    }

    @Test
    void manualBan_refusesAtAccept_andLeavesOthersAlone() throws IOException {
        edge.gatekeeper().bans().ban(Cidr.parse("127.0.5.1/32"), null, "test", BanOrigin.MANUAL);

        assertThat(refusedAtAccept(loopback(0, 5, 1))).isTrue();
        assertThat(get(loopback(0, 5, 2)).status()).isEqualTo(200);
        assertThat(origin.requests.get()).isEqualTo(1);
    }

    @Test
    void expiringBan_letsTheAddressBackInAfterExpiry() throws IOException {
        InetAddress from = loopback(0, 5, 3);
        edge.gatekeeper().bans().ban(Cidr.parse("127.0.5.3/32"), Duration.ofMillis(500), "test", BanOrigin.MANUAL);

        assertThat(refusedAtAccept(from)).isTrue();
        await().atMost(Duration.ofSeconds(3)).until(() -> !refusedAtAccept(from));
        assertThat(get(from).status()).isEqualTo(200);
    }

    @Test
    void configBan_refusesItsPrefix() throws IOException {
        assertThat(refusedAtAccept(loopback(0, 7, 9))).isTrue();
        assertThat(refusedAtAccept(loopback(0, 7, 200))).isTrue();
        assertThat(get(loopback(0, 8, 9)).status()).isEqualTo(200);
    }

    @Test
    void configBans_followTheFileOnReload() throws IOException {
        edge.reload(config(List.of(new ManualBan(Cidr.parse("127.0.8.0/24"), "new report", Optional.empty()))));

        assertThat(get(loopback(0, 7, 9)).status())
                .as("ban dropped from the file")
                .isEqualTo(200);
        assertThat(refusedAtAccept(loopback(0, 8, 9)))
                .as("ban added to the file")
                .isTrue();
    }

    @Test
    void banArrivingMidConnection_isAnswered403AndClosed() throws IOException {
        InetAddress from = loopback(0, 5, 9);
        try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), from)) {
            assertThat(c.send("GET", HOST, "/").status()).isEqualTo(200);
            edge.gatekeeper().bans().ban(Cidr.parse("127.0.5.9/32"), null, "test", BanOrigin.MANUAL);

            Response r = c.send("GET", HOST, "/");
            assertThat(r.status()).isEqualTo(403);
            assertThat(c.closedWithoutResponse()).isTrue();
        }
        assertThat(origin.requests.get()).isEqualTo(1);
    }

    @Test
    void automaticBan_afterRepeated429s_escalatesOnSecondOffenceWithinMemory() throws IOException {
        InetAddress from = loopback(0, 6, 1);
        Cidr subject = Cidr.parse("127.0.6.1/32");

        int first = offendUntilBanned(from);
        Ban ban1 = banOf(subject);
        assertThat(first).isEqualTo(403);
        assertThat(refusedAtAccept(from)).isTrue();
        assertThat(ban1.origin()).isEqualTo(BanOrigin.AUTOMATIC);
        assertThat(ban1.strikes()).isEqualTo(1);
        assertThat(Duration.between(Instant.now(), ban1.expiresAt())).isLessThanOrEqualTo(BASE);

        await().atMost(Duration.ofSeconds(3)).until(() -> !refusedAtAccept(from));
        offendUntilBanned(from);
        Ban ban2 = banOf(subject);
        assertThat(ban2.strikes()).isEqualTo(2);
        // base × factor: 4 s.
        assertThat(Duration.between(Instant.now(), ban2.expiresAt())).isGreaterThan(Duration.ofSeconds(2));
    }

    @Test
    void automaticBan_offenceOlderThanMemory_startsOverAtBase() throws IOException {
        InetAddress from = loopback(0, 6, 2);
        Cidr subject = Cidr.parse("127.0.6.2/32");
        offendUntilBanned(from);
        Instant firstExpiry = banOf(subject).expiresAt();

        // bans.memory after the first ban ended, its strike no longer counts.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Instant.now().isAfter(firstExpiry.plus(MEMORY).plusMillis(200)));
        offendUntilBanned(from);
        Ban again = banOf(subject);

        assertThat(again.strikes())
                .as("strikes after memory (%s) passed", MEMORY)
                .isEqualTo(1);
        assertThat(Duration.between(Instant.now(), again.expiresAt())).isLessThanOrEqualTo(BASE);
    }

    /** Requests from {@code from} until the edge answers 403 (banned); returns that status. Bounded. */
    private int offendUntilBanned(InetAddress from) throws IOException {
        try (LoopbackClient c = new LoopbackClient(edge.httpAddress(), from)) {
            for (int i = 0; i < 50; i++) {
                int s = c.send("GET", HOST, "/").status();
                if (s == 403) {
                    return s;
                }
                assertThat(s).isIn(200, 429);
            }
        }
        throw new AssertionError("not banned after 50 requests");
    }

    private Ban banOf(Cidr subject) {
        return edge.gatekeeper().bans().list().stream()
                .filter(b -> b.subject().equals(subject))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no ban of " + subject));
    }

    private Response get(InetAddress from) throws IOException {
        return LoopbackClient.once(edge.httpAddress(), from, "GET", HOST, "/");
    }

    /** Connects from {@code from}, sends a request and reports whether the edge closed without a byte of response. */
    private boolean refusedAtAccept(InetAddress from) throws IOException {
        LoopbackClient client;
        try {
            client = new LoopbackClient(edge.httpAddress(), from);
        } catch (ConnectException e) {
            throw e; // nothing listening: not a refusal by the edge
        } catch (SocketException e) {
            return true; // the edge's reset arrived before connect() returned: refused at accept all the same
        }
        try (LoopbackClient c = client) {
            try {
                c.sendOnly("GET / HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
            } catch (IOException e) {
                return true; // already reset
            }
            return c.closedWithoutResponse();
        }
    }
}
