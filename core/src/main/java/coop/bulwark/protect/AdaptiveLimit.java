package coop.bulwark.protect;

/**
 * An origin's concurrency limit learned from what its requests show: how much longer than at no load they take to get
 * an answer, and whether it refuses them (503) or lets them time out. Used by {@link OriginCapacity} for an origin
 * whose {@code origin_capacity} is not set.
 *
 * <p>Feed it every finished request with {@link #onSample} (time to the response head) or {@link #onDrop}, and every
 * slot taken with {@link #onAcquire}; {@link #limit()} is the current limit. All times are nanoseconds of one
 * monotonic clock passed in by the caller (tests use a fake one). Not thread-safe: guarded by its
 * {@link OriginCapacity}'s lock. Allocates nothing after the first kind learned (a table of {@value #KINDS} kinds).
 */
/*
 * Design note. A web server with W workers (php-fpm children, Apache workers) answers up to W requests at once; more
 * wait in its listen backlog, where every request, cheap or dear, waits the same time before a worker takes it. That
 * shared wait is what this limiter reads, with a gradient as in Netflix concurrency-limits' GradientLimit and Envoy's
 * adaptive concurrency filter:
 *
 *  - fastest: per window (WINDOW_NANOS and at least MIN_SAMPLES answers), the mean of its fastest twentieth of
 *    answers: the cheap requests (a static file at 2 ms while pages take 100 ms), which in a backlog waited like
 *    everyone else.
 *  - base: the same statistic in windows where the limit did not bind (a moving average over the latest of them), so
 *    it is the no-load time of the current mix, and never below the least time seen in the last 30-60 s (when the
 *    limit binds in every window, no such window comes to follow a changed mix): when the edge's cache takes the
 *    static files away from the origin, the base becomes the cheapest page. Before any such window: the least time
 *    seen, over two buckets of BASE_BUCKET_NANOS (an edge started during a flood sees no quiet window).
 *    Comparing the fastest answers, not a mean or percentile of all, keeps the mix out: a flood of 100 ms pages on top
 *    of 2 ms assets would look like congestion to a mean.
 *  - kinds: an answer whose AnswerKind (site and route: the path's shape) was seen while the limit did not bind
 *    counts, for the gradient, as base + (its time - its kind's least time): its own wait, whatever its kind costs. A
 *    kind is a route, not a path: by the path, a site's articles were almost all kinds seen once. Without this, a
 *    mix whose cheap kinds grew rare (the cache answers a flood's pages, and people's pages are what reach the origin,
 *    with a feed now and then) read the pages' own 60 ms against the feeds' 30 ms as waiting in every window without
 *    a feed, and held the limit at its floor for the attack's length (bench/flood-cost.sh, full runs: bystanders'
 *    p99 336-939 ms). A kind first seen while the limit binds is not learned (its times may hold a wait the edge
 *    caused), so a flood of new paths on a congested origin is judged as before, by its times.
 *  - gradient = TOLERANCE * base / fastest, within [0.5, 1]: 1 when nothing waits; limit = limit * gradient + alpha
 *    (alpha = max(1, limit / 16)). Below W nothing waits and the limit grows by alpha per window; above W the backlog's
 *    wait pulls it back; it settles just under or at W. The 0.5 floor bounds a single odd window to halving it.
 *  - only windows where the limit was reached move it: while the edge sends less than its limit, the origin's times
 *    say nothing about the limit (they feed the base instead; light traffic leaves the limit alone). A window that
 *    ends by time (MAX_WINDOW_NANOS) short of MIN_SAMPLES, with the limit binding and nothing dropped, grows it by
 *    alpha (AIMD's probe; too few answers for a gradient, and thin evidence never shrinks it): a limit a flood's
 *    onset cut recovers once the flood is answered elsewhere (from the cache, the challenge) and only the people's
 *    requests reach the origin. Such thin windows (MIN_LIGHT_SAMPLES answers or more) also teach the base when the
 *    limit did not bind in them: the cache that answers a flood also takes the cheap answers away, and a base learned
 *    on the old mix reads pages as waiting.
 *  - 503 answers or origin timeouts in a window: the limit is cut to 3/4 (AIMD's multiplicative decrease); an origin
 *    that refuses is past its backlog whatever the times say.
 *
 * Why not a Vegas-style queue estimate (throughput * (fastest - base) waiting, by Little's law)? Tried first: answers
 * of a worker pool come in clumps (workers that started together finish together), so the fastest answers
 * underestimate the mean wait and the estimate let a backlog of a third of W stand; the gradient errs the other way,
 * a little under W, which costs some throughput and no latency. Envoy pins the concurrency low now and then to
 * re-measure its base, which costs throughput during an attack; here the base also falls whenever the limit is at or
 * under W, which the gradient reaches on its own. Limitation: a flood that changes the mix (its requests all dear, the
 * cheap ones gone) looks congested: the limit errs low while the flood reaches the origin; the halving bound and the
 * floor keep it serving, and the bulkhead's max-min share serves the quietest sites first.
 */ public final class AdaptiveLimit {
    /** The limit before anything is learned: Netflix's and Envoy's starting point, a small php-fpm pool. */
    public static final int INITIAL_LIMIT = 20;

    public static final int MIN_LIMIT = 2;
    public static final int MAX_LIMIT = 1000;

    static final long WINDOW_NANOS = 250_000_000L;
    static final int MIN_SAMPLES = 32;
    /**
     * A window that cannot gather MIN_SAMPLES answers in this long is ended: too little traffic to judge the limit by a
     * gradient (it may still grow it, or teach the base with MIN_LIGHT_SAMPLES).
     */
    static final long MAX_WINDOW_NANOS = 2_000_000_000L;

    /** Answers a window ended by time needs to teach the base (a moving average, so one thin window moves it little). */
    static final int MIN_LIGHT_SAMPLES = 8;

    static final long BASE_BUCKET_NANOS = 30_000_000_000L;
    /** How many of a window's fastest answers are kept to estimate the wait (the fastest tenth, at most this). */
    static final int LOWEST = 32;
    /**
     * Kinds whose least time is kept (a power of two): the routes of the sites on one origin (a few each: the front
     * page, articles, feeds, assets by type), 28 KiB of tables per learning origin.
     */
    static final int KINDS = 1024;

    private static final int PROBES = 8;

    /** Answers of known kinds a full window needs for its wait to be read from them (else: from the fastest). */
    static final int MIN_KNOWN_SAMPLES = 8;

    /** The fastest answers may take this much longer than base before it counts as waiting (jitter, connects). */
    static final double TOLERANCE = 1.2;

    private int limit = INITIAL_LIMIT;

    private long windowStart = Long.MIN_VALUE;
    private int samples;
    /** The window's LOWEST smallest times, ascending; the first {@code lowestCount} are in use. */
    private final long[] lowest = new long[LOWEST];

    private int lowestCount;
    /** The window's LOWEST smallest waits ({@code rtt - its kind's least}) of answers whose kind is known, ascending. */
    private final long[] lowestWaits = new long[LOWEST];

    private int waitCount;
    /** The window's least time per kind (the first LOWEST kinds), learned if the window ends unbound. */
    private final long[] pendingKinds = new long[LOWEST];

    private final long[] pendingLeast = new long[LOWEST];
    private int pendingCount;
    /** The window's answers whose kind is known. */
    private int knownSamples;

    private int drops;
    private boolean limitReached;

    private long bucketStart = Long.MIN_VALUE;
    private long baseCurrent = Long.MAX_VALUE;
    private long basePrevious = Long.MAX_VALUE;
    /** The fastest answers' time in recent windows where the limit did not bind (moving average); -1: none yet. */
    private long lightBase = -1;
    /** Base buckets begun so far: the age of a kind's least time. */
    private int epoch;

    /**
     * Each {@link AnswerKind}'s least time to an answer, learned from windows in which the limit did not bind (so not
     * a time that includes a wait the edge's own traffic caused), over its latest two buckets of learning: open
     * addressing, at most PROBES slots looked at, the one learned longest ago replaced. Allocated at the first kind
     * learned.
     */
    private long[] kindKeys;

    private long[] kindLeast;
    private long[] kindLeastPrevious;
    private int[] kindEpoch;

    /** The current limit, in requests at once. */
    public int limit() {
        return limit;
    }

    /** The no-load time to an answer the limit is judged against, or -1 before the first answer. */
    public long baseNanos() {
        long least = Math.min(baseCurrent, basePrevious);
        if (lightBase >= 0) {
            // Never below the least time any answer took in the last 30-60 s: a base under that was learned on a mix
            // the origin no longer sees (the cache took its cheap answers), and read its pages' own time as waiting.
            return least == Long.MAX_VALUE ? lightBase : Math.max(lightBase, least);
        }
        return least == Long.MAX_VALUE ? -1 : least;
    }

    /** A slot was taken, leaving {@code inFlight} slots in use. */
    public void onAcquire(int inFlight) {
        if (inFlight >= limit) {
            limitReached = true;
        }
    }

    /**
     * A request was answered after {@code rttNanos} (slot granted to response head), at {@code nowNanos}. Returns
     * true when the limit changed.
     */
    public boolean onSample(long nowNanos, long rttNanos) {
        return onSample(nowNanos, rttNanos, AnswerKind.UNKNOWN);
    }

    /** As {@link #onSample(long, long)}, for a request of {@code kind} (an {@link AnswerKind}). */
    public boolean onSample(long nowNanos, long rttNanos, long kind) {
        long rtt = Math.max(1, rttNanos);
        rotateBase(nowNanos);
        baseCurrent = Math.min(baseCurrent, rtt);
        startWindow(nowNanos);
        samples++;
        lowestCount = keepIfLowest(lowest, lowestCount, rtt);
        long least = kind == AnswerKind.UNKNOWN ? -1 : kindLeast(kind);
        if (least >= 0) {
            knownSamples++;
            waitCount = keepIfLowest(lowestWaits, waitCount, rtt - least);
        }
        if (kind != AnswerKind.UNKNOWN) {
            keepForLearning(kind, rtt);
        }
        return endWindow(nowNanos);
    }

    /**
     * Keeps the window's least time per kind (at most LOWEST kinds), to be learned when the window ends without the
     * limit binding. Not learned at once: a released slot is sampled before it is handed to a waiter, so the first
     * answers of every window of a flood came before anything marked the window as bound, and were learned, waits
     * and all (a 4-worker origin's learned limit then stood at 22).
     */
    private void keepForLearning(long kind, long rtt) {
        for (int i = 0; i < pendingCount; i++) {
            if (pendingKinds[i] == kind) {
                pendingLeast[i] = Math.min(pendingLeast[i], rtt);
                return;
            }
        }
        if (pendingCount < LOWEST) {
            pendingKinds[pendingCount] = kind;
            pendingLeast[pendingCount++] = rtt;
        }
    }

    /** The least time of {@code kind} over its latest two buckets of learning, or -1 when not known. */
    private long kindLeast(long kind) {
        if (kindKeys == null) {
            return -1;
        }
        int mask = KINDS - 1;
        int start = (int) kind & mask;
        for (int p = 0; p < PROBES; p++) {
            int i = (start + p) & mask;
            if (kindKeys[i] == kind) {
                return Math.min(kindLeast[i], kindLeastPrevious[i]);
            }
            if (kindKeys[i] == AnswerKind.UNKNOWN) {
                return -1;
            }
        }
        return -1;
    }

    private void learnKind(long kind, long rtt) {
        if (kindKeys == null) {
            kindKeys = new long[KINDS];
            kindLeast = new long[KINDS];
            kindLeastPrevious = new long[KINDS];
            kindEpoch = new int[KINDS];
        }
        int mask = KINDS - 1;
        int start = (int) kind & mask;
        int victim = start;
        for (int p = 0; p < PROBES; p++) {
            int i = (start + p) & mask;
            if (kindKeys[i] == kind) {
                if (kindEpoch[i] == epoch) {
                    kindLeast[i] = Math.min(kindLeast[i], rtt);
                } else {
                    // A new bucket of learning: the last one's least is kept beside it, older ones forgotten, so a
                    // kind that became slower is read as slower within two buckets of it being seen unhurried.
                    kindLeastPrevious[i] = kindLeast[i];
                    kindLeast[i] = rtt;
                    kindEpoch[i] = epoch;
                }
                return;
            }
            if (kindKeys[i] == AnswerKind.UNKNOWN) {
                victim = i;
                break;
            }
            if (kindEpoch[i] < kindEpoch[victim]) {
                victim = i;
            }
        }
        kindKeys[victim] = kind;
        kindLeast[victim] = rtt;
        kindLeastPrevious[victim] = Long.MAX_VALUE;
        kindEpoch[victim] = epoch;
    }

    /** A request the origin refused (503) or left unanswered past the origin timeout, at {@code nowNanos}. */
    public boolean onDrop(long nowNanos) {
        startWindow(nowNanos);
        drops++;
        return endWindow(nowNanos);
    }

    private void startWindow(long now) {
        if (windowStart == Long.MIN_VALUE) {
            windowStart = now;
        }
    }

    private void rotateBase(long now) {
        if (bucketStart == Long.MIN_VALUE) {
            bucketStart = now;
        } else if (now - bucketStart >= BASE_BUCKET_NANOS) {
            // Two buckets or more passed without a sample: the old minimum says nothing about the origin now.
            basePrevious = now - bucketStart >= 2 * BASE_BUCKET_NANOS ? Long.MAX_VALUE : baseCurrent;
            baseCurrent = Long.MAX_VALUE;
            bucketStart = now;
            epoch++;
        }
    }

    private boolean endWindow(long now) {
        long elapsed = now - windowStart;
        if (elapsed < WINDOW_NANOS || samples + drops < MIN_SAMPLES && elapsed < MAX_WINDOW_NANOS) {
            return false;
        }
        int before = limit;
        if (!limitReached && drops == 0) {
            for (int i = 0; i < pendingCount; i++) {
                learnKind(pendingKinds[i], pendingLeast[i]);
            }
        }
        pendingCount = 0;
        if (drops > 0) {
            limit = Math.max(MIN_LIMIT, limit * 3 / 4);
        } else if (samples >= MIN_SAMPLES) {
            decide(elapsed);
        } else if (!limitReached && samples >= MIN_LIGHT_SAMPLES) {
            // A thin window with nothing held back teaches the base too: where only a few answers a second reach the
            // origin (a flood answered from the cache, which also took the cheap answers away), full windows never
            // come, and a base kept from the old mix read the pages' own time as waiting.
            decide(elapsed);
        } else if (limitReached) {
            // A window cut short by time in which the limit bound and nothing was dropped: too few answers to read a
            // gradient, so probe as AIMD does, by alpha (never shrink: thin evidence of waiting is noise). After a
            // flood's onset cut the limit, the origin's own traffic may never fill a window again, and a limit that
            // moved only on full ones stayed at 2-9 for the rest of the attack while bursts of people queued behind
            // it; an origin that cannot take more says so by refusing or timing out (drops), or, once busy, in full
            // windows.
            limit = Math.min(MAX_LIMIT, limit + Math.max(1, limit / 16));
        }
        windowStart = now;
        samples = 0;
        lowestCount = 0;
        waitCount = 0;
        knownSamples = 0;
        drops = 0;
        limitReached = false;
        return limit != before;
    }

    /**
     * Insertion into a sorted array of a window's fastest times, {@code count} in use: at most LOWEST moves, no
     * allocation. Returns the new count.
     */
    private static int keepIfLowest(long[] sorted, int count, long t) {
        if (count == LOWEST && t >= sorted[LOWEST - 1]) {
            return count;
        }
        int i = count < LOWEST ? count : LOWEST - 1;
        while (i > 0 && sorted[i - 1] > t) {
            sorted[i] = sorted[i - 1];
            i--;
        }
        sorted[i] = t;
        return count < LOWEST ? count + 1 : count;
    }

    /** The mean of the first {@code k} of {@code sorted}. */
    private static long meanOfFirst(long[] sorted, int k) {
        long sum = 0;
        for (int i = 0; i < k; i++) {
            sum += sorted[i];
        }
        return sum / k;
    }

    private void decide(long elapsed) {
        if (!limitReached) {
            // The same statistic with the edge not holding anything back: the no-load time of today's mix.
            long light = meanOfFirst(lowest, Math.clamp(samples / 20, 1, lowestCount));
            lightBase = lightBase < 0 ? light : (3 * lightBase + light) / 4;
            return;
        }
        long base = baseNanos();
        long fastest;
        if (knownSamples >= MIN_KNOWN_SAMPLES) {
            // Answers of known kinds tell their own wait, whatever their kind costs: a backlog's wait is shared, so
            // the lower half of them (not a twentieth: no cheap kind needs picking out) is the wait; counted on the
            // base's scale (the cheapest kind's time) so the gradient reads as with the fastest answers. Tried
            // against the window's mean no-load time instead (Little's law): a page's jitter then reads as no wait,
            // but the worker-pool floods kept a backlog of 0.15-0.2 W (AdaptiveLimitTest), twice what is allowed.
            fastest = base + meanOfFirst(lowestWaits, Math.clamp(knownSamples / 2, 1, waitCount));
        } else {
            fastest = meanOfFirst(lowest, Math.clamp(samples / 20, 1, lowestCount));
        }
        // Gradient: the share of the fastest answers' time that is work, not wait; 1 when nothing waits.
        double gradient = Math.clamp(TOLERANCE * base / Math.max(base, fastest), 0.5, 1.0);
        int alpha = Math.max(1, limit / 16);
        int next = (int) (limit * gradient + alpha);
        limit = Math.clamp(next, MIN_LIMIT, MAX_LIMIT);
    }
}
