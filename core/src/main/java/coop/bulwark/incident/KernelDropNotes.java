package coop.bulwark.incident;

import coop.bulwark.kernel.KernelStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The kernel's part in an attack's mitigations: how many packets from banned sources the nftables rule dropped while
 * it lasted, noted in the report when the drops first rise, then at most once a minute, and once more at the end (so
 * a three-hour attack adds about 180 lines, well under the report's bound). Confined to the detection tick.
 */
final class KernelDropNotes {
    static final String KIND = "kernel_drop";
    static final Duration EVERY = Duration.ofSeconds(60);

    private final Supplier<KernelStatus> kernel;
    private long noted;
    private Instant notedAt;
    private boolean any;

    KernelDropNotes(Supplier<KernelStatus> kernel) {
        this.kernel = Objects.requireNonNull(kernel, "kernel");
    }

    /** An attack opened: drops so far were not its own. */
    void attackStarted(Instant now) {
        noted = kernel.get().drops();
        notedAt = now;
        any = false;
    }

    /**
     * The note due at this tick of an open attack, or null.
     *
     * @param ending whether the attack ends at this tick (then any new drops are noted)
     */
    String due(Instant now, boolean ending) {
        KernelStatus k = kernel.get();
        if (!k.enabled() || notedAt == null) {
            return null;
        }
        long delta = k.drops() - noted;
        if (delta <= 0 || (any && !ending && now.isBefore(notedAt.plus(EVERY)))) {
            return null;
        }
        String since =
                any ? "in the last " + Duration.between(notedAt, now).toSeconds() + " s" : "since the attack began";
        noted = k.drops();
        notedAt = now;
        any = true;
        return delta + " packets from banned sources dropped in the kernel " + since + " (nftables " + k.table() + ", "
                + k.elements() + " banned addresses and networks)";
    }
}
