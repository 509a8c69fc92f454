package coop.bulwark.detect;

import coop.bulwark.site.DetectionConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleSupplier;

/**
 * Detection for all sites: once per second, harvests {@link TrafficAccounting}, steps every site's state machine,
 * and names attacks. The edge applies each {@link DetectionEvent.StateChanged} with
 * {@code guard.detected(ProtectionState.fromKey(e.to().policyKey()), e.reason(), e.at())} and hands attack events
 * to the log, webhooks and reports.
 *
 * <p>Attribution: the first site to enter {@link SiteState#UNDER_ATTACK} opens an {@link Attack}; any site that
 * enters it while the attack is open joins it as a target; targets are ranked by their peak excess over baseline.
 * The attack ends when every target is back to {@link SiteState#NORMAL}.
 *
 * <p>Not thread-safe: {@link #tick} and the getters are for one scheduler thread (the same that owns the
 * accounting's harvest). Time is whatever the caller passes, so simulations run at any speed.
 */
public final class Detector {
    private final DetectionConfig config;
    private final TrafficAccounting accounting;
    private final SiteDetector[] sites;
    private final UplinkMeter uplink;
    private final DoubleSupplier originSaturation;
    private Ewma totalRate;
    private GlobalSignals global;
    private Instant lastTick;
    private TrafficSecond lastTraffic;
    private AttackTracker attack;
    private long attackSequence;
    /** The other edges' counts (a cluster), or null on a single box. */
    private PeerTraffic peers;
    /** The cluster's attack ids (a cluster), or null on a single box. */
    private AttackClaims claims;

    /**
     * @param siteNames the site names by index; their number must equal {@code accounting.sites()}
     */
    public Detector(DetectionConfig config, TrafficAccounting accounting, List<String> siteNames) {
        this(config, accounting, siteNames, null, () -> Double.NaN);
    }

    /**
     * @param siteNames the site names by index; their number must equal {@code accounting.sites()}
     * @param uplink the uplink meter, or null when the uplink is not measured
     * @param originSaturation read once per tick on the tick thread, 0-1 (NaN when unknown); must not block
     */
    public Detector(
            DetectionConfig config,
            TrafficAccounting accounting,
            List<String> siteNames,
            UplinkMeter uplink,
            DoubleSupplier originSaturation) {
        this.uplink = uplink;
        this.originSaturation = Objects.requireNonNull(originSaturation, "originSaturation");
        this.totalRate = new Ewma(config.longWindow().toNanos() / 1e9);
        this.config = Objects.requireNonNull(config, "config");
        this.accounting = Objects.requireNonNull(accounting, "accounting");
        if (siteNames.size() != accounting.sites()) {
            throw new IllegalArgumentException(
                    "siteNames: " + siteNames.size() + " names (expected: " + accounting.sites() + ")");
        }
        sites = new SiteDetector[siteNames.size()];
        for (int i = 0; i < sites.length; i++) {
            sites[i] = new SiteDetector(i, siteNames.get(i), config);
        }
    }

    /**
     * A detector for a new config (reload): sites that keep their name at their index keep their state machine
     * and baselines (retuned to {@code config}); renamed or new indexes start fresh; an open attack stays open.
     * {@code accounting} may be a new, larger one. The previous detector must not be ticked again.
     */
    public static Detector carryOver(
            Detector previous,
            DetectionConfig config,
            TrafficAccounting accounting,
            List<String> siteNames,
            UplinkMeter uplink,
            DoubleSupplier originSaturation) {
        Detector next = new Detector(config, accounting, siteNames, uplink, originSaturation);
        for (int i = 0; i < next.sites.length && i < previous.sites.length; i++) {
            SiteDetector old = previous.sites[i];
            if (old.name().equals(siteNames.get(i))) {
                old.reconfigure(config);
                next.sites[i] = old;
            }
        }
        previous.totalRate.retune(config.longWindow().toNanos() / 1e9);
        next.totalRate = previous.totalRate;
        next.global = previous.global;
        next.lastTick = previous.lastTick;
        next.attack = previous.attack;
        next.attackSequence = previous.attackSequence;
        next.peers = previous.peers;
        next.claims = previous.claims;
        return next;
    }

    /**
     * Judges every site on the cluster's traffic from the next tick on: the other edges' counts in {@code peers} are
     * added to this edge's own at each tick (null: this edge's alone).
     */
    public void peers(PeerTraffic peers) {
        this.peers = peers;
    }

    /**
     * Names attacks as the cluster does from the next tick on: new ids carry the edge's name, and an open attack that
     * another edge declared first takes that edge's id (an {@link DetectionEvent.AttackUpdated} with the new id). Null:
     * this edge's ids alone.
     */
    public void claims(AttackClaims claims) {
        this.claims = claims;
    }

    public DetectionConfig config() {
        return config;
    }

    /** The number of site indexes this detector covers. */
    public int sites() {
        return sites.length;
    }

    /** The site name at an index ("" for an unused index). */
    public String siteName(int site) {
        return sites[Objects.checkIndex(site, sites.length)].name();
    }

    /**
     * Closes the current interval and evaluates it. Call about once per second with the current time; the
     * interval's length is the time since the previous tick (1 s for the first), clamped to 1 ms - 60 s.
     *
     * @return the events of this tick, state changes first (in site order), then attack events
     */
    public List<DetectionEvent> tick(Instant now) {
        double seconds = 1.0;
        if (lastTick != null) {
            seconds = Math.clamp(Duration.between(lastTick, now).toNanos() / 1e9, 0.001, 60.0);
        }
        lastTick = now;
        TrafficSecond traffic = withPeers(accounting.harvest(now, seconds));
        lastTraffic = traffic;

        List<DetectionEvent> events = new ArrayList<>();
        List<DetectionEvent.StateChanged> attacked = new ArrayList<>();
        for (SiteDetector d : sites) {
            DetectionEvent.StateChanged change = d.step(traffic.sites().get(d.site()), seconds, now);
            if (change != null) {
                events.add(change);
                if (change.to() == SiteState.UNDER_ATTACK) {
                    attacked.add(change);
                }
            }
        }
        attribute(now, traffic, seconds, attacked, events);
        double total = traffic.requests() / seconds;
        if (attack == null) {
            totalRate.update(total, seconds);
        }
        global = new GlobalSignals(
                now,
                total,
                totalRate.value(),
                traffic.distinctSources() / seconds,
                uplink == null ? Double.NaN : uplink.sample(now),
                uplink == null ? Double.NaN : uplink.droppedPerSecond(),
                originSaturation.getAsDouble());
        return events;
    }

    /** The harvest with the other edges' counts of each site added (by name: indexes differ between edges). */
    private TrafficSecond withPeers(TrafficSecond local) {
        Map<String, SiteCounts> counts = peers == null ? Map.of() : peers.drain();
        if (counts.isEmpty()) {
            return local;
        }
        List<SiteSecond> merged = new ArrayList<>(local.sites());
        for (SiteDetector d : sites) {
            SiteCounts c = d.name().isEmpty() ? null : counts.get(d.name());
            if (c != null) {
                merged.set(d.site(), merged.get(d.site()).withPeers(c));
            }
        }
        return new TrafficSecond(
                local.at(), local.seconds(), merged, local.requests(), local.distinctSources(), local.topPrefixes());
    }

    private void attribute(
            Instant now,
            TrafficSecond traffic,
            double seconds,
            List<DetectionEvent.StateChanged> attacked,
            List<DetectionEvent> events) {
        boolean opened = false;
        boolean added = false;
        if (!attacked.isEmpty() && attack == null) {
            String id = "atk-" + now.getEpochSecond() + "-" + ++attackSequence;
            attack = new AttackTracker(claims == null ? id : claims.qualify(id), now, config.maxTargets());
            opened = true;
        }
        if (attack == null) {
            return;
        }
        for (DetectionEvent.StateChanged c : attacked) {
            added |= attack.addTarget(c.site(), c.siteName(), now, c.signals());
        }
        added |= adoptClusterId();
        Map<Integer, Signals> signals = new HashMap<>();
        boolean allNormal = true;
        for (int site : attack.targetSites()) {
            SiteDetector d = sites[site];
            if (d.state() == SiteState.UNDER_ATTACK) {
                signals.put(site, d.lastSignals());
            }
            allNormal &= d.state() == SiteState.NORMAL;
        }
        attack.observe(traffic.sites(), seconds, signals);
        if (opened) {
            events.add(new DetectionEvent.AttackStarted(now, attack.snapshot(null)));
        } else if (added) {
            events.add(new DetectionEvent.AttackUpdated(now, attack.snapshot(null)));
        }
        if (allNormal) {
            events.add(new DetectionEvent.AttackEnded(now, attack.snapshot(now)));
            attack = null;
        }
        if (claims != null) {
            claims.open(attack == null ? null : new AttackClaims.Open(attack.id(), targetNames()));
        }
    }

    /** Takes the id another edge claimed for one of the targets first, if any; true when the id changed. */
    private boolean adoptClusterId() {
        if (claims == null) {
            return false;
        }
        for (String site : targetNames()) {
            var claim = claims.claimOf(site);
            if (claim.isPresent() && !claim.get().id().equals(attack.id())) {
                attack.rename(claim.get().id());
                return true;
            }
        }
        return false;
    }

    private List<String> targetNames() {
        List<String> names = new ArrayList<>();
        for (int site : attack.targetSites()) {
            names.add(sites[site].name());
        }
        return names;
    }

    /** The site's current state. */
    public SiteState state(int site) {
        return sites[Objects.checkIndex(site, sites.length)].state();
    }

    /** The site's signals at the latest tick, empty before the first. */
    public Optional<Signals> signals(int site) {
        return Optional.ofNullable(sites[Objects.checkIndex(site, sites.length)].lastSignals());
    }

    /** The open attack's latest snapshot, if one is on. */
    public Optional<Attack> currentAttack() {
        return attack == null ? Optional.empty() : Optional.of(attack.snapshot(null));
    }

    /** The edge-wide signals of the latest tick, empty before the first. */
    public Optional<GlobalSignals> globalSignals() {
        return Optional.ofNullable(global);
    }

    /** The latest harvested interval, empty before the first tick. */
    public Optional<TrafficSecond> lastTraffic() {
        return Optional.ofNullable(lastTraffic);
    }
}
