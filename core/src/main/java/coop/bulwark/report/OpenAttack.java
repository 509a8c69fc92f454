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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The open attack being assembled: its targets' live records, the bystanders' series, the state changes and
 * mitigations, and the signature of its traffic; {@link #build} makes the report. Confined to the lock of the
 * {@link IncidentRecorder} that owns it.
 */
final class OpenAttack {
    /** Not final: an attack another edge of the cluster declared first takes its id. */
    String id;

    final Instant start;
    final Instant detectedAt;
    double baselineTotalRps = Double.NaN;
    final History runUp;
    Instant onset;
    Attack latest;
    Instant lastTick;
    final Map<Integer, TargetTrack> targets = new LinkedHashMap<>();
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

    OpenAttack(Attack a, Instant detectedAt, History runUp) {
        id = a.id();
        start = a.start();
        this.detectedAt = detectedAt;
        this.lastTick = detectedAt;
        this.runUp = runUp;
        siteRequests = new long[runUp.sites()];
        siteFailures = new long[runUp.sites()];
        update(a);
    }

    List<String> targetNames() {
        return targets.values().stream().map(t -> t.name).toList();
    }

    void update(Attack a) {
        latest = a;
        peakRps = Math.max(peakRps, a.peakRps());
        for (AttackTarget t : a.targets()) {
            TargetTrack track = targets.get(t.site());
            if (track == null) {
                targets.put(t.site(), new TargetTrack(t));
            } else {
                track.merge(t);
            }
        }
    }

    void stateChanged(DetectionEvent.StateChanged c, IncidentReport.StateChange change) {
        add(changes, change);
        TargetTrack t = targets.get(c.site());
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
        if (list.size() < IncidentRecorder.MAX_ENTRIES) {
            list.add(entry);
        } else {
            omitted++;
        }
    }

    void observe(TrafficSecond traffic, GlobalSignals global, SiteState[] states) {
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
            TargetTrack t = targets.get(s);
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

    IncidentReport build(Instant end, Instant generatedAt, List<String> siteNames) {
        List<TargetTrack> ranked = new ArrayList<>(targets.values());
        ranked.sort(
                Comparator.comparingDouble((TargetTrack t) -> t.peakExcessRps).reversed());
        List<IncidentReport.Mitigation> mits = new ArrayList<>(mitigations);
        mits.sort(Comparator.comparing(IncidentReport.Mitigation::at));
        List<IncidentReport.StateChange> sc = new ArrayList<>(changes);
        sc.sort(Comparator.comparing(IncidentReport.StateChange::at));
        Instant until = end != null ? end : lastTick;

        List<String> names = targetNames();
        Instant firstMitigation = null;
        for (IncidentReport.Mitigation m : mits) {
            if (!m.observation() && (m.site() == null || names.contains(m.site()))) {
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
        for (TargetTrack t : ranked) {
            TargetPoints p = points(t);
            Instant mitigated = null;
            for (IncidentReport.Mitigation m : mits) {
                if (!m.observation() && (m.site() == null || m.site().equals(t.name))) {
                    mitigated = m.at();
                    break;
                }
            }
            // "After" ends when the target stops being under attack: from then on its origin sees its usual load.
            long toMillis = (t.underAttackUntil != null ? t.underAttackUntil : until).toEpochMilli();
            SpanSum baseline = p.window(Long.MIN_VALUE, onsetMillis - 1);
            SpanSum before = p.window(onsetMillis, mitigated == null ? toMillis : mitigated.toEpochMilli());
            SpanSum after = mitigated == null ? new SpanSum() : p.window(mitigated.toEpochMilli() + 1, toMillis);
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
                    ReportNumbers.round(t.peakRps),
                    ReportNumbers.round(t.baselineRps),
                    ReportNumbers.round(Math.max(0, t.peakExcessRps)),
                    (long) p.window(onsetMillis, until.toEpochMilli()).requests,
                    mitigated,
                    baseline.originRate(),
                    before.originRate(),
                    after.originRate()));
            targetSeries.add(p.series(t.name));
        }

        Bystanders by = bystanders(ranked, siteNames);
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
                ReportNumbers.round(peakRps),
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
                        ReportNumbers.round(peakTotalRps),
                        Double.isNaN(baselineTotalRps) ? null : ReportNumbers.round(baselineTotalRps),
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
            out.add(new IncidentReport.Prefix(SourceKeys.text(h.key()), h.count(), ReportNumbers.roundShare(share)));
        }
        return out;
    }

    private void fold(SpaceSaving into, List<HeavyHitter> top, Map<Long, String> texts) {
        for (HeavyHitter h : top) {
            into.offer(h.key(), h.count());
            String text = texts.get(h.key());
            if (text != null && labels.size() < IncidentRecorder.MAX_LABELS) {
                labels.putIfAbsent(h.key(), text);
            }
        }
    }

    private List<IncidentReport.Sample> samples(SpaceSaving from, boolean path) {
        List<IncidentReport.Sample> out = new ArrayList<>();
        for (HeavyHitter h : from.top(IncidentRecorder.TOP_SAMPLES)) {
            String text = !path && h.key() == 0 ? "(none sent)" : labels.get(h.key());
            if (text != null && path) {
                int q = text.indexOf('?');
                text = q >= 0 ? text.substring(0, q) : text;
            }
            if (text != null && text.length() > 200) {
                text = text.substring(0, 200) + "…";
            }
            double share = underAttackRequests == 0 ? 0 : Math.min(1.0, (double) h.count() / underAttackRequests);
            out.add(new IncidentReport.Sample(text, h.count(), ReportNumbers.roundShare(share)));
        }
        return out;
    }

    private IncidentReport.Signature signature() {
        long total = underAttackRequests;
        IncidentReport.MethodMix mix = new IncidentReport.MethodMix(
                share(methods[0], total), share(methods[1], total), share(methods[2], total), share(methods[3], total));
        return new IncidentReport.Signature(
                total,
                mix,
                share(highEntropy, total),
                share(vouched, total),
                ReportNumbers.round(distinctPeak),
                samples(paths, true),
                samples(agents, false));
    }

    /** A target's points: the run-up from the history, then its series. */
    private TargetPoints points(TargetTrack t) {
        TargetPoints p = new TargetPoints();
        long runUpStart = detectedAt.minus(IncidentRecorder.RUN_UP).toEpochMilli();
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
            p.add(s.end(i), s.seconds(i), s.value(0, i), s.value(1, i), s.value(2, i), s.value(3, i), s.value(4, i));
        }
        return p;
    }

    private record Bystanders(IncidentReport.Collateral collateral, IncidentReport.BystanderSeries series) {}

    private Bystanders bystanders(List<TargetTrack> ranked, List<String> siteNames) {
        boolean[] target = new boolean[Math.max(runUp.sites(), siteRequests.length)];
        for (TargetTrack t : ranked) {
            if (t.site < target.length) {
                target[t.site] = true;
            }
        }
        List<Long> ts = new ArrayList<>();
        List<Double> secs = new ArrayList<>();
        List<Double> rps = new ArrayList<>();
        List<Double> success = new ArrayList<>();
        List<Double> latency = new ArrayList<>();
        long runUpStart = detectedAt.minus(IncidentRecorder.RUN_UP).toEpochMilli();
        long onsetMillis = onset.toEpochMilli();
        long firstSeries = bystanders.size() > 0 ? bystanders.end(0) : Long.MAX_VALUE;
        SpanSum before = new SpanSum();
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
        SpanSum during = new SpanSum();
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
                        name,
                        siteRequests[s],
                        ReportNumbers.roundShare(1 - (double) siteFailures[s] / siteRequests[s])));
            }
        }
        worst.sort(Comparator.comparingDouble(IncidentReport.SiteImpact::successShare)
                .thenComparing(Comparator.comparingLong(IncidentReport.SiteImpact::requests)
                        .reversed()));
        if (worst.size() > IncidentRecorder.WORST_BYSTANDERS) {
            worst = new ArrayList<>(worst.subList(0, IncidentRecorder.WORST_BYSTANDERS));
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
        secs.add(ReportNumbers.round(sec));
        rps.add(ReportNumbers.round(req / sec));
        success.add(req == 0 ? null : ReportNumbers.roundShare(1 - fail / req));
        latency.add(origin == 0 ? null : ReportNumbers.round(millis / origin));
    }

    private static double maxKnown(double current, double value) {
        if (Double.isNaN(value)) {
            return current;
        }
        return Double.isNaN(current) ? value : Math.max(current, value);
    }

    private static Double known(double v) {
        return Double.isNaN(v) ? null : ReportNumbers.roundShare(v);
    }

    private static Double share(long part, long total) {
        return total == 0 ? null : ReportNumbers.roundShare((double) part / total);
    }

    private static Double seconds(Instant from, Instant to) {
        return ReportNumbers.round(Math.max(0, Duration.between(from, to).toMillis() / 1000.0));
    }
}
