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
    void aMixThatLostItsCheapKinds_isJudgedKindByKind_andALimitCutByTheOnsetGrowsBack() {
        assertThat(afterTheCacheTookTheCheapKinds(true))
                .as("judged kind by kind")
                .isGreaterThan(12);
        // The same answers judged by the origin's fastest alone: the pages' own 60 ms against the rare feeds' 30 ms
        // read as waiting half the time, and the limit stays near its floor for the attack's length.
        assertThat(afterTheCacheTookTheCheapKinds(false))
                .as("judged without kinds")
                .isLessThan(6);
    }

    /**
     * Ten quiet seconds of a mixed origin (2 ms assets, 30 ms feeds, pages of 20 paths at 58-62 ms), a flood's onset
     * that cuts the limit to its floor, then two minutes in which only pages and a rare feed reach the origin (the
     * cache answers the rest), 30 a second, the limit binding on every one, none waiting at the origin. Returns the
     * limit at the end.
     */
    private static int afterTheCacheTookTheCheapKinds(boolean withKinds) {
        return afterTheCacheTookTheCheapKinds(withKinds, false);
    }

    /**
     * As {@link #aMixThatLostItsCheapKinds_isJudgedKindByKind_andALimitCutByTheOnsetGrowsBack}, with every page an
     * article of its own ({@code /news/4711}, as a site's articles and products are): the kinds are the routes, so
     * the articles seen in the quiet seconds teach the no-load time of the ones the flood's minutes bring.
     */
    @Test
    void articlesOfTheirOwn_areOneKind_andALimitCutByTheOnsetGrowsBack() {
        assertThat(afterTheCacheTookTheCheapKinds(true, true)).isGreaterThan(12);
    }

    private static int afterTheCacheTookTheCheapKinds(boolean withKinds, boolean articlesOfTheirOwn) {
        var l = new AdaptiveLimit();
        var rnd = new Random(5);
        long asset = AnswerKind.of("site-0001", "/style.css");
        long feed = AnswerKind.of("site-0002", "/feed.xml");
        long now = 0;
        for (int i = 0; i < 10_000; i++) {
            now += MS;
            l.onAcquire(1);
            int page = rnd.nextInt(20);
            switch (i % 4) {
                case 0 -> l.onSample(now, 2 * MS, withKinds ? asset : AnswerKind.UNKNOWN);
                case 1 -> l.onSample(now, 30 * MS, withKinds ? feed : AnswerKind.UNKNOWN);
                default ->
                    l.onSample(
                            now,
                            (58 + page % 5) * MS,
                            withKinds
                                    ? pageKind(page, articlesOfTheirOwn ? rnd.nextInt(1_000_000) : page)
                                    : AnswerKind.UNKNOWN);
            }
        }
        now = onsetRefusals(l, now, 12);
        assertThat(l.limit()).isEqualTo(AdaptiveLimit.MIN_LIMIT);
        for (int i = 0; i < 30 * 120; i++) {
            now += 33 * MS;
            l.onAcquire(l.limit());
            int page = rnd.nextInt(20);
            if (rnd.nextInt(60) == 0) {
                l.onSample(now, (30 + rnd.nextInt(3)) * MS, withKinds ? feed : AnswerKind.UNKNOWN);
            } else {
                long t = (58 + page % 5 + rnd.nextInt(4)) * MS;
                l.onSample(
                        now,
                        t,
                        withKinds
                                ? pageKind(page, articlesOfTheirOwn ? rnd.nextInt(1_000_000) : page)
                                : AnswerKind.UNKNOWN);
            }
        }
        return l.limit();
    }

    /** A page of one of ten sites ({@code page % 10}); {@code article}: its path, {@code /news/article}. */
    private static long pageKind(int page, int article) {
        return AnswerKind.of("site-00" + (10 + page % 10), "/news/" + article + "?utm=" + page);
    }

    @Test
    void aKindFirstSeenWhileTheLimitBinds_isNotLearned_soAWaitOnItStillCuts() {
        var l = new AdaptiveLimit();
        long now = quietMix(l);
        int before = l.limit();
        // A flood of a path never seen unhurried, on an origin whose backlog makes everything wait 200 ms: had its
        // first (waiting) times been learned as its no-load time, the wait would read as none.
        long fresh = AnswerKind.of("site-0003", "/search");
        l.onAcquire(l.limit()); // the flood takes every slot before its first answer comes back
        for (int i = 0; i < 32 * 8; i++) {
            now += 10 * MS;
            // The edge's order: the released slot's answer is sampled, then the slot goes to a waiter at the limit.
            l.onSample(now, 260 * MS, fresh);
            l.onAcquire(l.limit());
        }
        assertThat(l.limit()).isLessThan(before / 2);
    }

    /**
     * As {@link #floodOnAWorkerPool_settlesNearTheWorkerCount} after ten quiet seconds in which the edge learned the
     * asset's and the page's no-load times: the flood's wait is then read from every answer's own wait. The backlog
     * bound is the same; the limit may stand a little higher (its AIMD cycle reads the wait of the lower half of the
     * answers, where the fastest-answers reading overreacts to the cheap ones' relative wait).
     */
    @ParameterizedTest
    @CsvSource({"4, 11", "8, 21", "16, 3", "32, 99", "100, 7"})
    void kindsLearnedBeforeAFlood_keepTheOriginsBacklogShort(int workers, long seed) {
        var sim = new WorkerPoolSim(workers, new Random(seed));
        var l = new AdaptiveLimit();
        sim.withKinds = true;
        // Ten quiet seconds first: one request at a time, the kinds' no-load times learned.
        while (sim.now < 10_000 * MS) {
            sim.sendOne(l);
            sim.step(l);
        }
        double[] means = sim.flood(l, 40_000 * MS, 70_000 * MS);
        assertThat(means[0]).as("mean limit").isBetween(0.7 * workers, 1.5 * workers + 1);
        assertThat(means[1]).as("mean backlog at the origin").isLessThanOrEqualTo(0.1 * workers + 1);
    }

    @Test
    void answerKinds_leaveTheQueryOut_andTellSitesApart() {
        assertThat(AnswerKind.of("a", "/p?x=1")).isEqualTo(AnswerKind.of("a", "/p?y=2"));
        assertThat(AnswerKind.of("a", "/p")).isEqualTo(AnswerKind.of("a", "/p#top"));
        assertThat(AnswerKind.of("a", "/p")).isNotEqualTo(AnswerKind.of("b", "/p"));
        assertThat(AnswerKind.of("a", "/p")).isNotEqualTo(AnswerKind.of("a", "/q"));
        assertThat(AnswerKind.of("", "")).isNotEqualTo(AnswerKind.UNKNOWN);
    }

    /** Any target at all (a client's bytes) has a kind, never {@link AnswerKind#UNKNOWN}, and the same one each time. */
    @Test
    void answerKinds_ofAnyTarget_areDefinedAndStable() {
        var rnd = new Random(17);
        String alphabet = "/?#.0123456789abcXYZ-_%*:@ ";
        for (int i = 0; i < 20_000; i++) {
            var b = new StringBuilder();
            for (int n = rnd.nextInt(24); n > 0; n--) {
                b.append(
                        rnd.nextInt(40) == 0
                                ? (char) rnd.nextInt(0x3000)
                                : alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String target = b.toString();
            long kind = AnswerKind.of("site", target);
            assertThat(kind).as(target).isNotEqualTo(AnswerKind.UNKNOWN).isEqualTo(AnswerKind.of("site", target));
        }
    }

    /** One route, one kind: the path's shape, not each article's or product's own path. */
    @Test
    void answerKinds_areRoutes_notPaths() {
        assertThat(AnswerKind.of("a", "/post/23")).isEqualTo(AnswerKind.of("a", "/post/7?s=1"));
        assertThat(AnswerKind.of("a", "/post/23")).isEqualTo(AnswerKind.of("a", "/post/an-article"));
        assertThat(AnswerKind.of("a", "/2024/05/a-title/")).isEqualTo(AnswerKind.of("a", "/2023/11/another"));
        assertThat(AnswerKind.of("a", "/feed/")).isEqualTo(AnswerKind.of("a", "/feed"));
        assertThat(AnswerKind.of("a", "/post/23")).isNotEqualTo(AnswerKind.of("a", "/post/23/comments"));
        assertThat(AnswerKind.of("a", "/post/23")).isNotEqualTo(AnswerKind.of("a", "/page/23"));
        assertThat(AnswerKind.of("a", "/assets/app.js")).isNotEqualTo(AnswerKind.of("a", "/assets/style.css"));
        assertThat(AnswerKind.of("a", "/assets/app.js")).isEqualTo(AnswerKind.of("a", "/assets/vendor.JS"));
        assertThat(AnswerKind.of("a", "/")).isNotEqualTo(AnswerKind.of("a", "/post/1"));
        assertThat(AnswerKind.of("a", "/")).isEqualTo(AnswerKind.of("a", "/?utm_source=x"));
        assertThat(AnswerKind.of("a", "/v1/items")).isEqualTo(AnswerKind.of("a", "/v22/things"));
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
        double[] means = sim.flood(l, 30_000 * MS, 60_000 * MS);
        assertThat(means[0]).as("mean limit").isBetween(0.7 * workers, 1.1 * workers + 1);
        assertThat(means[1]).as("mean backlog at the origin").isLessThanOrEqualTo(0.1 * workers + 1);
    }

    /** An origin of W workers, a FIFO backlog, service times 2 ms or 100 ms; time in nanoseconds. */
    private static final class WorkerPoolSim {
        record Job(long sentAt, long serviceNanos, long kind) {}

        record Done(long at, Job job) {}

        final int workers;
        final Random rnd;
        final ArrayDeque<Job> backlog = new ArrayDeque<>();
        final PriorityQueue<Done> running = new PriorityQueue<>((a, b) -> Long.compare(a.at(), b.at()));
        int inFlight;
        long now;
        /** Whether answers carry their kind (an asset and a page kind), as the edge's do. */
        boolean withKinds;

        WorkerPoolSim(int workers, Random rnd) {
            this.workers = workers;
            this.rnd = rnd;
        }

        /**
         * Floods the origin until {@code to}; returns the mean limit and the mean backlog at the origin, sampled every
         * 100 ms from {@code from}.
         */
        double[] flood(AdaptiveLimit l, long from, long to) {
            long limitSum = 0;
            long backlogSum = 0;
            int n = 0;
            long next = from;
            while (now < to) {
                fill(l);
                step(l);
                if (now >= next) {
                    limitSum += l.limit();
                    backlogSum += backlog.size();
                    n++;
                    next += 100 * MS;
                }
            }
            return new double[] {(double) limitSum / n, (double) backlogSum / n};
        }

        /** The flood never runs out: the edge sends until its limit. */
        void fill(AdaptiveLimit l) {
            while (inFlight < l.limit()) {
                sendOne(l);
            }
            l.onAcquire(inFlight); // a request of the flood waits at the limit, as at the edge's bulkhead
        }

        void sendOne(AdaptiveLimit l) {
            inFlight++;
            l.onAcquire(inFlight);
            boolean asset = rnd.nextInt(10) == 0;
            long kind = !withKinds ? AnswerKind.UNKNOWN : AnswerKind.of("s", asset ? "/a.css" : "/page");
            Job j = new Job(now, asset ? 2 * MS : 100 * MS, kind);
            if (running.size() < workers) {
                running.add(new Done(now + j.serviceNanos(), j));
            } else {
                backlog.add(j);
            }
        }

        void step(AdaptiveLimit l) {
            Done d = running.poll();
            now = d.at();
            inFlight--;
            l.onSample(now, now - d.job().sentAt(), d.job().kind());
            Job next = backlog.poll();
            if (next != null) {
                running.add(new Done(now + next.serviceNanos(), next));
            }
        }
    }
}
