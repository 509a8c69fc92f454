package coop.bulwark.admin;

import coop.bulwark.protect.SourceAddress;
import java.net.InetAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed authentications per source address in a fixed window: after {@code maxFailures} in one window a source is
 * locked out (429) until the window ends, which caps guessing at a few attempts per minute per address.
 *
 * <p>Bounded: at most {@code maxSources} addresses are remembered; when full, the oldest window is forgotten (an
 * attacker with that many addresses gains a few guesses each against a 256-bit token, which is nothing).
 * Keyed by {@link SourceAddress}, whose hash a client cannot choose (an {@code InetAddress}'s it can). Thread-safe
 * (synchronized; the admin API is low-volume). Time is the injected clock.
 */
final class AuthFailures {
    private record Window(long startMillis, int failures) {}

    private final InstantSource clock;
    private final int maxFailures;
    private final long windowMillis;
    private final int maxSources;
    private final LinkedHashMap<SourceAddress, Window> windows = new LinkedHashMap<>();

    AuthFailures(InstantSource clock, int maxFailures, Duration window, int maxSources) {
        if (maxFailures < 1) {
            throw new IllegalArgumentException("maxFailures: " + maxFailures + " (expected: >= 1)");
        }
        if (maxSources < 1) {
            throw new IllegalArgumentException("maxSources: " + maxSources + " (expected: >= 1)");
        }
        this.clock = clock;
        this.maxFailures = maxFailures;
        this.windowMillis = window.toMillis();
        this.maxSources = maxSources;
    }

    /** Whether {@code source} has used up its failures in the current window. */
    synchronized boolean lockedOut(InetAddress source) {
        Window w = current(SourceAddress.of(source));
        return w != null && w.failures() >= maxFailures;
    }

    /** Counts a failed authentication by {@code source}. */
    synchronized void record(InetAddress source) {
        SourceAddress key = SourceAddress.of(source);
        Window w = current(key);
        if (w == null) {
            if (windows.size() >= maxSources) {
                Iterator<Map.Entry<SourceAddress, Window>> oldest =
                        windows.entrySet().iterator();
                oldest.next();
                oldest.remove();
            }
            windows.put(key, new Window(clock.millis(), 1));
        } else {
            windows.put(key, new Window(w.startMillis(), w.failures() + 1));
        }
    }

    /** Seconds until {@code source}'s window ends (for {@code Retry-After}); at least 1. */
    synchronized long retryAfterSeconds(InetAddress source) {
        Window w = current(SourceAddress.of(source));
        long left = w == null ? 0 : w.startMillis() + windowMillis - clock.millis();
        return Math.max(1, (left + 999) / 1000);
    }

    private Window current(SourceAddress key) {
        Window w = windows.get(key);
        if (w != null && clock.millis() - w.startMillis() >= windowMillis) {
            windows.remove(key);
            return null;
        }
        return w;
    }
}
