package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutcomesTest {

    @Test
    void successRate_isOkOverAll_andNullWithoutRequests() {
        assertThat(Outcomes.successRate(3, 1)).isEqualTo(0.75);
        assertThat(Outcomes.successRate(0, 5)).isEqualTo(0.0);
        assertThat(Outcomes.successRate(0, 0)).isNull();
    }

    @Test
    void percentile_isNearestRank() {
        long[] v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
        assertThat(Outcomes.percentile(v, 50)).isEqualTo(5);
        assertThat(Outcomes.percentile(v, 99)).isEqualTo(10);
        assertThat(Outcomes.percentile(v, 10)).isEqualTo(1);
        assertThat(Outcomes.percentile(new long[] {42}, 99)).isEqualTo(42);
        assertThat(Outcomes.percentile(new long[0], 50)).isNull();
        assertThat(v[0]).as("input left unsorted").isEqualTo(5);
        long[] hundred = new long[100];
        for (int i = 0; i < 100; i++) {
            hundred[i] = 100 - i;
        }
        assertThat(Outcomes.percentile(hundred, 99)).isEqualTo(99);
    }

    @Test
    void mitigatedAfter_isTheStartOfTheFinalStretchBelowTheFraction() {
        long[] sent = {100, 100, 100, 100, 100};
        assertThat(Outcomes.mitigatedAfter(sent, new long[] {90, 5, 50, 5, 5}, 0.1))
                .isEqualTo(3);
        assertThat(Outcomes.mitigatedAfter(sent, new long[] {0, 0, 0, 0, 0}, 0.1))
                .isEqualTo(0);
        assertThat(Outcomes.mitigatedAfter(sent, new long[] {5, 5, 5, 5, 50}, 0.1))
                .isNull();
        assertThat(Outcomes.mitigatedAfter(new long[0], new long[0], 0.1)).isNull();
    }
}
