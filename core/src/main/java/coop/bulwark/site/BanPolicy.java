package coop.bulwark.site;

import java.time.Duration;
import java.util.Objects;

/**
 * How bans are enforced and how long automatic bans last.
 *
 * @param action what a banned client gets on an HTTP request when its ban could not be applied at accept time
 * @param base the first automatic ban of a source
 * @param factor each further automatic ban within {@code memory} lasts this many times longer
 * @param max the longest automatic ban
 * @param memory how long a past ban counts towards escalation
 */
public record BanPolicy(BanAction action, Duration base, double factor, Duration max, Duration memory) {
    public BanPolicy {
        Objects.requireNonNull(action, "action");
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("base: " + base + " (expected: > 0)");
        }
        if (!(factor >= 1)) {
            throw new IllegalArgumentException("factor: " + factor + " (expected: >= 1)");
        }
        if (max.compareTo(base) < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= base " + base + ")");
        }
        if (memory.isNegative() || memory.isZero()) {
            throw new IllegalArgumentException("memory: " + memory + " (expected: > 0)");
        }
    }

    public static final BanPolicy DEFAULTS =
            new BanPolicy(BanAction.REJECT, Duration.ofMinutes(1), 4, Duration.ofHours(24), Duration.ofHours(24));

    /** What a banned client gets. */
    public enum BanAction {
        /** 403 with a short explanation, then close. */
        REJECT,
        /** Close the connection without a word. */
        CLOSE,
        /** Hold the connection open, silent, for a while before closing: costs the attacker a socket. */
        TARPIT
    }
}
