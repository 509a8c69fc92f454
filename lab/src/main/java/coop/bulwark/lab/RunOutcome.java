package coop.bulwark.lab;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A recorded run ({@link RunRecorder}) turned into what the lab reports: the outcome over the measurement window
 * (the JSON's run), the edge's cost, and the per-second series the HTML draws.
 */
final class RunOutcome {
    private RunOutcome() {}

    /**
     * The edge's CPU over the run against every request the lab's clients sent (people's and the attack's), the same
     * count for every edge tried, so the figures compare.
     */
    static LabReport.EdgeCost edgeCost(double cpu, RunRecorder rec) {
        if (Double.isNaN(cpu)) {
            return null;
        }
        int to = rec.seconds + 1;
        long requests = RunRecorder.sum(rec.bystanderOk, 0, to)
                + RunRecorder.sum(rec.bystanderFailed, 0, to)
                + RunRecorder.sum(rec.targetOk, 0, to)
                + RunRecorder.sum(rec.targetFailed, 0, to)
                + RunRecorder.sum(rec.attackSent, 0, to);
        return new LabReport.EdgeCost(
                Math.round(cpu * 100) / 100.0, requests > 0 ? Math.round(cpu * 1e7 / requests) / 10.0 : null);
    }

    /** The run's figures over its measurement window {@code from}..{@code to} (seconds, end exclusive). */
    static LabReport.Run of(
            Scenario scenario,
            String name,
            RunRecorder rec,
            int from,
            int to,
            DetectionWatch watch,
            Instant attackStart,
            ClientSide clients) {
        long[] by = rec.bystanderLatencies();
        long[] tg = rec.targetLatencies();
        boolean attacked = scenario.phases().stream().anyMatch(p -> !p.attacks().isEmpty());
        LabReport.Onset onset = null;
        if (attacked) {
            long[] first = rec.bystanderOnsetLatencies();
            int until = Math.min(to, from + RunRecorder.ONSET_SECONDS);
            onset = new LabReport.Onset(
                    until - from,
                    Outcomes.successRate(
                            RunRecorder.sum(rec.bystanderOk, from, until),
                            RunRecorder.sum(rec.bystanderFailed, from, until)),
                    Outcomes.percentile(first, 50),
                    Outcomes.percentile(first, 99));
        }
        var bystanders = new LabReport.Bystanders(
                Outcomes.successRate(
                        RunRecorder.sum(rec.bystanderOk, from, to), RunRecorder.sum(rec.bystanderFailed, from, to)),
                Outcomes.percentile(by, 50),
                Outcomes.percentile(by, 99),
                Outcomes.successRate(
                        RunRecorder.sum(rec.nojsBystanderOk, from, to),
                        RunRecorder.sum(rec.nojsBystanderFailed, from, to)),
                null,
                onset,
                p99BySecond(rec, from, to));
        LabReport.Chromium chromium = null;
        if (scenario.legit().chromiumReaders() > 0 && clients.people()) {
            long ok = rec.chromiumOk.get();
            long failed = rec.chromiumFailed.get();
            chromium = new LabReport.Chromium(
                    scenario.legit().chromiumReaders(),
                    ok + failed,
                    Outcomes.successRate(ok, failed),
                    Outcomes.percentile(rec.chromiumLatencies(), 50));
        }
        var targets = new LabReport.Targets(
                scenario.targets(),
                Outcomes.successRate(
                        RunRecorder.sum(rec.targetOk, from, to), RunRecorder.sum(rec.targetFailed, from, to)),
                Outcomes.percentile(tg, 99),
                Outcomes.successRate(
                        RunRecorder.sum(rec.nojsTargetOk, from, to), RunRecorder.sum(rec.nojsTargetFailed, from, to)),
                chromium);
        Integer mitigated = null;
        if (attacked) {
            long[] sent = new long[to - from];
            long[] reached = new long[to - from];
            for (int s = from; s < to; s++) {
                sent[s - from] = rec.attackSent.get(s);
                reached[s - from] = rec.originAttack[s];
            }
            mitigated = Outcomes.mitigatedAfter(sent, reached, LabRun.MITIGATED_FRACTION);
        }
        // All attack requests of the run (sent in a phase, some answered just after it): the whole run, not the window.
        var attack = new LabReport.Attack(
                RunRecorder.sum(rec.attackSent, 0, rec.seconds + 1),
                RunRecorder.sum(rec.originAttack, 0, rec.seconds + 1),
                watch == null ? null : watch.detectedAfterS(attackStart),
                mitigated,
                watch == null ? List.of() : watch.namedTargets(),
                watch == null ? 0 : watch.attacksDeclared(),
                List.of());
        return new LabReport.Run(name, bystanders, targets, attack, rec.challengesSolved.get());
    }

    /** The bystanders' p99 of each second of the window (null where no request began). */
    static List<Long> p99BySecond(RunRecorder rec, int from, int to) {
        var p99 = new ArrayList<Long>();
        for (int s = from; s < Math.min(to, rec.seconds + 1); s++) {
            p99.add(Outcomes.percentile(rec.bystanderLatencies(s), 99));
        }
        return p99;
    }

    /** Per-second series of the run, for the HTML report (not part of the JSON contract). */
    static LabReport.Series series(
            Scenario scenario, String name, RunRecorder rec, List<Integer> starts, List<LabReport.Marker> markers) {
        int n = rec.seconds;
        double[] by = new double[n];
        double[] tg = new double[n];
        long[] sent = new long[n];
        double[] p99 = new double[n];
        List<Long> p99s = p99BySecond(rec, 0, n);
        for (int s = 0; s < n; s++) {
            Long q = p99s.get(s);
            p99[s] = q == null ? Double.NaN : q;
            Double b = Outcomes.successRate(rec.bystanderOk.get(s), rec.bystanderFailed.get(s));
            Double g = Outcomes.successRate(rec.targetOk.get(s), rec.targetFailed.get(s));
            by[s] = b == null ? Double.NaN : b * 100;
            tg[s] = g == null ? Double.NaN : g * 100;
            sent[s] = rec.attackSent.get(s);
        }
        return new LabReport.Series(
                name,
                scenario.phases().stream().map(Scenario.Phase::name).toList(),
                starts,
                by,
                tg,
                p99,
                sent,
                Arrays.copyOf(rec.originAttack, n),
                Arrays.copyOf(rec.originLegit, n),
                Arrays.copyOf(rec.originBusy, n),
                Arrays.copyOf(rec.originQueued, n),
                markers);
    }
}
