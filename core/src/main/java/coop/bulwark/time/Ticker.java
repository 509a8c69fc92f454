package coop.bulwark.time;

/**
 * A monotonic nanosecond time source, injected into every limiter so tests can drive time by hand. Only
 * differences between two readings are meaningful (like {@link System#nanoTime()}); values may be negative and
 * may wrap, so compare them by subtraction, never with {@code <}.
 */
@FunctionalInterface
public interface Ticker {
    /** The current reading in nanoseconds; must be safe to call from any thread. */
    long read();

    /** The system's monotonic clock. */
    static Ticker system() {
        return System::nanoTime;
    }
}
