package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RunRecorderTest {
    private static final long S = 1_000_000_000L;

    @Test
    void bystandersP99_secondBySecond_overTheWindowOnly() {
        var rec = new RunRecorder(10, 0, 2, 5);
        for (int i = 1; i <= 100; i++) {
            rec.legit(false, true, 2 * S + i, 2 * S + i + i * 1_000_000L); // second 2: 1..100 ms
            rec.legit(false, true, 4 * S + i, 4 * S + i + 5_000_000L); // second 4: 5 ms each
            rec.legit(false, true, 7 * S, 7 * S + 900_000_000L); // second 7: outside the window
        }
        rec.legit(true, true, 3 * S, 3 * S + 2 * S); // a target's request is not a bystander's
        rec.legit(false, false, 4 * S, 4 * S + 3 * S); // a failure counts with its time, as in the window's p99

        var p99 = RunOutcome.p99BySecond(rec, 2, 5);

        assertThat(p99).containsExactly(99L, null, 5L);
        assertThat(Arrays.stream(rec.bystanderLatencies(4)).max()).hasValue(3_000L);
        assertThat(rec.bystanderLatencies(7)).hasSize(100);
    }
}
