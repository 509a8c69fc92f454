package coop.bulwark.proxy;

import coop.bulwark.origin.OriginConnection;
import coop.bulwark.origin.OriginDeadlines;
import coop.bulwark.origin.OriginListener;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import java.util.function.LongSupplier;

/**
 * A request whose client left while the origin was working on it: its origin slot stays held until the origin
 * answers (the head) or its origin timeout passes, then the connection is closed and the slot released with what it
 * showed of the origin's load.
 *
 * <p>Why: a PHP worker (or any worker pool) goes on with a request whose client has gone; the edge dropping its slot
 * at once let it send another request to a worker still busy with the first. Under a flood of impatient clients (bots
 * that give up after 2 s, most of it spent in the site's bulkhead queue) these ghosts piled up behind the edge's limit:
 * the origin's backlog filled and refused everyone, bystander sites included, while the edge counted itself within
 * its budget; the learned limit, reading the refusals, was cut to its floor. Holding the slot keeps the edge's count
 * equal to the work the origin really has, and the answer's time teaches the learned limit like any other.
 *
 * <p>Event-loop confined (the origin connection's loop, which is the exchange's).
 */
final class AbandonedFetch extends OriginDeadlines.Watched implements OriginListener {
    private final OriginConnection conn;
    private final SlotClaim slot;
    private final OriginDeadlines deadlines;
    private final LongSupplier clock;
    private final long originStartNanos;
    private final long deadlineNanos;
    private boolean ended;

    private AbandonedFetch(
            OriginConnection conn,
            SlotClaim slot,
            OriginDeadlines deadlines,
            LongSupplier clock,
            long originStartNanos,
            long deadlineNanos) {
        this.conn = conn;
        this.slot = slot;
        this.deadlines = deadlines;
        this.clock = clock;
        this.originStartNanos = originStartNanos;
        this.deadlineNanos = deadlineNanos;
    }

    /**
     * Takes over {@code conn} and the slot {@code slot} holds (which then holds nothing), until the origin answers or
     * {@code deadlineNanos} (its origin timeout: no answer is coming) passes. {@code originStartNanos}: when the slot
     * came, which the answer's time is measured from.
     */
    static void adopt(
            OriginConnection conn,
            SlotClaim slot,
            OriginDeadlines deadlines,
            LongSupplier clock,
            long originStartNanos,
            long deadlineNanos) {
        var f = new AbandonedFetch(conn, slot.handOver(), deadlines, clock, originStartNanos, deadlineNanos);
        conn.attach(f);
        deadlines.watch(f);
    }

    @Override
    public void onResponseHead(HttpResponse response) {
        long now = clock.getAsLong();
        end(now, now - originStartNanos, response.status().code());
    }

    @Override
    public void onResponseContent(HttpContent content) {
        content.release(); // the head's own content included: the body is not wanted, the connection is closing
    }

    @Override
    public void onOriginReadComplete() {}

    @Override
    public void onOriginWritable() {}

    @Override
    public void onOriginFailure(Throwable cause) {
        end(clock.getAsLong(), -1, 502);
    }

    @Override
    protected boolean originSilentFor(long nowNanos) {
        return !ended && nowNanos >= deadlineNanos;
    }

    @Override
    protected void onOriginTimeout() {
        end(clock.getAsLong(), -1, 504);
    }

    private void end(long now, long answerNanos, int status) {
        if (ended) {
            return;
        }
        ended = true;
        deadlines.unwatch(this);
        slot.release(now, answerNanos, status);
        // Closed, not pooled: the body is not wanted, and reading it to reuse the connection would cost the edge a
        // transfer per ghost under the flood that made them.
        conn.release(false, now);
    }
}
