package coop.bulwark.proxy;

import coop.bulwark.protect.AnswerKind;
import coop.bulwark.protect.BulkheadLane;
import coop.bulwark.protect.BulkheadWaiter;
import coop.bulwark.protect.OriginCapacity;
import coop.bulwark.protect.SiteBudget;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One exchange's claim on an origin slot: held, waiting in the site's bulkhead queue (with its deadline timer), or
 * nothing. Makes sure a slot is released exactly once and a waiting claim is withdrawn when the exchange ends.
 * Event-loop confined, like its exchange.
 */
final class SlotClaim {
    private final SiteBudget budget;
    /** The lane of the site's bulkhead queue the request waits in, if it must. */
    private final BulkheadLane lane;
    /** The site's name and the request's target, whose {@link AnswerKind} the learned limit judges its answer by. */
    private final String site;

    private final String target;

    private OriginCapacity held;
    private OriginCapacity waitingAt;
    private OriginCapacity.Ticket ticket;
    private ScheduledFuture<?> deadline;

    SlotClaim(Admission.Admitted request, BulkheadLane lane) {
        this(request.site().guard().budget(), lane, request.site().name(), request.originUri());
    }

    private SlotClaim(SiteBudget budget, BulkheadLane lane, String site, String target) {
        this.budget = budget;
        this.lane = lane;
        this.site = site;
        this.target = target;
    }

    /**
     * Asks {@code cap} for a slot. On {@code QUEUED} the waiter's {@code granted()} comes later (then call
     * {@link #onGranted}) or {@code onTimeout} runs at the queue deadline (then call {@link #withdraw}).
     */
    OriginCapacity.Outcome request(
            OriginCapacity cap, EventExecutor executor, BulkheadWaiter waiter, Runnable onTimeout) {
        OriginCapacity.Ticket[] t = new OriginCapacity.Ticket[1];
        OriginCapacity.Outcome outcome = cap.acquire(budget, lane, executor, waiter, t);
        switch (outcome) {
            case GRANTED -> held = cap;
            case QUEUED -> {
                waitingAt = cap;
                ticket = t[0];
                deadline = executor.schedule(
                        onTimeout, budget.limits().queueTimeout().toNanos(), TimeUnit.NANOSECONDS);
            }
            case REJECTED -> {}
        }
        return outcome;
    }

    /** The waited-for slot was granted: it is held from now. */
    void onGranted() {
        held = waitingAt;
        waitingAt = null;
        ticket = null;
        cancelDeadline();
    }

    /** Gives up waiting; returns true if the claim was still waiting (false: a grant is already on its way). */
    boolean withdraw() {
        cancelDeadline();
        if (waitingAt == null) {
            return false;
        }
        boolean withdrawn = waitingAt.cancel(ticket);
        if (withdrawn) {
            waitingAt = null;
            ticket = null;
        }
        return withdrawn;
    }

    /** Whether a slot is held or awaited. */
    boolean active() {
        return held != null || waitingAt != null;
    }

    /** Releases the held slot, if any (idempotent), telling the origin's budget nothing about its load. */
    void release() {
        if (held != null) {
            held.release(budget, lane);
            held = null;
        }
    }

    /** Whether a slot is held (granted, not yet released). */
    boolean holding() {
        return held != null;
    }

    /** A claim holding this one's slot, which this one then no longer holds (nothing awaited may be left). */
    SlotClaim handOver() {
        if (waitingAt != null) {
            throw new IllegalStateException("a claim still waiting for a slot cannot be handed over");
        }
        SlotClaim next = new SlotClaim(budget, lane, site, target);
        next.held = held;
        held = null;
        return next;
    }

    /**
     * The exchange ended: withdraws a waiting claim (the client left; if a grant is already on its way, the exchange's
     * {@code granted()} sees it ended and gives the slot back) and releases a held one as {@link #release(long, long,
     * int)} does.
     */
    void end(long nowNanos, long answerNanos, int status) {
        withdraw();
        release(nowNanos, answerNanos, status);
    }

    /**
     * Releases the held slot, if any (idempotent), with what the request showed of its origin's load, which a learned
     * budget learns from: an answer's head after {@code answerNanos} (-1: none came) and the status the exchange ended
     * with. A 503 from the origin and a 504 for its silence are refusals; anything else without an answer (a client
     * that left, a failed connect) tells nothing.
     */
    void release(long nowNanos, long answerNanos, int status) {
        if (held == null) {
            return;
        }
        if (answerNanos >= 0 && status != 503) {
            held.release(budget, lane, nowNanos, answerNanos, AnswerKind.of(site, target));
        } else if (status == 503 || status == 504 && answerNanos < 0) {
            held.releaseDropped(budget, lane, nowNanos);
        } else {
            held.release(budget, lane);
        }
        held = null;
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
