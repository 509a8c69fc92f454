package coop.bulwark.protect;

import coop.bulwark.site.BulkheadLimits;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The concurrency budget of one origin address (one shared web server), divided fairly among the sites on it.
 *
 * <p>A request gets a slot at once when the origin has a free slot and its site is below its own
 * {@link BulkheadLimits#maxConcurrent}. Otherwise it waits in its site's bounded queue (full → rejected at once) until a
 * slot frees up or its deadline passes. Each freed slot goes to the waiting site with the smallest share in use
 * ({@code slots held here / weight}), ties broken round-robin: max-min fairness, so a site with 10,000 requests
 * waiting cannot delay a site with one — the quiet site is always the least served and is picked next.
 *
 * <p>People first: each site's queue has three lanes ({@link BulkheadLane}), each bounded by
 * {@link BulkheadLimits#queue}: people (a valid challenge pass or seen cookie), strangers, and strangers whose query
 * looks like cache busting. A slot the site gets goes to the first lane that has a waiter, and a request is granted at
 * once only when no lane before or at its own has one. A person neither waits behind a flood's queue nor is refused
 * because it is full, so a site's known visitors keep being served in the seconds before an attack on it is detected;
 * a first-time visitor is not refused because a cache-busting flood filled the last lane.
 *
 * <p>Headroom for people: requests in the last lane (cache busting) hold at most a quarter of the origin's slots
 * ({@link #bustersCap}), all sites together. Without that cap, a cache-busting flood in the seconds before it is
 * detected took every slot the quiet sites left free, the shared origin's workers all busy and its backlog full, and
 * a bystander's page, granted a slot at once, still waited at the origin behind the flood's requests (an answer in
 * 100-190 ms instead of 60 in {@code bench/flood-cost.sh}). A learned limit stands above the origin's worker count
 * (it accepts a little queueing), so a half left the origin queueing still; a quarter leaves most workers free for
 * everybody else. The cap binds only while that many such requests are in flight at once, which people alone hardly
 * ever make.
 *
 * <p>The budget is either fixed ({@link #capacity(int)}: {@code origin_capacity} set) or learned ({@link #learn()}): an
 * {@link AdaptiveLimit} reads the answers given back with {@link #release(SiteBudget, long, long)} and
 * {@link #releaseDropped} and moves the budget, which the fair share then divides like a fixed one.
 *
 * <p>Thread-safe. Requests from all event loops meet here, under one short lock per origin; callbacks run on each
 * waiter's own executor, after the lock is released.
 */
/*
 * Design note. Why not deficit round robin over per-site queues? With unit-cost requests and weights, DRR reduces to
 * weighted round robin, which is fair in *throughput* but lets a flooded site keep holding slots it got while the
 * origin was idle. Picking the least-served site (by slots held) is fair in *occupancy*, the resource that actually
 * runs out on a shared PHP box (worker processes), and needs no per-round state. The scan is over sites with
 * waiters only — a handful even under attack — so it is cheap. Slots are never preempted: a bystander waits at most
 * for the next slot to free up, about one origin service time when the origin is saturated.
 */
public final class OriginCapacity {
    private final String name;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile int capacity;
    private int inFlight;
    /** Slots held by requests of the {@link BulkheadLane#BUSTERS} lane. Guarded by the lock. */
    private int bustersInFlight;
    /** The learning limit, or null when the budget is fixed. Guarded by the lock. */
    private AdaptiveLimit adaptive;
    /**
     * One lane per site that has used this origin, kept while idle: dropping and re-creating a lane on every quiet
     * moment allocated on each request. Bounded by the sites configured during the process's life.
     */
    private final Map<SiteBudget, SiteLane> lanes = new HashMap<>();

    private final ArrayDeque<SiteLane> waiting = new ArrayDeque<>();

    private static final BulkheadLane[] LANES = BulkheadLane.values();

    /**
     * A site's requests at this origin: slots held here and its waiting queues, one per {@link BulkheadLane}. Guarded
     * by the lock.
     */
    private static final class SiteLane {
        final SiteBudget site;

        @SuppressWarnings("unchecked")
        final ArrayDeque<Ticket>[] queues = new ArrayDeque[LANES.length];

        int heldHere;

        SiteLane(SiteBudget site) {
            this.site = site;
            for (int i = 0; i < queues.length; i++) {
                queues[i] = new ArrayDeque<>();
            }
        }

        /** Whether no request waits in {@code lane} or a lane before it. */
        boolean idleUpTo(BulkheadLane lane) {
            for (int i = 0; i <= lane.ordinal(); i++) {
                if (!queues[i].isEmpty()) {
                    return false;
                }
            }
            return true;
        }

        boolean idle() {
            return idleUpTo(LANES[LANES.length - 1]);
        }

        int waiting() {
            int n = 0;
            for (ArrayDeque<Ticket> q : queues) {
                n += q.size();
            }
            return n;
        }

        /** The first waiter in lane order; null when none. */
        Ticket peek() {
            for (ArrayDeque<Ticket> q : queues) {
                if (!q.isEmpty()) {
                    return q.peekFirst();
                }
            }
            return null;
        }

        /** Removes and returns the first waiter in lane order; null when none. */
        Ticket poll() {
            for (ArrayDeque<Ticket> q : queues) {
                if (!q.isEmpty()) {
                    return q.pollFirst();
                }
            }
            return null;
        }
    }

    /** One request's claim; lets the request cancel its wait when its deadline passes. */
    public static final class Ticket {
        private final SiteBudget site;
        private final BulkheadLane lane;
        private final Executor executor;
        private final BulkheadWaiter waiter;
        private boolean queued; // guarded by the lock

        private Ticket(SiteBudget site, BulkheadLane lane, Executor executor, BulkheadWaiter waiter) {
            this.site = site;
            this.lane = lane;
            this.executor = executor;
            this.waiter = waiter;
        }
    }

    /** Outcome of {@link #acquire}. */
    public enum Outcome {
        /** A slot is held now; the waiter will not be called. */
        GRANTED,
        /** Waiting; the waiter's {@code granted()} will be called later, or the caller cancels at its deadline. */
        QUEUED,
        /** The site's queue is full; the waiter will not be called. */
        REJECTED
    }

    public OriginCapacity(String name, int capacity) {
        this.name = name;
        capacity(capacity);
    }

    public String name() {
        return name;
    }

    /** A budget learned from the origin's answers, starting at {@link AdaptiveLimit#INITIAL_LIMIT}. */
    public static OriginCapacity learning(String name) {
        OriginCapacity c = new OriginCapacity(name, AdaptiveLimit.INITIAL_LIMIT);
        c.learn();
        return c;
    }

    /** Fixes the budget (reload, {@code origin_capacity} set); a larger one grants waiters at once. */
    public void capacity(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("origin_capacity: " + slots + " (expected: >= 1)");
        }
        List<Ticket> granted = new ArrayList<>();
        lock.lock();
        try {
            adaptive = null;
            this.capacity = slots;
            grantWaiting(granted);
        } finally {
            lock.unlock();
        }
        notifyGranted(granted);
    }

    /**
     * Learns the budget from now on (reload, {@code origin_capacity} not set). An origin already learning keeps what
     * it learned; one that had a fixed budget starts again from {@link AdaptiveLimit#INITIAL_LIMIT}.
     */
    public void learn() {
        List<Ticket> granted = new ArrayList<>();
        lock.lock();
        try {
            if (adaptive == null) {
                adaptive = new AdaptiveLimit();
                capacity = adaptive.limit();
                grantWaiting(granted);
            }
        } finally {
            lock.unlock();
        }
        notifyGranted(granted);
    }

    /** Whether the budget is learned (true) or fixed by configuration. */
    public boolean learning() {
        lock.lock();
        try {
            return adaptive != null;
        } finally {
            lock.unlock();
        }
    }

    /** The no-load time to an answer a learned budget is judged against, in nanoseconds; -1 when not known. */
    public long baseNanos() {
        lock.lock();
        try {
            return adaptive == null ? -1 : adaptive.baseNanos();
        } finally {
            lock.unlock();
        }
    }

    /** The budget now, fixed or learned. */
    public int capacity() {
        return capacity;
    }

    /** Slots in use now. */
    public int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /** Slots held now by requests of the {@link BulkheadLane#BUSTERS} lane, all sites together. */
    public int bustersInFlight() {
        lock.lock();
        try {
            return bustersInFlight;
        } finally {
            lock.unlock();
        }
    }

    /** The most slots requests of the {@link BulkheadLane#BUSTERS} lane may hold: a quarter of the budget, at least one. */
    public int bustersCap() {
        return Math.max(1, capacity / 4);
    }

    /** Whether a request of {@code lane} must wait for its lane's share of the origin. Call with the lock held. */
    private boolean atLaneCap(BulkheadLane lane) {
        return lane == BulkheadLane.BUSTERS && bustersInFlight >= bustersCap();
    }

    /** Requests waiting now, all sites together. */
    public int waitingCount() {
        lock.lock();
        try {
            int n = 0;
            for (SiteLane l : waiting) {
                n += l.waiting();
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Asks for a slot for a request of {@code site}. On {@link Outcome#QUEUED}, {@code ticketOut[0]} holds the ticket
     * to {@link #cancel} at the deadline; {@code waiter.granted()} is later run on {@code executor}.
     */
    public Outcome acquire(SiteBudget site, Executor executor, BulkheadWaiter waiter, Ticket[] ticketOut) {
        return acquire(site, BulkheadLane.STRANGERS, executor, waiter, ticketOut);
    }

    /**
     * Asks for a slot for a request of {@code site} waiting, if it must, in {@code which} lane (see the class
     * comment); otherwise as {@link #acquire(SiteBudget, Executor, BulkheadWaiter, Ticket[])}.
     */
    public Outcome acquire(
            SiteBudget site, BulkheadLane which, Executor executor, BulkheadWaiter waiter, Ticket[] ticketOut) {
        BulkheadLimits limits = site.limits();
        lock.lock();
        try {
            SiteLane lane = lanes.computeIfAbsent(site, SiteLane::new);
            ArrayDeque<Ticket> queue = lane.queues[which.ordinal()];
            // A request waits behind its own lane and those before it, never behind the lanes after it.
            if (inFlight < capacity
                    && site.inFlight() < limits.maxConcurrent()
                    && lane.idleUpTo(which)
                    && !atLaneCap(which)) {
                take(lane, which);
                return Outcome.GRANTED;
            }
            if (adaptive != null) {
                adaptive.onAcquire(inFlight); // a request that must wait at the limit: the limit was reached
            }
            if (queue.size() >= limits.queue()) {
                site.countRejection();
                return Outcome.REJECTED;
            }
            Ticket t = new Ticket(site, which, executor, waiter);
            t.queued = true;
            if (lane.idle()) {
                waiting.addLast(lane);
            }
            queue.addLast(t);
            ticketOut[0] = t;
            return Outcome.QUEUED;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Withdraws a waiting request (its deadline passed, or its client left). Returns true if it was still waiting —
     * then it holds no slot and its waiter will not be called; false if it was already granted (it holds a slot and
     * must release it).
     */
    public boolean cancel(Ticket t) {
        lock.lock();
        try {
            if (!t.queued) {
                return false;
            }
            t.queued = false;
            SiteLane lane = lanes.get(t.site);
            if (lane != null) {
                lane.queues[t.lane.ordinal()].remove(t);
                if (lane.idle()) {
                    waiting.remove(lane);
                }
            }
            t.site.countRejection();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns a slot held by a request of {@code site} granted in the {@link BulkheadLane#STRANGERS} lane (by {@link
     * #acquire(SiteBudget, Executor, BulkheadWaiter, Ticket[])}), and hands freed slots to waiting sites, fairly. The
     * request tells nothing about the origin's load (it ended before an answer, or the origin failed to connect).
     */
    public void release(SiteBudget site) {
        release(site, BulkheadLane.STRANGERS);
    }

    /** As {@link #release(SiteBudget)}, for a slot granted in lane {@code lane}. */
    public void release(SiteBudget site, BulkheadLane lane) {
        release(site, lane, 0, Observed.NOTHING, 0, AnswerKind.UNKNOWN);
    }

    /** Returns a slot of a request the origin answered {@code answerNanos} after the slot was granted. */
    public void release(SiteBudget site, long nowNanos, long answerNanos) {
        release(site, BulkheadLane.STRANGERS, nowNanos, answerNanos, AnswerKind.UNKNOWN);
    }

    /**
     * As {@link #release(SiteBudget, long, long)}, for a slot granted in lane {@code lane} to a request of a known
     * {@link AnswerKind}.
     */
    public void release(SiteBudget site, BulkheadLane lane, long nowNanos, long answerNanos, long kind) {
        release(site, lane, nowNanos, Observed.ANSWER, answerNanos, kind);
    }

    /** Returns a slot of a request the origin refused (503) or did not answer within the origin timeout. */
    public void releaseDropped(SiteBudget site, long nowNanos) {
        releaseDropped(site, BulkheadLane.STRANGERS, nowNanos);
    }

    /** As {@link #releaseDropped(SiteBudget, long)}, for a slot granted in lane {@code lane}. */
    public void releaseDropped(SiteBudget site, BulkheadLane lane, long nowNanos) {
        release(site, lane, nowNanos, Observed.DROP, 0, AnswerKind.UNKNOWN);
    }

    /** What a released request showed of the origin's load. */
    private enum Observed {
        ANSWER,
        DROP,
        NOTHING
    }

    private void release(
            SiteBudget site, BulkheadLane slotLane, long nowNanos, Observed observed, long answerNanos, long kind) {
        List<Ticket> granted = new ArrayList<>(1);
        lock.lock();
        try {
            if (adaptive != null) {
                boolean changed = switch (observed) {
                    case ANSWER -> adaptive.onSample(nowNanos, answerNanos, kind);
                    case DROP -> adaptive.onDrop(nowNanos);
                    case NOTHING -> false;
                };
                if (changed) {
                    capacity = adaptive.limit();
                }
            }
            SiteLane lane = lanes.get(site);
            if (lane == null || lane.heldHere == 0) {
                throw new IllegalStateException("release without a slot: site " + site + " at " + name);
            }
            if (slotLane == BulkheadLane.BUSTERS) {
                if (bustersInFlight == 0) {
                    throw new IllegalStateException(
                            "release of a cache-busting slot none holds: site " + site + " at " + name);
                }
                bustersInFlight--;
            }
            lane.heldHere--;
            inFlight--;
            site.decrementInFlight();
            grantWaiting(granted);
        } finally {
            lock.unlock();
        }
        notifyGranted(granted);
    }

    private void take(SiteLane lane, BulkheadLane slotLane) {
        lane.heldHere++;
        inFlight++;
        if (slotLane == BulkheadLane.BUSTERS) {
            bustersInFlight++;
        }
        lane.site.incrementInFlight();
        if (adaptive != null) {
            adaptive.onAcquire(inFlight);
        }
    }

    /** Grants free slots to the least-served eligible waiting sites. Call with the lock held. */
    private void grantWaiting(List<Ticket> granted) {
        while (inFlight < capacity && !waiting.isEmpty()) {
            SiteLane best = null;
            long bestShare = Long.MAX_VALUE;
            int n = waiting.size();
            for (int i = 0; i < n; i++) {
                SiteLane l = waiting.pollFirst();
                waiting.addLast(l); // rotate: ties go to the site that waited longest since its last turn
                BulkheadLimits lim = l.site.limits();
                if (l.site.inFlight() >= lim.maxConcurrent()) {
                    continue;
                }
                if (atLaneCap(l.peek().lane)) {
                    continue; // only cache busting waits here, and it holds its quarter of the origin already
                }
                // share = held / weight, compared without division: held * (LCM-free) scaled by 100 / weight
                long share = (long) l.heldHere * 100 / lim.weight();
                if (share < bestShare) {
                    bestShare = share;
                    best = l;
                }
            }
            if (best == null) {
                return; // every waiting site is at its own cap
            }
            Ticket t = best.poll();
            t.queued = false;
            if (best.idle()) {
                waiting.remove(best);
            }
            take(best, t.lane);
            granted.add(t);
        }
    }

    private static void notifyGranted(List<Ticket> granted) {
        for (Ticket t : granted) {
            t.executor.execute(t.waiter::granted);
        }
    }

    @Override
    public String toString() {
        return name + " (" + capacity + " slots)";
    }
}
