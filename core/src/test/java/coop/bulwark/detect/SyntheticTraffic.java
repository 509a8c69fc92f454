package coop.bulwark.detect;

import coop.bulwark.site.DetectionConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Test driver: records synthetic visitors and floods into one recorder and ticks a {@link Detector} on a fake
 * clock, one simulated second per {@link #tick}. Seeded; not thread-safe.
 */
final class SyntheticTraffic {
    static final Instant EPOCH = Instant.parse("2026-11-25T08:00:00Z");

    final TrafficAccounting accounting;
    final Detector detector;
    final List<DetectionEvent> events = new ArrayList<>();
    private final TrafficRecorder recorder;
    private final SplittableRandom random;
    private Instant now = EPOCH;

    SyntheticTraffic(int sites, DetectionConfig config, long seed) {
        accounting = new TrafficAccounting(sites, 1, seed);
        recorder = accounting.recorder(0);
        detector = new Detector(
                config,
                accounting,
                IntStream.range(0, sites).mapToObj(i -> "site" + i + ".coop").toList());
        random = new SplittableRandom(seed);
    }

    Instant now() {
        return now;
    }

    /**
     * {@code n} human page views on {@code site}: a {@code vouchedShare} of them from the site's 2,000 returning
     * visitors (with a valid cookie), the rest from first-time visitors spread over the whole IPv4 space.
     */
    void visitors(int site, int n, double vouchedShare) {
        for (int i = 0; i < n; i++) {
            boolean vouched = random.nextDouble() < vouchedShare;
            long source = vouched ? ((long) site << 20 | random.nextInt(2_000)) * 0x9E37L : random.nextLong(1L << 32);
            recorder.record(
                    new RequestTraits(
                            site,
                            source,
                            source >>> 8,
                            TrafficRecorder.METHOD_GET,
                            random.nextInt(50),
                            random.nextInt(10) == 0 ? 1 : 0,
                            random.nextInt(5),
                            vouched,
                            vouched,
                            null,
                            null),
                    random.nextInt(100) == 0 ? 404 : 200,
                    12_000,
                    20_000_000);
        }
    }

    /** Poisson({@code meanPerSecond}) human page views, for one second of noise. */
    void poissonVisitors(int site, double meanPerSecond, double vouchedShare) {
        visitors(site, poisson(meanPerSecond), vouchedShare);
    }

    /**
     * {@code n} flood requests on {@code site} from a botnet of 20,000 addresses in 400 /24s: no cookie, never seen,
     * cache-busting queries, one user agent.
     */
    void flood(int site, int n) {
        for (int i = 0; i < n; i++) {
            long source = 0xC6000000L | (long) random.nextInt(400) << 8 | random.nextInt(50);
            recorder.record(
                    new RequestTraits(
                            site,
                            source,
                            source >>> 8,
                            TrafficRecorder.METHOD_GET,
                            0,
                            6,
                            0xBADL,
                            false,
                            false,
                            null,
                            null),
                    200,
                    500,
                    -1);
        }
    }

    /** Advances the clock one second and ticks. */
    List<DetectionEvent> tick() {
        now = now.plusSeconds(1);
        List<DetectionEvent> e = detector.tick(now);
        events.addAll(e);
        return e;
    }

    int poisson(double mean) {
        if (mean > 50) {
            return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * random.nextGaussian()));
        }
        double limit = Math.exp(-mean);
        double p = random.nextDouble();
        int k = 0;
        while (p > limit) {
            p *= random.nextDouble();
            k++;
        }
        return k;
    }

    SplittableRandom random() {
        return random;
    }

    List<DetectionEvent.StateChanged> changes(int site) {
        return events.stream()
                .filter(e -> e instanceof DetectionEvent.StateChanged c && c.site() == site)
                .map(e -> (DetectionEvent.StateChanged) e)
                .toList();
    }

    List<SiteState> path(int site) {
        List<SiteState> out = new ArrayList<>();
        for (DetectionEvent.StateChanged c : changes(site)) {
            out.add(c.to());
        }
        return out;
    }
}
