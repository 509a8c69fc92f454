package coop.bulwark.upstream;

import coop.bulwark.site.Cidr;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One rule for the upstream: a FlowSpec rule (traffic from {@code source} to {@code destination}) or a blackhole of
 * {@code destination}. Immutable; a change of state or expiry is a new instance.
 *
 * @param id stable for the same kind and match, so a helper process and an operator can name it across ticks
 * @param kind FlowSpec or RTBH
 * @param destination the target address (a single address)
 * @param source for FlowSpec, the source prefix; empty for RTBH
 * @param attackId the attack that justified it
 * @param reason why, in a sentence (the report and the table show it)
 * @param since when it was decided
 * @param expires when it is withdrawn unless the attack renews it (never after since + max_lifetime without renewal)
 * @param state suggested (waiting for an operator), announced, or withdrawn
 * @param unreachable for RTBH, the sites the blackhole makes unreachable (every site on the address)
 */
public record Announcement(
        String id,
        Kind kind,
        Cidr destination,
        Optional<Cidr> source,
        String attackId,
        String reason,
        Instant since,
        Instant expires,
        State state,
        List<String> unreachable) {
    public Announcement {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(attackId, "attackId");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(state, "state");
        unreachable = List.copyOf(unreachable);
        if (kind == Kind.FLOWSPEC && source.isEmpty()) {
            throw new IllegalArgumentException(
                    "source: missing (a FlowSpec rule always names its source and destination)");
        }
    }

    /** What kind of rule. */
    public enum Kind {
        FLOWSPEC("flowspec"),
        RTBH("rtbh");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /** Where it stands. */
    public enum State {
        SUGGESTED("suggested"),
        ANNOUNCED("announced"),
        WITHDRAWN("withdrawn");

        private final String key;

        State(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    /** The match as the table shows it: {@code 198.51.100.0/24 -> 203.0.113.10/32} or {@code 203.0.113.10/32}. */
    public String match() {
        return source.map(s -> s + " -> ").orElse("") + destination;
    }

    Announcement with(State next, Instant nextExpires) {
        return new Announcement(id, kind, destination, source, attackId, reason, since, nextExpires, next, unreachable);
    }

    /** The stable id of a rule: its kind and match, hashed (the same rule for a later attack keeps its id). */
    static String idOf(Kind kind, Cidr destination, Optional<Cidr> source) {
        String key = kind.key() + " " + source.map(Cidr::toString).orElse("") + " " + destination;
        return kind.key().substring(0, 2) + "-" + Integer.toHexString(key.hashCode() & 0x7fffffff);
    }
}
