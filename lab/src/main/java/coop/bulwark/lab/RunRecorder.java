package coop.bulwark.lab;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * What happened during one run, per second since its start: legitimate outcomes on bystanders and on targets, attack
 * requests sent, and the origin's load (sampled once a second). Latencies of legitimate requests are kept only inside
 * the measurement window, the part of the run the headline figures describe.
 *
 * <p>Thread-safe: clients on many virtual threads record concurrently (atomic per-second counters; latency lists
 * under a lock each, a few hundred additions per second).
 */
final class RunRecorder {
    final int seconds;
    final long startNanos;
    final int windowFrom;
    final int windowTo;

    final AtomicLongArray bystanderOk;
    final AtomicLongArray bystanderFailed;
    final AtomicLongArray targetOk;
    final AtomicLongArray targetFailed;
    final AtomicLongArray attackSent;
    /** The no-JavaScript people's share of the legitimate outcomes above (counted in both). */
    final AtomicLongArray nojsBystanderOk;

    final AtomicLongArray nojsBystanderFailed;
    final AtomicLongArray nojsTargetOk;
    final AtomicLongArray nojsTargetFailed;
    /** Sampled by the run's ticker: per second, attack and legitimate arrivals at the origin, workers busy, backlog. */
    final long[] originAttack;

    final long[] originLegit;
    final long[] originBusy;
    final long[] originQueued;
    /** Challenges the simulated browsers solved (proofs of work accepted by the edge). */
    final AtomicLong challengesSolved = new AtomicLong();

    /** Pages of attacked sites got without a challenge on another edge than the one the pass was solved on. */
    final AtomicLong passesAcrossEdges = new AtomicLong();

    /** Seconds of the attack's onset whose bystander latencies are kept apart (the first five of the window). */
    static final int ONSET_SECONDS = 5;

    /** Visits of the Chromium readers ({@link ChromiumReaders}) in the window, kept apart from every other figure. */
    final AtomicLong chromiumOk = new AtomicLong();

    final AtomicLong chromiumFailed = new AtomicLong();

    private final LatencyList targetLatency = new LatencyList();
    private final LatencyList chromiumLatency = new LatencyList();
    /**
     * Bystander latencies by the second their request began, every second of the run (a few hundred each): the
     * window's and the onset's are the seconds they span.
     */
    private final LatencyList[] bystanderLatencyBySecond;

    /**
     * @param seconds the run's length
     * @param windowFrom first second of the measurement window (inclusive)
     * @param windowTo last second of the window (exclusive)
     */
    RunRecorder(int seconds, long startNanos, int windowFrom, int windowTo) {
        this.seconds = seconds;
        this.startNanos = startNanos;
        this.windowFrom = windowFrom;
        this.windowTo = windowTo;
        int n = seconds + 1;
        bystanderOk = new AtomicLongArray(n);
        bystanderFailed = new AtomicLongArray(n);
        targetOk = new AtomicLongArray(n);
        targetFailed = new AtomicLongArray(n);
        attackSent = new AtomicLongArray(n);
        nojsBystanderOk = new AtomicLongArray(n);
        nojsBystanderFailed = new AtomicLongArray(n);
        nojsTargetOk = new AtomicLongArray(n);
        nojsTargetFailed = new AtomicLongArray(n);
        originAttack = new long[n];
        originLegit = new long[n];
        originBusy = new long[n];
        originQueued = new long[n];
        bystanderLatencyBySecond = new LatencyList[n];
        for (int i = 0; i < n; i++) {
            bystanderLatencyBySecond[i] = new LatencyList(256);
        }
    }

    /** The second of the run that {@code nanoTime} falls in, clamped to the run. */
    int second(long nanoTime) {
        long s = (nanoTime - startNanos) / 1_000_000_000L;
        return (int) Math.max(0, Math.min(seconds, s));
    }

    /** A legitimate request that began at {@code startNanos} and ended (answered or failed) at {@code endNanos}. */
    void legit(boolean target, boolean ok, long startNanos, long endNanos) {
        int s = second(startNanos);
        (target ? (ok ? targetOk : targetFailed) : (ok ? bystanderOk : bystanderFailed)).incrementAndGet(s);
        long millis = (endNanos - startNanos) / 1_000_000L;
        if (!target) {
            bystanderLatencyBySecond[s].add(millis);
        } else if (s >= windowFrom && s < windowTo) {
            targetLatency.add(millis);
        }
    }

    /** A Chromium reader's visit that began at {@code startNanos}: counted (and timed when shown) in the window only. */
    void chromium(boolean ok, long startNanos, long endNanos) {
        int s = second(startNanos);
        if (s < windowFrom || s >= windowTo) {
            return;
        }
        (ok ? chromiumOk : chromiumFailed).incrementAndGet();
        if (ok) {
            chromiumLatency.add((endNanos - startNanos) / 1_000_000L);
        }
    }

    /** A no-JavaScript person's request, already recorded with {@link #legit}, counted again in their own figure. */
    void nojs(boolean target, boolean ok, long startNanos) {
        int s = second(startNanos);
        (target ? (ok ? nojsTargetOk : nojsTargetFailed) : (ok ? nojsBystanderOk : nojsBystanderFailed))
                .incrementAndGet(s);
    }

    void challengeSolved() {
        challengesSolved.incrementAndGet();
    }

    void attackSent(long nanoTime) {
        attackSent.incrementAndGet(second(nanoTime));
    }

    long[] bystanderLatencies() {
        return bystanderLatencies(windowFrom, windowTo);
    }

    long[] targetLatencies() {
        return targetLatency.toArray();
    }

    /** Bystander requests begun in the window's first {@link #ONSET_SECONDS} seconds (as {@link #bystanderLatencies}). */
    long[] bystanderOnsetLatencies() {
        return bystanderLatencies(windowFrom, Math.min(windowTo, windowFrom + ONSET_SECONDS));
    }

    /** Bystander requests begun in seconds {@code from} to {@code to} (exclusive) of the run. */
    private long[] bystanderLatencies(int from, int to) {
        return IntStream.range(from, Math.min(to, bystanderLatencyBySecond.length))
                .mapToObj(this::bystanderLatencies)
                .flatMapToLong(LongStream::of)
                .toArray();
    }

    /** Bystander requests begun in second {@code s} of the run (as {@link #bystanderLatencies}). */
    long[] bystanderLatencies(int s) {
        return bystanderLatencyBySecond[s].toArray();
    }

    long[] chromiumLatencies() {
        return chromiumLatency.toArray();
    }

    static long sum(AtomicLongArray a, int from, int to) {
        long t = 0;
        for (int i = Math.max(0, from); i < Math.min(a.length(), to); i++) {
            t += a.get(i);
        }
        return t;
    }

    static long sum(long[] a, int from, int to) {
        long t = 0;
        for (int i = Math.max(0, from); i < Math.min(a.length, to); i++) {
            t += a[i];
        }
        return t;
    }
}
