package coop.bulwark.lab;

import java.util.Arrays;
import java.util.List;

/** Lab outcomes made up for the report tests: the seed's story, a quiet scenario, a third run and a new marker. */
final class LabOutcomes {
    private LabOutcomes() {}

    static LabReport.Run run(String name, double bystanders, double targets, long sent, long reached, Double detected) {
        return new LabReport.Run(
                name,
                new LabReport.Bystanders(bystanders, 3L, 1693L),
                new LabReport.Targets(List.of("site-0017", "site-0342"), targets, 1636L),
                new LabReport.Attack(
                        sent,
                        reached,
                        detected,
                        detected == null ? null : 2,
                        detected == null ? List.of() : List.of("site-0342", "site-0017"),
                        detected == null ? 0 : 1,
                        List.of()),
                16L);
    }

    static LabReport seed() {
        return new LabReport(
                "seed",
                850,
                31,
                "Linux, 2 cores",
                List.of(
                        run("unprotected", 0.174, 0.1034, 42_235, 41_235, null),
                        run("bulwark", 1.0, 0.9559, 44_979, 576, 2.0)));
    }

    static LabReport quiet() {
        return new LabReport(
                "quiet",
                850,
                20,
                "Linux, 2 cores",
                List.of(run("unprotected", 0.9994, 0.9990, 0, 0, null), run("bulwark", 0.9996, 0.9991, 0, 0, null)));
    }

    /** Per-second series of {@code seconds}, with phases and the given markers. */
    static LabReport.Series series(String name, int seconds, double dip, List<LabReport.Marker> markers) {
        double[] by = new double[seconds];
        double[] tg = new double[seconds];
        long[] sent = new long[seconds];
        long[] atOrigin = new long[seconds];
        Arrays.fill(by, 100);
        Arrays.fill(tg, 100);
        for (int s = 5; s < 27 && s < seconds; s++) {
            by[s] = dip;
            tg[s] = dip / 2;
            sent[s] = 2000;
            atOrigin[s] = Math.round(20 * dip);
        }
        tg[3] = Double.NaN;
        double[] p99 = new double[seconds];
        for (int s = 0; s < seconds; s++) {
            p99[s] = 40 + 300 * (1 - by[s] / 100);
        }
        p99[3] = Double.NaN;
        long[] busy = new long[seconds];
        Arrays.fill(busy, 7);
        return new LabReport.Series(
                name,
                List.of("warm-up", "flood", "flood+slowloris", "after"),
                List.of(0, 5, 17, 27),
                by,
                tg,
                p99,
                sent,
                atOrigin,
                new long[seconds],
                busy,
                new long[seconds],
                markers);
    }
}
