package coop.bulwark.warmup;

import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.detect.Detector;
import coop.bulwark.detect.RequestTraits;
import coop.bulwark.detect.SiteState;
import coop.bulwark.detect.TrafficAccounting;
import coop.bulwark.detect.TrafficRecorder;
import coop.bulwark.protect.BanList;
import coop.bulwark.protect.SourceKeys;
import coop.bulwark.report.IncidentRecorder;
import coop.bulwark.report.IncidentReport;
import coop.bulwark.site.DetectionConfig;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Detection's once-a-second work, compiled before the edge listens: a detector, its accounting and an incident
 * recorder of their own, on a clock of their own, see {@link #NORMAL_TICKS} quiet seconds and then a cache-busting
 * flood on two sites, until the attack is declared, mitigated and over; then a ban list of its own bans a flood's
 * sources ({@link #banFlood}). It runs in about a second.
 *
 * <p>Why: the real edge's detector harvests every site each second, so its per-second code reaches the compiler's
 * thresholds only a minute or so after start. The throw-away edge's traffic ({@link JitWarmup}) is too short for it.
 * An edge started (or restarted) shortly before or during an attack compiled it in the middle of the flood:
 * {@code TrafficAccounting.siteSecond} alone took C2 0.36 s 32 s into {@code bench/flood-cost.sh}'s flood.
 *
 * <p>Shares nothing with the real edge but the code: its own sites (the real count, as the detector's blocks of 64),
 * addresses from the documentation ranges and a fixed seed.
 */
final class DetectionDrill {
    static final int NORMAL_TICKS = 90;
    static final int FLOOD_TICKS = 60;
    /** Ticks after the flood to let the attack end; the detector's calm and dwell times are well under this. */
    static final int MAX_CALM_TICKS = 600;

    private final List<String> names;
    private final TrafficAccounting accounting;
    private final TrafficRecorder traffic;
    private final Detector detector;
    private final IncidentRecorder incidents;
    private final SplittableRandom random = new SplittableRandom(11);
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    /** @param sites the real edge's number of site indexes (its detector's blocks of 64) */
    DetectionDrill(int sites) {
        names = IntStream.range(0, sites)
                .mapToObj(i -> "drill-" + i + ".invalid")
                .toList();
        accounting = new TrafficAccounting(sites, 1, new SecureRandom().nextLong());
        traffic = accounting.recorder(0);
        detector = new Detector(DetectionConfig.defaults(), accounting, names);
        incidents = new IncidentRecorder(names, DetectionConfig.defaults());
    }

    /** Runs the story once; returns the reports of the attacks it saw end (one, unless detection changed). */
    List<IncidentReport> run() {
        List<IncidentReport> ended = new ArrayList<>();
        int flooded = Math.min(3, names.size() - 1);
        for (int t = 0; t < NORMAL_TICKS; t++) {
            people(false);
            ended.addAll(tick());
        }
        for (int t = 0; t < FLOOD_TICKS; t++) {
            people(true);
            flood(flooded, detector.state(flooded) == SiteState.UNDER_ATTACK);
            ended.addAll(tick());
        }
        for (int t = 0; t < MAX_CALM_TICKS && ended.isEmpty(); t++) {
            people(false);
            ended.addAll(tick());
        }
        banFlood();
        return ended;
    }

    /**
     * A flood's sources banned within seconds of each other, on a ban list of the drill's own: the burst's path (the
     * recent bans' table, the snapshot's rebuilds) first ran when the real flood's bots were banned (C2 compiled it
     * there, 0.2 s).
     */
    static BanList banFlood() {
        BanList bans = new BanList(Clock.systemUTC(), Duration.ofMinutes(10), 10_000);
        for (int i = 0; i < BANNED_SOURCES; i++) {
            byte[] addr = {(byte) 203, 0, (byte) (i >> 8), (byte) i};
            bans.offend(addr, Duration.ofMinutes(1), 4, Duration.ofHours(1), "drill");
            bans.find(addr);
        }
        return bans;
    }

    static final int BANNED_SOURCES = 3_000;

    private List<IncidentReport> tick() {
        now = now.plusSeconds(1);
        List<DetectionEvent> events = detector.tick(now);
        return incidents.onTick(
                now,
                detector.lastTraffic().orElseThrow(),
                detector.globalSignals().orElseThrow(),
                events);
    }

    /** A few readers a second on every site, most with a cookie, a few pages each. */
    private void people(boolean slower) {
        for (int site = 0; site < names.size(); site++) {
            for (int i = random.nextInt(9); i > 0; i--) {
                boolean cookie = random.nextInt(5) > 1;
                byte[] addr = {(byte) 198, 51, (byte) random.nextInt(100), (byte) random.nextInt(256)};
                int status = random.nextInt(400) == 0 ? 503 : 200;
                record(site, addr, TrafficRecorder.METHOD_GET, random.nextInt(30), 0, cookie, status, slower ? 70 : 40);
            }
        }
    }

    /** 1,500 cache-busting requests a second on one site and 500 on the next, from 2,000 addresses in 200 /24s. */
    private void flood(int site, boolean mitigated) {
        for (int i = 0; i < 2_000; i++) {
            byte[] addr = {(byte) 203, 0, (byte) random.nextInt(200), (byte) random.nextInt(10)};
            int method = random.nextInt(10) == 0 ? TrafficRecorder.METHOD_POST : TrafficRecorder.METHOD_GET;
            int status = mitigated ? 200 : random.nextInt(20) == 0 ? 504 : 200;
            record(
                    i < 1_500 ? site : site + 1,
                    addr,
                    method,
                    0,
                    5 + random.nextInt(3),
                    false,
                    status,
                    mitigated ? -1 : 90);
        }
    }

    private void record(
            int site, byte[] addr, int method, long path, int entropy, boolean cookie, int status, long originMillis) {
        traffic.record(
                new RequestTraits(
                        site,
                        SourceKeys.ip(addr, SourceKeys.GLOBAL),
                        SourceKeys.prefix(addr, SourceKeys.GLOBAL),
                        method,
                        path,
                        entropy,
                        entropy > 0 ? 0x5eed : random.nextInt(6),
                        cookie,
                        cookie,
                        null,
                        null),
                status,
                2_000,
                originMillis < 0 ? -1 : originMillis * 1_000_000);
    }
}
