package coop.bulwark.edge;

import static coop.bulwark.edge.LoopbackClient.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.challenge.ProofOfWork;
import coop.bulwark.edge.LoopbackClient.Response;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.ProtectionState;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * People behind one address, through a real edge and origin on loopback: on a site under attack, a person behind a NAT
 * earns the challenge's cookie even though bots behind the same address have spent its allowance, is then served on
 * the cookie, and the address is not banned while the person is active behind it; an address with bots alone is.
 */
class NatIntegrationTest {
    static final String HOST = "uni.test";
    static final String PAGE = "Accept: text/html,application/xhtml+xml,*/*;q=0.8";

    @TempDir
    Path dir;

    TestOrigin origin;
    EdgeServer edge;

    @BeforeEach
    void start() throws Exception {
        origin = new TestOrigin("origin");
        edge = EdgeServer.start(ConfigLoader.parse(
                """
                listen: {http: "127.0.0.1:%d", event_loops: 1}
                access_log: {enabled: false}
                challenge: {key_file: %s, difficulty: 4, under_attack_difficulty: 4}
                protection:
                  global: {per_ip: off, per_prefix: off}
                policy:
                  under_attack: {per_ip: {rate: 2/s, burst: 4}, per_prefix: off, ban_after_limited: 5, ban_window: 10s}
                sites:
                  - {name: uni, hosts: [%s], origins: ["%s"]}
                """.formatted(ConfigReloadIntegrationTest.freePort(), dir.resolve("keys"), HOST, origin.hostPort()),
                dir.resolve("bulwark.yaml")));
        edge.snapshot().site("uni").guard().force(ProtectionState.UNDER_ATTACK, "test", Instant.now(), null);
    }

    @AfterEach
    void stop() {
        edge.close();
        origin.close();
    }

    Response get(InetAddress from, String path, String... headers) throws IOException {
        return LoopbackClient.once(edge.httpAddress(), from, "GET", HOST, path, headers);
    }

    /** Solves the challenge from {@code from} for {@code path}; returns the {@code Cookie} line it earns. */
    String solve(InetAddress from, String path) throws IOException {
        Response page = get(from, path, PAGE);
        assertThat(page.status()).isEqualTo(503);
        String token = ChallengeIntegrationTest.group(ChallengeIntegrationTest.TOKEN, page.body());
        String form = ChallengeIntegrationTest.form(token, Long.toString(ProofOfWork.solve(token, 4)), path);
        Response answered;
        try (var c = new LoopbackClient(edge.httpAddress(), from)) {
            answered = c.exchange("POST /.bulwark/challenge HTTP/1.1\r\nHost: " + HOST
                    + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length()
                    + "\r\n\r\n" + form);
        }
        assertThat(answered.status()).isEqualTo(303);
        return "Cookie: " + ChallengeIntegrationTest.cookiePair(answered);
    }

    @Test
    void peopleBehindABusyNat_earnTheCookie_areServedOnIt_andTheAddressIsNotBanned_whileALoneBotsIs()
            throws IOException {
        InetAddress nat = loopback(0, 13, 1);
        String first = solve(nat, "/news");
        assertThat(get(nat, "/news", PAGE, first).status()).isEqualTo(200);
        for (int i = 0; i < 10; i++) {
            assertThat(get(nat, "/?bot=" + i, PAGE).status()).isNotEqualTo(200);
        }
        // The address's allowance is spent by the bots: a newcomer's page still gets the challenge, and its answer
        // is still read, so the newcomer earns a cookie of its own.
        String second = solve(nat, "/about");

        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 10; i++) {
                assertThat(get(nat, "/?bot=" + round + i, PAGE).status()).isNotEqualTo(200);
            }
            for (String cookie : new String[] {first, second}) {
                Response served = get(nat, "/news", PAGE, cookie);
                assertThat(served.status()).as("round %d", round).isEqualTo(200);
                assertThat(served.body()).startsWith("origin");
            }
        }
        assertThat(edge.gatekeeper().bans().find(nat.getAddress())).isNull();

        InetAddress lone = loopback(0, 14, 1);
        for (int i = 0; i < 30; i++) {
            try {
                get(lone, "/?bot=" + i, PAGE);
            } catch (IOException e) {
                break; // banned: the connection is refused
            }
        }
        assertThat(edge.gatekeeper().bans().find(lone.getAddress())).isNotNull();
    }
}
