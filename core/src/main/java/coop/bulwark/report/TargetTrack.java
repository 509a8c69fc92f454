package coop.bulwark.report;

import coop.bulwark.detect.AttackTarget;
import java.time.Instant;

/** One target's live record. */
final class TargetTrack {
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

    TargetTrack(AttackTarget t) {
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
