package coop.bulwark.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A target's points in time order, from the run-up and its series. */
final class TargetPoints {
    final List<Long> end = new ArrayList<>();
    final List<double[]> v = new ArrayList<>();

    void add(long at, double sec, double req, double origin, double fail, double vouched, double distinct) {
        end.add(at);
        v.add(new double[] {sec, req, origin, fail, vouched, distinct});
    }

    /** The points ending in [from, to] (epoch milliseconds). */
    SpanSum window(long from, long to) {
        SpanSum w = new SpanSum();
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
            secs.add(ReportNumbers.round(sec));
            rps.add(ReportNumbers.round(x[1] / sec));
            origin.add(ReportNumbers.round(x[2] / sec));
            failures.add(ReportNumbers.round(x[3] / sec));
            vouched.add(x[1] == 0 ? null : ReportNumbers.roundShare(x[4] / x[1]));
            distinct.add(ReportNumbers.round(x[5]));
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
