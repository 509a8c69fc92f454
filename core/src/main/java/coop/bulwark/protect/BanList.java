package coop.bulwark.protect;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import coop.bulwark.site.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The bans in force: addresses and networks (IPv4 /0-/32, IPv6 /0-/128) refused at accept time, each with an
 * expiry, a reason and an {@link BanOrigin}. Repeat offenders get escalating automatic bans ({@link #offend}).
 *
 * <p>Thread-safe. {@link #find} is lock-free and allocation-free (one volatile read, then a hash probe per
 * prefix length in use), for every accepted connection; changes are serialised on this object and publish a
 * new snapshot. Expired bans are ignored by {@link #find} at once and dropped by {@link #purgeExpired()}, which
 * the caller schedules. Time is the injected wall clock.
 */
/*
 * Design note.
 *
 * Lookup: a snapshot holds one immutable BanTable per (family, prefix length) that has bans, and the lengths in
 * use, longest first. find masks the address to each such length and probes that table, so its cost is one
 * probe per length in use (typically /32 or /128 for automatic bans plus a handful of config networks), not per
 * ban; the longest, most specific match is returned. With no bans at all it is one volatile read.
 *
 * Writes rebuild the snapshot from the authoritative map (copy-on-write), O(bans) each: about a millisecond for
 * 10,000 bans. In exchange readers take no lock and never see a half-built table. A concurrent mutable table would
 * make writes O(1) but readers would have to cope with resizes in flight. A ban of one address (what automatic bans
 * are) goes instead into a small table of recent bans beside the snapshot's, rebuilt alone (O(RECENT_MAX)); the
 * whole snapshot is rebuilt when that table is full, or on any other change. When the thousands of sources of a
 * flood are banned within seconds of each other, the edge rebuilds thousands of small tables and a few large ones,
 * not thousands of large ones: 3,000 bans took 22 ms instead of 191 ms of an event loop's time (BanBurstBenchmark).
 *
 * Offence memory: a Caffeine cache, bounded by maxOffenders (W-TinyLFU eviction keeps the frequent offenders)
 * and by time: a strike is remembered for the ban it caused plus the offence window, so a source banned for 16m
 * that returns within the window after its ban ends gets 64m. Its ticker is the injected clock.
 */
public final class BanList {
    private final InstantSource clock;
    /** Set from {@code bans.memory} on each (re)configure; read when a strike is recorded. */
    private volatile Duration offenceWindow;

    private final Cache<Cidr, Offence> offences;
    private final Map<Cidr, Ban> bans = new LinkedHashMap<>();
    private volatile Snapshot snapshot = Snapshot.build(List.of());
    /** The single-address bans put since the snapshot's base tables were built, in {@link Snapshot#recentV4}/V6. */
    private final List<Ban> recent = new ArrayList<>();
    /** Bumped on every change, so followers (the kernel export) can poll cheaply for one. */
    private volatile long version;

    /**
     * @param offenceWindow how long after an automatic ban ends a new offence still escalates
     * @param maxOffenders subjects whose strikes are remembered at most
     */
    public BanList(InstantSource clock, Duration offenceWindow, int maxOffenders) {
        if (offenceWindow.isNegative()) {
            throw new IllegalArgumentException("offenceWindow: " + offenceWindow + " (expected: >= 0)");
        }
        if (maxOffenders < 1) {
            throw new IllegalArgumentException("maxOffenders: " + maxOffenders + " (expected: >= 1)");
        }
        this.clock = clock;
        this.offenceWindow = offenceWindow;
        this.offences = Caffeine.newBuilder()
                .maximumSize(maxOffenders)
                .expireAfter(
                        Expiry.<Cidr, Offence>writing((subject, o) -> o.banned().plus(this.offenceWindow)))
                .ticker(() -> clock.millis() * 1_000_000L)
                .executor(Runnable::run)
                .build();
    }

    /**
     * Changes how long after an automatic ban ends a new offence still escalates ({@code bans.memory}); applies to
     * strikes recorded from now on.
     */
    public void offenceWindow(Duration window) {
        if (window.isNegative()) {
            throw new IllegalArgumentException("offenceWindow: " + window + " (expected: >= 0)");
        }
        this.offenceWindow = window;
    }

    /** The most specific ban in force covering {@code addr} (4 or 16 bytes, network order), or null. */
    public Ban find(byte[] addr) {
        Snapshot s = snapshot;
        if (s.empty) {
            return null;
        }
        // The clock is read only on a match: most connections match nothing, and the clock costs as much as a probe.
        // A recent ban of the very address is the newest word on it: it replaced any the base tables hold for it.
        if (addr.length == 4 || Addresses.isV4Mapped(addr)) {
            long v4 = Addresses.v4(addr);
            Ban r = s.recentV4 == null ? null : s.recentV4.get(0, v4);
            if (r != null && r.activeAtMillis(clock.millis())) {
                return r;
            }
            for (int len : s.v4Lengths) {
                if (r != null && len == 32) {
                    continue;
                }
                Ban b = s.v4[len].get(0, v4 & Addresses.v4Mask(len));
                if (b != null && b.activeAtMillis(clock.millis())) {
                    return b;
                }
            }
            return null;
        }
        long hi = Addresses.readLong(addr, 0);
        long lo = Addresses.readLong(addr, 8);
        Ban r = s.recentV6 == null ? null : s.recentV6.get(hi, lo);
        if (r != null && r.activeAtMillis(clock.millis())) {
            return r;
        }
        for (int len : s.v6Lengths) {
            if (r != null && len == 128) {
                continue;
            }
            Ban b = s.v6[len].get(hi & Addresses.hiMask(len), lo & Addresses.loMask(len));
            if (b != null && b.activeAtMillis(clock.millis())) {
                return b;
            }
        }
        return null;
    }

    /** {@link #find(byte[])} for an {@link InetAddress} (which copies its bytes). */
    public Ban find(InetAddress addr) {
        return find(addr.getAddress());
    }

    /**
     * Bans {@code subject}, replacing any ban of exactly that subject.
     *
     * @param ttl how long, or null for until removed
     */
    public synchronized Ban ban(Cidr subject, Duration ttl, String reason, BanOrigin origin) {
        Instant expiry = ttl == null ? null : clock.instant().plus(ttl);
        return put(new Ban(Addresses.canonical(subject), expiry, reason, origin, 0));
    }

    /**
     * An automatic ban for an offence by {@code subject}. The n-th offence remembered for the subject bans it for
     * {@code min(max, base * factor^(n-1))}: with base 1m and factor 4, 1m, 4m, 16m... A ban of the subject by
     * config or an operator is left as it is (the strike still counts).
     *
     * @return the ban now in force for the subject
     */
    public synchronized Ban offend(Cidr subject, Duration base, double factor, Duration max, String reason) {
        if (base.isNegative() || base.isZero()) {
            throw new IllegalArgumentException("base: " + base + " (expected: > 0)");
        }
        if (!(factor >= 1) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("factor: " + factor + " (expected: >= 1)");
        }
        if (max.compareTo(base) < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= base " + base + ")");
        }
        Cidr s = Addresses.canonical(subject);
        Offence prior = offences.getIfPresent(s);
        int strikes = prior == null ? 1 : prior.strikes() + 1;
        double nanos = base.toNanos() * Math.pow(factor, strikes - 1);
        Duration ttl = nanos >= max.toNanos() ? max : Duration.ofNanos((long) nanos);
        offences.put(s, new Offence(strikes, ttl));
        Ban existing = bans.get(s);
        if (existing != null && existing.origin() != BanOrigin.AUTOMATIC && existing.activeAtMillis(clock.millis())) {
            return existing;
        }
        return put(new Ban(s, clock.instant().plus(ttl), reason, BanOrigin.AUTOMATIC, strikes));
    }

    /** {@link #offend(Cidr, Duration, double, Duration, String)} for one address (4 or 16 bytes). */
    public Ban offend(byte[] addr, Duration base, double factor, Duration max, String reason) {
        return offend(new Cidr(addr, addr.length * 8), base, factor, max, reason);
    }

    /**
     * Puts a ban made elsewhere (another edge of the cluster) as it is, replacing any ban of exactly that subject
     * except one from this edge's config file, which stays (the file is this edge's own word). An expired ban is
     * ignored.
     *
     * @return whether the ban is now in force here
     */
    public synchronized boolean adopt(Ban ban) {
        if (ban.origin() == BanOrigin.CONFIG || !ban.activeAtMillis(clock.millis())) {
            return false;
        }
        Cidr s = Addresses.canonical(ban.subject());
        Ban existing = bans.get(s);
        if (existing != null && existing.origin() == BanOrigin.CONFIG) {
            return false;
        }
        Ban b = s.equals(ban.subject())
                ? ban
                : new Ban(s, ban.expiresAt(), ban.reason(), ban.origin(), ban.strikes(), ban.node());
        if (!b.equals(existing)) {
            put(b);
        }
        return true;
    }

    /**
     * Lifts a ban because another edge of the cluster lifted it: like {@link #unban}, but a ban from this edge's config
     * file stays.
     */
    public synchronized boolean unbanAdopted(Cidr subject) {
        Ban existing = bans.get(Addresses.canonical(subject));
        if (existing != null && existing.origin() == BanOrigin.CONFIG) {
            return false;
        }
        return unban(subject);
    }

    /** Lifts the ban of exactly {@code subject} and forgets its strikes (an operator's pardon). */
    public synchronized boolean unban(Cidr subject) {
        Cidr s = Addresses.canonical(subject);
        offences.invalidate(s);
        if (bans.remove(s) == null) {
            return false;
        }
        publish();
        return true;
    }

    /**
     * Replaces every {@link BanOrigin#CONFIG} ban with {@code configured} (on start and on each reload); bans of
     * other origins are kept. A config ban of the same subject as a manual or automatic one replaces it.
     */
    public synchronized void replaceConfigured(Collection<Ban> configured) {
        for (Ban b : configured) {
            if (b.origin() != BanOrigin.CONFIG) {
                throw new IllegalArgumentException(
                        "origin of " + b.subject() + ": " + b.origin() + " (expected: CONFIG)");
            }
        }
        bans.values().removeIf(b -> b.origin() == BanOrigin.CONFIG);
        for (Ban b : configured) {
            Cidr s = Addresses.canonical(b.subject());
            bans.put(s, s.equals(b.subject()) ? b : new Ban(s, b.expiresAt(), b.reason(), b.origin(), 0));
        }
        publish();
    }

    /** The bans in force, in the order they were made: a snapshot for the admin API. */
    public synchronized List<Ban> list() {
        long now = clock.millis();
        List<Ban> out = new ArrayList<>(bans.size());
        for (Ban b : bans.values()) {
            if (b.activeAtMillis(now)) {
                out.add(b);
            }
        }
        return List.copyOf(out);
    }

    /** Drops expired bans and stale offence records; returns the bans dropped. Call it every few seconds. */
    public synchronized int purgeExpired() {
        long now = clock.millis();
        int before = bans.size();
        bans.values().removeIf(b -> !b.activeAtMillis(now));
        offences.cleanUp();
        int purged = before - bans.size();
        if (purged > 0) {
            publish();
        }
        return purged;
    }

    /** Bans held, including expired ones not yet purged. */
    public synchronized int size() {
        return bans.size();
    }

    /** Strikes remembered for {@code subject} (0 when none). */
    public int strikes(Cidr subject) {
        Offence o = offences.getIfPresent(Addresses.canonical(subject));
        return o == null ? 0 : o.strikes();
    }

    /** The offence window given at construction. */
    public Duration offenceWindow() {
        return offenceWindow;
    }

    private Ban put(Ban ban) {
        bans.put(ban.subject(), ban);
        Cidr c = ban.subject();
        if (c.prefixLength() == c.network().length * 8 && recent.size() < RECENT_MAX) {
            recent.add(ban);
            snapshot = snapshot.withRecent(recent);
            version++;
        } else {
            publish();
        }
        return ban;
    }

    private void publish() {
        recent.clear();
        snapshot = Snapshot.build(bans.values());
        version++;
    }

    /** Single-address bans kept beside the snapshot's base tables before these are rebuilt (see the design note). */
    static final int RECENT_MAX = 128;

    /** A number that changes whenever the bans change (not when one merely expires); one volatile read. */
    public long version() {
        return version;
    }

    /** A remembered offence: the strike count and the length of the ban it caused. */
    private record Offence(int strikes, Duration banned) {
        Offence {
            Objects.requireNonNull(banned, "banned");
        }
    }

    /** An immutable view of the bans for lock-free lookup. */
    private static final class Snapshot {
        final BanTable[] v4;
        final BanTable[] v6;
        final int[] v4Lengths;
        final int[] v6Lengths;
        final boolean empty;
        /** Single-address bans newer than the base tables ({@link #withRecent}); null when none. */
        final BanTable recentV4;

        final BanTable recentV6;

        private Snapshot(Snapshot base, List<Ban> recent) {
            this.v4 = base.v4;
            this.v6 = base.v6;
            this.v4Lengths = base.v4Lengths;
            this.v6Lengths = base.v6Lengths;
            List<long[]> k4 = new ArrayList<>();
            List<Ban> b4 = new ArrayList<>();
            List<long[]> k6 = new ArrayList<>();
            List<Ban> b6 = new ArrayList<>();
            for (Ban b : recent) {
                boolean v4 = b.subject().network().length == 4;
                (v4 ? k4 : k6).add(key(b.subject().network()));
                (v4 ? b4 : b6).add(b);
            }
            // A later ban of the same address takes its slot in the table (BanTable keeps the last of equal keys).
            this.recentV4 = k4.isEmpty() ? null : new BanTable(k4, b4);
            this.recentV6 = k6.isEmpty() ? null : new BanTable(k6, b6);
            this.empty = base.empty && recent.isEmpty();
        }

        /** A network's {@code {hi, lo}} key in its family's tables (IPv4 uses the low word). */
        private static long[] key(byte[] network) {
            return network.length == 4
                    ? new long[] {0, Addresses.v4(network)}
                    : new long[] {Addresses.readLong(network, 0), Addresses.readLong(network, 8)};
        }

        /** This snapshot's base tables with {@code recent} (every single-address ban put since they were built). */
        Snapshot withRecent(List<Ban> recent) {
            return new Snapshot(this, recent);
        }

        private Snapshot(Collection<Ban> all) {
            this.v4 = new BanTable[33];
            this.v6 = new BanTable[129];
            this.recentV4 = null;
            this.recentV6 = null;
            List<List<long[]>> keys = new ArrayList<>();
            List<List<Ban>> values = new ArrayList<>();
            for (int i = 0; i < 33 + 129; i++) {
                keys.add(new ArrayList<>());
                values.add(new ArrayList<>());
            }
            for (Ban b : all) {
                Cidr c = b.subject();
                byte[] n = c.network();
                int slot = n.length == 4 ? c.prefixLength() : 33 + c.prefixLength();
                keys.get(slot).add(key(n));
                values.get(slot).add(b);
            }
            List<Integer> l4 = new ArrayList<>();
            List<Integer> l6 = new ArrayList<>();
            for (int len = 128; len >= 0; len--) {
                if (len <= 32 && !keys.get(len).isEmpty()) {
                    v4[len] = new BanTable(keys.get(len), values.get(len));
                    l4.add(len);
                }
                if (!keys.get(33 + len).isEmpty()) {
                    v6[len] = new BanTable(keys.get(33 + len), values.get(33 + len));
                    l6.add(len);
                }
            }
            this.v4Lengths = l4.stream().mapToInt(Integer::intValue).toArray();
            this.v6Lengths = l6.stream().mapToInt(Integer::intValue).toArray();
            this.empty = all.isEmpty();
        }

        static Snapshot build(Collection<Ban> all) {
            return new Snapshot(all);
        }
    }
}
