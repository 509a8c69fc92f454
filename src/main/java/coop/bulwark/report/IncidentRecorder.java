package coop.bulwark.report;

import coop.bulwark.detect.Attack;
import coop.bulwark.detect.AttackTarget;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.detect.GlobalSignals;
import coop.bulwark.detect.HeavyHitter;
import coop.bulwark.detect.SiteSecond;
import coop.bulwark.detect.SiteState;
import coop.bulwark.detect.SpaceSaving;
import coop.bulwark.detect.TrafficSecond;
import coop.bulwark.protect.SourceKeys;
import coop.bulwark.site.DetectionConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private static final int WORST_BYSTANDERS = 5;
    private static final int TOP_SAMPLES = 8;
    /** Texts kept for path and User-Agent keys over one attack. */
    private static final int MAX_LABELS = 512;

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
    private Open open;

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
            }
        }
        for (DetectionEvent e : events) {
            switch (e) {
                case DetectionEvent.AttackStarted s -> {
                    if (open != null) {
                        ended.add(open.build(s.at(), s.at())); // its end was missed; close it here
                    }
                    open = opened(s.attack(), s.at());
                }
                case DetectionEvent.AttackUpdated u -> attack(u.attack(), u.at(), ended);
                case DetectionEvent.StateChanged c -> {}
                case DetectionEvent.AttackEnded x -> {}
            }
        }
        if (open != null) {
            open.observe(traffic, global);
        } else {
            history.record(traffic);
        }
        for (DetectionEvent e : events) {
            if (e instanceof DetectionEvent.AttackEnded x) {
                attack(x.attack(), x.at(), ended);
                Instant end = x.attack().end() != null ? x.attack().end() : x.at();
                ended.add(open.build(end, end));
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
        return open == null ? Optional.empty() : Optional.of(open.build(null, open.lastTick));
    }

    private void resize(int sites) {
        history = new History(sites);
        states = new SiteState[sites];
        Arrays.fill(states, SiteState.NORMAL);
        leftNormal = new Instant[sites];
    }

    private void attack(Attack a, Instant at, List<IncidentReport> ended) {
        if (open != null && !open.id.equals(a.id())) {
            ended.add(open.build(at, at));
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

    private Open opened(Attack a, Instant detectedAt) {
        Open o = new Open(a, detectedAt);
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

    /** One target's live record. */
    private static final class Track {
        final int site;
        final String name;
        final Instant since;
        Instant underAttackUntil;
        double peakRps;
        double baselineRps;
        double peakExcessRps;
        long requests;
        /** requests, origin responses, failures, vouched, distinct sources (max). */
        final Series series = new Series(false, false, false, false, true);

        Track(AttackTarget t) {
            site = t.site();
            name = t.name();
            since = t.since();
            merge(t);
        }

        void merge(AttackTarget t) {
            peakRps = Math.max(peakRps, t.peakRps());
            baselineRps = t.baselineRps();
            peakExcessRps = Math.max(peakExcessRps, t.peakExcessRps());
        }
    }

    /** The open attack. */
    private final class Open {
        final String id;
        final Instant start;
        final Instant detectedAt;
        double baselineTotalRps = Double.NaN;
        final History runUp;
        Instant onset;
        Attack latest;
        Instant lastTick;
        final Map<Integer, Track> targets = new LinkedHashMap<>();
        /** requests, failures, origin responses, origin milliseconds. */
        final Series bystanders = new Series(false, false, false, false);

        final long[] siteRequests;
        final long[] siteFailures;
        final List<IncidentReport.StateChange> changes = new ArrayList<>();
        final List<IncidentReport.Mitigation> mitigations = new ArrayList<>();
        long omitted;
        long underAttackRequests;
        long highEntropy;
        long vouched;
        final long[] methods = new long[4];
        /** The heaviest paths and User-Agents of the targets while under attack, and the texts seen for them. */
        final SpaceSaving paths = new SpaceSaving(32);

        final SpaceSaving agents = new SpaceSaving(32);
        final Map<Long, String> labels = new HashMap<>();
        double distinctPeak;
        double peakRps;
        double peakTotalRps;
        double peakUplink = Double.NaN;
        double peakSaturation = Double.NaN;

        Open(Attack a, Instant detectedAt) {
            id = a.id();
            start = a.start();
            this.detectedAt = detectedAt;
            this.lastTick = detectedAt;
            this.runUp = history;
            siteRequests = new long[history.sites()];
            siteFailures = new long[history.sites()];
            update(a);
        }

        List<String> targetNames() {
            return targets.values().stream().map(t -> t.name).toList();
        }

        void update(Attack a) {
            latest = a;
            peakRps = Math.max(peakRps, a.peakRps());
            for (AttackTarget t : a.targets()) {
                Track track = targets.get(t.site());
                if (track == null) {
                    targets.put(t.site(), new Track(t));
                } else {
                    track.merge(t);
                }
            }
        }

        void stateChanged(DetectionEvent.StateChanged c, IncidentReport.StateChange change) {
            add(changes, change);
            Track t = targets.get(c.site());
            if (t != null) {
                if (c.from() == SiteState.UNDER_ATTACK) {
                    t.underAttackUntil = c.at();
                } else if (c.to() == SiteState.UNDER_ATTACK) {
                    t.underAttackUntil = null;
                }
            }
        }

        void mitigation(IncidentReport.Mitigation m) {
            add(mitigations, m);
        }

        private <T> void add(List<T> list, T entry) {
            if (list.size() < MAX_ENTRIES) {
                list.add(entry);
            } else {
                omitted++;
            }
        }

        void observe(TrafficSecond traffic, GlobalSignals global) {
            lastTick = traffic.at();
            double seconds = traffic.seconds();
            long at = traffic.at().toEpochMilli();
            long requests = 0;
            long failures = 0;
            long origin = 0;
            double originMillis = 0;
            double targetRps = 0;
            double distinct = 0;
            int n = Math.min(traffic.sites().size(), siteRequests.length);
            for (int s = 0; s < n; s++) {
                SiteSecond x = traffic.sites().get(s);
                long fail = x.serverErrors() + x.timeouts();
                Track t = targets.get(s);
                if (t == null) {
                    siteRequests[s] += x.requests();
                    siteFailures[s] += fail;
                    requests += x.requests();
                    failures += fail;
                    origin += x.originResponses();
                    originMillis += x.originNanos() / 1e6;
                    continue;
                }
                t.series.add(at, seconds, x.requests(), x.originResponses(), fail, x.vouched(), x.distinctSources());
                t.requests += x.requests();
                double rps = x.requests() / seconds;
                t.peakRps = Math.max(t.peakRps, rps);
                t.peakExcessRps = Math.max(t.peakExcessRps, rps - t.baselineRps);
                targetRps += rps;
                distinct += x.distinctSources();
                if (states[s] == SiteState.UNDER_ATTACK) {
                    underAttackRequests += x.requests();
                    highEntropy += x.highEntropy();
                    vouched += x.vouched();
                    for (int m = 0; m < methods.length && m < x.methods().size(); m++) {
                        methods[m] += x.methods().get(m);
                    }
                    fold(paths, x.topPaths(), x.labels());
                    fold(agents, x.topUserAgents(), x.labels());
                }
            }
            bystanders.add(at, seconds, requests, failures, origin, originMillis);
            peakRps = Math.max(peakRps, targetRps);
            distinctPeak = Math.max(distinctPeak, distinct);
            if (global != null) {
                if (Double.isNaN(baselineTotalRps)) {
                    baselineTotalRps = global.baselineTotalRps();
                }
                peakTotalRps = Math.max(peakTotalRps, global.totalRps());
                peakUplink = maxKnown(peakUplink, global.uplinkUtilisation());
                peakSaturation = maxKnown(peakSaturation, global.originSaturation());
            } else {
                peakTotalRps = Math.max(peakTotalRps, traffic.requests() / seconds);
            }
        }

        IncidentReport build(Instant end, Instant generatedAt) {
            List<Track> ranked = new ArrayList<>(targets.values());
            ranked.sort(Comparator.comparingDouble((Track t) -> t.peakExcessRps).reversed());
            List<IncidentReport.Mitigation> mits = new ArrayList<>(mitigations);
            mits.sort(Comparator.comparing(IncidentReport.Mitigation::at));
            List<IncidentReport.StateChange> sc = new ArrayList<>(changes);
            sc.sort(Comparator.comparing(IncidentReport.StateChange::at));
            Instant until = end != null ? end : lastTick;

            List<String> names = targetNames();
            Instant firstMitigation = null;
            for (IncidentReport.Mitigation m : mits) {
                if (m.site() == null || names.contains(m.site())) {
                    firstMitigation = m.at();
                    break;
                }
            }

            List<IncidentReport.Target> reportTargets = new ArrayList<>();
            List<IncidentReport.TargetSeries> targetSeries = new ArrayList<>();
            long onsetMillis = onset.toEpochMilli();
            RateSum baselineSum = new RateSum();
            RateSum beforeSum = new RateSum();
            RateSum afterSum = new RateSum();
            for (Track t : ranked) {
                Points p = points(t);
                Instant mitigated = null;
                for (IncidentReport.Mitigation m : mits) {
                    if (m.site() == null || m.site().equals(t.name)) {
                        mitigated = m.at();
                        break;
                    }
                }
                // "After" ends when the target stops being under attack: from then on its origin sees its usual load.
                long toMillis = (t.underAttackUntil != null ? t.underAttackUntil : until).toEpochMilli();
                Window baseline = p.window(Long.MIN_VALUE, onsetMillis - 1);
                Window before = p.window(onsetMillis, mitigated == null ? toMillis : mitigated.toEpochMilli());
                Window after = mitigated == null ? new Window() : p.window(mitigated.toEpochMilli() + 1, toMillis);
                baselineSum.add(baseline);
                if (firstMitigation == null) {
                    beforeSum.add(p.window(onsetMillis, toMillis));
                } else {
                    beforeSum.add(p.window(onsetMillis, firstMitigation.toEpochMilli()));
                    afterSum.add(p.window(firstMitigation.toEpochMilli() + 1, toMillis));
                }
                reportTargets.add(new IncidentReport.Target(
                        t.name,
                        t.since,
                        t.underAttackUntil,
                        round(t.peakRps),
                        round(t.baselineRps),
                        round(Math.max(0, t.peakExcessRps)),
                        (long) p.window(onsetMillis, until.toEpochMilli()).requests,
                        mitigated,
                        baseline.originRate(),
                        before.originRate(),
                        after.originRate()));
                targetSeries.add(p.series(t.name));
            }

            Bystanders by = bystanders(ranked);
            return new IncidentReport(
                    id,
                    end == null ? IncidentReport.Status.ONGOING : IncidentReport.Status.ENDED,
                    start,
                    end,
                    detectedAt,
                    onset,
                    seconds(onset, detectedAt),
                    firstMitigation == null ? null : seconds(onset, firstMitigation),
                    reportTargets,
                    round(peakRps),
                    prefixes(),
                    signature(),
                    mits,
                    new IncidentReport.Effect(
                            firstMitigation,
                            baselineSum.origin(),
                            beforeSum.origin(),
                            afterSum.origin(),
                            beforeSum.requests(),
                            afterSum.requests()),
                    by.collateral,
                    new IncidentReport.EdgeLoad(
                            round(peakTotalRps),
                            Double.isNaN(baselineTotalRps) ? null : round(baselineTotalRps),
                            known(peakUplink),
                            known(peakSaturation)),
                    sc,
                    new IncidentReport.Timeline(targetSeries, by.series),
                    generatedAt);
        }

        private List<IncidentReport.Prefix> prefixes() {
            List<IncidentReport.Prefix> out = new ArrayList<>();
            if (latest == null) {
                return out;
            }
            for (HeavyHitter h : latest.topPrefixes()) {
                double share = underAttackRequests == 0 ? 0 : Math.min(1.0, (double) h.count() / underAttackRequests);
                out.add(new IncidentReport.Prefix(SourceKeys.text(h.key()), h.count(), roundShare(share)));
            }
            return out;
        }

        private void fold(SpaceSaving into, List<HeavyHitter> top, Map<Long, String> texts) {
            for (HeavyHitter h : top) {
                into.offer(h.key(), h.count());
                String text = texts.get(h.key());
                if (text != null && labels.size() < MAX_LABELS) {
                    labels.putIfAbsent(h.key(), text);
                }
            }
        }

        private List<IncidentReport.Sample> samples(SpaceSaving from, boolean path) {
            List<IncidentReport.Sample> out = new ArrayList<>();
            for (HeavyHitter h : from.top(TOP_SAMPLES)) {
                String text = !path && h.key() == 0 ? "(none sent)" : labels.get(h.key());
                if (text != null && path) {
                    int q = text.indexOf('?');
                    text = q >= 0 ? text.substring(0, q) : text;
                }
                if (text != null && text.length() > 200) {
                    text = text.substring(0, 200) + "…";
                }
                double share = underAttackRequests == 0 ? 0 : Math.min(1.0, (double) h.count() / underAttackRequests);
                out.add(new IncidentReport.Sample(text, h.count(), roundShare(share)));
            }
            return out;
        }

        private IncidentReport.Signature signature() {
            long total = underAttackRequests;
            IncidentReport.MethodMix mix = new IncidentReport.MethodMix(
                    share(methods[0], total),
                    share(methods[1], total),
                    share(methods[2], total),
                    share(methods[3], total));
            return new IncidentReport.Signature(
                    total,
                    mix,
                    share(highEntropy, total),
                    share(vouched, total),
                    round(distinctPeak),
                    samples(paths, true),
                    samples(agents, false));
        }

        /** A target's points: the run-up from the history, then its series. */
        private Points points(Track t) {
            Points p = new Points();
            long runUpStart = detectedAt.minus(RUN_UP).toEpochMilli();
            long firstSeries = t.series.size() > 0 ? t.series.end(0) : Long.MAX_VALUE;
            if (t.site < runUp.sites()) {
                for (int i = 0; i < runUp.size(); i++) {
                    int slot = runUp.slot(i);
                    long end = runUp.endMillis(slot);
                    if (end < runUpStart || end >= firstSeries) {
                        continue;
                    }
                    p.add(
                            end,
                            runUp.seconds(slot),
                            runUp.get(t.site, slot, History.REQUESTS),
                            runUp.get(t.site, slot, History.ORIGIN),
                            runUp.get(t.site, slot, History.FAILURES),
                            runUp.get(t.site, slot, History.VOUCHED),
                            runUp.get(t.site, slot, History.DISTINCT));
                }
            }
            Series s = t.series;
            for (int i = 0; i < s.size(); i++) {
                p.add(
                        s.end(i),
                        s.seconds(i),
                        s.value(0, i),
                        s.value(1, i),
                        s.value(2, i),
                        s.value(3, i),
                        s.value(4, i));
            }
            return p;
        }

        private record Bystanders(IncidentReport.Collateral collateral, IncidentReport.BystanderSeries series) {}

        private Bystanders bystanders(List<Track> ranked) {
            boolean[] target = new boolean[Math.max(runUp.sites(), siteRequests.length)];
            for (Track t : ranked) {
                if (t.site < target.length) {
                    target[t.site] = true;
                }
            }
            List<Long> ts = new ArrayList<>();
            List<Double> secs = new ArrayList<>();
            List<Double> rps = new ArrayList<>();
            List<Double> success = new ArrayList<>();
            List<Double> latency = new ArrayList<>();
            long runUpStart = detectedAt.minus(RUN_UP).toEpochMilli();
            long onsetMillis = onset.toEpochMilli();
            long firstSeries = bystanders.size() > 0 ? bystanders.end(0) : Long.MAX_VALUE;
            Window before = new Window();
            for (int i = 0; i < runUp.size(); i++) {
                int slot = runUp.slot(i);
                long end = runUp.endMillis(slot);
                if (end < runUpStart || end >= firstSeries) {
                    continue;
                }
                double req = 0;
                double fail = 0;
                double origin = 0;
                double millis = 0;
                for (int s = 0; s < runUp.sites(); s++) {
                    if (!target[s]) {
                        req += runUp.get(s, slot, History.REQUESTS);
                        fail += runUp.get(s, slot, History.FAILURES);
                        origin += runUp.get(s, slot, History.ORIGIN);
                        millis += runUp.get(s, slot, History.ORIGIN_MILLIS);
                    }
                }
                double sec = runUp.seconds(slot);
                point(ts, secs, rps, success, latency, end, sec, req, fail, origin, millis);
                if (end < onsetMillis) {
                    before.add(sec, req, origin, fail, millis);
                }
            }
            Window during = new Window();
            for (int i = 0; i < bystanders.size(); i++) {
                double sec = bystanders.seconds(i);
                double req = bystanders.value(0, i);
                double fail = bystanders.value(1, i);
                double origin = bystanders.value(2, i);
                double millis = bystanders.value(3, i);
                point(ts, secs, rps, success, latency, bystanders.end(i), sec, req, fail, origin, millis);
                during.add(sec, req, origin, fail, millis);
            }

            List<IncidentReport.SiteImpact> worst = new ArrayList<>();
            for (int s = 0; s < siteRequests.length; s++) {
                if (!target[s] && siteRequests[s] > 0 && siteFailures[s] > 0) {
                    String name = s < siteNames.size() ? siteNames.get(s) : "site #" + s;
                    worst.add(new IncidentReport.SiteImpact(
                            name, siteRequests[s], roundShare(1 - (double) siteFailures[s] / siteRequests[s])));
                }
            }
            worst.sort(Comparator.comparingDouble(IncidentReport.SiteImpact::successShare)
                    .thenComparing(Comparator.comparingLong(IncidentReport.SiteImpact::requests)
                            .reversed()));
            if (worst.size() > WORST_BYSTANDERS) {
                worst = new ArrayList<>(worst.subList(0, WORST_BYSTANDERS));
            }
            // Named sites only: the detector accounts indexes in blocks, and unused ones have an empty name.
            int sites = 0;
            for (int s = 0; s < siteNames.size(); s++) {
                if (!siteNames.get(s).isEmpty() && !(s < target.length && target[s])) {
                    sites++;
                }
            }
            var collateral = new IncidentReport.Collateral(
                    Math.max(0, sites),
                    (long) during.requests,
                    during.successShare(),
                    before.successShare(),
                    during.latency(),
                    before.latency(),
                    before.rateOrNull(before.requests),
                    during.rateOrNull(during.requests),
                    worst);
            var series = new IncidentReport.BystanderSeries(
                    Collections.unmodifiableList(ts),
                    Collections.unmodifiableList(secs),
                    Collections.unmodifiableList(rps),
                    Collections.unmodifiableList(success),
                    Collections.unmodifiableList(latency));
            return new Bystanders(collateral, series);
        }

        private static void point(
                List<Long> ts,
                List<Double> secs,
                List<Double> rps,
                List<Double> success,
                List<Double> latency,
                long end,
                double sec,
                double req,
                double fail,
                double origin,
                double millis) {
            ts.add(end);
            secs.add(round(sec));
            rps.add(round(req / sec));
            success.add(req == 0 ? null : roundShare(1 - fail / req));
            latency.add(origin == 0 ? null : round(millis / origin));
        }
    }

    /** Sums over a span of points; rates are per second of the span. */
    private static final class Window {
        double seconds;
        double requests;
        double origin;
        double failures;
        double originMillis;

        void add(double sec, double req, double orig, double fail, double millis) {
            seconds += sec;
            requests += req;
            origin += orig;
            failures += fail;
            originMillis += millis;
        }

        Double rateOrNull(double sum) {
            return seconds > 0 ? round(sum / seconds) : null;
        }

        Double originRate() {
            return rateOrNull(origin);
        }

        Double successShare() {
            return requests > 0 ? roundShare(1 - failures / requests) : null;
        }

        Double latency() {
            return origin > 0 ? round(originMillis / origin) : null;
        }
    }

    /** Rates summed over targets, each over its own window; null when no target had a point in its window. */
    private static final class RateSum {
        boolean any;
        double requests;
        double origin;

        void add(Window w) {
            if (w.seconds > 0) {
                any = true;
                requests += w.requests / w.seconds;
                origin += w.origin / w.seconds;
            }
        }

        Double requests() {
            return any ? round(requests) : null;
        }

        Double origin() {
            return any ? round(origin) : null;
        }
    }

    /** A target's points in time order, from the run-up and its series. */
    private static final class Points {
        final List<Long> end = new ArrayList<>();
        final List<double[]> v = new ArrayList<>();

        void add(long at, double sec, double req, double origin, double fail, double vouched, double distinct) {
            end.add(at);
            v.add(new double[] {sec, req, origin, fail, vouched, distinct});
        }

        /** The points ending in [from, to] (epoch milliseconds). */
        Window window(long from, long to) {
            Window w = new Window();
            for (int i = 0; i < end.size(); i++) {
                long t = end.get(i);
                if (t >= from && t <= to) {
                    double[] x = v.get(i);
                    w.add(x[0], x[1], x[2], x[3], 0);
                }
            }
            return w;
        }

        IncidentReport.TargetSeries series(String name) {
            List<Double> secs = new ArrayList<>(end.size());
            List<Double> rps = new ArrayList<>(end.size());
            List<Double> origin = new ArrayList<>(end.size());
            List<Double> failures = new ArrayList<>(end.size());
            List<Double> vouched = new ArrayList<>(end.size());
            List<Double> distinct = new ArrayList<>(end.size());
            for (double[] x : v) {
                double sec = x[0];
                secs.add(round(sec));
                rps.add(round(x[1] / sec));
                origin.add(round(x[2] / sec));
                failures.add(round(x[3] / sec));
                vouched.add(x[1] == 0 ? null : roundShare(x[4] / x[1]));
                distinct.add(round(x[5]));
            }
            return new IncidentReport.TargetSeries(
                    name,
                    Collections.unmodifiableList(new ArrayList<>(end)),
                    Collections.unmodifiableList(secs),
                    Collections.unmodifiableList(rps),
                    Collections.unmodifiableList(origin),
                    Collections.unmodifiableList(failures),
                    Collections.unmodifiableList(vouched),
                    Collections.unmodifiableList(distinct));
        }
    }

    private static double maxKnown(double current, double value) {
        if (Double.isNaN(value)) {
            return current;
        }
        return Double.isNaN(current) ? value : Math.max(current, value);
    }

    private static Double known(double v) {
        return Double.isNaN(v) ? null : roundShare(v);
    }

    private static Double share(long part, long total) {
        return total == 0 ? null : roundShare((double) part / total);
    }

    private static Double seconds(Instant from, Instant to) {
        return round(Math.max(0, Duration.between(from, to).toMillis() / 1000.0));
    }

    static double round(double v) {
        return Math.round(v * 1_000) / 1_000.0;
    }

    static double roundShare(double v) {
        return Math.round(v * 100_000) / 100_000.0;
    }
}
