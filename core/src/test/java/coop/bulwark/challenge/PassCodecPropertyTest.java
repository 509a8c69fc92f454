package coop.bulwark.challenge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * Tokens and cookies against random sites, addresses and times (fixed seeds): what was signed verifies; changing any
 * one character, the site, the network, or waiting past the expiry never does; rotation keeps the previous key valid
 * for exactly one more period.
 */
class PassCodecPropertyTest {
    static final Instant START = Instant.parse("2026-11-25T10:00:00Z");

    final TestClock clock = new TestClock(START);

    PassCodec codec(ChallengeKeys keys) {
        return new PassCodec(keys);
    }

    ChallengeKeys keys() throws IOException {
        return ChallengeKeys.open(Optional.empty(), Duration.ofHours(24), clock);
    }

    static String site(Random rnd) {
        StringBuilder b = new StringBuilder();
        int n = 1 + rnd.nextInt(20);
        for (int i = 0; i < n; i++) {
            b.append("abcdefghijklmnopqrstuvwxyz0123456789.-_".charAt(rnd.nextInt(39)));
        }
        return b.toString();
    }

    static byte[] addr(Random rnd) {
        byte[] a = new byte[rnd.nextBoolean() ? 4 : 16];
        rnd.nextBytes(a);
        return a;
    }

    /** {@code a} moved to another prefix (/24 or /48). */
    static byte[] otherNetwork(byte[] a, Random rnd) {
        byte[] b = a.clone();
        int i = rnd.nextInt(a.length == 4 ? 3 : 6);
        b[i] ^= (byte) (1 + rnd.nextInt(255));
        return b;
    }

    /** {@code a} moved within its prefix. */
    static byte[] sameNetwork(byte[] a, Random rnd) {
        byte[] b = a.clone();
        int from = a.length == 4 ? 3 : 6;
        b[from + rnd.nextInt(a.length - from)] ^= (byte) (1 + rnd.nextInt(255));
        return b;
    }

    static String tamper(String s, int i, Random rnd) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char c;
        do {
            c = alphabet.charAt(rnd.nextInt(64));
        } while (c == s.charAt(i));
        return s.substring(0, i) + c + s.substring(i + 1);
    }

    @RepeatedTest(200)
    void cookie_verifiesForItsSiteAndNetworkOnly_anyChangedCharacterFails(RepetitionInfo info) throws IOException {
        Random rnd = new Random(0xC00C1E + info.getCurrentRepetition());
        PassCodec c = codec(keys());
        String site = site(rnd);
        byte[] addr = addr(rnd);
        int bits = 1 + rnd.nextInt(32);
        PassCodec.Kind kind = rnd.nextBoolean() ? PassCodec.Kind.WORK : PassCodec.Kind.WAIT;
        long now = clock.seconds();
        long expiry = now + 1 + rnd.nextInt(86_400);
        String v = c.cookie(kind, site, addr, bits, expiry);
        assertThat(v).hasSize(PassCodec.COOKIE_CHARS);

        int ok = c.verifyCookie(v, 0, v.length(), site, addr, now);
        assertThat(ok).isNotNegative();
        assertThat(PassCodec.cookieKind(ok)).isEqualTo(kind);
        assertThat(PassCodec.cookieDifficulty(ok)).isEqualTo(bits);
        assertThat(c.verifyCookie(v, 0, v.length(), site, sameNetwork(addr, rnd), now))
                .isEqualTo(ok);

        assertThat(c.verifyCookie(v, 0, v.length(), site, otherNetwork(addr, rnd), now))
                .isEqualTo(PassCodec.COOKIE_FORGED);
        assertThat(c.verifyCookie(v, 0, v.length(), site + "x", addr, now)).isEqualTo(PassCodec.COOKIE_FORGED);
        assertThat(c.verifyCookie(v, 0, v.length(), site, addr, expiry)).isEqualTo(PassCodec.COOKIE_EXPIRED);
        assertThat(c.verifyCookie(v, 0, v.length(), site, addr, expiry - 1)).isEqualTo(ok);
        for (int i = 0; i < v.length(); i++) {
            String t = tamper(v, i, rnd);
            assertThat(c.verifyCookie(t, 0, t.length(), site, addr, now))
                    .as("character %d changed", i)
                    .isNegative();
        }
        assertThat(c.verifyCookie(v + "A", 0, v.length() + 1, site, addr, now)).isEqualTo(PassCodec.COOKIE_MALFORMED);
        assertThat(c.verifyCookie(v, 0, v.length() - 1, site, addr, now)).isEqualTo(PassCodec.COOKIE_MALFORMED);
        // Another edge's keys (or keys lost with a deleted key file) sign nothing this edge accepts.
        assertThat(codec(keys()).verifyCookie(v, 0, v.length(), site, addr, now))
                .isNegative();
    }

    @RepeatedTest(100)
    void token_verifiesUntilItsLifetime_anyChangedCharacterFails(RepetitionInfo info) throws IOException {
        Random rnd = new Random(0x70CE + info.getCurrentRepetition());
        PassCodec c = codec(keys());
        String site = site(rnd);
        byte[] addr = addr(rnd);
        int bits = rnd.nextInt(33);
        long now = clock.seconds();
        String t = c.token(PassCodec.Kind.WORK, site, addr, bits, now);
        assertThat(t).hasSize(PassCodec.TOKEN_CHARS);
        PassCodec.Token ok = c.verifyToken(t, site, addr, now + 599, 600);
        assertThat(ok.status()).isEqualTo(PassCodec.Status.VALID);
        assertThat(ok.difficulty()).isEqualTo(bits);
        assertThat(ok.issuedEpochSecond()).isEqualTo(now);
        assertThat(c.verifyToken(t, site, addr, now + 601, 600).status()).isEqualTo(PassCodec.Status.EXPIRED);
        assertThat(c.verifyToken(t, site, addr, now - 61, 600).status()).isEqualTo(PassCodec.Status.NOT_YET_VALID);
        assertThat(c.verifyToken(t, site, otherNetwork(addr, rnd), now, 600).status())
                .isEqualTo(PassCodec.Status.FORGED);
        assertThat(c.verifyToken(t, "other", addr, now, 600).status()).isEqualTo(PassCodec.Status.FORGED);
        for (int i = 0; i < t.length(); i++) {
            assertThat(c.verifyToken(tamper(t, i, rnd), site, addr, now, 600).valid())
                    .as("character %d changed", i)
                    .isFalse();
        }
        // Two tokens for the same client differ (128 random bits): a solved one says nothing about the next.
        assertThat(c.token(PassCodec.Kind.WORK, site, addr, bits, now)).isNotEqualTo(t);
    }

    @Test
    void tokenAndCookie_cannotStandInForEachOther() throws IOException {
        PassCodec c = codec(keys());
        byte[] addr = {10, 0, 0, 1};
        long now = clock.seconds();
        String cookie = c.cookie(PassCodec.Kind.WORK, "s", addr, 16, now + 100);
        String token = c.token(PassCodec.Kind.WORK, "s", addr, 16, now);
        assertThat(c.verifyToken(cookie, "s", addr, now, 600).valid()).isFalse();
        assertThat(c.verifyCookie(token, 0, token.length(), "s", addr, now)).isNegative();
    }

    @Test
    void rotation_previousKeyVerifiesForOnePeriod_thenNot() throws IOException {
        ChallengeKeys keys = keys();
        PassCodec c = codec(keys);
        byte[] addr = {(byte) 192, 0, 2, 7};
        String old = c.cookie(PassCodec.Kind.WORK, "s", addr, 16, clock.seconds() + 3 * 86_400);
        assertThat(keys.rotateIfDue()).isFalse();

        clock.advance(Duration.ofHours(24));
        assertThat(keys.rotateIfDue()).isTrue();
        String fresh = c.cookie(PassCodec.Kind.WORK, "s", addr, 16, clock.seconds() + 86_400);
        assertThat(c.verifyCookie(old, 0, old.length(), "s", addr, clock.seconds()))
                .isNotNegative();
        assertThat(fresh.substring(0, 3)).isNotEqualTo(old.substring(0, 3)); // another key id (byte 1)

        clock.advance(Duration.ofHours(24));
        assertThat(keys.rotateIfDue()).isTrue();
        assertThat(c.verifyCookie(old, 0, old.length(), "s", addr, clock.seconds()))
                .isEqualTo(PassCodec.COOKIE_UNKNOWN_KEY);
        assertThat(c.verifyCookie(fresh, 0, fresh.length(), "s", addr, clock.seconds() - 1))
                .isNotNegative();
    }

    @Test
    void cookieHeader_findsThePassAmongOtherCookies() throws IOException {
        PassCodec c = codec(keys());
        byte[] addr = {10, 1, 2, 3};
        long now = clock.seconds();
        String v = c.cookie(PassCodec.Kind.WORK, "s", addr, 12, now + 60);
        assertThat(c.verifyCookieHeader("a=1; bulwark_pass=" + v + "; b=2", "s", addr, now))
                .isEqualTo(12);
        assertThat(c.verifyCookieHeader("bulwark_pass=" + v, "s", addr, now)).isEqualTo(12);
        assertThat(c.verifyCookieHeader("bulwark_pass=junk; bulwark_pass=" + v, "s", addr, now))
                .isEqualTo(12);
        assertThat(c.verifyCookieHeader("xbulwark_pass=" + v, "s", addr, now)).isEqualTo(PassCodec.COOKIE_ABSENT);
        assertThat(c.verifyCookieHeader("a=1", "s", addr, now)).isEqualTo(PassCodec.COOKIE_ABSENT);
        assertThat(c.verifyCookieHeader(null, "s", addr, now)).isEqualTo(PassCodec.COOKIE_ABSENT);
        assertThat(c.verifyCookieHeader("bulwark_pass=", "s", addr, now)).isEqualTo(PassCodec.COOKIE_MALFORMED);
        assertThat(c.verifyCookieHeader("bulwark_pass=" + "é".repeat(59), "s", addr, now))
                .isEqualTo(PassCodec.COOKIE_MALFORMED);
    }

    @Test
    void ipv4MappedAddress_isTheSameClientAsItsIpv4Form() throws IOException {
        PassCodec c = codec(keys());
        byte[] v4 = {(byte) 198, 51, 100, 9};
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(v4, 0, mapped, 12, 4);
        long now = clock.seconds();
        String v = c.cookie(PassCodec.Kind.WORK, "s", v4, 10, now + 60);
        assertThat(c.verifyCookie(v, 0, v.length(), "s", mapped, now)).isEqualTo(10);
    }
}
