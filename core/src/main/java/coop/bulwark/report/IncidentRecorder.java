package coop.bulwark.report;

import coop.bulwark.detect.Attack;
import coop.bulwark.detect.AttackTarget;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.detect.GlobalSignals;
import coop.bulwark.detect.SiteState;
import coop.bulwark.detect.TrafficSecond;
import coop.bulwark.site.DetectionConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Assembles the incident report of the open attack, tick by tick, from what the detector harvests and emits. One
 * per edge.
 *
 * <p>Per tick, on the detection tick thread, right after {@code Detector.tick}:
 *
 * <pre>{@code
 * List<DetectionEvent> events = detector.tick(now);
 * List<IncidentReport> ended = incidents.onTick(now, detector.lastTraffic().orElseThrow(),
 *         detector.globalSignals().orElseThrow(), events);
 * ended.forEach(reports::submit);
 * }</pre>
 *
 * <p>Mitigations the detector does not make (bans issued, the challenge turned on, a state forced by an operator,
 * rules exported to the kernel or upstream) come in through {@link #onMitigation} from any thread. The detector's
 * own switch of a site to under_attack is recorded as a mitigation ({@code under_attack_policy}) at its tick.
 *
 * <p>Thread-safety: {@link #onMitigation} is lock-free and never blocks (queued, folded in at the next tick);
 * {@link #onTick}, {@link #current} and {@link #setSiteNames} take this recorder's lock, so the admin API may call
 * {@link #current} from its own thread (it then waits at most for one tick's work, about a millisecond).
 */
/*
 * Memory, bounded whatever the attack's length or the number of sources:
 *  - History: the minute before the attack for every site, 1,440 B per site (1.2 MiB for 850 sites).
 *  - Per target (at most DetectionConfig.maxTargets, 16 by default) and for the bystanders together: one Series
 *    of at most 3,000 points (1 s resolution for 30 min, then 10 s buckets that widen to keep at most 1,200),
 *    about 165 KiB each, so under 3 MiB for 16 targets.
 *  - Per site during an attack: two longs (requests and failures, for the worst-hit bystanders).
 *  - State changes and mitigations: at most 1,000 each per attack (later ones are counted, not kept); the run-up
 *    buffers keep at most 256 of each from the last minute; the mitigation inbox at most 10,000.
 */
public final class IncidentRecorder {
    /** How far before the attack's start the report looks for the onset and the baseline. */
    static final Duration RUN_UP = Duration.ofSeconds(History.SLOTS);

    static final int MAX_ENTRIES = 1_000;
    static final int MAX_RUN_UP_ENTRIES = 256;
    static final int MAX_INBOX = 10_000;
    static final String UNDER_ATTACK_POLICY = "under_attack_policy";
    static final int WORST_BYSTANDERS = 5;
    static final int TOP_SAMPLES = 8;
    /** Texts kept for path and User-Agent keys over one attack. */
    static final int MAX_LABELS = 512;

    private final ConcurrentLinkedQueue<IncidentReport.Mitigation> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger inboxSize = new AtomicInteger();
    private final AtomicLong droppedMitigations = new AtomicLong();
    private final DetectionConfig detection;
    private List<String> siteNames;
    private History history;
    private SiteState[] states;
    private Instant[] leftNormal;
    private final ArrayDeque<IncidentReport.StateChange> runUpChanges = new ArrayDeque<>();
    private final ArrayDeque<IncidentReport.Mitigation> runUpMitigations = new ArrayDeque<>();
    private OpenAttack open;

    /**
     * @param siteNames the site names by index, as given to the detector
     * @param detection the detector's thresholds, to find the onset in the minute before the attack
     */
    public IncidentRecorder(List<String> siteNames, DetectionConfig detection) {
        this.detection = Objects.requireNonNull(detection, "detection");
        this.siteNames = List.copyOf(siteNames);
        resize(this.siteNames.size());
    }

    /**
     * Replaces the site names (on reload). If their number changes, the pre-attack history is dropped (indexes no
     * longer mean the same sites); an open attack keeps its targets' names.
     */
    public synchronized void setSiteNames(List<String> names) {
        List<String> copy = List.copyOf(names);
        if (copy.size() != siteNames.size()) {
            resize(copy.size());
        }
        siteNames = copy;
    }

    /**
     * Records a mitigation applied outside the detector. Thread-safe and non-blocking; it shows in the report from
     * the next tick. Beyond 10,000 waiting mitigations, further ones are dropped and counted.
     *
     * @param at when it was applied
     * @param site the site's name, or null for an edge-wide mitigation
     * @param kind a short snake_case kind, e.g. {@code ban}, {@code challenge}, {@code state_forced},
     *     {@code nftables_export}
     * @param detail a human-readable detail (a prefix banned, for how long, by whom)
     */
    public void onMitigation(Instant at, String site, String kind, String detail) {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(kind, "kind");
        if (inboxSize.incrementAndGet() > MAX_INBOX) {
            inboxSize.decrementAndGet();
            droppedMitigations.incrementAndGet();
            return;
        }
        inbox.add(new IncidentReport.Mitigation(at, site, kind, detail == null ? "" : detail));
    }

    /** Mitigations dropped because too many were waiting for a tick. */
    public long droppedMitigations() {
        return droppedMitigations.get();
    }

    /**
     * Folds in one detector tick.
     *
     * @param now the tick's time, as given to {@code Detector.tick}
     * @param traffic the tick's harvest ({@code Detector.lastTraffic()})
     * @param global the tick's edge-wide signals ({@code Detector.globalSignals()}); may be null
     * @param events the tick's events, in the detector's order
     * @return the final reports of attacks that ended at this tick: usually none, at most one in practice
     */
    public synchronized List<IncidentReport> onTick(
            Instant now, TrafficSecond traffic, GlobalSignals global, List<DetectionEvent> events) {
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(traffic, "traffic");
        if (traffic.sites().size() != history.sites()) {
            resize(traffic.sites().size());
        }
        List<IncidentReport> ended = new ArrayList<>(0);
        for (IncidentReport.Mitigation m; (m = inbox.poll()) != null; ) {
            inboxSize.decrementAndGet();
            mitigation(m);
        }
        for (DetectionEvent e : events) {
            if (e instanceof DetectionEvent.StateChanged c) {
                stateChanged(c);
            } else if (e instanceof DetectionEvent.UplinkChanged u) {
                // Edge-wide, so no site: in the timeline beside the mitigations it may call for.
                mitigation(new IncidentReport.Mitigation(
                        u.at(), null, u.saturated() ? "uplink_saturated" : "uplink_recovered", u.reason()));
            }
        }
        for (DetectionEvent e : events) {
            switch (e) {
                case DetectionEvent.AttackStarted s -> {
                    if (open != null) {
                        ended.add(open.build(s.at(), s.at(), siteNames)); // its end was missed; close it here
                    }
                    open = opened(s.attack(), s.at());
                }
                case DetectionEvent.AttackUpdated u -> attack(u.attack(), u.at(), ended);
                case DetectionEvent.StateChanged c -> {}
                case DetectionEvent.UplinkChanged u -> {}
                case DetectionEvent.AttackEnded x -> {}
            }
        }
        if (open != null) {
            open.observe(traffic, global, states);
        } else {
            history.record(traffic);
        }
        for (DetectionEvent e : events) {
            if (e instanceof DetectionEvent.AttackEnded x) {
                attack(x.attack(), x.at(), ended);
                Instant end = x.attack().end() != null ? x.attack().end() : x.at();
                ended.add(open.build(end, end, siteNames));
                open = null;
            }
        }
        pruneRunUp(now);
        return ended;
    }

    /**
     * The report of the attack now open, built from what is known at the latest tick; empty when none is open.
     * Thread-safe. Its top prefixes are as of the detector's latest attack event.
     */
    public synchronized Optional<IncidentReport> current() {
        return open == null ? Optional.empty() : Optional.of(open.build(null, open.lastTick, siteNames));
    }

    /**
     * The id of the attack now open, empty when none is. Cheap, unlike {@link #current()}, which builds the whole
     * report: the incident desk asks every tick and builds the report only when it writes it (once a minute). Built
     * every second, the report's series walks cost the edge a C2 compilation of half a second in the middle of a
     * flood (bench/flood-cost.sh), for a result nobody read.
     */
    public synchronized Optional<String> openId() {
        return open == null ? Optional.empty() : Optional.of(open.id);
    }

    /** The id the open attack has now if it is the one that started at {@code start} (named since by the cluster). */
    public synchronized Optional<String> openIdStartedAt(Instant start) {
        return open != null && open.start.equals(start) ? Optional.of(open.id) : Optional.empty();
    }

    private void resize(int sites) {
        history = new History(sites);
        states = new SiteState[sites];
        Arrays.fill(states, SiteState.NORMAL);
        leftNormal = new Instant[sites];
    }

    private void attack(Attack a, Instant at, List<IncidentReport> ended) {
        if (open != null && !open.id.equals(a.id()) && open.start.equals(a.start())) {
            open.id = a.id(); // the same attack, named by the cluster (another edge declared it first)
        }
        if (open != null && !open.id.equals(a.id())) {
            ended.add(open.build(at, at, siteNames));
            open = null;
        }
        if (open == null) {
            open = opened(a, a.start()); // the recorder started mid-attack
        } else {
            open.update(a);
        }
    }

    private void mitigation(IncidentReport.Mitigation m) {
        if (open != null) {
            open.mitigation(m);
        } else if (runUpMitigations.size() < MAX_RUN_UP_ENTRIES) {
            runUpMitigations.add(m);
        }
    }

    private void stateChanged(DetectionEvent.StateChanged c) {
        if (c.site() >= 0 && c.site() < states.length) {
            states[c.site()] = c.to();
            if (c.from() == SiteState.NORMAL) {
                leftNormal[c.site()] = c.at();
            }
        }
        var change =
                new IncidentReport.StateChange(c.at(), c.siteName(), c.from().key(), c.to().key(), c.reason());
        if (open != null) {
            open.stateChanged(c, change);
        } else if (runUpChanges.size() < MAX_RUN_UP_ENTRIES) {
            runUpChanges.add(change);
        }
        if (c.to() == SiteState.UNDER_ATTACK) {
            mitigation(new IncidentReport.Mitigation(
                    c.at(),
                    c.siteName(),
                    UNDER_ATTACK_POLICY,
                    "protection state under_attack: challenge for clients without a valid cookie, heavy hitters"
                            + " banned, cache-only for anonymous GETs, origin bulkhead at its floor"));
        }
    }

    private void pruneRunUp(Instant now) {
        Instant oldest = now.minus(RUN_UP);
        runUpChanges.removeIf(c -> c.at().isBefore(oldest));
        runUpMitigations.removeIf(m -> m.at().isBefore(oldest));
    }

    private OpenAttack opened(Attack a, Instant detectedAt) {
        OpenAttack o = new OpenAttack(a, detectedAt, history);
        o.onset = onset(a, detectedAt);
        for (Iterator<IncidentReport.StateChange> it = runUpChanges.iterator(); it.hasNext(); ) {
            IncidentReport.StateChange c = it.next();
            if (!c.at().isBefore(o.onset) || o.targetNames().contains(c.site())) {
                o.changes.add(c);
            }
        }
        for (IncidentReport.Mitigation m : runUpMitigations) {
            if (!m.at().isBefore(o.onset)) {
                o.mitigation(m);
            }
        }
        runUpChanges.clear();
        runUpMitigations.clear();
        return o;
    }

    /**
     * The earliest of: each target's last departure from normal in the run-up, and the first tick of the unbroken
     * run of ticks, ending just before the attack, in which its rate was at or above its suspect threshold.
     */
    private Instant onset(Attack a, Instant detectedAt) {
        Instant onset = a.start().isBefore(detectedAt) ? a.start() : detectedAt;
        Instant runUpStart = detectedAt.minus(RUN_UP);
        for (AttackTarget t : a.targets()) {
            int site = t.site();
            if (site < 0 || site >= states.length) {
                continue;
            }
            Instant left = leftNormal[site];
            if (states[site] != SiteState.NORMAL
                    && left != null
                    && !left.isBefore(runUpStart)
                    && left.isBefore(onset)) {
                onset = left;
            }
            double threshold = detection.suspectThreshold(t.baselineRps());
            for (int i = history.size() - 1; i >= 0; i--) {
                int slot = history.slot(i);
                Instant end = Instant.ofEpochMilli(history.endMillis(slot));
                if (end.isBefore(runUpStart) || end.isAfter(detectedAt)) {
                    break;
                }
                if (history.get(site, slot, History.REQUESTS) / history.seconds(slot) < threshold) {
                    break;
                }
                if (end.isBefore(onset)) {
                    onset = end;
                }
            }
        }
        return onset;
    }
}
