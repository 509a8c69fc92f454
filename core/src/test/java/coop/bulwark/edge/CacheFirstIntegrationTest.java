package coop.bulwark.edge;

import static coop.bulwark.edge.LoopbackClient.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.edge.CacheIntegrationTest.CountingOrigin;
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
 * Cache first under attack, through a real edge and origin on loopback: on a site under attack, what the micro-cache
 * can answer is answered to every client, a script without JavaScript or cookies included, whatever query it adds;
 * only what would reach the origin meets the challenge.
 */
class CacheFirstIntegrationTest {
    static final String HOST = "news.test";
    static final String PAGE = "Accept: text/html,application/xhtml+xml,*/*;q=0.8";

    @TempDir
    Path dir;

    CountingOrigin origin;
    EdgeServer edge;

    @BeforeEach
    void start() throws Exception {
        origin = new CountingOrigin();
        edge = EdgeServer.start(ConfigLoader.parse(
                """
                listen: {http: "127.0.0.1:%d", event_loops: 1}
                access_log: {enabled: false}
                challenge: {key_file: %s}
                protection:
                  global: {per_ip: off, per_prefix: off}
                policy:
                  under_attack: {per_ip: off, per_prefix: off}
                sites:
                  - {name: news, hosts: [%s], origins: ["%s"]}
                """.formatted(ConfigReloadIntegrationTest.freePort(), dir.resolve("keys"), HOST, origin.hostPort()),
                dir.resolve("bulwark.yaml")));
    }

    @AfterEach
    void stop() {
        edge.close();
        origin.close();
    }

    Response get(InetAddress from, String path, String... headers) throws IOException {
        return LoopbackClient.once(edge.httpAddress(), from, "GET", HOST, path, headers);
    }

    @Test
    void underAttack_storedPages_areServedToClientsWithoutCookie_whateverTheirQuery_andOnlyMissesAreChallenged()
            throws IOException {
        assertThat(get(loopback(0, 5, 1), "/fresh", PAGE).status()).isEqualTo(200);
        edge.snapshot().site("news").guard().force(ProtectionState.UNDER_ATTACK, "test", Instant.now(), null);

        for (int i = 0; i < 50; i++) {
            Response r = get(loopback(0, 6, 1 + i), "/fresh?bust=" + i, PAGE);
            assertThat(r.status()).as("request %d", i).isEqualTo(200);
            assertThat(r.header("x-cache")).isEqualTo("HIT");
            assertThat(r.body()).isEqualTo("fresh #1");
        }
        Response miss = get(loopback(0, 6, 99), "/uncached", PAGE);

        assertThat(miss.status()).isEqualTo(503);
        assertThat(miss.body()).contains("data-challenge=\"");
        assertThat(origin.count("/fresh")).isEqualTo(1);
        assertThat(origin.count("/uncached")).isZero();
    }

    @Test
    void normalState_theChallengeIsOff_andNothingChanges() throws IOException {
        Response r = get(loopback(0, 7, 1), "/fresh?x=1", PAGE);
        assertThat(r.status()).isEqualTo(200);
        assertThat(get(loopback(0, 7, 2), "/fresh?x=2", PAGE).header("x-cache")).isNull();
        assertThat(origin.count("/fresh")).isEqualTo(2);
    }
}
