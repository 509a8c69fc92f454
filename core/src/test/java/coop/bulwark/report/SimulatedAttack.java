package coop.bulwark.report;

import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.detect.Detector;
import coop.bulwark.detect.RequestTraits;
import coop.bulwark.detect.SiteState;
import coop.bulwark.detect.TrafficAccounting;
import coop.bulwark.detect.TrafficRecorder;
import coop.bulwark.protect.SourceKeys;
import coop.bulwark.site.DetectionConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Test driver: 50 sites of human traffic through a real {@link TrafficAccounting} and {@link Detector} on a fake
 * clock, then a flood on two of them, mitigated as the edge would (the under_attack policy challenges the flood,
 * which then no longer reaches the origin), then calm until the attack ends. Every tick goes through an
 * {@link IncidentRecorder}. Seeded and deterministic.
 */
final class SimulatedAttack {
    static final Instant EPOCH = Instant.parse("2026-11-25T10:00:00Z");
    static final int SITES = 50;
    static final int BIG = 7;
    static final int SMALL = 23;
    static final String HOSTILE = "shop<script>alert(\"x\")</script>&'.coop";
    static final int NORMAL_SECONDS = 120;
    static final int FLOOD_SECONDS = 120;
    /** The flood's heaviest /24: a third of its requests. */
    static final String HEAVY_PREFIX = "198.51.100.0/24";

    final List<String> names;
    final TrafficAccounting accounting;
    final Detector detector;
    final IncidentRecorder recorder;
    final List<DetectionEvent> events = new ArrayList<>();
    final List<IncidentReport> ended = new ArrayList<>();
    private final TrafficRecorder traffic;
    private final SplittableRandom random = new SplittableRandom(42);
    Instant now = EPOCH;
    Instant floodStart;
    Instant floodEnd;
    IncidentReport midAttack;
    Optional<String> midAttackId;
    Optional<String> midAttackIdByStart;
    Optional<String> otherStartId;
    Optional<String> afterEndId;

    SimulatedAttack() {
        names = IntStream.range(0, SITES)
                .mapToObj(i -> i == SMALL ? HOSTILE : "site" + i + ".example.coop")
                .toList();
        accounting = new TrafficAccounting(SITES, 1, 7);
        traffic = accounting.recorder(0);
        detector = new Detector(DetectionConfig.defaults(), accounting, names);
        recorder = new IncidentRecorder(names, DetectionConfig.defaults());
    }

    /** Runs the whole story; returns the final report. */
    IncidentReport run() {
        for (int s = 0; s < NORMAL_SECONDS; s++) {
            humans(false);
            tick();
        }
        floodStart = now;
        for (int s = 0; s < FLOOD_SECONDS; s++) {
            humans(true);
            flood(BIG, 1_500);
            flood(SMALL, 600);
            if (s == 20) {
                recorder.onMitigation(now, names.get(BIG), "ban", HEAVY_PREFIX + " banned for 10 min");
            }
            tick();
            if (s == 60) {
                midAttack = recorder.current().orElseThrow();
                midAttackId = recorder.openId();
                midAttackIdByStart = recorder.openIdStartedAt(midAttack.start());
                otherStartId = recorder.openIdStartedAt(midAttack.start().minusSeconds(1));
            }
        }
        floodEnd = now;
        for (int s = 0; s < 900 && ended.isEmpty(); s++) {
            humans(false);
            tick();
        }
        if (ended.isEmpty()) {
            throw new AssertionError("the attack never ended");
        }
        afterEndId = recorder.openId();
        return ended.get(0);
    }

    void tick() {
        now = now.plusSeconds(1);
        List<DetectionEvent> e = detector.tick(now);
        events.addAll(e);
        ended.addAll(recorder.onTick(
                now,
                detector.lastTraffic().orElseThrow(),
                detector.globalSignals().orElseThrow(),
                e));
    }

    /** Each site's humans: 8 req/s, 40 ms at the origin; during the flood, bystanders see 0.2% 503s. */
    void humans(boolean flooded) {
        for (int site = 0; site < SITES; site++) {
            int n = poisson(8);
            for (int i = 0; i < n; i++) {
                boolean vouched = random.nextDouble() < 0.6;
                int a = random.nextInt(1 << 24);
                byte[] addr = {(byte) (10 + (a >>> 16) % 50), (byte) (a >>> 8), (byte) a, (byte) random.nextInt(256)};
                int status = flooded && random.nextInt(500) == 0 ? 503 : 200;
                long originNanos = flooded ? 60_000_000 : 40_000_000;
                record(site, addr, status, originNanos, vouched, TrafficRecorder.METHOD_GET, 0);
            }
        }
    }

    /**
     * {@code n} flood requests from 201 /24s, a third of them from {@link #HEAVY_PREFIX}; uncookied, cache-busting,
     * 90% GET and 10% POST. They reach the origin (80 ms, with 5% 504s) until the site is under attack, then the
     * challenge answers them (403, no origin).
     */
    void flood(int site, int n) {
        boolean mitigated = detector.state(site) == SiteState.UNDER_ATTACK;
        for (int i = 0; i < n; i++) {
            byte[] addr = random.nextInt(3) == 0
                    ? new byte[] {(byte) 198, 51, 100, (byte) random.nextInt(256)}
                    : new byte[] {(byte) 203, (byte) (1 + random.nextInt(200)), 113, (byte) random.nextInt(256)};
            int method = random.nextInt(10) == 0 ? TrafficRecorder.METHOD_POST : TrafficRecorder.METHOD_GET;
            if (mitigated) {
                record(site, addr, 403, -1, false, method, 6);
            } else {
                record(site, addr, random.nextInt(20) == 0 ? 504 : 200, 80_000_000, false, method, 6);
            }
        }
    }

    private void record(int site, byte[] addr, int status, long originNanos, boolean vouched, int method, int entropy) {
        traffic.record(
                new RequestTraits(
                        site,
                        SourceKeys.ip(addr, SourceKeys.GLOBAL),
                        SourceKeys.prefix(addr, SourceKeys.GLOBAL),
                        method,
                        random.nextInt(20),
                        entropy,
                        entropy > 0 ? 0xBAD : random.nextInt(5),
                        vouched,
                        vouched,
                        null,
                        null),
                status,
                1_000,
                originNanos);
    }

    private int poisson(double mean) {
        double limit = Math.exp(-mean);
        double p = random.nextDouble();
        int k = 0;
        while (p > limit) {
            p *= random.nextDouble();
            k++;
        }
        return k;
    }

    private static SimulatedAttack cached;
    private static IncidentReport cachedReport;

    /** One shared run for the tests that only read its report. */
    static synchronized IncidentReport report() {
        if (cachedReport == null) {
            cached = new SimulatedAttack();
            cachedReport = cached.run();
        }
        return cachedReport;
    }

    static synchronized SimulatedAttack shared() {
        report();
        return cached;
    }
}
