package coop.bulwark.protect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The limiter on a fake clock: times are plain numbers, nothing sleeps. */
class AdaptiveLimitTest {
    private static final long MS = 1_000_000L;

    @Test
    void lightTraffic_neverMovesTheLimit() {
        var l = new AdaptiveLimit();
        long now = 0;
        for (int i = 0; i < 10_000; i++) {
            now += 10 * MS;
            l.onAcquire(1);
            l.onSample(now, (i % 3 == 0 ? 2 : 100) * MS);
        }
        assertThat(l.limit()).isEqualTo(AdaptiveLimit.INITIAL_LIMIT);
        assertThat(l.baseNanos()).isEqualTo(2 * MS);
    }

    @Test
    void waitAtTheOrigin_shrinksTheLimitByTheGradient() {
        var l = new AdaptiveLimit();
        long now = 0;
        // A window at the limit where nothing waits: cheap answers in 10 ms, pages in 100 ms. The limit grows by alpha.
        for (int i = 0; i < 32; i++) {
            now += 10 * MS;
            l.onAcquire(l.limit());
            l.onSample(now, (i % 4 == 0 ? 10 : 100) * MS);
        }
        assertThat(l.limit()).isEqualTo(AdaptiveLimit.INITIAL_LIMIT + 1);
        assertThat(l.baseNanos()).isEqualTo(10 * MS);
        // The next window, everyone waited 5 ms more: gradient 1.2 * 10 / 15 = 0.8; 21 * 0.8 + 1 = 17.
        for (int i = 0; i < 32; i++) {
            now += 10 * MS;
            l.onAcquire(l.limit());
            l.onSample(now, (i % 4 == 0 ? 15 : 105) * MS);
        }
        assertThat(l.limit()).isEqualTo(17);
    }

    @Test
    void waitWhileTheLimitDidNotBind_isNotJudged() {
        var l = new AdaptiveLimit();
        long now = 0;
        for (int i = 0; i < 40; i++) {
            now += 10 * MS;
            l.onSample(now, 10 * MS);
        }
        for (int i = 0; i < 400; i++) {
            now += 10 * MS;
            l.onAcquire(5);
            l.onSample(now, 500 * MS);
        }
        assertThat(l.limit()).isEqualTo(AdaptiveLimit.INITIAL_LIMIT);
    }

    @Test
    void oneOddWindow_atMostHalvesTheLimit() {
        var l = new AdaptiveLimit();
        long now = 0;
        for (int i = 0; i < 32; i++) {
            now += 10 * MS;
            l.onSample(now, MS);
        }
        for (int i = 0; i < 32; i++) {
            now += 10 * MS;
            l.onAcquire(l.limit());
            l.onSample(now, 900 * MS);
        }
        assertThat(l.limit()).isEqualTo(AdaptiveLimit.INITIAL_LIMIT / 2 + 1);
    }

    @Test
    void refusalsOrTimeouts_cutTheLimitByAQuarterPerWindow() {
        var l = new AdaptiveLimit();
        long now = 0;
        for (int i = 0; i < 32; i++) {
            now += 10 * MS;
            assertThat(l.onDrop(now)).isEqualTo(i == 31);
        }
        assertThat(l.limit()).isEqualTo(AdaptiveLimit.INITIAL_LIMIT * 3 / 4);
        for (int i = 0; i < 200; i++) {
            now += 40 * MS;
            l.onDrop(now);
        }
        assertThat(l.limit()).isEqualTo(AdaptiveLimit.MIN_LIMIT);
    }

    @Test
    void limitReachedWithoutWaiting_growsTheLimit() {
        var l = new AdaptiveLimit();
        long now = 0;
        for (int w = 0; w < 10; w++) {
            for (int i = 0; i < 40; i++) {
                now += 10 * MS;
                l.onAcquire(l.limit());
                l.onSample(now, 5 * MS);
            }
        }
        assertThat(l.limit()).isGreaterThanOrEqualTo(AdaptiveLimit.INITIAL_LIMIT + 10);
    }

    @Test
    void fewAnswers_areNotCalledCongestion() {
        var l = new AdaptiveLimit();
        l.onSample(0, MS);
        // Twenty answers over 8 s, each 900 ms late: too few in any window to call it congestion (nor refused: the
        // limit may probe upwards, as on any window that bound without a drop).
        for (int i = 1; i < 20; i++) {
            l.onAcquire(l.limit());
            l.onSample(i * 400 * MS, 900 * MS);
        }
        assertThat(l.limit()).isBetween(AdaptiveLimit.INITIAL_LIMIT, AdaptiveLimit.INITIAL_LIMIT + 4);
    }

    /** One second of quiet: 60 ms pages, the limit never binding, so the base is learned. Returns the time after. */
    private static long quietPages(AdaptiveLimit l) {
        long now = 0;
        for (int i = 0; i < 200; i++) {
            now += 5 * MS;
            l.onAcquire(1);
            l.onSample(now, 60 * MS);
        }
        return now;
    }

    /**
     * Four seconds of a busy, mixed origin (one answer in four a 2 ms asset, the others 60 ms pages), the limit never
     * binding. Returns the time after.
     */
    private static long quietMix(AdaptiveLimit l) {
        long now = 0;
        for (int i = 0; i < 2_000; i++) {
            now += 2 * MS;
            l.onAcquire(1);
            l.onSample(now, i % 4 == 0 ? 2 * MS : 60 * MS);
        }
        return now;
    }

    /** A flood's onset from {@code now}: the origin refuses every request, {@code windows} windows long. */
    private static long onsetRefusals(AdaptiveLimit l, long now, int windows) {
        for (int w = 0; w < windows; w++) {
            for (int i = 0; i < 40; i++) {
                now += 7 * MS;
                l.onAcquire(l.limit());
                l.onDrop(now);
            }
        }
        return now;
    }

    @Test
    void aLimitCutByAFlood_growsBackOnLightTrafficThatMeetsIt() {
        var l = new AdaptiveLimit();
        long now = quietPages(l);
        // A flood's onset: the origin refuses, window after window.
        now = onsetRefusals(l, now, 4);
        int cut = l.limit();
        assertThat(cut).isLessThan(AdaptiveLimit.INITIAL_LIMIT / 2);
        // Then only people reach the origin: ten pages a second, in bursts that meet the limit, answered unhurried.
        for (int s = 0; s < 60; s++) {
            for (int i = 0; i < 10; i++) {
                now += 100 * MS;
                l.onAcquire(l.limit());
                l.onSample(now, 62 * MS);
            }
        }
        assertThat(l.limit()).isGreaterThanOrEqualTo(cut + 20);
    }

    @Test
    void thinTrafficOfPagesOnly_teachesTheBase_andTheLimitIsNotCutForThePagesOwnTime() {
        var l = new AdaptiveLimit();
        long now = quietMix(l);
        assertThat(l.baseNanos()).isLessThan(10 * MS);
        // Then the cache answers the assets (and a flood): a dozen pages a second reach the origin, in their usual
        // 60 ms, never a full window's worth.
        for (int i = 0; i < 12 * 30; i++) {
            now += 83 * MS;
            l.onAcquire(1);
            l.onSample(now, 60 * MS);
        }
        assertThat(l.baseNanos()).isCloseTo(60 * MS, within(5 * MS));
        // Bursts of them that meet the limit, unhurried: it grows, it is not cut for the pages' own time.
        int before = l.limit();
        for (int i = 0; i < 12 * 30; i++) {
            now += 83 * MS;
            l.onAcquire(i % 6 == 0 ? l.limit() : 1);
            l.onSample(now, 62 * MS);
        }
        assertThat(l.limit()).isGreaterThan(before);
    }

    @Test
    void aMixTheCacheChanged_whileTheLimitAlwaysBinds_isNotReadAsWaiting() {
        var l = new AdaptiveLimit();
        long now = quietMix(l);
        // A flood's onset cuts the limit to its floor.
        now = onsetRefusals(l, now, 12);
        assertThat(l.limit()).isEqualTo(AdaptiveLimit.MIN_LIMIT);
        // Then the cache answers the assets: only pages, 30 a second, the limit binding on every one, none waiting.
        for (int i = 0; i < 30 * 120; i++) {
            now += 33 * MS;
            l.onAcquire(l.limit());
            l.onSample(now, 60 * MS);
        }
        assertThat(l.baseNanos()).isCloseTo(60 * MS, within(MS));
        assertThat(l.limit()).isGreaterThan(10);
    }

    @Test
    void fewSlowAnswers_neverShrinkTheLimit() {
        var l = new AdaptiveLimit();
        long now = quietPages(l);
        int before = l.limit();
        for (int i = 0; i < 100; i++) {
            now += 100 * MS;
            l.onAcquire(l.limit());
            l.onSample(now, 600 * MS);
        }
        // Ten seconds of them: probed upwards by one a window at most, never cut.
        assertThat(l.limit()).isBetween(before, before + 6);
    }

    @Test
    void baseFollowsAnOriginThatBecameSlower_withinTwoBuckets() {
        var l = new AdaptiveLimit();
        l.onSample(0, MS);
        long now = 0;
        while (now < 2 * AdaptiveLimit.BASE_BUCKET_NANOS + 1) {
            now += 100 * MS;
            l.onSample(now, 20 * MS);
        }
        assertThat(l.baseNanos()).isCloseTo(20 * MS, within(MS / 10));
    }

    @Test
    void mixWithoutCheapAnswers_baseFollowsFromQuietWindows() {
        var l = new AdaptiveLimit();
        long now = 0;
        // At first static files reach the origin (2 ms), then the edge's cache has them: only pages (100 ms).
        for (int i = 0; i < 32; i++) {
            now += 10 * MS;
            l.onSample(now, 2 * MS);
        }
        for (int i = 0; i < 32 * 20; i++) {
            now += 10 * MS;
            l.onSample(now, 100 * MS);
        }
        assertThat(l.baseNanos()).isCloseTo(100 * MS, within(MS));
        // A surge that reaches the limit without any wait at the origin: the limit grows, it is not halved.
        for (int i = 0; i < 32; i++) {
            now += 10 * MS;
            l.onAcquire(l.limit());
            l.onSample(now, 100 * MS);
        }
        assertThat(l.limit()).isEqualTo(AdaptiveLimit.INITIAL_LIMIT + 1);
    }

    /**
     * A flood against an origin of {@code workers} workers with a FIFO backlog, simulated event by event: one request
     * in ten is a 2 ms asset, the rest 100 ms pages; the edge keeps exactly {@code limit} requests at the origin.
     * Over the last 30 s of a minute, the learned limit (sampled every 100 ms) must average near the worker count and
     * keep the origin's backlog short.
     */
    @ParameterizedTest
    @CsvSource({"4, 11", "8, 21", "32, 99", "100, 7"})
    void floodOnAWorkerPool_settlesNearTheWorkerCount(int workers, long seed) {
        var sim = new WorkerPoolSim(workers, new Random(seed));
        var l = new AdaptiveLimit();
        long limitSum = 0;
        long backlogSum = 0;
        int n = 0;
        long next = 30_000 * MS;
        while (sim.now < 60_000 * MS) {
            sim.fill(l);
            sim.step(l);
            if (sim.now >= next) {
                limitSum += l.limit();
                backlogSum += sim.backlog.size();
                n++;
                next += 100 * MS;
            }
        }
        double meanLimit = (double) limitSum / n;
        double meanBacklog = (double) backlogSum / n;
        assertThat(meanLimit).as("mean limit").isBetween(0.7 * workers, 1.1 * workers + 1);
        assertThat(meanBacklog).as("mean backlog at the origin").isLessThanOrEqualTo(0.1 * workers + 1);
    }

    /** An origin of W workers, a FIFO backlog, service times 2 ms or 100 ms; time in nanoseconds. */
    private static final class WorkerPoolSim {
        record Job(long sentAt, long serviceNanos) {}

        record Done(long at, Job job) {}

        final int workers;
        final Random rnd;
        final ArrayDeque<Job> backlog = new ArrayDeque<>();
        final PriorityQueue<Done> running = new PriorityQueue<>((a, b) -> Long.compare(a.at(), b.at()));
        int inFlight;
        long now;

        WorkerPoolSim(int workers, Random rnd) {
            this.workers = workers;
            this.rnd = rnd;
        }

        /** The flood never runs out: the edge sends until its limit. */
        void fill(AdaptiveLimit l) {
            while (inFlight < l.limit()) {
                inFlight++;
                l.onAcquire(inFlight);
                Job j = new Job(now, rnd.nextInt(10) == 0 ? 2 * MS : 100 * MS);
                if (running.size() < workers) {
                    running.add(new Done(now + j.serviceNanos(), j));
                } else {
                    backlog.add(j);
                }
            }
        }

        void step(AdaptiveLimit l) {
            Done d = running.poll();
            now = d.at();
            inFlight--;
            l.onSample(now, now - d.job().sentAt());
            Job next = backlog.poll();
            if (next != null) {
                running.add(new Done(now + next.serviceNanos(), next));
            }
        }
    }
}
