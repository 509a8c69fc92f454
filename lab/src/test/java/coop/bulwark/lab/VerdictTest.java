package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class VerdictTest {
    @Test
    void attack_comparesWhatPeopleLostWithAndWithout() {
        Verdict v = Verdict.of(LabOutcomes.seed());
        assertThat(v.headline())
                .isEqualTo("Without Bulwark, 83% of the other sites' visitors' requests got no page during the flood;"
                        + " with it, none did, and the 2 targeted sites stayed readable for people (96% of their"
                        + " visitors' requests answered).");
        assertThat(v.detail())
                .isEqualTo("Bulwark detected the flood 2 s after it began; 576 of 44,979 attack requests reached the"
                        + " shared origin, against 41,235 of 42,235 without it.");
    }

    @Test
    void attack_figuresDecideTheWords() {
        LabReport slow = new LabReport(
                "x",
                10,
                10,
                "m",
                List.of(
                        LabOutcomes.run("unprotected", 0.995, 0.2, 100, 100, null),
                        LabOutcomes.run("bulwark", 0.9996, 0.6, 100, 5, 1.5)));
        assertThat(Verdict.of(slow).headline())
                .startsWith("Without Bulwark, the other sites kept working during the flood (0.50% of their")
                .contains("with it, only 0.04% did")
                .contains("the 2 targeted sites stayed reachable but slow for people (60% of");
        LabReport alone = new LabReport("x", 10, 10, "m", List.of(LabOutcomes.run("nginx", 0.4, 0.1, 100, 90, null)));
        assertThat(Verdict.of(alone).headline())
                .isEqualTo("With nginx, 60% of the other sites' visitors' requests got no page during the flood, and"
                        + " the 2 targeted sites were hard to reach for people (10% of their visitors' requests"
                        + " answered).");
        assertThat(Verdict.of(alone).detail()).startsWith("nginx declared no attack; 90 of 100");
    }

    @Test
    void noAttack_saysWhetherTheEdgeStayedOutOfTheWay() {
        assertThat(Verdict.of(LabOutcomes.quiet()).headline())
                .isEqualTo("No attack in this scenario: Bulwark declared none and kept every site working (0.04% of"
                        + " visitors' requests got no page, 0.06% without it).");
        assertThat(Verdict.of(LabOutcomes.quiet()).detail()).isEmpty();
        LabReport clean = new LabReport(
                "quiet",
                850,
                20,
                "m",
                List.of(
                        LabOutcomes.run("unprotected", 1.0, 1.0, 0, 0, null),
                        LabOutcomes.run("bulwark", 1.0, 1.0, 0, 0, null)));
        assertThat(Verdict.of(clean).headline())
                .isEqualTo("No attack in this scenario: Bulwark declared none and kept every site working (every"
                        + " visitor's request was answered, with it and without it).");
    }

    @Test
    void share_neverRoundsALossAwayOrUpToEverything() {
        assertThat(Verdict.share(0.0004)).isEqualTo("0.04%");
        assertThat(Verdict.share(0.043)).isEqualTo("4.3%");
        assertThat(Verdict.share(0.826)).isEqualTo("83%");
        assertThat(Verdict.share(0.9996)).isEqualTo("99.9%");
        assertThat(Verdict.share(1)).isEqualTo("100%");
        assertThat(Verdict.share(0)).isEqualTo("0%");
    }
}
