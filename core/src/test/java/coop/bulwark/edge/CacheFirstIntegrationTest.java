package coop.bulwark.edge;

import static coop.bulwark.edge.LoopbackClient.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import coop.bulwark.edge.CacheIntegrationTest.CountingOrigin;
import coop.bulwark.edge.LoopbackClient.Response;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.ProtectionState;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.SplittableRandom;
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

    /**
     * Under attack (default policy: eight within a minute), a source without cookies asking for one page with a new
     * random query each time is banned at its ninth: 403 and close, then its connections are reset at accept. A
     * person without cookies at another address, reading forty pages with their versioned assets, a counter pixel with
     * a random query and a poll with a timestamp, then one page thrice from links with click ids, is not.
     */
    @Test
    void underAttack_aSourceBustingOnePage_isBanned_aPersonReadingWithoutCookiesIsNot() throws IOException {
        assertThat(get(loopback(0, 8, 1), "/fresh", PAGE).status()).isEqualTo(200);
        edge.snapshot().site("news").guard().force(ProtectionState.UNDER_ATTACK, "test", Instant.now(), null);
        SplittableRandom rnd = new SplittableRandom(7);
        InetAddress bot = loopback(0, 9, 1);
        InetAddress person = loopback(0, 9, 2);

        // Forty pages, each with its assets and a counter pixel with a random query, as a browser asks for them.
        String[] versions = {"v=" + random(rnd, 10), "ver=6.4.2", "v=" + random(rnd, 8)};
        for (int page = 0; page < 40; page++) {
            assertThat(get(person, "/fresh/page" + page + "?ref=" + random(rnd, 12), PAGE, "Sec-Fetch-Dest: document")
                            .status())
                    .isNotEqualTo(403);
            String[][] assets = {
                {"/fresh/style.css?" + versions[0], "style"},
                {"/fresh/app.js?" + versions[1], "script"},
                {"/fresh/logo.png?" + versions[2], "image"},
                {"/fresh/count.gif?r=" + random(rnd, 12), "image"},
                {"/fresh/api/poll?_=" + (1_733_650_000_000L + page), "empty"}
            };
            for (String[] a : assets) {
                Response r = get(person, a[0], "Accept: */*", "Sec-Fetch-Dest: " + a[1]);
                assertThat(r.status()).as(a[0]).isNotEqualTo(403);
            }
        }
        for (int i = 0; i < 3; i++) {
            assertThat(get(person, "/fresh?fbclid=" + random(rnd, 24), PAGE).status())
                    .isEqualTo(200);
        }
        try (LoopbackClient keepAlive = new LoopbackClient(edge.httpAddress(), bot)) {
            // Eight are answered; a random string now and then reads as a word to the entropy estimate and is not
            // counted, so the ban comes at the ninth counted one.
            Response r = null;
            int sent = 0;
            while (sent < 20) {
                r = keepAlive.send("GET", HOST, "/fresh?" + random(rnd, 4) + "=" + random(rnd, 10), PAGE);
                sent++;
                if (r.status() != 200) {
                    break;
                }
                assertThat(r.header("x-cache")).isEqualTo("HIT");
            }
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(sent).isBetween(9, 20);
        }
        assertThat(edge.gatekeeper().bans().find(bot).reason()).contains("cache-busting", "news");
        assertThat(edge.gatekeeper().bans().find(person)).isNull();
        assertThatThrownBy(() -> get(bot, "/fresh", PAGE)).as("reset at accept").isInstanceOf(IOException.class);
        assertThat(get(person, "/fresh", PAGE).status()).isEqualTo(200);
        assertThat(origin.count("/fresh")).isEqualTo(1);
    }

    private static String random(SplittableRandom rnd, int n) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    @Test
    void normalState_theChallengeIsOff_andNothingChanges() throws IOException {
        Response r = get(loopback(0, 7, 1), "/fresh?x=1", PAGE);
        assertThat(r.status()).isEqualTo(200);
        assertThat(get(loopback(0, 7, 2), "/fresh?x=2", PAGE).header("x-cache")).isNull();
        assertThat(origin.count("/fresh")).isEqualTo(2);
    }
}
