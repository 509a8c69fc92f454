package coop.bulwark.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.site.DetectionConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A flood on two of 50 sites, driven through a real detector ({@link SimulatedAttack}): the report must name the two,
 * time the onset, detection and mitigation, and measure the effect and the bystanders' fate.
 */
class IncidentRecorderTest {
    @Test
    void floodOnTwoOfFifty_reportNamesTargetsAndTimes() {
        IncidentReport r = SimulatedAttack.report();
        SimulatedAttack sim = SimulatedAttack.shared();
        Instant floodStart = sim.floodStart;

        assertThat(sim.ended).hasSize(1);
        assertThat(r.status()).isEqualTo(IncidentReport.Status.ENDED);
        assertThat(r.targetNames()).containsExactly("site7.example.coop", SimulatedAttack.HOSTILE);
        // The first flood second is harvested at the first tick after floodStart; the detector makes the targets
        // suspect at that tick and confirms the attack at the next.
        assertThat(r.onset()).isEqualTo(floodStart.plusSeconds(1));
        assertThat(r.detectedAt()).isEqualTo(floodStart.plusSeconds(2)).isEqualTo(r.start());
        assertThat(r.timeToDetectS()).isEqualTo(1.0);
        assertThat(r.timeToMitigateS())
                .as("the under_attack policy is the first mitigation")
                .isEqualTo(1.0);
        assertThat(r.end()).isAfter(sim.floodEnd);
        assertThat(sim.events)
                .filteredOn(e -> e instanceof DetectionEvent.AttackEnded)
                .hasSize(1);
        assertThat(r.end())
                .isEqualTo(sim.events.stream()
                        .filter(e -> e instanceof DetectionEvent.AttackEnded)
                        .findFirst()
                        .orElseThrow()
                        .at());
    }

    @Test
    void floodOnTwoOfFifty_targetsPeaksAndEffect() {
        IncidentReport r = SimulatedAttack.report();
        IncidentReport.Target big = r.targets().get(0);
        IncidentReport.Target small = r.targets().get(1);
        assertThat(big.peakRps()).isBetween(1_500.0, 1_560.0);
        assertThat(big.baselineRps()).isBetween(6.0, 10.0);
        assertThat(small.peakRps()).isBetween(600.0, 660.0);
        assertThat(r.peakRps()).isBetween(2_100.0, 2_200.0);
        // Before the challenge the flood reached the origin; after it only the humans did.
        assertThat(big.originRpsBeforeMitigation()).isGreaterThan(1_400.0);
        assertThat(big.originRpsAfterMitigation()).isBetween(5.0, 12.0);
        assertThat(big.originRpsBaseline()).isBetween(5.0, 12.0);
        assertThat(big.mitigatedAt()).isEqualTo(r.detectedAt());
        assertThat(big.underAttackUntil()).isAfter(SimulatedAttack.shared().floodEnd);
        assertThat(big.requests()).isBetween(175_000L, 190_000L);
        assertThat(r.effect().originRpsBefore()).isGreaterThan(2_000.0);
        assertThat(r.effect().originRpsAfter()).isLessThan(30.0);
        assertThat(r.effect().requestsRpsAfter())
                .as("the flood went on, refused")
                .isGreaterThan(1_500.0);
    }

    @Test
    void floodOnTwoOfFifty_sourcesSignatureAndMitigations() {
        IncidentReport r = SimulatedAttack.report();
        assertThat(r.topPrefixes()).isNotEmpty();
        assertThat(r.topPrefixes().get(0).prefix()).isEqualTo(SimulatedAttack.HEAVY_PREFIX);
        assertThat(r.topPrefixes().get(0).share()).isCloseTo(1 / 3.0, within(0.03));
        assertThat(r.signature().methods().post()).isCloseTo(0.1, within(0.02));
        assertThat(r.signature().highEntropyQueryShare()).isGreaterThan(0.95);
        assertThat(r.signature().vouchedShare()).isLessThan(0.05);
        assertThat(r.signature().distinctSourcesPeak()).isGreaterThan(1_000.0);
        assertThat(r.mitigations())
                .extracting(IncidentReport.Mitigation::kind)
                .containsExactly(IncidentRecorder.UNDER_ATTACK_POLICY, IncidentRecorder.UNDER_ATTACK_POLICY, "ban");
        assertThat(r.mitigations().get(2).detail()).contains(SimulatedAttack.HEAVY_PREFIX);
        assertThat(r.stateChanges())
                .extracting(IncidentReport.StateChange::to)
                .containsSubsequence("suspect", "under_attack", "recovering", "normal");
    }

    @Test
    void floodOnTwoOfFifty_collateralComparesBystandersBeforeAndDuring() {
        IncidentReport.Collateral c = SimulatedAttack.report().collateral();
        assertThat(c.sites()).isEqualTo(48);
        assertThat(c.successShareBefore()).isEqualTo(1.0);
        // One bystander request in 500 got a 503 during the flood.
        assertThat(c.successShare()).isCloseTo(0.998, within(0.001));
        assertThat(c.originMillisBefore()).isCloseTo(40.0, within(0.01));
        assertThat(c.originMillis()).isBetween(45.0, 60.0);
        assertThat(c.rpsBefore()).isCloseTo(48 * 8.0, within(30.0));
        assertThat(c.requests()).isGreaterThan(50_000);
        assertThat(c.worst()).hasSizeLessThanOrEqualTo(5).allSatisfy(w -> {
            assertThat(w.successShare()).isLessThan(1.0);
            assertThat(w.name()).isNotIn("site7.example.coop", SimulatedAttack.HOSTILE);
        });
    }

    @Test
    void floodOnTwoOfFifty_timelineHasRunUpAndAttack() {
        IncidentReport r = SimulatedAttack.report();
        IncidentReport.TargetSeries big = r.timeline().targets().get(0);
        assertThat(big.name()).isEqualTo("site7.example.coop");
        long first = big.t().get(0);
        assertThat(Instant.ofEpochMilli(first)).isEqualTo(r.detectedAt().minusSeconds(60));
        assertThat(Instant.ofEpochMilli(big.t().get(big.t().size() - 1))).isEqualTo(r.end());
        assertThat(big.rps().get(0)).isLessThan(30.0);
        assertThat(big.rps()).anySatisfy(v -> assertThat(v).isGreaterThan(1_400.0));
        assertThat(r.timeline().bystanders().t()).hasSameSizeAs(big.t());
        assertThat(r.timeline().bystanders().successShare())
                .allSatisfy(v -> assertThat(v).isGreaterThan(0.98));
    }

    @Test
    void ongoingAttack_currentReportsItAsOngoing() {
        IncidentReport mid = SimulatedAttack.shared().midAttack;
        assertThat(mid.status()).isEqualTo(IncidentReport.Status.ONGOING);
        assertThat(mid.end()).isNull();
        assertThat(mid.targetNames()).containsExactly("site7.example.coop", SimulatedAttack.HOSTILE);
        assertThat(mid.duration()).isBetween(Duration.ofSeconds(55), Duration.ofSeconds(65));
        assertThat(mid.targets().get(0).underAttackUntil()).isNull();
    }

    @Test
    void openId_namesTheOpenAttackWithoutBuildingItsReport() {
        SimulatedAttack sim = SimulatedAttack.shared();
        assertThat(sim.midAttackId).contains(sim.midAttack.id());
        assertThat(sim.midAttackIdByStart).contains(sim.midAttack.id());
        assertThat(sim.otherStartId).as("another start is another attack").isEmpty();
        assertThat(sim.afterEndId).as("nothing is open once the attack ended").isEmpty();
    }

    @Test
    void noAttack_currentIsEmpty() {
        IncidentRecorder recorder = new IncidentRecorder(List.of("a.coop"), DetectionConfig.defaults());
        assertThat(recorder.current()).isEmpty();
        assertThat(recorder.openId()).isEmpty();
    }
}
