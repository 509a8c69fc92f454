package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrafficModelTest {

    @Test
    void popularity_sampling_followsZipf() {
        Popularity p = new Popularity(850, 1.0);
        SplittableRandom rnd = new SplittableRandom(42);
        int[] hits = new int[851];
        int n = 400_000;
        for (int i = 0; i < n; i++) {
            hits[p.sample(rnd)]++;
        }
        double h = 0;
        for (int k = 1; k <= 850; k++) {
            h += 1.0 / k;
        }
        // Rank 1 gets 1/H(850) of the visits, rank 10 a tenth of that.
        assertThat(hits[1] / (double) n).isCloseTo(1 / h, org.assertj.core.data.Offset.offset(0.005));
        assertThat(hits[10] / (double) n).isCloseTo(0.1 / h, org.assertj.core.data.Offset.offset(0.002));
        assertThat(p.probability(2)).isCloseTo(p.probability(1) / 2, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(hits[0]).isZero();
    }

    @Test
    void cookieJar_replacesACookieOfTheSameName_andKeepsTheOthers() {
        assertThat(LegitClients.withCookie(null, "a=1")).isEqualTo("a=1");
        assertThat(LegitClients.withCookie("a=1; bb=2", "b=3")).isEqualTo("a=1; bb=2; b=3");
        assertThat(LegitClients.withCookie("a=1; b=2", "a=9")).isEqualTo("b=2; a=9");
    }

    @Test
    void popularity_exponentZero_isUniform() {
        Popularity p = new Popularity(4, 0);
        for (int k = 1; k <= 4; k++) {
            assertThat(p.probability(k)).isCloseTo(0.25, org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void addresses_legitClients_eachOwnPrefix_insideLoopback_andClassified() {
        Set<String> prefixes = new HashSet<>();
        for (int i = 0; i < AddressPlan.MAX_LEGIT; i++) {
            byte[] a = AddressPlan.legit(i);
            assertThat(a[0]).isEqualTo((byte) 127);
            int second = a[1] & 0xff;
            int host = a[3] & 0xff;
            assertThat(second).isBetween(1, 63);
            assertThat(host).isBetween(1, 254);
            assertThat(prefixes.add(second + "." + (a[2] & 0xff))).isTrue();
            if (i % 997 == 0) {
                assertThat(AddressPlan.classify(AddressPlan.inet(a).getHostAddress()))
                        .isEqualTo(AddressPlan.Source.LEGIT);
            }
        }
        assertThatThrownBy(() -> AddressPlan.legit(AddressPlan.MAX_LEGIT)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void addresses_bots_packedPerPrefix_distinct_andClassified() {
        Set<String> all = new HashSet<>();
        Set<String> prefixes = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            byte[] a = AddressPlan.bot(i, 10);
            String text = AddressPlan.inet(a).getHostAddress();
            assertThat(all.add(text)).isTrue();
            prefixes.add(text.substring(0, text.lastIndexOf('.')));
            assertThat(AddressPlan.classify(text)).isEqualTo(AddressPlan.Source.BOTNET);
        }
        assertThat(prefixes).hasSize(300);
    }

    @Test
    void addresses_random_stayInTheirRange() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            byte[] a = AddressPlan.random(rnd);
            assertThat(a[0]).isEqualTo((byte) 127);
            assertThat(a[1] & 0xff).isBetween(128, 254);
            assertThat(a[3] & 0xff).isBetween(1, 254);
        }
        assertThat(AddressPlan.classify("127.200.3.4")).isEqualTo(AddressPlan.Source.RANDOM);
        assertThat(AddressPlan.classify("127.0.0.1")).isEqualTo(AddressPlan.Source.OTHER);
        assertThat(AddressPlan.classify("10.1.2.3")).isEqualTo(AddressPlan.Source.OTHER);
        assertThat(AddressPlan.classify("")).isEqualTo(AddressPlan.Source.OTHER);
    }

    @Test
    void cacheBuster_givesEveryRequestItsOwnQuery() {
        SplittableRandom rnd = new SplittableRandom(3);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String t = CacheBuster.bust("/", rnd);
            assertThat(t).matches("/\\?[a-z]{3,6}=[a-z0-9]{8,12}");
            seen.add(t);
        }
        assertThat(seen).hasSize(10_000);
    }
}
