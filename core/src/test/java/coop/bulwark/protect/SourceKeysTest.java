package coop.bulwark.protect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SourceKeysTest {
    private static byte[] a(String literal) throws Exception {
        return InetAddress.getByName(literal).getAddress();
    }

    @Test
    void prefix_sameNetwork_sameKey() throws Exception {
        assertThat(SourceKeys.prefix(a("203.0.113.7"), 3)).isEqualTo(SourceKeys.prefix(a("203.0.113.250"), 3));
        assertThat(SourceKeys.prefix(a("203.0.113.7"), 3)).isNotEqualTo(SourceKeys.prefix(a("203.0.114.7"), 3));
        assertThat(SourceKeys.prefix(a("2001:db8:1::1"), 3)).isEqualTo(SourceKeys.prefix(a("2001:db8:1:ffff::9"), 3));
        assertThat(SourceKeys.prefix(a("2001:db8:1::1"), 3)).isNotEqualTo(SourceKeys.prefix(a("2001:db8:2::1"), 3));
    }

    @Test
    void keys_differByKindSiteAndScope_neverZero() throws Exception {
        Set<Long> keys = new HashSet<>();
        for (String addr : new String[] {"0.0.0.0", "10.0.0.1", "::", "2001:db8::1"}) {
            for (int site : new int[] {0, 1, SourceKeys.MAX_SITE_INDEX, SourceKeys.GLOBAL}) {
                assertThat(keys.add(SourceKeys.ip(a(addr), site))).isTrue();
                assertThat(keys.add(SourceKeys.prefix(a(addr), site))).isTrue();
            }
        }
        assertThat(keys).doesNotContain(0L);
    }

    @Test
    void ip_v4MappedV6_isTheV4Address() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        System.arraycopy(a("198.51.100.4"), 0, mapped, 12, 4);
        assertThat(SourceKeys.ip(mapped, 5)).isEqualTo(SourceKeys.ip(a("198.51.100.4"), 5));
        assertThat(SourceKeys.prefix(mapped, 5)).isEqualTo(SourceKeys.prefix(a("198.51.100.4"), 5));
    }

    @Test
    void ip_badInput_rejected() {
        assertThatThrownBy(() -> SourceKeys.ip(new byte[5], 0)).hasMessage("addr: 5 bytes (expected: 4 or 16)");
        assertThatThrownBy(() -> SourceKeys.ip(new byte[4], -1)).hasMessageContaining("siteIndex: -1");
        assertThatThrownBy(() -> SourceKeys.prefix(new byte[4], 8192)).hasMessageContaining("siteIndex: 8192");
    }

    @Test
    void text_prefixKeys_renderAsNetworks() throws Exception {
        assertThat(SourceKeys.text(SourceKeys.prefix(a("203.0.113.77"), SourceKeys.GLOBAL)))
                .isEqualTo("203.0.113.0/24");
        assertThat(SourceKeys.text(SourceKeys.prefix(a("10.1.2.3"), 42))).isEqualTo("10.1.2.0/24");
        assertThat(SourceKeys.text(SourceKeys.prefix(a("2001:db8:1:ffff::9"), SourceKeys.GLOBAL)))
                .isEqualTo("2001:db8:1::/48");
        assertThat(SourceKeys.text(SourceKeys.prefix(a("2001:db8::1"), 0))).isEqualTo("2001:db8::/48");
        assertThat(SourceKeys.text(SourceKeys.prefix(a("2001:0:5::1"), 0))).isEqualTo("2001:0:5::/48");
        assertThat(SourceKeys.text(SourceKeys.prefix(a("::1"), 0))).isEqualTo("::/48");
        assertThat(SourceKeys.text(SourceKeys.prefix(a("fe80:abcd:ef01::"), 0))).isEqualTo("fe80:abcd:ef01::/48");
    }

    @Test
    void text_addressAndForeignKeys_renderAsAddressOrHex() throws Exception {
        assertThat(SourceKeys.text(SourceKeys.ip(a("198.51.100.4"), 7))).isEqualTo("198.51.100.4");
        assertThat(SourceKeys.text(SourceKeys.ip(a("2001:db8::1"), 7)))
                .startsWith("key:")
                .hasSize(20);
        assertThat(SourceKeys.text(0xC60001L)).isEqualTo("key:0000000000c60001");
    }

    /**
     * A flood's addresses (3,000 from 300 /24s of 127.64/15, ten each) and addresses chosen in one IPv6 /64 so that
     * their own hash codes are equal: keyed hashes spread both over a hash table's buckets (as
     * {@code ConcurrentHashMap} picks them: {@code (h ^ h >>> 16) & (n - 1)}) about as evenly as random ones.
     */
    @Test
    void keyedHash_spreadsAFloodsAddresses_andChosenIpv6Ones() throws Exception {
        int buckets = 8192;
        int[] load = new int[buckets];
        int[] ownLoad = new int[buckets];
        for (int p = 0; p < 300; p++) {
            for (int host = 1; host <= 10; host++) {
                byte[] a = {127, (byte) (64 + p / 256), (byte) (p % 256), (byte) host};
                load[bucket(SourceKeys.keyedHash(SourceKeys.ip(a, SourceKeys.GLOBAL)), buckets)]++;
                ownLoad[bucket(InetAddress.getByAddress(a).hashCode(), buckets)]++;
            }
        }
        assertThat(max(load)).as("keyed").isLessThanOrEqualTo(7);
        assertThat(max(ownLoad)).as("InetAddress's own hash, for contrast").isGreaterThan(7);

        int[] v6 = new int[buckets];
        Set<Integer> ownHashes = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            byte[] a = InetAddress.getByName("2001:db8:1:2::").getAddress();
            // Inet6Address's hash sums the address's four 32-bit words: keep words 3 and 4 summing to the same.
            int hi = i / 128;
            int lo = i % 128;
            a[10] = (byte) hi;
            a[11] = (byte) lo;
            a[14] = (byte) (127 - hi);
            a[15] = (byte) (127 - lo);
            ownHashes.add(InetAddress.getByAddress(a).hashCode());
            v6[bucket(SourceKeys.keyedHash(SourceKeys.ip(a, SourceKeys.GLOBAL)), buckets)]++;
        }
        assertThat(ownHashes)
                .as("chosen to collide under InetAddress's own hash")
                .hasSize(1);
        assertThat(max(v6)).as("keyed, IPv6").isLessThanOrEqualTo(7);
        System.out.printf(
                "keyed hash: max bucket %d (IPv4 flood; own hash %d), %d (IPv6, %d own hashes)%n",
                max(load), max(ownLoad), max(v6), ownHashes.size());
    }

    private static int bucket(int h, int n) {
        return (h ^ h >>> 16) & (n - 1);
    }

    private static int max(int[] a) {
        int m = 0;
        for (int v : a) {
            m = Math.max(m, v);
        }
        return m;
    }
}
