package coop.bulwark.protect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import coop.bulwark.site.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BanListTest {
    private final FakeClock clock = new FakeClock(Instant.parse("2026-11-25T12:00:00Z"));
    private final BanList bans = new BanList(clock, Duration.ofMinutes(10), 10_000);

    private static byte[] a(String literal) throws Exception {
        return InetAddress.getByName(literal).getAddress();
    }

    @Test
    void ban_expires_thenPurged() throws Exception {
        bans.ban(Cidr.parse("192.0.2.1"), Duration.ofMinutes(5), "test", BanOrigin.MANUAL);
        assertThat(bans.find(a("192.0.2.1"))).isNotNull();
        assertThat(bans.find(a("192.0.2.2"))).isNull();
        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        assertThat(bans.find(a("192.0.2.1"))).isNotNull();
        clock.advance(Duration.ofMillis(1));
        assertThat(bans.find(a("192.0.2.1"))).isNull();
        assertThat(bans.list()).isEmpty();
        assertThat(bans.size()).isEqualTo(1);
        assertThat(bans.purgeExpired()).isEqualTo(1);
        assertThat(bans.size()).isZero();
    }

    @Test
    void prefixBans_coverTheirAddresses_v4AndV6() throws Exception {
        bans.ban(Cidr.parse("198.51.100.0/24"), null, "net", BanOrigin.CONFIG);
        bans.ban(Cidr.parse("2001:db8:bad::/48"), null, "net6", BanOrigin.CONFIG);
        bans.ban(Cidr.parse("2001:db8:0:1::1/127"), null, "pair", BanOrigin.MANUAL);
        assertThat(bans.find(a("198.51.100.0")).reason()).isEqualTo("net");
        assertThat(bans.find(a("198.51.100.255")).reason()).isEqualTo("net");
        assertThat(bans.find(a("198.51.101.0"))).isNull();
        assertThat(bans.find(a("2001:db8:bad:ffff::1")).reason()).isEqualTo("net6");
        assertThat(bans.find(a("2001:db8:bae::1"))).isNull();
        assertThat(bans.find(a("2001:db8:0:1::0")).reason()).isEqualTo("pair");
        assertThat(bans.find(InetAddress.getByName("2001:db8:0:1::1")).reason()).isEqualTo("pair");
        assertThat(bans.find(a("2001:db8:0:1::2"))).isNull();
    }

    @Test
    void everyPrefixLength_coversExactlyItsNetwork() throws Exception {
        byte[] v6 = a("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
        for (int len = 0; len <= 128; len++) {
            BanList list = new BanList(clock, Duration.ZERO, 10);
            Cidr net = new Cidr(v6, len);
            list.ban(net, null, "x", BanOrigin.MANUAL);
            assertThat(list.find(v6)).as("/%d", len).isNotNull();
            byte[] outside = v6.clone();
            if (len > 0) {
                outside[(len - 1) / 8] ^= (byte) (0x80 >>> ((len - 1) % 8)); // flip the last bit of the prefix
                assertThat(list.find(outside)).as("/%d outside", len).isNull();
            }
            assertThat(list.find(a("10.0.0.1"))).as("other family").isNull();
        }
        for (int len = 0; len <= 32; len++) {
            BanList list = new BanList(clock, Duration.ZERO, 10);
            byte[] v4 = a("203.0.113.77");
            list.ban(new Cidr(v4, len), null, "x", BanOrigin.MANUAL);
            assertThat(list.find(v4)).as("/%d", len).isNotNull();
            if (len > 0) {
                v4[(len - 1) / 8] ^= (byte) (0x80 >>> ((len - 1) % 8));
                assertThat(list.find(v4)).as("/%d outside", len).isNull();
            }
        }
    }

    @Test
    void find_mostSpecificActiveBan() throws Exception {
        bans.ban(Cidr.parse("10.0.0.0/8"), null, "wide", BanOrigin.CONFIG);
        bans.ban(Cidr.parse("10.1.2.3"), Duration.ofMinutes(1), "narrow", BanOrigin.MANUAL);
        assertThat(bans.find(a("10.1.2.3")).reason()).isEqualTo("narrow");
        clock.advance(Duration.ofMinutes(2));
        assertThat(bans.find(a("10.1.2.3")).reason()).isEqualTo("wide");
    }

    @Test
    void v4MappedAddressesAndSubjects_treatedAsV4() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(a("192.0.2.9"), 0, mapped, 12, 4);
        bans.ban(new Cidr(mapped, 120), null, "mapped", BanOrigin.MANUAL); // InetAddress would make it 4 bytes
        assertThat(bans.list()).extracting(Ban::subject).containsExactly(Cidr.parse("192.0.2.0/24"));
        assertThat(bans.find(mapped)).isNotNull();
    }

    @Test
    void offend_escalates_upToMax_thenForgetsAfterWindow() throws Exception {
        byte[] ip = a("203.0.113.9");
        List<Duration> seen = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Ban ban = bans.offend(ip, Duration.ofMinutes(1), 4, Duration.ofHours(1), "flood");
            assertThat(ban.strikes()).isEqualTo(i + 1);
            assertThat(ban.origin()).isEqualTo(BanOrigin.AUTOMATIC);
            Duration d = Duration.between(clock.instant(), ban.expiresAt());
            seen.add(d);
            clock.advance(d); // served its time, offends again at once (within the window)
            assertThat(bans.find(ip)).isNull();
        }
        assertThat(seen)
                .containsExactly(
                        Duration.ofMinutes(1),
                        Duration.ofMinutes(4),
                        Duration.ofMinutes(16),
                        Duration.ofHours(1),
                        Duration.ofHours(1));
        clock.advance(Duration.ofMinutes(10).plusMillis(1));
        bans.purgeExpired();
        assertThat(bans.strikes(Cidr.parse("203.0.113.9"))).isZero();
        Ban fresh = bans.offend(ip, Duration.ofMinutes(1), 4, Duration.ofHours(1), "flood");
        assertThat(fresh.strikes()).isEqualTo(1);
        assertThat(Duration.between(clock.instant(), fresh.expiresAt())).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void offend_keepsAnOperatorsBan() throws Exception {
        Ban manual = bans.ban(Cidr.parse("192.0.2.7"), null, "operator", BanOrigin.MANUAL);
        assertThat(bans.offend(a("192.0.2.7"), Duration.ofMinutes(1), 2, Duration.ofHours(1), "x"))
                .isEqualTo(manual);
        assertThat(bans.strikes(Cidr.parse("192.0.2.7"))).isEqualTo(1);
    }

    @Test
    void offend_validates() {
        Cidr s = Cidr.parse("192.0.2.7");
        assertThatThrownBy(() -> bans.offend(s, Duration.ZERO, 2, Duration.ofHours(1), "x"))
                .hasMessage("base: PT0S (expected: > 0)");
        assertThatThrownBy(() -> bans.offend(s, Duration.ofMinutes(1), 0.5, Duration.ofHours(1), "x"))
                .hasMessage("factor: 0.5 (expected: >= 1)");
        assertThatThrownBy(() -> bans.offend(s, Duration.ofMinutes(2), 2, Duration.ofMinutes(1), "x"))
                .hasMessage("max: PT1M (expected: >= base PT2M)");
    }

    @Test
    void unban_liftsBanAndStrikes() throws Exception {
        bans.offend(a("192.0.2.8"), Duration.ofMinutes(1), 2, Duration.ofHours(1), "x");
        assertThat(bans.unban(Cidr.parse("192.0.2.8/32"))).isTrue();
        assertThat(bans.find(a("192.0.2.8"))).isNull();
        assertThat(bans.strikes(Cidr.parse("192.0.2.8"))).isZero();
        assertThat(bans.unban(Cidr.parse("192.0.2.8"))).isFalse();
    }

    @Test
    void configuredBans_permanentUnlessGivenExpiry_replacedAsASetOnReload() throws Exception {
        bans.ban(Cidr.parse("192.0.2.1"), null, "operator", BanOrigin.MANUAL);
        bans.replaceConfigured(List.of(
                new Ban(Cidr.parse("198.51.100.0/24"), null, "abuse desk", BanOrigin.CONFIG, 0),
                new Ban(
                        Cidr.parse("2001:db8::/32"),
                        Instant.parse("2026-12-01T00:00:00Z"),
                        "until december",
                        BanOrigin.CONFIG,
                        0)));
        clock.advance(Duration.ofDays(3650));
        assertThat(bans.find(a("198.51.100.1"))).isNotNull();
        assertThat(bans.find(a("2001:db8::1"))).isNull();
        assertThat(bans.find(a("192.0.2.1"))).isNotNull();

        bans.replaceConfigured(List.of());
        assertThat(bans.find(a("198.51.100.1"))).isNull();
        assertThat(bans.list()).extracting(Ban::reason).containsExactly("operator");
        assertThatThrownBy(() -> bans.replaceConfigured(
                        List.of(new Ban(Cidr.parse("10.0.0.0/8"), null, "x", BanOrigin.MANUAL, 0))))
                .hasMessage("origin of 10.0.0.0/8: MANUAL (expected: CONFIG)");
    }

    @Test
    void offenceMemory_isBounded() throws Exception {
        BanList small = new BanList(clock, Duration.ofHours(1), 100);
        for (int i = 0; i < 10_000; i++) {
            small.offend(
                    new byte[] {10, 0, (byte) (i >> 8), (byte) i},
                    Duration.ofSeconds(1),
                    2,
                    Duration.ofMinutes(1),
                    "x");
        }
        long remembered = 0;
        for (int i = 0; i < 10_000; i++) {
            remembered += small.strikes(new Cidr(new byte[] {10, 0, (byte) (i >> 8), (byte) i}, 32)) > 0 ? 1 : 0;
        }
        assertThat(remembered).isLessThanOrEqualTo(100);
    }
    /**
     * Single-address bans go into a small table of recent bans beside the snapshot's (rebuilt alone until it holds
     * {@link BanList#RECENT_MAX}): in any sequence of bans, escalations, cluster bans, unbans, expiries and purges,
     * {@code find} must answer as the most specific ban in force among {@code list()} does.
     */
    @Test
    void randomChanges_findAgreesWithTheListsMostSpecificBan() throws Exception {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(20261208);
        BanList list = new BanList(clock, Duration.ofMinutes(10), 10_000);
        List<byte[]> probes = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            probes.add(
                    i % 3 == 0
                            ? a("2001:db8:" + Integer.toHexString(rnd.nextInt(4)) + "::"
                                    + Integer.toHexString(rnd.nextInt(64)))
                            : new byte[] {(byte) 198, 51, (byte) rnd.nextInt(4), (byte) rnd.nextInt(256)});
        }
        for (int step = 0; step < 4_000; step++) {
            byte[] addr = probes.get(rnd.nextInt(probes.size()));
            int op = rnd.nextInt(100);
            if (op < 55) {
                list.offend(addr, Duration.ofSeconds(30), 2, Duration.ofHours(1), "auto " + step);
            } else if (op < 65) {
                list.adopt(new Ban(
                        new Cidr(addr, addr.length * 8),
                        clock.instant().plusSeconds(rnd.nextInt(1, 120)),
                        "cluster " + step,
                        BanOrigin.AUTOMATIC,
                        1));
            } else if (op < 70) {
                int len = addr.length == 4 ? 24 : 48;
                list.ban(new Cidr(addr, len), Duration.ofSeconds(rnd.nextInt(1, 90)), "net " + step, BanOrigin.MANUAL);
            } else if (op < 80) {
                list.unban(new Cidr(addr, addr.length * 8));
            } else if (op < 95) {
                clock.advance(Duration.ofSeconds(rnd.nextInt(1, 20)));
            } else {
                list.purgeExpired();
            }
            if (step % 7 == 0 || step > 3_900) {
                List<Ban> active = list.list();
                for (byte[] p : probes) {
                    Ban want = null;
                    for (Ban b : active) {
                        if (b.subject().contains(InetAddress.getByAddress(p))
                                && (want == null
                                        || b.subject().prefixLength()
                                                > want.subject().prefixLength())) {
                            want = b;
                        }
                    }
                    assertThat(list.find(p))
                            .as("step %d, %s", step, InetAddress.getByAddress(p))
                            .isEqualTo(want);
                }
            }
        }
    }
}
