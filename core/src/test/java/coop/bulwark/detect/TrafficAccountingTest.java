package coop.bulwark.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class TrafficAccountingTest {
    private static final Instant T0 = Instant.parse("2026-11-25T08:00:00Z");

    @Test
    void harvest_countsEveryFieldExactly() {
        TrafficAccounting a = new TrafficAccounting(3, 1, 7);
        TrafficRecorder r = a.recorder(0);
        r.record(
                new RequestTraits(1, 10, 1, TrafficRecorder.METHOD_GET, 1, 0, 9, true, true, null, null),
                200,
                100,
                5_000_000);
        r.record(
                new RequestTraits(1, 11, 1, TrafficRecorder.METHOD_HEAD, 2, 4, 9, true, false, null, null),
                404,
                50,
                -1);
        r.record(
                new RequestTraits(1, 12, 2, TrafficRecorder.METHOD_POST, 1, 7, 8, false, false, null, null),
                503,
                10,
                15_000_000);
        r.record(new RequestTraits(1, 12, 2, 99, 1, 0, 8, false, true, null, null), 504, 0, 30_000_000);
        r.record(
                new RequestTraits(2, 13, 3, TrafficRecorder.METHOD_GET, 1, 0, 8, false, false, null, null), 200, 1, -1);
        TrafficSecond t = a.harvest(T0, 1);
        SiteSecond s = t.sites().get(1);
        assertThat(s.requests()).isEqualTo(4);
        assertThat(s.clientErrors()).isEqualTo(1);
        assertThat(s.serverErrors()).isEqualTo(1);
        assertThat(s.timeouts()).isEqualTo(1);
        assertThat(s.bytes()).isEqualTo(160);
        assertThat(s.originResponses()).isEqualTo(3);
        assertThat(s.meanOriginNanos()).isEqualTo(50_000_000 / 3.0);
        assertThat(s.cookied()).isEqualTo(2);
        assertThat(s.returning()).isEqualTo(2);
        assertThat(s.vouched()).isEqualTo(3);
        assertThat(s.highEntropy()).isEqualTo(2);
        assertThat(s.methods()).containsExactly(1L, 1L, 1L, 1L);
        assertThat(s.distinctSources()).isCloseTo(3, org.assertj.core.data.Offset.offset(0.01));
        assertThat(s.topPrefixes()).extracting(HeavyHitter::key).containsExactlyInAnyOrder(1L, 2L);
        assertThat(s.topPaths().get(0)).isEqualTo(new HeavyHitter(1, 3, 0));
        assertThat(s.failureShare()).isEqualTo(0.5);
        assertThat(t.sites().get(0).requests()).isZero();
        assertThat(t.requests()).isEqualTo(5);
        assertThat(t.distinctSources()).isCloseTo(4, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void harvest_startsAFreshIntervalEachTime() {
        TrafficAccounting a = new TrafficAccounting(1, 1, 7);
        TrafficRecorder r = a.recorder(0);
        for (int i = 0; i < 3; i++) {
            for (int n = 0; n <= i; n++) {
                r.record(new RequestTraits(0, n, n, 0, 0, 0, 0, false, false, null, null), 200, 1, -1);
            }
            SiteSecond s = a.harvest(T0.plusSeconds(i), 1).sites().get(0);
            assertThat(s.requests()).isEqualTo(i + 1);
            assertThat(s.distinctSources()).isCloseTo(i + 1, org.assertj.core.data.Offset.offset(0.01));
            assertThat(s.topPrefixes().stream().mapToLong(HeavyHitter::count).sum())
                    .isEqualTo(i + 1);
        }
        assertThat(a.harvest(T0.plusSeconds(3), 1).sites().get(0).requests()).isZero();
    }

    @Test
    void twoEventLoops_recordingConcurrently_loseAtMostOneInFlightPerHarvest() throws Exception {
        TrafficAccounting a = new TrafficAccounting(8, 2, 7);
        int perThread = 200_000;
        CountDownLatch start = new CountDownLatch(1);
        Thread[] loops = new Thread[2];
        for (int i = 0; i < 2; i++) {
            TrafficRecorder r = a.recorder(i);
            long base = i * 1_000_000L;
            loops[i] = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(base);
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int n = 0; n < perThread; n++) {
                    r.record(
                            new RequestTraits(
                                    random.nextInt(8), base + n % 5_000, n % 100, 0, 0, 0, 0, false, false, null, null),
                            200,
                            1,
                            -1);
                }
            });
            loops[i].start();
        }
        start.countDown();
        long seen = 0;
        int harvests = 0;
        while (loops[0].isAlive() || loops[1].isAlive()) {
            seen += a.harvest(T0.plusSeconds(harvests++), 1).requests();
        }
        for (Thread l : loops) {
            l.join();
        }
        seen += a.harvest(T0.plusSeconds(harvests), 1).requests();
        // Only a record in flight at a flip can be missed: at most one per recorder per harvest.
        assertThat(seen).isBetween(2L * perThread - 2L * harvests, 2L * perThread);
        assertThat(harvests).isGreaterThan(1);
    }

    @Test
    void twoEventLoops_distinctSourcesAreTheUnion() {
        TrafficAccounting a = new TrafficAccounting(1, 2, 7);
        for (int n = 0; n < 30_000; n++) {
            a.recorder(n & 1)
                    .record(new RequestTraits(0, n % 20_000, 0, 0, 0, 0, 0, false, false, null, null), 200, 1, -1);
        }
        double d = a.harvest(T0, 1).sites().get(0).distinctSources();
        assertThat(d).isBetween(20_000 * 0.95, 20_000 * 1.05);
    }

    @Test
    void memory_perSite_isBoundedAndStated() {
        TrafficAccounting a = new TrafficAccounting(850, 2, 7);
        assertThat(a.bytesPerSite()).isBetween(10_000L, 16_000L);
    }

    @Test
    void constructorAndRecord_validate() {
        assertThatThrownBy(() -> new TrafficAccounting(0, 1, 1)).hasMessage("sites: 0 (expected: 1-8191)");
        assertThatThrownBy(() -> new TrafficAccounting(1, 0, 1)).hasMessage("eventLoops: 0 (expected: 1-256)");
        TrafficRecorder r = new TrafficAccounting(2, 1, 1).recorder(0);
        assertThatThrownBy(() -> r.record(new RequestTraits(2, 1, 1, 0, 0, 0, 0, false, false, null, null), 200, 1, -1))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
