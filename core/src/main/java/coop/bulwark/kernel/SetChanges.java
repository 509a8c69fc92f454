package coop.bulwark.kernel;

import coop.bulwark.site.Cidr;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The batch that brings the kernel's ban sets from what they hold to what they should: elements to delete, then
 * elements to add (a changed timeout is a delete and an add in the same batch, because nft does not refresh the
 * timeout of an element added again).
 *
 * @param delete elements to delete (by subject)
 * @param add elements to add, with their timeouts
 */
public record SetChanges(List<SetElement> delete, List<SetElement> add) {
    /**
     * Elements this close to their kernel expiry are left to expire: deleting one that expires before the batch runs
     * fails the whole batch.
     */
    static final Duration LEAVING = Duration.ofSeconds(2);

    /** Expiries closer than this are the same (the kernel lists whole seconds; clocks and rounding differ). */
    static final Duration SAME_EXPIRY = Duration.ofSeconds(2);

    public SetChanges {
        delete = List.copyOf(delete);
        add = List.copyOf(add);
    }

    public boolean isEmpty() {
        return delete.isEmpty() && add.isEmpty();
    }

    /**
     * @param kernel what the sets hold (as last listed or written)
     * @param desired what they should hold
     */
    public static SetChanges between(Map<Cidr, SetElement> kernel, DesiredSet desired, Instant now) {
        Instant leavingBy = now.plus(LEAVING);
        List<SetElement> delete = new ArrayList<>();
        List<SetElement> add = new ArrayList<>();
        // What stays in the kernel after the deletes, to keep additions from overlapping it.
        Map<Cidr, SetElement> staying = new HashMap<>();
        for (SetElement k : kernel.values()) {
            if (k.expiredBy(now)) {
                continue;
            }
            boolean leaving = k.expiresAt() != null && !k.expiresAt().isAfter(leavingBy);
            SetElement want = desired.elements().get(k.subject());
            if (leaving || (want != null && sameExpiry(k, want))) {
                staying.put(k.subject(), k);
            } else {
                delete.add(k);
            }
        }
        TreeSet<Integer> v4 = new TreeSet<>();
        TreeSet<Integer> v6 = new TreeSet<>();
        for (SetElement s : staying.values()) {
            (s.v4() ? v4 : v6).add(s.subject().prefixLength());
        }
        for (SetElement want : desired.elements().values()) {
            if (staying.containsKey(want.subject())) {
                continue; // already there with the right expiry, or leaving: re-added once it is gone
            }
            if (DesiredSet.coveredBy(want.subject(), want.v4() ? v4 : v6, staying)) {
                continue;
            }
            if (coversAny(want, staying)) {
                continue;
            }
            add.add(want);
        }
        return new SetChanges(delete, add);
    }

    private static boolean sameExpiry(SetElement a, SetElement b) {
        if (a.permanent() || b.permanent()) {
            return a.permanent() == b.permanent();
        }
        return Duration.between(a.expiresAt(), b.expiresAt()).abs().compareTo(SAME_EXPIRY) < 0;
    }

    /** Whether {@code network} covers an element that stays (only a network can). */
    private static boolean coversAny(SetElement network, Map<Cidr, SetElement> staying) {
        if (network.subject().prefixLength() == network.subject().network().length * 8) {
            return false;
        }
        for (Cidr s : staying.keySet()) {
            if (network.subject().covers(s)) {
                return true;
            }
        }
        return false;
    }
}
