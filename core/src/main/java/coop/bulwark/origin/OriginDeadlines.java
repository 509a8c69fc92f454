package coop.bulwark.origin;

import java.util.function.LongSupplier;

/**
 * Origin timeouts of the exchanges on one event loop, checked by one sweep every {@link #TICK_MILLIS} instead of a
 * scheduled task per request: scheduling and cancelling a task per request costs two priority-queue operations on
 * the event loop's hot path, and origin timeouts are seconds long, so a tenth of a second of lateness is harmless.
 *
 * <p>An intrusive doubly-linked list (the links live in each {@link Watched}), so adding and removing allocate
 * nothing and take constant time. Event-loop confined.
 */
public final class OriginDeadlines {
    static final long TICK_MILLIS = 100;

    private final LongSupplier nanoClock;
    private Watched head;
    private long coarseNanos;

    OriginDeadlines(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.coarseNanos = nanoClock.getAsLong();
    }

    /**
     * The time of the last sweep: at most {@link #TICK_MILLIS} behind the clock, and free to read. Activity stamps
     * for timeouts use it (a timeout may fire up to one tick early), saving a clock read per body chunk.
     */
    public long coarseNanos() {
        return coarseNanos;
    }

    /** Starts watching {@code e} (no-op if already watched). */
    public void watch(Watched e) {
        if (e.watched) {
            return;
        }
        e.watched = true;
        e.watchPrev = null;
        e.watchNext = head;
        if (head != null) {
            head.watchPrev = e;
        }
        head = e;
    }

    /** Stops watching {@code e} (no-op if not watched). */
    public void unwatch(Watched e) {
        if (!e.watched) {
            return;
        }
        e.watched = false;
        if (e.watchPrev != null) {
            e.watchPrev.watchNext = e.watchNext;
        } else {
            head = e.watchNext;
        }
        if (e.watchNext != null) {
            e.watchNext.watchPrev = e.watchPrev;
        }
        e.watchPrev = null;
        e.watchNext = null;
    }

    /** Times out every watched exchange whose origin has been silent for its timeout. */
    void tick() {
        long now = nanoClock.getAsLong();
        coarseNanos = now;
        Watched e = head;
        while (e != null) {
            Watched next = e.watchNext;
            if (e.originSilentFor(now)) {
                unwatch(e);
                e.onOriginTimeout();
            }
            e = next;
        }
    }

    /**
     * Something with an origin timeout (a request relayed to an origin): extends this class to carry the list's links,
     * so watching it allocates nothing. Event-loop confined, like the list.
     */
    public abstract static class Watched {
        private boolean watched;
        private Watched watchPrev;
        private Watched watchNext;

        /** Whether the origin has been silent (no read, no body write) for this request's timeout at {@code nowNanos}. */
        protected abstract boolean originSilentFor(long nowNanos);

        /** The origin timed out (already unwatched). */
        protected abstract void onOriginTimeout();

        /** Whether a deadline list watches this now. */
        protected final boolean watched() {
            return watched;
        }
    }
}
