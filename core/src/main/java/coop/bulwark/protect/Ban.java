package coop.bulwark.protect;

import coop.bulwark.site.Cidr;
import java.time.Instant;
import java.util.Objects;

/**
 * A ban of one address or network. Immutable.
 *
 * @param subject the banned address ({@code /32}, {@code /128}) or network
 * @param expiresAt when the ban lapses, or null for a ban that lasts until removed. Wall-clock time, unlike the
 *     limiters, because bans are shown to operators, written in config and outlive a process.
 * @param reason a short public reason, e.g. {@code "rate limit exceeded on example.org"}
 * @param origin who banned it
 * @param strikes for {@link BanOrigin#AUTOMATIC} bans, the offences remembered for this subject including this
 *     one (1 for a first ban); 0 for others
 * @param node in a cluster, the name of the edge that made the ban; null for a ban made here (or on a single box)
 */
public record Ban(Cidr subject, Instant expiresAt, String reason, BanOrigin origin, int strikes, String node) {
    /** A ban made on this edge. */
    public Ban(Cidr subject, Instant expiresAt, String reason, BanOrigin origin, int strikes) {
        this(subject, expiresAt, reason, origin, strikes, null);
    }

    public Ban {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(origin, "origin");
        if (strikes < 0) {
            throw new IllegalArgumentException("strikes: " + strikes + " (expected: >= 0)");
        }
        if (expiresAt != null) {
            try {
                // Lookups compare epoch millis; refuse instants that have none.
                expiresAt.toEpochMilli();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("expiresAt: " + expiresAt + " (expected: a representable date)");
            }
        }
    }

    /** The same ban, said to be made by {@code by} (a cluster node's name). */
    public Ban madeBy(String by) {
        return new Ban(subject, expiresAt, reason, origin, strikes, by);
    }

    /** A ban without expiry. */
    public boolean permanent() {
        return expiresAt == null;
    }

    /** Whether the ban is in force at {@code now}. */
    public boolean activeAt(Instant now) {
        return activeAtMillis(now.toEpochMilli());
    }

    boolean activeAtMillis(long nowMillis) {
        return expiresAt == null || expiresAt.toEpochMilli() > nowMillis;
    }
}
