package coop.bulwark.protect;

import coop.bulwark.time.Ticker;

/** A {@link Ticker} moved by hand. Not thread-safe; for single-threaded tests. */
final class FakeTicker implements Ticker {
    private long now;

    FakeTicker(long start) {
        this.now = start;
    }

    @Override
    public long read() {
        return now;
    }

    void advance(long nanos) {
        now += nanos;
    }
}
