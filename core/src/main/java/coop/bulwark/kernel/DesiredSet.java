package coop.bulwark.kernel;

import coop.bulwark.protect.Ban;
import coop.bulwark.site.Cidr;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the kernel's ban sets should hold for a list of bans: the bans with at least {@code minBan} left, minus those
 * touching a protected network, with no two elements overlapping (nft refuses overlapping intervals).
 *
 * @param elements by subject, no two overlapping
 * @param skippedProtected bans left out because they cover or sit in a protected network
 */
public record DesiredSet(Map<Cidr, SetElement> elements, int skippedProtected) {
    /** Bans with less than this left are not worth a kernel round trip, whatever {@code min_ban} says. */
    static final Duration FLOOR = Duration.ofSeconds(1);

    public DesiredSet {
        elements = Map.copyOf(elements);
    }

    /**
     * @param bans the bans in force
     * @param protectedNets networks never put in the set (trusted proxies, loopback, the admin API's clients); a ban
     *     overlapping one stays in user space only
     * @param minBan bans with less time left stay in user space only
     */
    public static DesiredSet of(Collection<Ban> bans, Collection<Cidr> protectedNets, Duration minBan, Instant now) {
        Duration min = minBan.compareTo(FLOOR) < 0 ? FLOOR : minBan;
        List<Ban> candidates = new ArrayList<>();
        int skipped = 0;
        for (Ban b : bans) {
            if (b.expiresAt() != null && Duration.between(now, b.expiresAt()).compareTo(min) < 0) {
                continue;
            }
            if (protectedNets.stream().anyMatch(p -> p.overlaps(b.subject()))) {
                skipped++;
                continue;
            }
            candidates.add(b);
        }
        // Broadest first: a network wins over the addresses inside it (they get their own element once it is gone).
        candidates.sort(Comparator.comparingInt(b -> b.subject().prefixLength()));
        Map<Cidr, SetElement> chosen = new HashMap<>();
        TreeSet<Integer> v4Lengths = new TreeSet<>();
        TreeSet<Integer> v6Lengths = new TreeSet<>();
        for (Ban b : candidates) {
            Cidr s = b.subject();
            boolean v4 = s.network().length == 4;
            if (coveredBy(s, v4 ? v4Lengths : v6Lengths, chosen)) {
                continue;
            }
            chosen.put(s, new SetElement(s, b.expiresAt()));
            (v4 ? v4Lengths : v6Lengths).add(s.prefixLength());
        }
        return new DesiredSet(chosen, skipped);
    }

    /** Whether an element of {@code elements}, at one of {@code lengths}, covers {@code subject}. */
    static boolean coveredBy(Cidr subject, Collection<Integer> lengths, Map<Cidr, SetElement> elements) {
        for (int len : lengths) {
            if (len > subject.prefixLength()) {
                break;
            }
            if (elements.containsKey(new Cidr(subject.network(), len))) {
                return true;
            }
        }
        return false;
    }
}
