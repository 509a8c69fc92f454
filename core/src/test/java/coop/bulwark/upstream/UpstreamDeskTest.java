package coop.bulwark.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.detect.Attack;
import coop.bulwark.detect.AttackTarget;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.detect.HeavyHitter;
import coop.bulwark.detect.UplinkState;
import coop.bulwark.protect.SourceKeys;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.UpstreamConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The upstream decisions on a fake clock: one tick per call, the uplink and the attack given by hand. */
class UpstreamDeskTest {
    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private static final Cidr TARGET = Cidr.parse("203.0.113.10");
    private static final Cidr SHARED = Cidr.parse("203.0.113.20");

    private final UpstreamDesk desk = new UpstreamDesk();
    private final List<String> journal = new ArrayList<>();
    private Instant now = T0;

    UpstreamDeskTest() {
        desk.journal((at, kind, detail) -> journal.add(kind + ": " + detail));
    }

    private static UpstreamConfig config(UpstreamConfig.Mode mode, UpstreamConfig.RtbhAllowed rtbh, int perHour) {
        UpstreamConfig d = UpstreamConfig.DEFAULTS;
        return new UpstreamConfig(
                mode,
                "self",
                d.blackholeCommunities(),
                List.of(),
                Optional.empty(),
                Duration.ofSeconds(20),
                Duration.ofMinutes(10),
                Duration.ofHours(6),
                perHour,
                new UpstreamConfig.Flowspec(true, UpstreamConfig.FlowAction.DISCARD, 0, 2, 50),
                rtbh);
    }

    private void configure(UpstreamConfig c) {
        desk.configure(
                c,
                Map.of("target", List.of(TARGET), "bystander", List.of(SHARED), "other-target", List.of(SHARED)),
                now);
    }

    private static HeavyHitter prefix(String network, long count) {
        byte[] a = Cidr.parse(network).network();
        return new HeavyHitter(SourceKeys.prefix(a, SourceKeys.GLOBAL), count, 0);
    }

    private static Attack attack(String... targets) {
        List<AttackTarget> t = new ArrayList<>();
        for (int i = 0; i < targets.length; i++) {
            t.add(new AttackTarget(i, targets[i], T0, 1000, 10, 990));
        }
        return new Attack(
                "atk-1",
                T0,
                null,
                t,
                1000,
                List.of(prefix("198.51.100.0", 500), prefix("192.0.2.0", 300), prefix("198.51.101.0", 100)));
    }

    private void tick(boolean saturated, DetectionEvent... events) {
        now = now.plusSeconds(1);
        var view = new UplinkState.View(saturated, T0, saturated ? 1.0 : 0.2, 0);
        desk.onTick(now, Optional.of(view), List.of(events));
    }

    @Test
    void saturatedDuringAnAttack_flowspecFirstForTheHeaviestPrefixes_thenRtbhAfterEscalateAfter() {
        configure(config(UpstreamConfig.Mode.AUTO, UpstreamConfig.RtbhAllowed.DEDICATED_ONLY, 20));
        tick(false, new DetectionEvent.AttackStarted(now, attack("target")));
        assertThat(desk.list()).isEmpty(); // an attack alone is the edge's business

        tick(true);
        assertThat(desk.list())
                .extracting(Announcement::match)
                .containsExactly("198.51.100.0/24 -> 203.0.113.10/32", "192.0.2.0/24 -> 203.0.113.10/32");
        assertThat(desk.list()).allMatch(a -> a.state() == Announcement.State.ANNOUNCED);
        assertThat(ExabgpCommands.announce(desk.list().get(0), desk.config()))
                .isEqualTo("announce flow route { match { source 198.51.100.0/24; destination 203.0.113.10/32; }"
                        + " then { discard; } }");

        for (int i = 0; i < 19; i++) {
            tick(true);
        }
        assertThat(desk.list()).noneMatch(a -> a.kind() == Announcement.Kind.RTBH);
        tick(true); // 20 s after the FlowSpec rules
        Announcement rtbh = desk.list().stream()
                .filter(a -> a.kind() == Announcement.Kind.RTBH)
                .findFirst()
                .orElseThrow();
        assertThat(ExabgpCommands.announce(rtbh, desk.config()))
                .isEqualTo("announce route 203.0.113.10/32 next-hop self community [65535:666]");
        assertThat(rtbh.unreachable()).containsExactly("target");
        assertThat(journal).anyMatch(j -> j.startsWith("upstream_rtbh: announced: announce route 203.0.113.10/32"));
    }

    @Test
    void standby_withdrawsWhatItAnnounced_decidesNothing_untilItSpeaksAgain() {
        configure(config(UpstreamConfig.Mode.AUTO, UpstreamConfig.RtbhAllowed.DEDICATED_ONLY, 20));
        tick(true, new DetectionEvent.AttackStarted(now, attack("target")));
        assertThat(desk.list()).isNotEmpty();

        desk.standby("edge-a", now);
        assertThat(desk.standbyFor()).contains("edge-a");
        assertThat(desk.list()).isEmpty();
        assertThat(journal).anyMatch(j -> j.contains("standby: edge-a speaks for the cluster upstream"));
        for (int i = 0; i < 30; i++) {
            tick(true);
        }
        assertThat(desk.list()).as("nothing decided on standby").isEmpty();

        desk.standby(null, now);
        tick(true);
        assertThat(desk.list()).isNotEmpty();
    }

    @Test
    void dedicatedOnly_neverBlackholesAnAddressThatServesABystander_alwaysDoesAndNamesThem() {
        configure(config(UpstreamConfig.Mode.AUTO, UpstreamConfig.RtbhAllowed.DEDICATED_ONLY, 20));
        tick(true, new DetectionEvent.AttackStarted(now, attack("other-target")));
        for (int i = 0; i < 40; i++) {
            tick(true);
        }
        assertThat(desk.list()).isNotEmpty().noneMatch(a -> a.kind() == Announcement.Kind.RTBH);

        configure(config(UpstreamConfig.Mode.AUTO, UpstreamConfig.RtbhAllowed.ALWAYS, 20));
        tick(true);
        Announcement rtbh = desk.list().stream()
                .filter(a -> a.kind() == Announcement.Kind.RTBH)
                .findFirst()
                .orElseThrow();
        assertThat(rtbh.unreachable()).containsExactlyInAnyOrder("bystander", "other-target");
        assertThat(rtbh.reason()).contains("makes unreachable: ").contains("bystander");
    }

    @Test
    void suggestAnnouncesNothing_untilAnOperatorApplies() {
        configure(config(UpstreamConfig.Mode.SUGGEST, UpstreamConfig.RtbhAllowed.NEVER, 20));
        tick(true, new DetectionEvent.AttackStarted(now, attack("target")));
        assertThat(desk.list()).hasSize(2).allMatch(a -> a.state() == Announcement.State.SUGGESTED);
        assertThat(journal).allMatch(j -> j.startsWith("upstream_suggested: suggested (bulwark upstream apply atk-1)"));

        assertThat(desk.apply("atk-other", now)).isEmpty();
        assertThat(desk.apply("atk-1", now)).hasSize(2);
        assertThat(desk.list()).allMatch(a -> a.state() == Announcement.State.ANNOUNCED);
    }

    @Test
    void withdrawnAfterTheAttackEndsAndMinDuration_andAnOperatorsWithdrawalSticks() {
        configure(config(UpstreamConfig.Mode.AUTO, UpstreamConfig.RtbhAllowed.NEVER, 20));
        tick(true, new DetectionEvent.AttackStarted(now, attack("target")));
        String first = desk.list().get(0).id();
        assertThat(desk.withdraw(first, now)).isTrue();
        tick(true);
        assertThat(desk.list())
                .extracting(Announcement::id)
                .doesNotContain(first)
                .hasSize(1);

        Attack ended = new Attack("atk-1", T0, now, attack("target").targets(), 1000, List.of());
        tick(false, new DetectionEvent.AttackEnded(now, ended));
        assertThat(desk.list()).hasSize(1); // min_duration (10 min) from its start has not passed
        now = now.plus(Duration.ofMinutes(10));
        tick(false);
        assertThat(desk.list()).isEmpty();
        assertThat(journal).anyMatch(j -> j.startsWith("upstream_withdrawn: withdrawn: withdraw flow route"));
    }

    @Test
    void noneOutlivesMaxLifetimeWithoutAnAttackToRenewIt_andTurningOffWithdrawsAll() {
        configure(config(UpstreamConfig.Mode.AUTO, UpstreamConfig.RtbhAllowed.NEVER, 20));
        tick(true, new DetectionEvent.AttackStarted(now, attack("target")));
        now = now.plus(Duration.ofHours(5));
        tick(true); // still running: renewed to now + 6 h
        assertThat(desk.list().get(0).expires()).isEqualTo(now.plus(Duration.ofHours(6)));

        configure(config(UpstreamConfig.Mode.OFF, UpstreamConfig.RtbhAllowed.NEVER, 20));
        assertThat(desk.list()).isEmpty();
    }

    @Test
    void announcementsPerHourAreBounded() {
        configure(config(UpstreamConfig.Mode.AUTO, UpstreamConfig.RtbhAllowed.NEVER, 1));
        tick(true, new DetectionEvent.AttackStarted(now, attack("target")));
        assertThat(desk.list()).hasSize(1);
        tick(true);
        assertThat(desk.list()).hasSize(1);
    }

    @Test
    void onlyTheFloodsHeadGetsFlowspec_aThinTailIsLeftAlone_andWithNoRuleRtbhStillComesAfterEscalateAfter() {
        configure(config(UpstreamConfig.Mode.AUTO, UpstreamConfig.RtbhAllowed.DEDICATED_ONLY, 20));
        Attack a = new Attack(
                "atk-2",
                T0,
                null,
                List.of(new AttackTarget(0, "target", T0, 1000, 10, 990)),
                1000,
                List.of(prefix("198.51.100.0", 900), prefix("192.0.2.0", 40)));
        tick(true, new DetectionEvent.AttackStarted(now, a));
        assertThat(desk.list()).extracting(Announcement::match).containsExactly("198.51.100.0/24 -> 203.0.113.10/32");

        // No prefix to name (a flood from IPv6 only toward an IPv4 address, or spoofed past counting): no FlowSpec
        // rule, and the blackhole still comes escalate_after after the link was first seen saturated in the attack.
        Attack people = new Attack("atk-3", T0, null, a.targets(), 1000, List.of());
        tick(true, new DetectionEvent.AttackStarted(now, people));
        for (int i = 0; i < 19; i++) {
            tick(true);
        }
        assertThat(desk.list())
                .noneMatch(
                        x -> x.kind() == Announcement.Kind.RTBH && x.attackId().equals("atk-3"));
        tick(true);
        assertThat(desk.list())
                .anyMatch(
                        x -> x.kind() == Announcement.Kind.RTBH && x.attackId().equals("atk-3"));
    }

    @Test
    void flowspecRulesAreBoundedByMaxRules_acrossTheTargetsAddresses() {
        UpstreamConfig base = config(UpstreamConfig.Mode.AUTO, UpstreamConfig.RtbhAllowed.NEVER, 100);
        UpstreamConfig oneRule = new UpstreamConfig(
                base.mode(),
                base.nextHop(),
                base.blackholeCommunities(),
                base.extraCommunities(),
                base.neighbor(),
                base.escalateAfter(),
                base.minDuration(),
                base.maxLifetime(),
                base.maxAnnouncementsPerHour(),
                new UpstreamConfig.Flowspec(true, UpstreamConfig.FlowAction.DISCARD, 0, 10, 1),
                base.rtbh());
        configure(oneRule);
        tick(true, new DetectionEvent.AttackStarted(now, attack("target")));
        tick(true);
        tick(true);
        assertThat(desk.list()).hasSize(1).allMatch(a -> a.kind() == Announcement.Kind.FLOWSPEC);
    }

    @Test
    void noAddressesForTheTargets_orNotSaturated_nothingIsDecided() {
        configure(config(UpstreamConfig.Mode.AUTO, UpstreamConfig.RtbhAllowed.ALWAYS, 20));
        tick(true, new DetectionEvent.AttackStarted(now, attack("unlisted-site")));
        tick(true);
        assertThat(desk.list()).isEmpty();
        tick(false, new DetectionEvent.AttackUpdated(now, attack("target")));
        assertThat(desk.list()).isEmpty();
    }
}
