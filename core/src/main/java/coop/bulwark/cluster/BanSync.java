package coop.bulwark.cluster;

import coop.bulwark.protect.Ban;
import coop.bulwark.protect.BanList;
import coop.bulwark.protect.BanOrigin;
import coop.bulwark.site.Cidr;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Mirrors this edge's {@link BanList} to and from the cluster: a ban made here is stored and announced, a ban announced
 * by another edge is adopted here, an unban anywhere is an unban everywhere. Bans from a config file stay each edge's
 * own (each edge reads its own file).
 *
 * <p>Confined to the {@link ClusterLink}'s thread.
 */
/*
 * Design note. The request path never calls this class: it bans in the BanList as on a single box, and poll() notices
 * the change through BanList.version() (one volatile read every 50 ms) and diffs the list against `mirrored`, the bans
 * this edge knows the store holds. What is new or changed here is put; what the store holds and this edge no longer
 * does was unbanned here and is lifted. A ban adopted from another edge enters `mirrored` first, so the diff never
 * sends it back.
 *
 * After an outage, reconcile() compares three views of each subject: here (L), the store (R) and what the store held
 * when this edge last knew (M). L != M means this edge changed it meanwhile, so its version goes to the store; else
 * the store's version is taken. A store that lost its data (its epoch changed) has no memory of bans it held, so then
 * this edge's bans go back unless a tombstone says another edge lifted them after the restart.
 */
final class BanSync {
    /** How long a lifted ban's tombstone stays: longer than any outage this edge catches up from by diffing. */
    static final Duration TOMBSTONE = Duration.ofHours(1);

    private final ClusterLink link;
    private final BanList bans;
    private final InstantSource clock;
    private final Map<Cidr, Ban> mirrored = new HashMap<>();
    private final Map<Cidr, Ban> putting = new HashMap<>();
    private final Set<Cidr> lifting = new HashSet<>();
    /**
     * Subjects this edge's config file bans, as of the latest {@link #local()}: a shared ban of the same subject is
     * hidden here by the file's (the file wins locally), which is no reason to lift it on the other edges.
     */
    private final Set<Cidr> configured = new HashSet<>();

    private long seenVersion = -1;
    /** Written on the link's thread, read by the admin API's. */
    private volatile long published;

    private volatile long adopted;

    BanSync(ClusterLink link, BanList bans, InstantSource clock) {
        this.link = link;
        this.bans = bans;
        this.clock = clock;
    }

    /** Bans sent to the store since start. */
    long published() {
        return published;
    }

    /** Bans taken from other edges since start. */
    long adopted() {
        return adopted;
    }

    /** This edge's bans as the cluster would hold them: no config bans, each said to be made by its edge. */
    private Map<Cidr, Ban> local() {
        Map<Cidr, Ban> out = new LinkedHashMap<>();
        configured.clear();
        for (Ban b : bans.list()) {
            if (b.origin() != BanOrigin.CONFIG) {
                out.put(b.subject(), b.node() == null ? b.madeBy(link.node()) : b);
            } else {
                configured.add(b.subject());
            }
        }
        return out;
    }

    /** Sends what changed here since the last poll; a no-op while the store is away (reconcile catches up). */
    void poll() {
        long v = bans.version();
        if (!link.connected() || v == seenVersion) {
            return;
        }
        seenVersion = v;
        Map<Cidr, Ban> local = local();
        for (Ban b : local.values()) {
            if (!b.equals(mirrored.get(b.subject())) && !b.equals(putting.get(b.subject()))) {
                put(b);
            }
        }
        for (Ban m : List.copyOf(mirrored.values())) {
            if (local.containsKey(m.subject()) || lifting.contains(m.subject()) || configured.contains(m.subject())) {
                continue;
            }
            if (!m.activeAt(clock.instant())) {
                mirrored.remove(m.subject()); // lapsed everywhere at once: nothing to tell
            } else {
                lift(m.subject());
            }
        }
    }

    private void put(Ban b) {
        putting.put(b.subject(), b);
        link.call(
                link.store().putBan(b, link.instance()),
                ok -> {
                    putting.remove(b.subject(), b);
                    mirrored.put(b.subject(), b);
                    published++;
                },
                () -> putting.remove(b.subject(), b));
    }

    private void lift(Cidr subject) {
        lifting.add(subject);
        link.call(
                link.store().liftBan(subject, link.node(), link.instance(), TOMBSTONE),
                ok -> {
                    lifting.remove(subject);
                    mirrored.remove(subject);
                },
                () -> lifting.remove(subject));
    }

    /** Another edge banned. */
    void onPut(Ban ban) {
        mirrored.put(ban.subject(), ban);
        if (bans.adopt(ban)) {
            adopted++;
        }
        seenVersion = bans.version();
    }

    /** Another edge lifted a ban. */
    void onLifted(Cidr subject) {
        mirrored.remove(subject);
        bans.unbanAdopted(subject);
        seenVersion = bans.version();
    }

    /**
     * Brings this edge and the store together after (re)connecting: {@code remote} is what the store holds, {@code
     * lifted} its tombstones, {@code storeLost} whether the store lost its data since this edge last knew it.
     */
    void reconcile(List<Ban> remote, Set<Cidr> lifted, boolean storeLost) {
        putting.clear();
        lifting.clear();
        Map<Cidr, Ban> r = new HashMap<>();
        for (Ban b : remote) {
            r.put(b.subject(), b);
        }
        Map<Cidr, Ban> l = local();
        Set<Cidr> subjects = new HashSet<>(l.keySet());
        subjects.addAll(r.keySet());
        subjects.addAll(mirrored.keySet());
        Map<Cidr, Ban> before = Map.copyOf(mirrored);
        mirrored.clear();
        for (Cidr k : subjects) {
            Ban here = l.get(k);
            Ban there = r.get(k);
            Ban known = before.get(k);
            boolean changedHere = !Objects.equals(here, known);
            if (here != null && there != null) {
                if (changedHere && !here.equals(there)) {
                    put(here);
                } else {
                    onPut(there);
                }
            } else if (here != null) {
                boolean goneFromStore = storeLost ? lifted.contains(k) : !changedHere;
                if (goneFromStore) {
                    onLifted(k);
                } else {
                    put(here);
                }
            } else if (there != null) {
                if (configured.contains(k)) {
                    mirrored.put(k, there); // hidden here by this edge's config ban; the others keep it
                } else if (known != null) {
                    lift(k); // unbanned here while the store was away
                } else {
                    onPut(there);
                }
            }
        }
        seenVersion = bans.version();
    }
}
