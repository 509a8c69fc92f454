package coop.bulwark.challenge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.challenge.SeenCookies.Standing;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The seen cookie: what it is bound to, how it expires, and when its use stops counting (fake clocks). */
class SeenCookiesTest {
    static final byte[] ADDR = {(byte) 198, 51, 100, 7};
    static final byte[] NEIGHBOUR = {(byte) 198, 51, 100, 8};
    static final byte[] ELSEWHERE = {(byte) 203, 0, 113, 7};

    final TestClock clock = new TestClock(Instant.parse("2026-12-06T10:00:00Z"));
    long nanos = 1_000_000_000L;
    ChallengeGate gate;
    SeenCookies seen;

    @BeforeEach
    void setUp() throws IOException {
        gate = new ChallengeGate(
                ChallengeKeys.open(Optional.empty(), Duration.ofHours(24), clock),
                new BanList(clock, Duration.ofHours(1), 1000),
                () -> nanos,
                clock);
        var site = new SiteConfig(
                "s",
                List.of("s.test"),
                List.of(new HostPort("127.0.0.1", 1)),
                Optional.empty(),
                SiteLimits.DEFAULTS,
                SiteProtection.DEFAULTS,
                SiteChallenge.DEFAULTS.withMode(ChallengeMode.ALWAYS));
        gate.configure(ChallengeConfig.DEFAULTS, List.of(site), BanPolicy.DEFAULTS);
        seen = gate.seen();
    }

    static String pair(String setCookie) {
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void setCookie_isFirstParty_httpOnly_lax_andLastsTheConfiguredLifetime() {
        String set = seen.setCookie("s", ADDR, true);
        assertThat(set)
                .startsWith(PassCodec.SEEN_COOKIE_NAME + "=")
                .endsWith("; Path=/; Max-Age=43200; HttpOnly; SameSite=Lax; Secure");
        assertThat(seen.setCookie("s", ADDR, false)).doesNotContain("Secure");
    }

    @Test
    void cookiesGivenInTheSameSecondToOneNetwork_differ_soPeopleBehindANatAreToldApart() {
        String a = pair(seen.setCookie("s", ADDR, false));
        String b = pair(seen.setCookie("s", ADDR, false));
        assertThat(a).isNotEqualTo(b);
        assertThat(PassCodec.identity(a, PassCodec.SEEN_COOKIE_NAME))
                .isNotEqualTo(PassCodec.identity(b, PassCodec.SEEN_COOKIE_NAME));
        assertThat(seen.checkIdentity("s", a, ADDR)).isNotEqualTo(seen.checkIdentity("s", b, ADDR));
        String pass = gate.codec().cookie(PassCodec.Kind.WORK, "s", ADDR, 20, clock.seconds() + 60);
        assertThat(gate.codec().verifyCookie(pass, 0, pass.length(), "s", ADDR, clock.seconds()))
                .as("the salt is not read as time")
                .isGreaterThanOrEqualTo(0);
        assertThat(gate.codec().verifyCookie(pass, 0, pass.length(), "s", ADDR, clock.seconds() + 60))
                .isEqualTo(PassCodec.COOKIE_EXPIRED);
    }

    @Test
    void aCookie_countsForItsSiteAndNetworkOnly_untilItExpires() {
        String cookie = "theme=dark; " + pair(seen.setCookie("s", ADDR, false));
        assertThat(seen.check("s", cookie, ADDR)).isEqualTo(Standing.KNOWN);
        assertThat(seen.check("s", cookie, NEIGHBOUR)).as("same /24").isEqualTo(Standing.KNOWN);
        assertThat(seen.check("other", cookie, ADDR)).isEqualTo(Standing.INVALID);
        assertThat(seen.check("s", cookie, ELSEWHERE)).isEqualTo(Standing.INVALID);
        assertThat(seen.check("s", "theme=dark", ADDR)).isEqualTo(Standing.ABSENT);
        assertThat(seen.check("s", null, ADDR)).isEqualTo(Standing.ABSENT);
        clock.advance(Duration.ofHours(12));
        assertThat(seen.check("s", cookie, ADDR)).isEqualTo(Standing.INVALID);
    }

    @Test
    void aSeenCookie_isNoPass_underEitherName_andAPassIsNoSeenCookie() {
        String value = pair(seen.setCookie("s", ADDR, false)).substring(PassCodec.SEEN_COOKIE_NAME.length() + 1);
        var req = new ChallengeGateTest.Req(
                "GET", "/", Map.of("accept", "text/html", "cookie", PassCodec.COOKIE_NAME + "=" + value), ADDR);
        ChallengeOutcome o = gate.decide("s", 0, ProtectionState.NORMAL, req);
        assertThat(o).isInstanceOf(ChallengeOutcome.Respond.class);
        assertThat(o.vouched()).isFalse();

        String pass = gate.codec().cookie(PassCodec.Kind.WORK, "s", ADDR, 20, clock.seconds() + 3600);
        assertThat(seen.check("s", PassCodec.SEEN_COOKIE_NAME + "=" + pass, ADDR))
                .isEqualTo(Standing.INVALID);
    }

    @Test
    void aCookieUsedAtABotsRate_stopsCounting_andCountsAgainOnceItSlowsDown() {
        String cookie = pair(seen.setCookie("s", ADDR, false));
        RateLimitCount known = count(cookie, ADDR, 150);
        assertThat(known.known()).isEqualTo(ChallengeConfig.DEFAULT_SEEN_PER_COOKIE.burst());
        nanos += Duration.ofSeconds(2).toNanos();
        assertThat(seen.check("s", cookie, ADDR)).isEqualTo(Standing.KNOWN);
        // Another cookie of the same network is not held back by the first one's pace.
        String other = pair(seen.setCookie("s", NEIGHBOUR, false));
        assertThat(seen.check("s", other, NEIGHBOUR)).isEqualTo(Standing.KNOWN);
    }

    @Test
    void aCookieReplayedFromManyAddresses_stopsCounting() {
        String cookie = pair(seen.setCookie("s", ADDR, false));
        int known = 0;
        for (int i = 1; i <= 20; i++) {
            byte[] addr = {(byte) 198, 51, 100, (byte) i};
            if (seen.check("s", cookie, addr) == Standing.KNOWN) {
                known++;
            }
        }
        // The first address, then as many moves as a laptop makes; the rest of the network is refused the lane.
        assertThat(known).isEqualTo(1 + (int) SeenCookies.ADDRESS_CHANGES.burst());
        assertThat(seen.check("s", cookie, new byte[] {(byte) 198, 51, 100, 99}))
                .isEqualTo(Standing.OVER_LIMIT);
    }

    record RateLimitCount(int known, int over) {}

    RateLimitCount count(String cookie, byte[] addr, int n) {
        int known = 0;
        int over = 0;
        for (int i = 0; i < n; i++) {
            if (seen.check("s", cookie, addr) == Standing.KNOWN) {
                known++;
            } else {
                over++;
            }
        }
        return new RateLimitCount(known, over);
    }
}
