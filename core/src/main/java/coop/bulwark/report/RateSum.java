package coop.bulwark.report;

/** Rates summed over targets, each over its own window; null when no target had a point in its window. */
final class RateSum {
    boolean any;
    double requests;
    double origin;

    void add(SpanSum w) {
        if (w.seconds > 0) {
            any = true;
            requests += w.requests / w.seconds;
            origin += w.origin / w.seconds;
        }
    }

    Double requests() {
        return any ? ReportNumbers.round(requests) : null;
    }

    Double origin() {
        return any ? ReportNumbers.round(origin) : null;
    }
}
