package coop.bulwark.cluster;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A wall clock moved by hand; visible across threads. */
final class TestClock implements InstantSource {
    private volatile Instant now;

    TestClock(Instant start) {
        this.now = start;
    }

    @Override
    public Instant instant() {
        return now;
    }

    void advance(Duration d) {
        now = now.plus(d);
    }
}
