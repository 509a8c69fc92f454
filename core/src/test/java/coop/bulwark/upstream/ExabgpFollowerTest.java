package coop.bulwark.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@code bulwark exabgp-api} writes to ExaBGP, poll by poll, on a fake clock. */
class ExabgpFollowerTest {
    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private final ExabgpFollower f = new ExabgpFollower();

    private static ExabgpFollower.Line line(String id, Duration left) {
        return new ExabgpFollower.Line(id, "announce " + id, "withdraw " + id, T0.plus(left));
    }

    @Test
    void announcesTheWholeSetFirst_thenOnlyChanges() {
        assertThat(f.step(Optional.of(List.of(line("a", Duration.ofHours(1)), line("b", Duration.ofHours(1)))), T0))
                .containsExactly("announce a", "announce b");
        assertThat(f.step(Optional.of(List.of(line("a", Duration.ofHours(1)), line("b", Duration.ofHours(1)))), T0))
                .isEmpty();
        assertThat(f.step(Optional.of(List.of(line("b", Duration.ofHours(1)), line("c", Duration.ofHours(1)))), T0))
                .containsExactly("withdraw a", "announce c");
        assertThat(f.step(Optional.of(List.of()), T0)).containsExactly("withdraw b", "withdraw c");
        assertThat(f.held()).isEmpty();
    }

    @Test
    void edgeUnreachable_keepsEachUntilItsExpiry_thenWithdrawsIt() {
        f.step(Optional.of(List.of(line("short", Duration.ofMinutes(1)), line("long", Duration.ofHours(6)))), T0);
        assertThat(f.step(Optional.empty(), T0.plusSeconds(30))).isEmpty();
        assertThat(f.step(Optional.empty(), T0.plusSeconds(60))).containsExactly("withdraw short");
        assertThat(f.step(Optional.empty(), T0.plus(Duration.ofHours(6)))).containsExactly("withdraw long");
        assertThat(f.held()).isEmpty();
    }

    @Test
    void aCommandIsOneLine() {
        assertThatThrownBy(() -> new ExabgpFollower.Line("x", "announce a\nwithdraw route 0.0.0.0/0", "w", T0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
