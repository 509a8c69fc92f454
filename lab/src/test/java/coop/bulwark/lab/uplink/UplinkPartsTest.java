package coop.bulwark.lab.uplink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The uplink lab's parsing and arithmetic, without namespaces. */
class UplinkPartsTest {
    @Test
    void flowRulesAreReadFromBirdsListing_discardAndRateLimit_andARuleWithoutDestinationIsNeverWidened() {
        // Shaped as BIRD 2.0.12 lists a flow table (birdc show route table flowtab4 all).
        String listing = """
                Table flowtab4:
                flow4 { dst 203.0.113.10/32; src 198.51.100.0/24; }  [customer 18:20:01.123] * (100) [AS65001i]
                \tType: BGP univ
                \tBGP.origin: IGP
                \tBGP.as_path: 65001
                \tBGP.ext_community: (generic, 0x80060000, 0x0)
                flow4 { dst 203.0.113.11/32; src 203.0.113.128/25; }  [customer 18:20:02.000] * (100) [AS65001i]
                \tType: BGP univ
                \tBGP.ext_community: (generic, 0x80060000, 0x47c35000)
                flow4 { src 198.51.100.0/24; }  [customer 18:20:03.000] * (100) [AS65001i]
                \tBGP.ext_community: (generic, 0x80060000, 0x0)
                """;
        var rules = FlowRule.parse(listing);
        assertThat(rules).hasSize(2);
        assertThat(rules.get(0).match()).isEqualTo("source 198.51.100.0/24 destination 203.0.113.10/32");
        assertThat(rules.get(0).nftRule()).isEqualTo("ip saddr 198.51.100.0/24 ip daddr 203.0.113.10/32 counter drop");
        assertThat(rules.get(1).rateBytesPerSecond()).isEqualTo(100_000f);
        assertThat(rules.get(1).nftRule())
                .isEqualTo("ip saddr 203.0.113.128/25 ip daddr 203.0.113.11/32 limit rate over 100000 bytes/second"
                        + " counter drop");
    }

    @Test
    void linkSamplesGiveUtilisationAndDrops_andAnUnreadableOneCountsAsNothing() {
        String tc = """
                qdisc tbf 1: root refcnt 2 rate 20Mbit burst 4Kb lat 50.0ms
                 Sent 1000000 bytes 700 pkt (dropped 10, overlimits 5 requeues 0)
                 backlog 0b 0p requeues 0
                qdisc pfifo 10: parent 1:1 limit 100p
                 Sent 1000000 bytes 700 pkt (dropped 10, overlimits 0 requeues 0)
                """;
        LinkSample a = LinkSample.parse(0, tc);
        LinkSample b = LinkSample.parse(
                1_000_000_000L,
                tc.replaceFirst(
                        "Sent 1000000 bytes 700 pkt \\(dropped 10", "Sent 3500000 bytes 2500 pkt (dropped 510"));
        assertThat(b.utilisationSince(a, 20_000_000)).isEqualTo(1.0);
        assertThat(b.droppedSince(a)).isEqualTo(500);
        LinkSample broken = LinkSample.parse(2_000_000_000L, "Cannot find device");
        assertThat(broken.utilisationSince(b, 20_000_000)).isNaN();
        assertThat(broken.droppedSince(b)).isZero();
    }

    @Test
    void announcementsAreTimedFromTheRoutersView_andReliefIsWhenTheLinkStaysBelow70Percent() {
        UplinkPlan plan = UplinkPlan.of("brief");
        UplinkRecord rec = new UplinkRecord(plan);
        for (int s = 0; s < rec.seconds; s++) {
            rec.utilisation[s] = s >= plan.floodFrom() && s < plan.floodFrom() + 8 ? 1.0 : 0.05;
        }
        rec.utilisation[plan.floodFrom() + 10] = 0.8; // a bump after relief began: relief counts from after it
        rec.routerHolds(14.2, Map.of("flowspec", Set.of("source 198.51.100.0/24 destination 203.0.113.10/32")));
        rec.routerHolds(
                19.6,
                Map.of(
                        "flowspec", Set.of("source 198.51.100.0/24 destination 203.0.113.10/32"),
                        "rtbh", Set.of("203.0.113.10/32")));
        rec.routerHolds(25.0, Map.of("rtbh", Set.of("203.0.113.10/32")));

        assertThat(rec.saturatedAt()).isEqualTo(plan.floodFrom());
        assertThat(rec.saturatedSeconds()).isEqualTo(8);
        assertThat(rec.firstAnnouncement()).isEqualTo(14.2);
        assertThat(rec.reliefAt(14.2)).isEqualTo(plan.floodFrom() + 11);
        assertThat(rec.announcements())
                .extracting(a -> a.kind() + " " + a.announcedAtS() + " " + a.withdrawnAtS())
                .containsExactly("flowspec 14.2 25.0", "rtbh 19.6 null");
        assertThat(rec.reliefAt(Double.NaN)).isEqualTo(-1);
    }
}
