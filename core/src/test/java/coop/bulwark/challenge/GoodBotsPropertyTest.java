package coop.bulwark.challenge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.Cidr;
import coop.bulwark.site.GoodBot;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class GoodBotsPropertyTest {
    @RepeatedTest(30)
    void prefixSet_agreesWith_Cidr_contains(RepetitionInfo info) throws Exception {
        Random rnd = new Random(0xB0 + info.getCurrentRepetition());
        List<Cidr> nets = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] a = new byte[rnd.nextBoolean() ? 4 : 16];
            rnd.nextBytes(a);
            nets.add(new Cidr(a, rnd.nextInt(a.length * 8 + 1)));
        }
        PrefixSet set = new PrefixSet(nets);
        for (int i = 0; i < 2000; i++) {
            // Half the probes near a listed network, so matches are common.
            Cidr near = nets.get(rnd.nextInt(nets.size()));
            byte[] a = near.network();
            if (rnd.nextBoolean()) {
                a[rnd.nextInt(a.length)] ^= (byte) (1 << rnd.nextInt(8));
            }
            InetAddress ia = InetAddress.getByAddress(a);
            boolean expected = nets.stream().anyMatch(n -> n.contains(ia));
            assertThat(set.contains(a)).as("%s", ia).isEqualTo(expected);
        }
    }

    @Test
    void goodBot_needsUserAgentAndRange_neverOneAlone() {
        GoodBots bots = new GoodBots(List.of(new GoodBot(
                "googlebot",
                Pattern.compile("Googlebot/\\d"),
                List.of(Cidr.parse("66.249.64.0/27"), Cidr.parse("2001:4860:4801:10::/64")))));
        String ua = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
        assertThat(bots.match(ua, new byte[] {66, (byte) 249, 64, 7})).isEqualTo("googlebot");
        assertThat(bots.match(ua, new byte[] {66, (byte) 249, 64, 40})).isNull();
        assertThat(bots.match("Mozilla/5.0 Firefox", new byte[] {66, (byte) 249, 64, 7}))
                .isNull();
        assertThat(bots.match(null, new byte[] {66, (byte) 249, 64, 7})).isNull();
        byte[] v6 = new byte[16];
        v6[0] = 0x20;
        v6[1] = 0x01;
        v6[2] = 0x48;
        v6[3] = 0x60;
        v6[4] = 0x48;
        v6[5] = 0x01;
        v6[7] = 0x10;
        v6[15] = 1;
        assertThat(bots.match(ua, v6)).isEqualTo("googlebot");
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xFF;
        mapped[11] = (byte) 0xFF;
        mapped[12] = 66;
        mapped[13] = (byte) 249;
        mapped[14] = 64;
        mapped[15] = 1;
        assertThat(bots.match(ua, mapped)).isEqualTo("googlebot");
    }
}
