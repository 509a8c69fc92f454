package coop.bulwark.incident;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.kernel.KernelStatus;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What an attack's report says about the kernel's drops: only its own, when they rise, at most once a minute. */
class KernelDropNotesTest {
    private static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
    private final AtomicLong drops = new AtomicLong(500);
    private boolean enabled = true;
    private final KernelDropNotes notes = new KernelDropNotes(() ->
            new KernelStatus(enabled, enabled, "inet bulwark", "prerouting", 40, drops.get(), 0, 0, Optional.empty()));

    @Test
    void notesTheAttacksOwnDrops_firstAtOnce_thenEveryMinute_andAtTheEnd() {
        notes.attackStarted(T0);
        assertThat(notes.due(T0.plusSeconds(1), false)).isNull(); // nothing new since the start

        drops.addAndGet(1200);
        assertThat(notes.due(T0.plusSeconds(2), false))
                .isEqualTo("1200 packets from banned sources dropped in the kernel since the attack began (nftables"
                        + " inet bulwark, 40 banned addresses and networks)");
        drops.addAndGet(300);
        assertThat(notes.due(T0.plusSeconds(30), false)).isNull();
        assertThat(notes.due(T0.plusSeconds(62), false))
                .startsWith("300 packets")
                .contains("in the last 60 s");
        drops.addAndGet(7);
        assertThat(notes.due(T0.plusSeconds(70), true)).startsWith("7 packets").contains("in the last 8 s");
    }

    @Test
    void saysNothingWhenTheExportIsOff_orBeforeAnAttack() {
        assertThat(notes.due(T0, true)).isNull();
        enabled = false;
        notes.attackStarted(T0);
        drops.addAndGet(10);
        assertThat(notes.due(T0.plusSeconds(90), true)).isNull();
    }
}
