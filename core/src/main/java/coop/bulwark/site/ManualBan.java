package coop.bulwark.site;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A ban written in the config ({@code protection.bans:}): an address or network, why, and optionally until when.
 */
public record ManualBan(Cidr subject, String reason, Optional<Instant> until) {
    public ManualBan {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(until, "until");
    }
}
