package coop.bulwark.upstream;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of {@code bulwark exabgp-api}: what it has announced to ExaBGP, brought in line with the edge's announced
 * set on each poll. New ids are announced, ids the edge no longer lists are withdrawn; the first successful poll
 * announces the whole set (ExaBGP started us, or we restarted). When the edge cannot be reached, what is announced
 * stays until each announcement's own expiry and is then withdrawn: a blackhole never outlives its expiry because the
 * edge went away. Not thread-safe: one poll loop.
 */
public final class ExabgpFollower {
    /**
     * One announcement as the edge publishes it.
     *
     * @param announce the line that announces it
     * @param withdraw the line that withdraws it
     * @param expires when it lapses unless the edge renews it
     */
    public record Line(String id, String announce, String withdraw, Instant expires) {
        public Line {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(announce, "announce");
            Objects.requireNonNull(withdraw, "withdraw");
            Objects.requireNonNull(expires, "expires");
            if (announce.contains("\n") || withdraw.contains("\n")) {
                throw new IllegalArgumentException("a command is one line");
            }
        }
    }

    private final Map<String, Line> held = new LinkedHashMap<>();

    /**
     * One poll's result.
     *
     * @param edgeSet the edge's announced set, or empty when the edge could not be asked
     * @return the lines to write to ExaBGP, in order
     */
    public List<String> step(Optional<List<Line>> edgeSet, Instant now) {
        List<String> out = new ArrayList<>();
        if (edgeSet.isEmpty()) {
            for (var it = held.values().iterator(); it.hasNext(); ) {
                Line l = it.next();
                if (!now.isBefore(l.expires())) {
                    out.add(l.withdraw());
                    it.remove();
                }
            }
            return out;
        }
        Map<String, Line> wanted = new LinkedHashMap<>();
        for (Line l : edgeSet.get()) {
            wanted.put(l.id(), l);
        }
        for (var it = held.values().iterator(); it.hasNext(); ) {
            Line l = it.next();
            if (!wanted.containsKey(l.id())) {
                out.add(l.withdraw());
                it.remove();
            }
        }
        for (Line l : wanted.values()) {
            Line before = held.put(l.id(), l);
            if (before == null) {
                out.add(l.announce());
            }
        }
        return out;
    }

    /** The ids announced now. */
    public List<String> held() {
        return List.copyOf(held.keySet());
    }
}
