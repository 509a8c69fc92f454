package coop.bulwark.protect;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.BanPolicy;
import coop.bulwark.site.StatePolicy;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Sources that keep busting one page's cache without a cookie (the under-attack policy's {@code ban_busting_after}):
 * counted per address and path, banned past the count within the window, never from an address people with cookies
 * are served from (fake ticker and clock).
 */
class GatekeeperBustingTest {
    static final byte[] BOT = {(byte) 198, 51, 100, 9};
    static final byte[] NAT = {(byte) 203, 0, 113, 7};
    static final long HOME = 11;
    static final long OTHER_PAGE = 12;

    final FakeTicker ticker = new FakeTicker(1_000_000_000_000L);
    final FakeClock clock = new FakeClock(Instant.parse("2026-12-06T10:00:00Z"));
    final Gatekeeper gatekeeper = new Gatekeeper(ticker, clock);

    /** Eight within 60 s, as under attack by default. */
    static final StatePolicy POLICY = StatePolicy.UNDER_ATTACK;

    Verdict.Ban busting(byte[] addr, long path) {
        return gatekeeper.busting("s", 0, POLICY, addr, BanPolicy.DEFAULTS, path);
    }

    @Test
    void defaults_onlyUnderAttack() {
        assertThat(StatePolicy.NORMAL.banBustingAfter()).isZero();
        assertThat(StatePolicy.SUSPECT.banBustingAfter()).isZero();
        assertThat(StatePolicy.UNDER_ATTACK.banBustingAfter()).isEqualTo(8);
        for (int i = 0; i < 1_000; i++) {
            assertThat(gatekeeper.busting("s", 0, StatePolicy.NORMAL, BOT, BanPolicy.DEFAULTS, HOME))
                    .isNull();
        }
        assertThat(gatekeeper.bans().find(BOT)).isNull();
    }

    @Test
    void eightOnOnePage_thenBanned() {
        for (int i = 0; i < 8; i++) {
            assertThat(busting(BOT, HOME)).as("request %d", i + 1).isNull();
        }
        Verdict.Ban ban = busting(BOT, HOME);
        assertThat(ban).isNotNull();
        assertThat(ban.action()).isEqualTo(BanPolicy.BanAction.REJECT);
        assertThat(ban.reason()).contains("cache-busting", "site s");
        assertThat(gatekeeper.bans().find(BOT)).isNotNull();
        assertThat(gatekeeper.bans().find(NAT)).isNull();
    }

    @Test
    void manyPages_eachCountedApart() {
        // A person without cookies: one versioned asset per path, a page per click.
        for (long path = 0; path < 500; path++) {
            assertThat(busting(BOT, path)).isNull();
            assertThat(busting(BOT, path)).isNull();
        }
        assertThat(gatekeeper.bans().find(BOT)).isNull();
    }

    @Test
    void slowerThanTheWindowAllows_neverBanned() {
        // Eight a minute is the allowance's own pace: a source at one every 8 s keeps within it for good.
        for (int i = 0; i < 200; i++) {
            assertThat(busting(BOT, HOME)).isNull();
            ticker.advance(8_000_000_000L);
        }
        assertThat(gatekeeper.bans().find(BOT)).isNull();
    }

    @Test
    void addressWithActiveCookieHolders_notBanned() {
        assertThat(gatekeeper.decide("s", 0, POLICY, NAT, GatekeeperHolderTest.CONFIG, 42))
                .isNotInstanceOf(Verdict.Ban.class);
        gatekeeper.release(0, NAT, 42);
        for (int i = 0; i < 50; i++) {
            assertThat(busting(NAT, HOME)).isNull();
        }
        assertThat(gatekeeper.bans().find(NAT)).isNull();
        // The people's last request is over a minute old: the address is no longer shared by them.
        ticker.advance((Gatekeeper.HOLDER_WINDOW_SECONDS + 1) * 1_000_000_000L);
        Verdict.Ban ban = null;
        for (int i = 0; i < 20 && ban == null; i++) {
            ban = busting(NAT, HOME);
        }
        assertThat(ban).isNotNull();
    }

    @Test
    void onePathOnTwoSites_countedTogether_otherPathsApart() {
        // A flood's bots spread over its targets: four on each of two sites are eight on the path.
        for (int i = 0; i < 4; i++) {
            assertThat(busting(BOT, HOME)).isNull();
            assertThat(gatekeeper.busting("t", 1, POLICY, BOT, BanPolicy.DEFAULTS, HOME))
                    .isNull();
        }
        assertThat(busting(BOT, OTHER_PAGE)).isNull();
        assertThat(gatekeeper.bans().find(BOT)).isNull();
        assertThat(gatekeeper.busting("t", 1, POLICY, BOT, BanPolicy.DEFAULTS, HOME))
                .isNotNull();
    }
}
