package coop.bulwark.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.report.IncidentReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The warm-up's detection drill takes the paths an attack takes: declared, mitigated, ended, reported. */
class DetectionDrillTest {
    @Test
    void drill_declaresAndEndsOneAttackOnItsFloodedSites() {
        List<IncidentReport> ended = new DetectionDrill(64).run();
        assertThat(ended).hasSize(1);
        IncidentReport r = ended.get(0);
        assertThat(r.status()).isEqualTo(IncidentReport.Status.ENDED);
        assertThat(r.targetNames()).containsExactlyInAnyOrder("drill-3.invalid", "drill-4.invalid");
        assertThat(r.signature().highEntropyQueryShare()).isGreaterThan(0.9);
        assertThat(r.collateral().sites()).isEqualTo(62);
    }

    @Test
    void banFlood_bansEverySourceOnItsOwnList() {
        assertThat(DetectionDrill.banFlood().list()).hasSize(DetectionDrill.BANNED_SOURCES);
    }
}
