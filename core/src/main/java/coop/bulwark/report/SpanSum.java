package coop.bulwark.report;

/** Sums over a span of points; rates are per second of the span. */
final class SpanSum {
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
        return seconds > 0 ? ReportNumbers.round(sum / seconds) : null;
    }

    Double originRate() {
        return rateOrNull(origin);
    }

    Double successShare() {
        return requests > 0 ? ReportNumbers.roundShare(1 - failures / requests) : null;
    }

    Double latency() {
        return origin > 0 ? ReportNumbers.round(originMillis / origin) : null;
    }
}
