package coop.bulwark.protect;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.BanPolicy;
import coop.bulwark.site.BulkheadLimits;
import coop.bulwark.site.ProtectionConfig;
import coop.bulwark.site.RateLimit;
import coop.bulwark.site.StatePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * People behind one address: cookie holders limited and banned on their cookies, and an address banned as a whole only
 * when no well-behaved holder is active behind it (fake ticker and clock).
 */
class GatekeeperHolderTest {
    static final byte[] NAT = {(byte) 203, 0, 113, 7};
    static final byte[] LONE = {(byte) 198, 51, 100, 9};

    final FakeTicker ticker = new FakeTicker(1_000_000_000_000L);
    final FakeClock clock = new FakeClock(Instant.parse("2026-12-06T10:00:00Z"));
    final Gatekeeper gatekeeper = new Gatekeeper(ticker, clock);

    /** 2/s with a burst of 4 per client, 20 refusals within 10 s ban, no per-prefix limit. */
    static final StatePolicy POLICY = new StatePolicy(
            Optional.of(new RateLimit(2, 4)),
            Optional.of(new RateLimit(2, 4)),
            8,
            BulkheadLimits.DEFAULTS,
            Duration.ZERO,
            StatePolicy.NORMAL.queryKey(),
            false,
            20,
            Duration.ofSeconds(10),
            0,
            StatePolicy.DEFAULT_BUSTING_WINDOW);

    static final ProtectionConfig CONFIG = new ProtectionConfig(
            true,
            OptionalInt.empty(),
            Map.of(),
            Optional.empty(),
            Optional.empty(),
            BanPolicy.DEFAULTS,
            List.of(),
            0,
            0);

    /** With every rate off, the rate table (tens of MiB) is never made, whatever comes. */
    @Test
    void everyRateOff_theRateTableIsNeverMade() {
        StatePolicy off = new StatePolicy(
                Optional.empty(),
                Optional.empty(),
                8,
                BulkheadLimits.DEFAULTS,
                Duration.ZERO,
                StatePolicy.NORMAL.queryKey(),
                false,
                0,
                Duration.ofSeconds(10),
                0,
                StatePolicy.DEFAULT_BUSTING_WINDOW);
        for (int i = 0; i < 100; i++) {
            byte[] addr = {10, 0, 0, (byte) i};
            assertThat(gatekeeper.decide("s", 0, off, addr, CONFIG, -1)).isInstanceOf(Verdict.Pass.class);
            gatekeeper.release(0, addr, -1);
        }
        assertThat(gatekeeper.rateTableMade()).isFalse();
        decide(LONE, -1);
        assertThat(gatekeeper.rateTableMade()).isTrue();
    }

    Verdict decide(byte[] addr, long holder) {
        return gatekeeper.decide("s", 0, POLICY, addr, CONFIG, holder);
    }

    /** Sends {@code n} requests and releases those let through; returns how many were. */
    int passed(byte[] addr, long holder, int n) {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            Verdict v = decide(addr, holder);
            if (v instanceof Verdict.Pass) {
                ok++;
                gatekeeper.release(0, addr, holder);
            }
        }
        return ok;
    }

    @Test
    void holdersBehindOneAddress_haveAnAllowanceEach_notThePrefixNorTheAddresss() {
        assertThat(passed(NAT, -1, 10))
                .as("strangers share the address's burst")
                .isEqualTo(4);
        for (long person = 1; person <= 50; person++) {
            assertThat(passed(NAT, person, 4)).as("person %d", person).isEqualTo(4);
        }
        assertThat(passed(NAT, 7, 3)).as("a person over its own burst").isZero();
    }

    @Test
    void anAddressWithAWellBehavedHolder_isNotBannedForItsStrangersRefusals_oneWithoutIs() {
        assertThat(passed(NAT, 1, 1)).isEqualTo(1);
        for (int i = 0; i < 100; i++) {
            assertThat(decide(NAT, -1)).isNotInstanceOf(Verdict.Ban.class);
            decide(LONE, -1);
        }
        assertThat(gatekeeper.bans().find(NAT)).isNull();
        assertThat(gatekeeper.bans().find(LONE)).as("nobody vouches for it").isNotNull();
        assertThat(passed(NAT, 1, 1)).as("people still served").isEqualTo(1);

        // Once the last holder has gone quiet for the window, the address answers for its own requests again.
        ticker.advance(Duration.ofSeconds(Gatekeeper.HOLDER_WINDOW_SECONDS + 11).toNanos());
        Verdict last = null;
        for (int i = 0; i < 40; i++) {
            last = decide(NAT, -1);
        }
        assertThat(last).isInstanceOf(Verdict.Ban.class);
        assertThat(gatekeeper.bans().find(NAT)).isNotNull();
    }

    @Test
    void aHolderRefusedTooOften_isBannedOnItsCookie_escalating_andTheAddressNoLongerCountsAsShared() {
        assertThat(passed(NAT, 2, 1)).isEqualTo(1);
        Verdict v = null;
        for (int i = 0; i < 40 && !(v instanceof Verdict.Ban); i++) {
            v = decide(NAT, 1);
        }
        assertThat(v).isInstanceOf(Verdict.Ban.class);
        assertThat(((Verdict.Ban) v).reason()).startsWith("cookie banned for 60 s");
        assertThat(decide(NAT, 1)).isInstanceOf(Verdict.Ban.class);
        assertThat(gatekeeper.bans().find(NAT)).as("the address is not banned").isNull();
        assertThat(passed(NAT, 3, 1)).as("another person behind it").isEqualTo(1);

        ticker.advance(Duration.ofSeconds(61).toNanos());
        assertThat(passed(NAT, 1, 1)).as("the ban ran out").isEqualTo(1);
        v = null;
        for (int i = 0; i < 40 && !(v instanceof Verdict.Ban); i++) {
            ticker.advance(Duration.ofMillis(1).toNanos());
            v = decide(NAT, 1);
        }
        assertThat(((Verdict.Ban) v).reason()).as("the second ban is longer").startsWith("cookie banned for 240 s");
    }
}
