package coop.bulwark.challenge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.protect.BanList;
import coop.bulwark.site.BanPolicy;
import coop.bulwark.site.ChallengeConfig;
import coop.bulwark.site.ChallengeMode;
import coop.bulwark.site.HostPort;
import coop.bulwark.site.ProtectionState;
import coop.bulwark.site.SiteChallenge;
import coop.bulwark.site.SiteConfig;
import coop.bulwark.site.SiteLimits;
import coop.bulwark.site.SiteProtection;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gate's time-dependent paths with a clock moved by hand: the fallback's wait, stale tokens, the strike window. */
class ChallengeGateTest {
    static final Pattern WAIT = Pattern.compile("name=\"wait\" value=\"([A-Za-z0-9_-]+)\"");
    static final Pattern TOKEN = Pattern.compile("data-challenge=\"([A-Za-z0-9_-]+)\"");

    final TestClock clock = new TestClock(Instant.parse("2026-11-25T10:00:00Z"));
    BanList bans;
    ChallengeGate gate;

    record Req(String method, String uri, Map<String, String> headers, byte[] address) implements ChallengeRequest {
        @Override
        public String header(String name) {
            return headers.get(name);
        }

        @Override
        public boolean tls() {
            return false;
        }
    }

    static final byte[] ADDR = {(byte) 198, 51, 100, 7};

    static Req get(String uri) {
        return new Req("GET", uri, Map.of("accept", "text/html"), ADDR);
    }

    @BeforeEach
    void setUp() throws IOException {
        bans = new BanList(clock, Duration.ofHours(1), 1000);
        gate = new ChallengeGate(
                ChallengeKeys.open(Optional.empty(), Duration.ofHours(24), clock), bans, System::nanoTime, clock);
        var site = new SiteConfig(
                "s",
                List.of("s.test"),
                List.of(new HostPort("127.0.0.1", 1)),
                Optional.empty(),
                SiteLimits.DEFAULTS,
                SiteProtection.DEFAULTS,
                SiteChallenge.DEFAULTS.withMode(ChallengeMode.ALWAYS));
        gate.configure(ChallengeConfig.DEFAULTS, List.of(site), BanPolicy.DEFAULTS);
    }

    static String group(Pattern p, ChallengeOutcome o) {
        Matcher m = p.matcher(((ChallengeOutcome.Respond) o).body().text());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    @Test
    void fallback_tooEarly_thenAfterTheWait_earnsTheWeakCookie() {
        String wait = group(WAIT, gate.decide("s", 0, ProtectionState.NORMAL, get("/p")));
        String url = ChallengeEndpoint.waitUrl(wait, "/p");
        clock.advance(Duration.ofSeconds(3));
        var early = (ChallengeOutcome.Respond) gate.decide("s", 0, ProtectionState.NORMAL, get(url));
        assertThat(early.status()).isEqualTo(503);
        assertThat(early.retryAfterSeconds()).isEqualTo(2);
        assertThat(early.body().text()).contains("content=\"2;url=").contains("continues by itself in 2 seconds");
        clock.advance(Duration.ofSeconds(2));
        var ok = (ChallengeOutcome.Respond) gate.decide("s", 0, ProtectionState.NORMAL, get(url));
        assertThat(ok.status()).isEqualTo(303);
        assertThat(ok.setCookie()).contains("Max-Age=3600");
        // Past the token's lifetime: a fresh challenge, no strike.
        clock.advance(Duration.ofMinutes(11));
        var stale = (ChallengeOutcome.Respond) gate.decide("s", 0, ProtectionState.NORMAL, get(url));
        assertThat(stale.status()).isEqualTo(303);
        assertThat(stale.location()).isEqualTo("/p");
        assertThat(gate.stats().failed()).isZero();
    }

    @Test
    void staleAnswer_getsAFreshChallenge_notAStrike() {
        String token = group(TOKEN, gate.decide("s", 0, ProtectionState.NORMAL, get("/p")));
        long nonce = ProofOfWork.solve(token, ChallengeConfig.DEFAULTS.difficulty());
        clock.advance(Duration.ofMinutes(11));
        var r = (ChallengeOutcome.Respond)
                gate.answer("s", get(ChallengeEndpoint.PATH), "token=" + token + "&nonce=" + nonce + "&return=%2Fp");
        assertThat(r.status()).isEqualTo(303);
        assertThat(r.location()).isEqualTo("/p");
        assertThat(r.setCookie()).isNull();
    }

    @Test
    void strikes_spreadOverMoreThanTheWindow_doNotBan() {
        for (int i = 0; i < 6; i++) {
            var r = (ChallengeOutcome.Respond) gate.answer("s", get(ChallengeEndpoint.PATH), "token=x&nonce=1");
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.verdict()).isEqualTo("challenge_fail");
            clock.advance(Duration.ofSeconds(6));
        }
        assertThat(bans.find(ADDR)).isNull();
        gate.answer("s", get(ChallengeEndpoint.PATH), "token=x&nonce=1");
        gate.answer("s", get(ChallengeEndpoint.PATH), "token=x&nonce=1");
        var third = (ChallengeOutcome.Respond) gate.answer("s", get(ChallengeEndpoint.PATH), "token=x&nonce=1");
        assertThat(third.verdict()).isEqualTo("challenge_ban");
        assertThat(bans.find(ADDR)).isNotNull();
    }

    @Test
    void clientsWithoutFetchMetadataOrHtmlAccept_areChallengedForPages_limitedForStaticFiles() {
        var script = new Req("GET", "/?x=1", Map.of("accept", "*/*", "user-agent", "python-requests/2.31"), ADDR);
        assertThat(((ChallengeOutcome.Respond) gate.decide("s", 0, ProtectionState.NORMAL, script)).status())
                .isEqualTo(503);
        var asset = new Req("GET", "/img/logo.PNG?v=3", Map.of("accept", "*/*"), ADDR);
        assertThat(gate.decide("s", 0, ProtectionState.NORMAL, asset)).isInstanceOf(ChallengeOutcome.Proceed.class);
        var xhr = new Req("GET", "/search", Map.of("accept", "*/*", "sec-fetch-dest", "empty"), ADDR);
        assertThat(gate.decide("s", 0, ProtectionState.NORMAL, xhr)).isInstanceOf(ChallengeOutcome.Proceed.class);
        var feed = new Req("GET", "/feed/", Map.of("accept", "application/rss+xml"), ADDR);
        assertThat(gate.decide("s", 0, ProtectionState.NORMAL, feed)).isInstanceOf(ChallengeOutcome.Proceed.class);
        assertThat(ChallengeGate.namesStaticFile("/a.b/c")).isFalse();
        assertThat(ChallengeGate.namesStaticFile("/index.php")).isFalse();
        assertThat(ChallengeGate.namesStaticFile("/app.js#x")).isTrue();
    }

    @Test
    void malformedInput_isAnAnswer_neverAnException() {
        for (String body : List.of("", "%", "token=%zz", "&&&", "token=" + "A".repeat(5000), "nonce=1&token=")) {
            var r = gate.answer("s", get(ChallengeEndpoint.PATH), body);
            assertThat(r).isInstanceOf(ChallengeOutcome.Respond.class);
        }
        for (String uri : List.of(
                ChallengeEndpoint.PATH + "?wait=%",
                ChallengeEndpoint.PATH + "?wait=",
                ChallengeEndpoint.PATH + "?return=%0d%0aSet-Cookie:x",
                ChallengeEndpoint.PATH)) {
            var r = (ChallengeOutcome.Respond) gate.decide("s", 0, ProtectionState.NORMAL, get(uri));
            assertThat(r.location() == null || r.location().startsWith("/")).isTrue();
            if (r.location() != null) {
                assertThat(r.location()).doesNotContain("\r").doesNotContain("\n");
            }
        }
    }
}
