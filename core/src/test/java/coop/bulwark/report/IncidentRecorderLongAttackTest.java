package coop.bulwark.report;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.detect.Attack;
import coop.bulwark.detect.AttackTarget;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.detect.HostileSign;
import coop.bulwark.detect.Signals;
import coop.bulwark.detect.SiteSecond;
import coop.bulwark.detect.SiteState;
import coop.bulwark.detect.TrafficSecond;
import coop.bulwark.site.DetectionConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Twelve simulated hours of attack: the timeline stays within its bound and its sums stay exact. */
class IncidentRecorderLongAttackTest {
    private static final int SITES = 20;
    private static final int TARGET = 3;
    private static final Instant T0 = Instant.parse("2026-11-25T00:00:00Z");

    @Test
    void twelveHourAttack_timelineBoundedAndSumsExact() {
        List<String> names =
                IntStream.range(0, SITES).mapToObj(i -> "s" + i + ".coop").toList();
        IncidentRecorder recorder = new IncidentRecorder(names, DetectionConfig.defaults());
        Instant now = T0;
        for (int s = 0; s < 120; s++) {
            now = now.plusSeconds(1);
            recorder.onTick(now, traffic(now, 10), null, List.of());
        }
        now = now.plusSeconds(1);
        Signals sig = new Signals(
                1000,
                500,
                10,
                900,
                20,
                0,
                0,
                1,
                1,
                0.1,
                50,
                40,
                Signals.Grade.EXTREME,
                Set.of(HostileSign.CACHE_BUSTING));
        Attack attack = new Attack(
                "atk-1-1",
                now,
                null,
                List.of(new AttackTarget(TARGET, names.get(TARGET), now, 1000, 10, 990)),
                1000,
                List.of());
        List<DetectionEvent> open = List.of(
                new DetectionEvent.StateChanged(
                        now, TARGET, names.get(TARGET), SiteState.NORMAL, SiteState.UNDER_ATTACK, "test", sig),
                new DetectionEvent.AttackStarted(now, attack));
        recorder.onTick(now, traffic(now, 1000), null, open);

        long seconds = 12 * 3600;
        for (long s = 1; s < seconds; s++) {
            now = now.plusSeconds(1);
            if (s % 10 == 0) {
                recorder.onMitigation(now, names.get(TARGET), "ban", "prefix " + s);
            }
            recorder.onTick(now, traffic(now, 1000), null, List.of());
        }
        now = now.plusSeconds(1);
        List<IncidentReport> ended = recorder.onTick(
                now,
                traffic(now, 10),
                null,
                List.of(new DetectionEvent.AttackEnded(
                        now, new Attack("atk-1-1", attack.start(), now, attack.targets(), 1000, List.of()))));

        assertThat(ended).hasSize(1);
        IncidentReport r = ended.get(0);
        IncidentReport.TargetSeries series = r.timeline().targets().get(0);
        int bound = History.SLOTS + Series.FINE_POINTS + Series.MAX_COARSE_POINTS;
        assertThat(series.t()).hasSizeLessThanOrEqualTo(bound).hasSizeGreaterThan(Series.FINE_POINTS + 600);
        assertThat(r.timeline().bystanders().t()).hasSizeLessThanOrEqualTo(bound);
        // Buckets merge counts, they never lose them: every second of the attack is covered once.
        double coveredSeconds =
                series.seconds().stream().mapToDouble(Double::doubleValue).sum();
        assertThat(coveredSeconds).isEqualTo(60 + seconds + 1.0);
        double requests = 0;
        for (int i = 0; i < series.t().size(); i++) {
            requests += series.rps().get(i) * series.seconds().get(i);
        }
        assertThat(requests).isEqualTo(60 * 10 + seconds * 1000 + 10.0);
        assertThat(series.t()).isSorted();
        assertThat(r.mitigations()).hasSize(IncidentRecorder.MAX_ENTRIES);
        assertThat(r.duration().toHours()).isEqualTo(12);
    }

    @Test
    void series_widensBucketsAndStaysBounded() {
        Series s = new Series(false, true);
        long t = 0;
        for (int i = 0; i < 200_000; i++) {
            t += 1_000;
            s.add(t, 1, 1, i);
            assertThat(s.size()).isLessThanOrEqualTo(Series.FINE_POINTS + Series.MAX_COARSE_POINTS);
        }
        double total = 0;
        for (int i = 0; i < s.size(); i++) {
            total += s.value(0, i);
        }
        assertThat(total).isEqualTo(200_000.0);
        assertThat(s.value(1, s.size() - 1)).isEqualTo(199_999.0);
        assertThat(s.bucketMillis()).isGreaterThan(Series.COARSE_MILLIS);
    }

    private static TrafficSecond traffic(Instant at, long targetRequests) {
        List<SiteSecond> sites = new ArrayList<>();
        long total = 0;
        for (int s = 0; s < SITES; s++) {
            long req = s == TARGET ? targetRequests : 5;
            total += req;
            sites.add(new SiteSecond(
                    s,
                    req,
                    0,
                    0,
                    0,
                    req * 1000,
                    req,
                    req * 40_000_000,
                    0,
                    0,
                    0,
                    0,
                    List.of(req, 0L, 0L, 0L),
                    req,
                    List.of(),
                    List.of(),
                    List.of(),
                    Map.of(),
                    0));
        }
        return new TrafficSecond(at, 1, sites, total, total, List.of());
    }
}
