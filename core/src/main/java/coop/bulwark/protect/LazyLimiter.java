package coop.bulwark.protect;

import coop.bulwark.time.Ticker;

/**
 * A {@link SourceRateLimiter} made on first use, so a feature that is never used (protection off, no site ever
 * challenged) never pays for its table. Thread-safe: double-checked creation on a volatile field; after the first
 * call, {@link #get()} is one volatile read.
 */
public final class LazyLimiter {
    private final long budgetBytes;
    private final Ticker ticker;
    private volatile SourceRateLimiter limiter;

    /** A limiter of at most {@code budgetBytes} (see {@link SourceRateLimiter#withBudget}), made on first use. */
    public LazyLimiter(long budgetBytes, Ticker ticker) {
        this.budgetBytes = budgetBytes;
        this.ticker = ticker;
    }

    /** Whether the limiter (and its table) was made. */
    public boolean made() {
        return limiter != null;
    }

    /** The limiter, made by the first caller. */
    public SourceRateLimiter get() {
        SourceRateLimiter l = limiter;
        if (l == null) {
            synchronized (this) {
                l = limiter;
                if (l == null) {
                    limiter = l = SourceRateLimiter.withBudget(budgetBytes, ticker);
                }
            }
        }
        return l;
    }
}
