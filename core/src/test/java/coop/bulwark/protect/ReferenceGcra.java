package coop.bulwark.protect;

import coop.bulwark.site.RateLimit;
import java.util.HashMap;
import java.util.Map;

/** Textbook GCRA with unbounded memory: the exact model {@link SourceRateLimiter} is checked against. */
final class ReferenceGcra {
    private final Map<Long, Long> tat = new HashMap<>();

    /** 0 when allowed, else the nanoseconds until the next allowed request. */
    long tryAcquire(long key, RateLimit limit, long now) {
        long t = limit.intervalNanos();
        long tolerance = (limit.burst() - 1) * t;
        Long last = tat.get(key);
        long base = last == null || last - now < 0 ? now : last;
        if (base - now > tolerance) {
            return base - now - tolerance;
        }
        tat.put(key, base + t);
        return 0;
    }
}
