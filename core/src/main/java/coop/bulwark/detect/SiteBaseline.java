package coop.bulwark.detect;

import coop.bulwark.site.DetectionConfig;
import java.util.EnumSet;

/**
 * One site's baselines: a short-window (seconds) average of its request rate, and long-window (minutes) averages
 * of its rate, failure share, distinct sources, origin latency, unvouched rate and high-entropy share. Turns a
 * {@link SiteSecond} into {@link Signals}.
 *
 * <p>Not thread-safe: confined to the detection tick.
 *
 * <p>Blind spots: an EWMA has no notion of time of day, so a site whose evening peak is far above its daily mean
 * is judged against the last {@code longWindow}, not against yesterday evening (the ratio and dwell absorb usual
 * diurnal ramps, which are slow); and a site that is flooded from the moment detection starts learns the flood
 * during {@code warmup}.
 */
final class SiteBaseline {
    private DetectionConfig config;
    private final Ewma shortRate;
    private final Ewma rate;
    private final Ewma failureShare;
    private final Ewma distinct;
    private final Ewma originMillis;
    private final Ewma unvouchedRate;
    private final Ewma highEntropyShare;

    SiteBaseline(DetectionConfig config) {
        this.config = config;
        double shortTau = config.shortWindow().toNanos() / 1e9;
        double longTau = config.longWindow().toNanos() / 1e9;
        shortRate = new Ewma(shortTau);
        rate = new Ewma(longTau);
        failureShare = new Ewma(longTau);
        distinct = new Ewma(longTau);
        originMillis = new Ewma(longTau);
        unvouchedRate = new Ewma(longTau);
        highEntropyShare = new Ewma(longTau);
    }

    /** New thresholds and windows from a reload; the averages learned so far are kept. */
    void reconfigure(DetectionConfig next) {
        config = next;
        double shortTau = next.shortWindow().toNanos() / 1e9;
        double longTau = next.longWindow().toNanos() / 1e9;
        shortRate.retune(shortTau);
        for (Ewma e : new Ewma[] {rate, failureShare, distinct, originMillis, unvouchedRate, highEntropyShare}) {
            e.retune(longTau);
        }
    }

    double rateRps() {
        return rate.value();
    }

    /** Updates the short window and computes this interval's signals against the long baselines. */
    Signals observe(SiteSecond s, double seconds) {
        double r = s.requests() / seconds;
        shortRate.update(r, seconds);
        double base = rate.value();
        double excess = r - base;

        double unvouched = (s.requests() - s.vouched()) / seconds;
        double unvouchedExcess = excess <= 0 ? 0 : clamp01((unvouched - unvouchedRate.value()) / excess);
        double failures = s.failureShare();
        double baseFailures = failureShare.value();
        double entropy = s.requests() == 0 ? 0 : (double) s.highEntropy() / s.requests();
        double latency = s.meanOriginNanos() < 0 ? -1 : s.meanOriginNanos() / 1e6;

        Signals.Grade grade = r >= config.attackThreshold(base)
                ? Signals.Grade.EXTREME
                : r >= config.suspectThreshold(base) ? Signals.Grade.ELEVATED : Signals.Grade.USUAL;
        EnumSet<HostileSign> hostile = EnumSet.noneOf(HostileSign.class);
        if (grade != Signals.Grade.USUAL) {
            if (unvouchedExcess >= config.unvouchedExcessShare()) {
                hostile.add(HostileSign.UNVOUCHED_EXCESS);
            }
            double failureBar =
                    Math.max(config.failureRatio() * baseFailures, baseFailures + config.failureShareFloor());
            if (failures >= failureBar && (s.serverErrors() + s.timeouts()) / seconds >= config.failureMinPerSecond()) {
                hostile.add(HostileSign.FAILURES);
            }
            if (entropy >= config.highEntropyShare() && entropy >= 2 * highEntropyShare.value()) {
                hostile.add(HostileSign.CACHE_BUSTING);
            }
            if (s.topPrefixShare() >= config.concentratedShare()) {
                hostile.add(HostileSign.CONCENTRATED);
            }
        }
        return new Signals(
                r,
                shortRate.value(),
                base,
                s.distinctSources() / seconds,
                distinct.value(),
                failures,
                baseFailures,
                unvouchedExcess,
                entropy,
                s.topPrefixShare(),
                latency,
                originMillis.value(-1),
                grade,
                hostile);
    }

    /** Folds this interval into the long baselines; the caller decides whether the traffic is fit to learn. */
    void learn(SiteSecond s, double seconds) {
        rate.update(s.requests() / seconds, seconds);
        distinct.update(s.distinctSources() / seconds, seconds);
        unvouchedRate.update((s.requests() - s.vouched()) / seconds, seconds);
        if (s.requests() > 0) {
            failureShare.update(s.failureShare(), seconds);
            highEntropyShare.update((double) s.highEntropy() / s.requests(), seconds);
        }
        if (s.originResponses() > 0) {
            originMillis.update(s.meanOriginNanos() / 1e6, seconds);
        }
    }

    private static double clamp01(double v) {
        return v < 0 ? 0 : v > 1 ? 1 : v;
    }
}
