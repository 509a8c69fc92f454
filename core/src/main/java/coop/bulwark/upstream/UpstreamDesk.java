package coop.bulwark.upstream;

import coop.bulwark.detect.Attack;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.detect.HeavyHitter;
import coop.bulwark.detect.UplinkState;
import coop.bulwark.protect.SourceKeys;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.UpstreamConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what the upstream is told, once per detection tick. While the edge-wide uplink is {@code saturated} and an
 * attack with named targets is open: first FlowSpec rules toward each target address for the attack's heaviest
 * source prefixes (always with a destination: a source-only rule would cut those networks off from every site); if
 * the uplink is still saturated {@code escalate_after} later, a blackhole of each target address where {@code
 * rtbh.allowed} permits. In {@code auto} mode the decisions are announced at once; in {@code suggest} mode they wait
 * for an operator's {@link #apply}. Announcements stay while their attack runs (renewed, never past {@code
 * max_lifetime} without renewal), are withdrawn once it has ended and they are {@code min_duration} old, and are
 * bounded by {@code max_rules} and {@code max_announcements_per_hour}. An operator's {@link #withdraw} sticks for the
 * rest of that attack.
 *
 * <p>Thread-safety: {@link #onTick}, {@link #configure}, {@link #apply} and {@link #withdraw} are synchronized (the
 * tick thread and the admin server call them); {@link #list} returns an immutable snapshot.
 */
public final class UpstreamDesk {
    /** What happened to an announcement, for the incident report and the event log. */
    public interface Journal {
        void record(Instant at, String kind, String detail);
    }

    private static final Duration HOUR = Duration.ofHours(1);

    /** A prefix gets a FlowSpec rule only if it sent at least 1/HEAD_SHARE of what the heaviest prefix sent. */
    private static final long HEAD_SHARE = 10;

    private UpstreamConfig config = UpstreamConfig.DEFAULTS;
    private Map<Cidr, List<String>> sitesByAddress = Map.of();
    private Map<String, List<Cidr>> addressesBySite = Map.of();
    private final Map<String, Announcement> current = new LinkedHashMap<>();
    private final Deque<Instant> announcedTimes = new ArrayDeque<>();
    private final Set<String> vetoed = new HashSet<>();
    private Attack attack;
    private Instant attackEndedAt;
    private Instant flowspecSince;
    private Instant decidingSince;
    private Journal journal = (at, kind, detail) -> {};
    private volatile List<Announcement> snapshot = List.of();
    private volatile boolean saturated;
    /** In a cluster, the node that speaks for it upstream when it is another one; null while this desk speaks. */
    private volatile String standbyFor;

    /** Where announcements and withdrawals are recorded (the incident desk). */
    public synchronized void journal(Journal j) {
        this.journal = Objects.requireNonNull(j, "j");
    }

    /**
     * New settings and the sites' addresses (start, reload). Turning the mode off withdraws everything announced.
     *
     * @param addressesBySite each site's {@code addresses}
     */
    public synchronized void configure(UpstreamConfig next, Map<String, List<Cidr>> addressesBySite, Instant now) {
        this.config = Objects.requireNonNull(next, "next");
        this.addressesBySite = Map.copyOf(addressesBySite);
        Map<Cidr, List<String>> by = new LinkedHashMap<>();
        addressesBySite.forEach((site, addresses) -> {
            for (Cidr a : addresses) {
                by.computeIfAbsent(a, k -> new ArrayList<>()).add(site);
            }
        });
        by.replaceAll((a, sites) -> List.copyOf(sites));
        this.sitesByAddress = by;
        if (next.mode() == UpstreamConfig.Mode.OFF) {
            for (Announcement a : List.copyOf(current.values())) {
                end(a, now, "upstream.mode is off");
            }
        }
        publish();
    }

    public synchronized UpstreamConfig config() {
        return config;
    }

    /** One detection tick: follows the attack, decides, renews, withdraws. */
    public synchronized void onTick(Instant now, Optional<UplinkState.View> uplink, List<DetectionEvent> events) {
        for (DetectionEvent e : events) {
            switch (e) {
                case DetectionEvent.AttackStarted s -> {
                    attack = s.attack();
                    attackEndedAt = null;
                    flowspecSince = null;
                    decidingSince = null;
                    vetoed.clear();
                }
                case DetectionEvent.AttackUpdated u -> attack = u.attack();
                case DetectionEvent.AttackEnded x -> {
                    attack = x.attack();
                    attackEndedAt = x.at();
                }
                default -> {}
            }
        }
        saturated = uplink.map(UplinkState.View::saturated).orElse(false);
        boolean ongoing =
                attack != null && attackEndedAt == null && !attack.targets().isEmpty();
        if (config.mode() != UpstreamConfig.Mode.OFF && saturated && ongoing && standbyFor == null) {
            decide(now);
        }
        for (Announcement a : List.copyOf(current.values())) {
            boolean ownAttackRuns = ongoing && a.attackId().equals(attack.id());
            if (ownAttackRuns) {
                Instant renewed = now.plus(config.maxLifetime());
                if (renewed.isAfter(a.expires())) {
                    current.put(a.id(), a.with(a.state(), renewed));
                }
            } else if (!now.isBefore(a.expires())) {
                end(a, now, "expired after max_lifetime without a running attack to renew it");
            } else if (!now.isBefore(a.since().plus(config.minDuration()))) {
                end(
                        a,
                        now,
                        "the attack ended and min_duration ("
                                + config.minDuration().toMinutes() + " min) passed");
            }
        }
        publish();
    }

    private void decide(Instant now) {
        List<Cidr> targets = new ArrayList<>();
        Set<String> targetNames = new HashSet<>(attack.targetNames());
        for (String site : attack.targetNames()) {
            for (Cidr a : addressesBySite.getOrDefault(site, List.of())) {
                if (!targets.contains(a)) {
                    targets.add(a);
                }
            }
        }
        if (targets.isEmpty()) {
            return; // no site.addresses for the targets: nothing to name upstream
        }
        if (decidingSince == null) {
            decidingSince = now;
        }
        UpstreamConfig.Flowspec f = config.flowspec();
        if (f.enabled()) {
            // Only the flood's head gets a rule: a prefix that sent less than a tenth of the heaviest one's share is
            // the tail where people live (a /24 with a few readers of the target), and cutting it off from the
            // target would punish them for the flood.
            long heaviest = 0;
            for (HeavyHitter h : attack.topPrefixes()) {
                heaviest = Math.max(heaviest, h.guaranteed());
            }
            for (Cidr target : targets) {
                int added = 0;
                for (HeavyHitter h : attack.topPrefixes()) {
                    if (added >= f.topPrefixes()) {
                        break;
                    }
                    Cidr source = prefix(h.key());
                    if (source == null
                            || source.network().length != target.network().length
                            || h.count() == 0
                            || h.count() * HEAD_SHARE < heaviest) {
                        continue;
                    }
                    added++;
                    if (flowspecCount() >= f.maxRules()) {
                        break;
                    }
                    propose(
                            Announcement.Kind.FLOWSPEC,
                            target,
                            Optional.of(source),
                            now,
                            "uplink saturated during " + attack.id() + "; " + source + " among its heaviest sources",
                            List.of());
                }
            }
            if (flowspecSince == null && flowspecCount() > 0) {
                flowspecSince = now;
            }
        }
        // From the FlowSpec rules; when none qualified (a flood spread thin over many prefixes) or FlowSpec is off,
        // from the first tick that saw the link saturated during this attack.
        Instant escalateFrom = flowspecSince != null ? flowspecSince : decidingSince;
        if (now.isBefore(escalateFrom.plus(config.escalateAfter()))) {
            return;
        }
        for (Cidr target : targets) {
            List<String> onAddress = sitesByAddress.getOrDefault(target, List.of());
            boolean allowed = switch (config.rtbh()) {
                case NEVER -> false;
                case ALWAYS -> true;
                case DEDICATED_ONLY -> targetNames.containsAll(onAddress);
            };
            if (allowed) {
                propose(
                        Announcement.Kind.RTBH,
                        target,
                        Optional.empty(),
                        now,
                        "uplink still saturated " + config.escalateAfter().toSeconds() + " s after FlowSpec during "
                                + attack.id() + "; blackhole of " + target + " makes unreachable: "
                                + String.join(", ", onAddress),
                        onAddress);
            }
        }
    }

    private void propose(
            Announcement.Kind kind,
            Cidr destination,
            Optional<Cidr> source,
            Instant now,
            String reason,
            List<String> off) {
        String id = Announcement.idOf(kind, destination, source);
        Announcement existing = current.get(id);
        if (existing != null || vetoed.contains(id)) {
            return;
        }
        while (!announcedTimes.isEmpty() && !announcedTimes.peekFirst().isAfter(now.minus(HOUR))) {
            announcedTimes.removeFirst();
        }
        if (announcedTimes.size() >= config.maxAnnouncementsPerHour()) {
            return; // bounded churn toward the upstream; the report shows what was announced
        }
        boolean auto = config.mode() == UpstreamConfig.Mode.AUTO;
        Announcement a = new Announcement(
                id,
                kind,
                destination,
                source,
                attack.id(),
                reason,
                now,
                now.plus(config.maxLifetime()),
                auto ? Announcement.State.ANNOUNCED : Announcement.State.SUGGESTED,
                off);
        current.put(id, a);
        announcedTimes.addLast(now);
        journal.record(
                now,
                auto ? "upstream_" + kind.key() : "upstream_suggested",
                (auto ? "announced: " : "suggested (bulwark upstream apply " + attack.id() + "): ")
                        + ExabgpCommands.announce(a, config) + " (" + reason + ")");
    }

    private int flowspecCount() {
        int n = 0;
        for (Announcement a : current.values()) {
            if (a.kind() == Announcement.Kind.FLOWSPEC) {
                n++;
            }
        }
        return n;
    }

    private void end(Announcement a, Instant now, String why) {
        current.remove(a.id());
        if (a.state() == Announcement.State.ANNOUNCED) {
            journal.record(
                    now, "upstream_withdrawn", "withdrawn: " + ExabgpCommands.withdraw(a, config) + " (" + why + ")");
        }
    }

    /**
     * An operator applies the suggestions of {@code attackId} (suggest mode), or of every attack when null.
     *
     * @return the announcements now announced
     */
    public synchronized List<Announcement> apply(String attackId, Instant now) {
        List<Announcement> applied = new ArrayList<>();
        if (standbyFor != null) {
            return applied; // nothing is suggested on standby
        }
        for (Announcement a : List.copyOf(current.values())) {
            if (a.state() == Announcement.State.SUGGESTED
                    && (attackId == null || a.attackId().equals(attackId))) {
                Announcement on = a.with(Announcement.State.ANNOUNCED, a.expires());
                current.put(a.id(), on);
                applied.add(on);
                journal.record(
                        now,
                        "upstream_" + a.kind().key(),
                        "announced by an operator: " + ExabgpCommands.announce(on, config));
            }
        }
        publish();
        return applied;
    }

    /**
     * An operator withdraws one announcement (or drops one suggestion); it is not proposed again during this attack.
     *
     * @return false when there is no such id
     */
    public synchronized boolean withdraw(String id, Instant now) {
        Announcement a = current.get(id);
        if (a == null) {
            return false;
        }
        vetoed.add(id);
        end(a, now, "withdrawn by an operator");
        publish();
        return true;
    }

    /**
     * In a cluster only one node speaks upstream at a time (the holder of a lease in the shared store): {@code holder}
     * is that node when it is another one, and this desk then withdraws what it announced and decides nothing until it
     * speaks again ({@code holder} null).
     */
    public synchronized void standby(String holder, Instant now) {
        if (Objects.equals(standbyFor, holder)) {
            return;
        }
        standbyFor = holder;
        if (holder != null) {
            for (Announcement a : List.copyOf(current.values())) {
                end(a, now, "standby: " + holder + " speaks for the cluster upstream");
            }
        }
        publish();
    }

    /** The node that speaks for the cluster upstream, when it is another one (this desk is on standby). Any thread. */
    public Optional<String> standbyFor() {
        return Optional.ofNullable(standbyFor);
    }

    /** The announcements and suggestions in force, oldest first. Any thread. */
    public List<Announcement> list() {
        return snapshot;
    }

    /** Whether the uplink was saturated at the latest tick. Any thread. */
    public boolean saturated() {
        return saturated;
    }

    private void publish() {
        snapshot = List.copyOf(current.values());
    }

    /** A source prefix from a detection key ({@code /24}, {@code /48}); null for a key that is not one. */
    private static Cidr prefix(long key) {
        try {
            String text = SourceKeys.text(key);
            return text.contains("/") ? Cidr.parse(text) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
